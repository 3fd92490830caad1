"""A realistic big backlog for benchmarks: epics → features → stories, French and English text.

The generator is deterministic (seeded) and streams rows, so 100,000 items never sit in memory
as objects. `seed_backlog` writes them straight into a migrated database with bulk inserts;
seeding is preparation, not what a benchmark measures.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update

from jalon.backlog import ranks
from jalon.backlog.models import Item, ItemTag

ROLES_FR = ("conducteur", "passager", "gestionnaire de flotte", "administratrice", "nouvel inscrit")
ROLES_EN = ("driver", "passenger", "fleet manager", "administrator", "new member")
WANTS_FR = (
    "payer mes trajets par carte bancaire",
    "recevoir une notification quand un passager réserve",
    "filtrer les trajets par horaire de départ",
    "exporter mes factures en PDF",
    "signaler un comportement dangereux",
    "partager mon trajet avec un proche",
    "voir l'empreinte carbone de mes déplacements",
    "annuler une réservation sans frais avant le départ",
)
WANTS_EN = (
    "pay for rides by card",
    "get notified when a passenger books a seat",
    "filter rides by departure time",
    "export my invoices as PDF",
    "report dangerous driving",
    "share my ride with a relative",
    "see the carbon footprint of my trips",
    "cancel a booking free of charge before departure",
)
WHY_FR = ("gagner du temps", "me sentir en sécurité", "réduire mes coûts", "rassurer ma famille")
WHY_EN = ("save time", "feel safe", "cut my costs", "reassure my family")
THEMES = ("paiement", "sécurité", "recherche", "notifications", "facturation", "onboarding")
TAGS = ("mobile", "web", "api", "rgaa", "perf", "payments", "legal", "growth", "ux")
STATUSES = ("new", "new", "new", "ready", "ready", "in_progress", "done")
POINTS = (1, 2, 3, 5, 8, 13)


def _story(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.6:
        role, want, why = rng.choice(ROLES_FR), rng.choice(WANTS_FR), rng.choice(WHY_FR)
        title = f"En tant que {role}, je veux {want}"
        desc = f"{title} afin de {why}. Contexte : retours du support sur le thème {want}."
        criteria = f"Étant donné un {role} connecté\nQuand il veut {want}\nAlors il y parvient"
    else:
        role, want, why = rng.choice(ROLES_EN), rng.choice(WANTS_EN), rng.choice(WHY_EN)
        title = f"As a {role}, I want to {want}"
        desc = f"{title} so that I {why}. Raised by support tickets about running costs."
        criteria = f"Given a signed-in {role}\nWhen they {want}\nThen it works"
    return title, desc, criteria


def rows(product_id: int, n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """`n` items in rank order: one epic per 100 items, one feature per 10, the rest stories."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    keys = ranks.initial_keys(n)
    now = datetime.now(UTC)
    for i in range(n):
        if i % 100 == 0:
            kind, title = "epic", f"Epic {i // 100}: {rng.choice(THEMES)}"
            desc, criteria = f"Grand thème {title}", ""
        elif i % 10 == 0:
            kind, title = "feature", f"Feature {i // 10}: {rng.choice(WANTS_EN)}"
            desc, criteria = f"Fonctionnalité : {rng.choice(WANTS_FR)}", ""
        else:
            kind = "bug" if rng.random() < 0.1 else "story"
            title, desc, criteria = _story(rng)
        yield {
            "id": None,
            "product_id": product_id,
            "type": kind,
            "title": f"{title} #{i}"[:200],
            "description": desc,
            "acceptance_criteria": criteria,
            "status": rng.choice(STATUSES),
            "estimate": float(rng.choice(POINTS)) if kind in ("story", "bug") else None,
            "business_value": float(rng.randint(1, 100)),
            "rank": keys[i],
            "version": 1,
            "checks": {},
            "created_at": now,
            "updated_at": now,
            "_index": i,
        }


def _parent_index(i: int) -> int | None:
    """Stories hang under the feature of their ten, features under the epic of their hundred."""
    if i % 100 == 0:
        return None
    return (i // 100) * 100 if i % 10 == 0 else (i // 10) * 10


def seed_backlog(engine: Engine, product_id: int, n: int, chunk: int = 5000) -> list[int]:
    """Insert `n` items (with parents and tags) into the product; return their ids in rank order."""
    ids: list[int] = []
    rng = random.Random(11)  # noqa: S311 (test data)
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for row in rows(product_id, n):
            row.pop("_index")
            row.pop("id")
            batch.append(row)
            if len(batch) >= chunk or len(ids) + len(batch) == n:
                new_ids = list(conn.execute(insert(Item).returning(Item.id), batch).scalars())
                ids.extend(new_ids)
                tags = [
                    {"item_id": new_id, "tag": tag}
                    for new_id in new_ids
                    for tag in rng.sample(TAGS, rng.randint(0, 2))
                ]
                if tags:
                    conn.execute(insert(ItemTag), tags)
                batch.clear()
        links = [
            {"b_id": ids[i], "b_parent": ids[p]}
            for i in range(n)
            if (p := _parent_index(i)) is not None
        ]
        stmt = (
            update(Item).where(Item.id == bindparam("b_id")).values(parent_id=bindparam("b_parent"))
        )
        conn.execute(stmt.execution_options(synchronize_session=False), links)
    with engine.connect() as conn:
        found = conn.scalar(select(func.count(Item.id)).where(Item.product_id == product_id))
    assert found == n, f"seeded {found} items, wanted {n}"
    return ids
