"""Feedback for the demo product (Covoit'Zone, carpooling in the Lyon–Saint-Exupéry business
park), made through the services: segments and customers, about 120 French and English
feedback over the last six months from every channel, some linked to backlog items.

One small topic grows in the last three weeks (the P4 car park closing for works, and
carpoolers asking for reserved spots): the signals page should flag it as emerging.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from jalon.backlog.models import Item
from jalon.feedback import customers, services
from jalon.permissions import Actor
from jalon.uow import Database

SEGMENTS = (("Grands comptes", 3.0), ("PME", 1.5), ("Sous-traitants", 1.0))
CUSTOMERS = (  # name, e-mail domain, segment, weight
    ("Aéroport Lyon Services", "als.example", "Grands comptes", 2.0),
    ("BioVal Pharma", "bioval.example", "Grands comptes", 1.5),
    ("LogiRhône", "logirhone.example", "Grands comptes", 1.0),
    ("Rhône Fret", "rhonefret.example", "PME", 1.0),
    ("Traiteur Saint-Ex", "traiteur-stex.example", "PME", 1.0),
    ("Atelier Colombier", "colombier.example", "PME", 1.0),
    ("NetPro Propreté", "netpro.example", "Sous-traitants", 1.0),
    ("SecurAéro", "securaero.example", "Sous-traitants", 1.0),
)
PEOPLE = ("Nadia Haddad", "Julien Roux", "Amélie Girard", "Karim Belkacem", "Sarah Lopez",
          "Thomas Bernard", "Fatou Diallo", "Kevin Martin", "Chloé Faure", "Mehdi Amrani",
          "Laura Chen", "Paul Durand", "Inès Garcia", "Lucas Petit", "Emma Wilson")  # fmt: skip

# Topic → the backlog item (a title prefix) its feedback supports, and what people said.
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "night": (
        "As a passenger whose driver cancels",
        (
            "Mon conducteur a annulé à 21h45, j'ai attendu un taxi une heure devant le fret.",
            "After a late shift there is nobody going my way. I need a guaranteed way home.",
            "Le retour garanti, c'est LA raison pour laquelle je laisserais ma voiture.",
            "Driver cancelled ten minutes before departure, no backup offered. Not OK at 23:00.",
            "Équipe de nuit : on finit à 5h, aucun trajet proposé à cette heure-là.",
            "Can the app book a taxi automatically when my ride is cancelled?",
            "Je travaille en 3x8, le covoiturage ne marche que pour les horaires de bureau.",
            "Please show rides leaving right after my shift ends, not only office hours.",
            "Un bon de taxi quand le conducteur annule, même plafonné, me rassurerait.",
            "I got stuck at the cargo terminal last Friday, the app had no alternative.",
            "Mes collègues de nuit refusent de s'inscrire tant qu'il n'y a pas de retour garanti.",
            "Night workers feel unsafe waiting alone at the bus stop. A ride home would help.",
            "Le taxi partenaire a mis 50 minutes à arriver, c'est trop long.",
            "Would love a 'get me home' button that just works after 22:00.",
            "Quand la navette de 22h10 est supprimée, il ne reste que le covoiturage ou rien.",
            "The taxi voucher should cover the whole trip to Pusignan, not only 15 km.",
            "Pour les intérimaires de nuit, c'est l'argument numéro un.",
            "Please tell me before 20:00 if my evening ride is at risk.",
        ),
    ),
    "recurring": (
        "As a driver, I want to publish a recurring ride",
        (
            "Je refais le même trajet tous les jours, pourquoi le ressaisir chaque semaine ?",
            "Let me publish my Monday-to-Friday commute once and forget about it.",
            "Trajet récurrent svp ! Je propose 4 places tous les matins depuis Meyzieu.",
            "Publishing the same ride every week takes too many steps.",
            "Il faudrait pouvoir dupliquer un trajet de la semaine dernière en un clic.",
            "As a driver I'd like to set my usual schedule and only handle exceptions.",
            "Enregistrer mon trajet habituel pour réserver en deux tapes, comme promis.",
            "Can I save my usual trip? Booking takes 6 screens right now.",
            "Les trajets réguliers disparaissent après une semaine, c'est pénible.",
            "Recurring rides would double the number of drivers in our team, honestly.",
            "Pouvoir mettre en pause mon trajet pendant mes congés sans le supprimer.",
            "I skip carpooling when I forget to post my ride on Sunday evening.",
            "Un trajet récurrent avec des jours variables (lundi, mercredi, vendredi), l'idéal.",
            "Recurring rides should follow my shift roster, which changes every three weeks.",
            "Je voudrais que mes passagers habituels soient réservés automatiquement.",
        ),
    ),
    "android": (
        "Ride times shown in UTC",
        (
            "Sur Android l'heure de départ est décalée d'une heure, j'ai raté mon covoiturage.",
            "The app shows 06:30 but the driver said 07:30. Time zone bug on my Pixel?",
            "Heures affichées en UTC sur mon Samsung depuis la dernière mise à jour.",
            "Wrong departure times on Android since the clocks changed.",
            "Décalage horaire sur Android, l'iPhone de mon collègue affiche la bonne heure.",
            "Android: notification says 17:00, ride card says 18:00. Which one is right?",
            "J'ai attendu une heure pour rien à cause de l'heure affichée.",
            "Time bug again on Android 14 after the update, rides appear one hour early.",
        ),
    ),
    "reporting": (
        "As a mobility manager, I want a monthly CSV",
        (
            "Pour notre plan de mobilité employeur, j'ai besoin d'un export mensuel des trajets.",
            "As mobility manager I must report CO2 savings to the board every quarter.",
            "Un rapport CO2 par entreprise nous ferait gagner une journée par mois.",
            "We need a CSV of shared trips per month, by site, for our PDMe filing.",
            "Export des trajets partagés au format CSV, avec les kilomètres évités.",
            "Could HR get anonymised stats on how many employees carpool each week?",
            "Le comité de direction veut un indicateur simple : voitures en moins sur le parking.",
            "Monthly report please, our sustainability team keeps asking me for numbers.",
            "Le bilan carbone annuel du site exige des données de covoiturage fiables.",
            "Could the report split trips by shift (morning, afternoon, night)?",
            "Un tableau de bord pour les managers de site, sans passer par un export.",
            "Nous devons justifier le forfait mobilités durables : il faut un relevé par salarié.",
        ),
    ),
    "speed": (
        "Make the app fast",
        (
            "L'application met 8 secondes à s'ouvrir le matin sur le parking.",
            "The search screen freezes when I scroll through rides.",
            "Appli lente en 4G dans la zone de fret, le réseau est pourtant correct.",
            "Login every single morning is annoying, please remember me.",
            "Trop de clics pour réserver une place.",
            "The map takes forever to load on my older phone.",
            "Il faudrait un mode hors-ligne pour voir mon trajet du jour.",
            "Notifications arrive late, sometimes after the ride left.",
            "L'appli plante quand je change de trajet au dernier moment.",
            "Battery drain is huge, the app keeps GPS on all day.",
            "Le bouton réserver est trop petit, je me trompe de trajet.",
            "Search results are not sorted by departure time, very confusing.",
            "Chargement infini sur l'écran des messages depuis hier.",
            "Please make the app work with the company SSO, one password less.",
        ),
    ),
    "shift": (
        "As a shift worker, I want to see rides leaving within 15 minutes",
        (
            "Merci pour le filtre par fin de poste, je trouve enfin des trajets à 14h05.",
            "The shift filter is great, but 15 minutes is too short when the handover runs late.",
            "Pouvoir choisir 30 minutes de battement après la fin de mon poste.",
            "Shift search works well for the morning team, less for us at the cargo terminal.",
            "Le filtre par équipe devrait connaître nos horaires de relève (5h, 13h, 21h).",
            "Can the shift filter remember my roster instead of asking every time?",
            "Super : trois trajets trouvés en sortie de poste cette semaine.",
            "Rides within 15 minutes of my shift end: finally something designed for us.",
            "Ajouter les horaires décalés du week-end dans la recherche par poste.",
            "Please add the afternoon shift (13:30) to the preset list.",
        ),
    ),
    "other": (
        "",
        (
            "Pourrait-on partager les frais directement dans l'appli plutôt qu'en liquide ?",
            "A dark mode would be nice for early mornings.",
            "Ajouter la navette de l'aéroport dans les alternatives proposées.",
            "Can women choose to ride only with women drivers? Some colleagues asked.",
            "Un classement des meilleurs covoitureurs motiverait les équipes.",
            "Please add bike-to-tram combos for days without carpool.",
            "J'aimerais noter le conducteur après le trajet.",
            "Great app, saved me 90 euros last month!",
            "Super initiative, on a trouvé trois collègues qui habitent le même village.",
            "The detour to pick me up is too long, can drivers set a maximum detour?",
            "Les points de rendez-vous ne sont pas clairs sur le plan, j'ai cherché 10 minutes.",
            "Could the app suggest a meeting point halfway instead of my address?",
            "Intégrer le badge d'accès du parc pour ouvrir la barrière du parking covoiturage.",
            "Is there a way to carpool with people from other companies in the park?",
            "Les trajets du samedi ne sont jamais proposés alors qu'on travaille le week-end.",
            "Thanks for the quick fix on the login issue!",
            "Le chat avec le conducteur ne fonctionne pas quand il n'a pas l'appli ouverte.",
            "I'd like to see how much CO2 I saved personally.",
            "Pouvoir indiquer que je transporte un vélo pliant.",
            "English version please, half of our airline crews don't read French.",
            "Pouvoir réserver pour un collègue qui n'a pas de smartphone.",
            "A waiting list when a ride is full would be great.",
            "Les conducteurs devraient voir si le passager a un gros bagage.",
            "Can I get a receipt for my expense report?",
            "Afficher la photo du conducteur avant le départ, pour le reconnaître.",
            "We would like to sponsor free rides for new hires during their first month.",
            "Le partage de frais à 0,10 € du km est trop bas pour motiver les conducteurs.",
            "Please integrate with the TCL app for the last mile.",
            "Un mode accessibilité pour les personnes malvoyantes serait bienvenu.",
            "The onboarding asked too many questions, I almost gave up.",
            "Les horaires d'hiver changent tout : pensez aux trajets avant le lever du jour.",
            "Can drivers accept passengers only from their own company?",
        ),
    ),
}
# The topic that grows: few mentions before, many in the last three weeks.
EMERGING = (
    "Le parking P4 ferme pour travaux, y aura-t-il des places réservées au covoiturage ailleurs ?",
    "With P4 closed, carpoolers should get reserved spots near gate B.",
    "Places covoiturage réservées pendant les travaux du P4 svp, on tourne 20 min le matin.",
    "P4 car park closure: can the app show where carpool spots are free?",
    "Depuis la fermeture du P4, plus personne ne trouve de place, le covoiturage devient urgent.",
    "Reserved carpool parking would convince my whole team now that P4 is closed.",
    "Travaux P4 : afficher les places covoiturage disponibles en temps réel ?",
    "Our site manager asks if carpool cars can use the P2 staff area during the P4 works.",
    "Fermeture du P4 : est-ce que Covoit'Zone négocie des places prioritaires ?",
    "Parking is a nightmare since P4 closed. Priority spots for carpoolers would be fair.",
    "On a doublé les demandes de covoiturage dans mon équipe depuis les travaux du P4.",
)
SOURCES = ("manual", "csv", "email", "intake")


def _customers(db: Database, po: Actor, product_id: int) -> list[tuple[int, str, str]]:
    """The segments and customers; (id, name, e-mail domain) of each customer."""
    segments = {}
    for name, weight in SEGMENTS:
        segment = customers.save_segment(
            db.uow(), actor=po, product_id=product_id, values={"name": name, "weight": weight}
        )
        segments[name] = segment.id
    found = []
    for name, domain, segment_name, weight in CUSTOMERS:
        values = {"name": name, "weight": weight, "segment_id": segments[segment_name]}
        made = customers.save_customer(db.uow(), actor=po, product_id=product_id, values=values)
        found.append((made.id, name, domain))
    return found


def _when(rng: random.Random, today: date, oldest: int, newest: int = 0) -> str:
    day = today - timedelta(days=rng.randint(newest, oldest))
    moment = datetime.combine(day, time(rng.randint(6, 21), rng.randint(0, 59)), tzinfo=UTC)
    return moment.isoformat()


def _entries(rng: random.Random) -> list[tuple[str, str]]:
    """(topic, text) of every feedback, in a shuffled order."""
    entries = [(topic, text) for topic, (_item, texts) in TOPICS.items() for text in texts]
    entries += [("emerging", text) for text in EMERGING]
    rng.shuffle(entries)
    return entries


def _row(
    rng: random.Random, today: date, index: int, topic: str, text: str, owners: Sequence[Any]
) -> dict[str, Any]:
    person = PEOPLE[index % len(PEOPLE)]
    customer = owners[rng.randrange(len(owners))] if rng.random() < 0.7 else None
    emerging_early = topic == "emerging" and index % 5 == 0
    if topic == "emerging":
        received = _when(rng, today, 150, 60) if emerging_early else _when(rng, today, 20)
    else:
        received = _when(rng, today, 180, 1)
    handle = person.lower().replace(" ", ".").replace("é", "e").replace("è", "e")
    email = f"{handle}@{customer[2]}" if customer else ""
    rating = rng.choice((None, None, 2, 3, 4, 5)) if topic != "other" else rng.choice((None, 4, 5))
    return {"text": text, "author_name": person, "author_email": email,
            "customer": customer[1] if customer else "", "rating": rating,
            "received_at": received, "external_key": f"demo-{index}"}  # fmt: skip


def _items(db: Database, product_id: int) -> dict[str, int]:
    with db.reader() as uow:
        stmt = select(Item.id, Item.title).where(Item.product_id == product_id)
        found = {str(title): int(ident) for ident, title in uow.session.execute(stmt)}
    return {topic: next((i for t, i in found.items() if spec[0] and t.startswith(spec[0])), 0)
            for topic, spec in TOPICS.items()}  # fmt: skip


def _write(
    db: Database, po: Actor, product_id: int, by_source: Mapping[str, list[dict[str, Any]]]
) -> dict[str, int]:
    """Each channel's rows through its own path; external key → feedback id."""
    ids: dict[str, int] = {}
    for source, rows in by_source.items():
        if source == "manual":
            for row in rows:
                values = {k: v for k, v in row.items() if k not in ("customer", "external_key")}
                made = services.create_feedback(
                    db.uow(), actor=po, product_id=product_id, values=values
                )
                ids[row["external_key"]] = made.id
            continue
        labelled = [(str(i), row) for i, row in enumerate(rows)]
        label = {"csv": "zendesk-export.csv", "email": "support.mbox"}.get(source, "intake")
        written = services.import_feedback(
            db.uow(), actor=po, product_id=product_id, rows=labelled, source=source, label=label
        )
        ids.update(zip((r["external_key"] for r in rows), written.created, strict=True))
    return ids


def _triage(
    db: Database, po: Actor, rows: Sequence[tuple[str, dict[str, Any]]], ids: Mapping[str, int],
    items: Mapping[str, int], rng: random.Random,
) -> int:  # fmt: skip
    """Link about a third of the older feedback to the items they support; triage most of the
    older ones, archive a few; the newest stay new. The number of links."""
    links = 0
    for topic, row in rows:
        fid = ids[row["external_key"]]
        old = row["received_at"] < (datetime.now(UTC) - timedelta(days=10)).isoformat()
        if items.get(topic) and old and rng.random() < 0.6:
            importance = rng.choice((1, 2, 2, 3)) if topic != "night" else rng.choice((2, 3))
            services.link_feedback(
                db.uow(), actor=po, feedback_id=fid, item_id=items[topic], importance=importance
            )
            links += 1
        if old and rng.random() < 0.75:
            services.set_state(db.uow(), actor=po, feedback_id=fid, state="triaged")
            if topic == "other" and rng.random() < 0.3:
                services.set_state(db.uow(), actor=po, feedback_id=fid, state="archived")
    return links


def seed_feedback(db: Database, product_id: int, *, po: Actor, today: date) -> int:
    """Customers, about 120 feedback and their links for the demo product; the number of
    feedback made."""
    rng = random.Random(5)  # noqa: S311 - the same demo every time, not a secret
    owners = _customers(db, po, product_id)
    rows = [(topic, _row(rng, today, i, topic, text, owners))
            for i, (topic, text) in enumerate(_entries(rng))]  # fmt: skip
    by_source: dict[str, list[dict[str, Any]]] = {s: [] for s in SOURCES}
    for index, (_topic, row) in enumerate(rows):
        by_source[SOURCES[index % len(SOURCES)]].append(row)
    ids = _write(db, po, product_id, by_source)
    _triage(db, po, rows, ids, _items(db, product_id), rng)
    return len(ids)
