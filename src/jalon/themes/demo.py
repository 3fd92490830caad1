"""Themes in the demo: group the demo product's feedback into themes, then show people's
corrections (a theme named by the Product Owner).

`seed_themes(db, product_id)` runs after the feedback area seeded its feedback. When the
product has none, it adds SAMPLE_FEEDBACK (bilingual, four topics; also used by the tests).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from jalon.db import utcnow
from jalon.feedback.models import Feedback
from jalon.permissions import CLI_ACTOR, Actor
from jalon.themes import placement, queries, runs, services
from jalon.uow import Database

# (topic, text): four topics in French and English, as users write them.
SAMPLE_FEEDBACK: tuple[tuple[str, str], ...] = (
    ("export", "I need to export my reports to Excel every Monday"),
    ("export", "Please add a CSV export of the dashboard"),
    ("export", "Exporting the report to a spreadsheet would save me hours"),
    ("export", "Can we download the monthly report as an Excel file?"),
    ("export", "J'aimerais exporter mes rapports vers Excel"),
    ("export", "Un export CSV du tableau de bord serait très utile"),
    ("export", "Export to Excel is missing for the weekly report"),
    ("export", "Impossible d'exporter le rapport mensuel en fichier Excel"),
    ("login", "The app crashes when I log in on my phone"),
    ("login", "I cannot sign in since the last update, the app closes"),
    ("login", "Login fails on Android with an error message"),
    ("login", "L'application plante à la connexion sur mon téléphone"),
    ("login", "Impossible de me connecter depuis la mise à jour"),
    ("login", "Sign-in keeps crashing on iPhone"),
    ("login", "The mobile app closes right after I enter my password"),
    ("login", "Je n'arrive plus à me connecter à l'application mobile"),
    ("invoice", "Invoices should show the VAT number of my company"),
    ("invoice", "The invoice PDF is missing our VAT details"),
    ("invoice", "Please let me change the billing address on invoices"),
    ("invoice", "La facture ne mentionne pas notre numéro de TVA"),
    ("invoice", "Je voudrais modifier l'adresse de facturation"),
    ("invoice", "Our accountant needs invoices with the VAT number"),
    ("invoice", "Les factures PDF n'ont pas le numéro de TVA intracommunautaire"),
    ("invoice", "Billing address on the invoice is wrong and cannot be edited"),
    ("dark", "A dark mode would be easier on the eyes at night"),
    ("dark", "Please add a dark theme to the interface"),
    ("dark", "Un mode sombre serait agréable le soir"),
    ("dark", "The white screen is too bright, I want a dark mode"),
    ("dark", "Pourriez-vous ajouter un thème sombre ?"),
    ("dark", "Dark mode please, my eyes hurt in the evening"),
    ("dark", "J'aimerais un mode nuit pour l'interface"),
    ("dark", "Night mode for the web app would be great"),
)


def add_sample_feedback(db: Database, product_id: int, *, weeks: int = 12) -> list[int]:
    """Add SAMPLE_FEEDBACK to the product (spread over the last weeks), placed as it
    arrives; the new ids in order."""
    now = utcnow()
    with db.uow() as uow:
        rows = [
            Feedback(
                product_id=product_id, text=text, source="manual", state="new",
                received_at=now - timedelta(days=(n * 7 * weeks) // len(SAMPLE_FEEDBACK)),
                actor_label="demo",
            )
            for n, (_topic, text) in enumerate(SAMPLE_FEEDBACK)
        ]  # fmt: skip
        uow.session.add_all(rows)
        uow.flush()
        ids = [r.id for r in rows]
        placement.place_feedback(uow, product_id, ids)
        uow.commit()
    return ids


def seed_themes(db: Database, product_id: int, *, actor: Actor = CLI_ACTOR) -> int:
    """Group the product's feedback into themes; the number of themes. Names the largest
    theme as a Product Owner would, to show that people's labels stay."""
    with db.reader() as uow:
        count = uow.session.scalar(
            select(func.count()).select_from(Feedback).where(Feedback.product_id == product_id)
        )
    if not count:
        add_sample_feedback(db, product_id)
    runs.recluster_now(db, actor=actor, product_id=product_id)
    listing = queries.list_themes(db.reader(), actor=actor, product_id=product_id)
    if listing.themes:
        top = listing.themes[0].theme
        services.rename_theme(db.uow(), actor=actor, theme_id=top.id, label=top.label.title())
    return len(listing.themes)
