"""Market watch for the demo product, made through the services (called by `jalon.demo`).

Three feeds (a regulator, a competitor, technology news) at example addresses, and their
entries stored as if they had just been fetched, through the same `record_fetch` a real
fetch uses, so the watchlist turns the matching ones into signals. The demo never goes to
the network: its feeds are paused (a person can point one at a real address and resume it).
The trend part of the signals page comes from the demo feedback and its themes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from jalon.db import utcnow
from jalon.discovery.models import TreeNode
from jalon.permissions import Actor
from jalon.signals import feeds, services
from jalon.signals.models import MarketSignal
from jalon.uow import Database

KEYWORDS = (
    "covoiturage\ncarpool*\nforfait mobilités durables\nplan* de mobilité*\n"
    "ride home\nnight shift*\nZFE"
)

# (name, address, kind, entries: (days ago, title, summary))
FEEDS: tuple[tuple[str, str, str, tuple[tuple[int, str, str], ...]], ...] = (
    (
        "Ministère — mobilités",
        "https://mobilites.example.gouv.fr/actualites/rss.xml",
        "regulator",
        (
            (
                3,
                "Forfait mobilités durables : le plafond passe à 900 € en 2027",
                "Le décret relève le plafond du forfait mobilités durables versé par l'employeur "
                "pour le covoiturage domicile-travail.",
            ),
            (
                12,
                "Plans de mobilité employeur : un guide pour les zones d'activités",
                "Le guide détaille les obligations des entreprises de plus de 50 salariés sur un "
                "même site et les solutions mutualisées entre employeurs.",
            ),
            (
                20,
                "Consultation sur les zones à faibles émissions (ZFE) de la métropole lyonnaise",
                "La consultation porte sur le calendrier d'interdiction des véhicules Crit'Air 3.",
            ),
            (26, "Bilan 2025 de la sécurité routière", "Les chiffres définitifs de l'année."),
        ),
    ),
    (
        "RideMate blog",
        "https://blog.ridemate.example.com/feed.atom",
        "competitor",
        (
            (
                5,
                "RideMate launches a guaranteed ride home for night shift workers",
                "Members whose driver cancels after 20:00 get a taxi home, paid by RideMate.",
            ),
            (
                16,
                "Company carpool leaderboards now in RideMate for Business",
                "Mobility managers can run monthly carpool challenges between teams.",
            ),
            (30, "RideMate raises a Series B", "The round will fund expansion to Germany."),
        ),
    ),
    (
        "Mobility Tech Weekly",
        "https://mobilitytech.example.org/feed",
        "technology",
        (
            (
                2,
                "Open data: real-time parking occupancy for business parks",
                "A new open API publishes parking occupancy every minute, useful to time a "
                "carpool departure.",
            ),
            (
                9,
                "Why carpooling apps struggle with shift workers",
                "Irregular schedules break the matching of most carpool apps, a study finds.",
            ),
        ),
    ),
)


def _entries(
    rows: tuple[tuple[int, str, str], ...], base: str, now: datetime
) -> tuple[feeds.Entry, ...]:
    return tuple(
        feeds.Entry(
            key=f"{base}#{i}", title=title, link=f"{base.rsplit('/', 1)[0]}/{i}",
            summary=summary, published_at=now - timedelta(days=days, hours=i),
        )
        for i, (days, title, summary) in enumerate(rows)
    )  # fmt: skip


def _first_opportunity(db: Database, product_id: int) -> int | None:
    with db.reader() as uow:
        stmt = select(TreeNode.id).where(
            TreeNode.product_id == product_id, TreeNode.kind == "opportunity"
        )
        return uow.session.scalars(stmt.order_by(TreeNode.position, TreeNode.id)).first()


def _triage(db: Database, po: Actor, product_id: int) -> None:
    """The PO has already looked at two signals: one watched and linked, one dismissed."""
    with db.reader() as uow:
        stmt = select(MarketSignal.id).where(MarketSignal.product_id == product_id)
        ids = list(uow.session.scalars(stmt.order_by(MarketSignal.id)))
    if len(ids) < 3:
        return
    opportunity = _first_opportunity(db, product_id)
    if opportunity is not None:
        services.link_opportunity(db.uow(), actor=po, signal_id=ids[0], opportunity_id=opportunity)
    services.set_state(db.uow(), actor=po, signal_id=ids[1], state="watching")
    services.set_state(db.uow(), actor=po, signal_id=ids[-1], state="dismissed")


def seed_signals(
    db: Database, po: Actor, product_id: int, *, now: datetime | None = None
) -> list[int]:
    """A watchlist, three paused feeds with entries as if just fetched, a few signals
    triaged; the ids of the market signals."""
    now = now or utcnow()
    services.create_watchlist(
        db.uow(), actor=po, product_id=product_id, name="Mobilité et marché", keywords=KEYWORDS
    )
    for name, url, kind, rows in FEEDS:
        values = {"name": name, "url": url, "kind": kind, "active": False}
        feed = services.create_feed(db.uow(), actor=po, product_id=product_id, values=values)
        fetched = feeds.Fetched(entries=_entries(rows, url, now))
        services.record_fetch(db.uow(), feed_id=feed.id, fetched=fetched, now=now)
    _triage(db, po, product_id)
    with db.reader() as uow:
        stmt = select(MarketSignal.id).where(MarketSignal.product_id == product_id)
        return list(uow.session.scalars(stmt.order_by(MarketSignal.id)))
