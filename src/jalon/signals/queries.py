"""Signal reads: the weekly volume of themes and their trends, market signals with their
entry, feed and links, the feeds and watchlists of a product, and helpers for services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from jalon.backlog.models import Item
from jalon.discovery.models import TreeNode
from jalon.errors import N_, Forbidden
from jalon.feedback.models import Feedback
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.signals import rules, trends
from jalon.signals.models import Feed, FeedEntry, MarketSignal, Watchlist
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import UnitOfWork

HIDDEN_FEEDBACK = ("pending", "rejected")  # not yet accepted, or spam: never counted
PAGE = 50
MAX_PAGE = 200


# --- trends ---------------------------------------------------------------------------------


def week_ends(now: datetime, weeks: int = trends.WEEKS) -> list[date]:
    """The last day of each weekly window, oldest first (the last window ends now)."""
    return [(now - timedelta(weeks=weeks - 1 - i)).date() for i in range(weeks)]


def weekly_counts(
    uow: UnitOfWork, product_id: int, *, now: datetime, weeks: int = trends.WEEKS
) -> dict[int, list[int]]:
    """Theme id → feedback received in each of the last `weeks` seven-day windows, oldest
    first, the last window ending at `now` (so no window is a partial week). Every active
    theme is there, with zeros when it was quiet."""
    start = now - timedelta(weeks=weeks)
    themes = select(Theme.id).where(Theme.product_id == product_id, Theme.state == "active")
    counts = {int(t): [0] * weeks for t in uow.session.scalars(themes)}
    stmt = (
        select(ThemeMember.theme_id, Feedback.received_at)
        .join(Feedback, Feedback.id == ThemeMember.feedback_id)
        .where(
            Feedback.product_id == product_id,
            Feedback.received_at > start,
            Feedback.received_at < now,
            Feedback.state.not_in(HIDDEN_FEEDBACK),
            ThemeMember.theme_id.in_(themes),
        )
    )
    for theme_id, received in uow.session.execute(stmt):
        ago = (now - received) // timedelta(weeks=1)
        counts[int(theme_id)][weeks - 1 - ago] += 1
    return counts


@dataclass(frozen=True)
class TrendRow:
    theme_id: int
    label: str
    trend: trends.Trend


def theme_trends(uow: UnitOfWork, product_id: int, *, now: datetime) -> list[TrendRow]:
    """Every active theme with its trend; flagged ones first, strongest evidence first."""
    series = weekly_counts(uow, product_id, now=now)
    assessed = trends.assess(series)
    stmt = select(Theme.id, Theme.label).where(Theme.id.in_(list(series)))
    labels = {int(i): str(label) for i, label in uow.session.execute(stmt)}
    rows = [TrendRow(k, labels.get(k, ""), t) for k, t in assessed.items()]
    return sorted(
        rows,
        key=lambda r: (
            not (r.trend.emerging or r.trend.accelerating),
            min(r.trend.q_emerging, r.trend.q_accelerating),
            r.label,
        ),
    )


# --- market signals -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    states: tuple[str, ...] = rules.OPEN_STATES
    kind: str = ""  # a feed kind, or "" for every kind
    since: date | None = None
    limit: int = PAGE
    before_id: int | None = None
    signal_id: int | None = None  # just this one


@dataclass(frozen=True)
class MarketRow:
    signal: MarketSignal
    entry: FeedEntry
    feed_name: str
    feed_kind: str
    opportunity: str | None
    item_title: str | None


def _market_stmt(product_id: int, filters: Filters):  # type: ignore[no-untyped-def]
    stmt = (
        select(MarketSignal, FeedEntry, Feed.name, Feed.kind, TreeNode.title, Item.title)
        .join(FeedEntry, FeedEntry.id == MarketSignal.entry_id)
        .join(Feed, Feed.id == FeedEntry.feed_id)
        .outerjoin(TreeNode, TreeNode.id == MarketSignal.opportunity_id)
        .outerjoin(Item, Item.id == MarketSignal.item_id)
        .where(MarketSignal.product_id == product_id, MarketSignal.state.in_(filters.states))
    )
    if filters.kind:
        stmt = stmt.where(Feed.kind == filters.kind)
    if filters.since is not None:
        since = datetime.combine(filters.since, datetime.min.time())
        stmt = stmt.where(func.coalesce(FeedEntry.published_at, FeedEntry.fetched_at) >= since)
    if filters.before_id is not None:
        stmt = stmt.where(MarketSignal.id < filters.before_id)
    if filters.signal_id is not None:
        stmt = stmt.where(MarketSignal.id == filters.signal_id)
    return stmt.order_by(MarketSignal.id.desc()).limit(min(filters.limit, MAX_PAGE))


def market_signals(uow: UnitOfWork, product_id: int, filters: Filters) -> list[MarketRow]:
    """The product's market signals, newest found first (inside a uow)."""
    rows = uow.session.execute(_market_stmt(product_id, filters))
    return [MarketRow(s, e, str(n), str(k), o, i) for s, e, n, k, o, i in rows]


def state_counts(uow: UnitOfWork, product_id: int) -> dict[str, int]:
    stmt = (
        select(MarketSignal.state, func.count())
        .where(MarketSignal.product_id == product_id)
        .group_by(MarketSignal.state)
    )
    found = {str(s): int(n) for s, n in uow.session.execute(stmt)}
    return {state: found.get(state, 0) for state in rules.STATES}


def opportunities(uow: UnitOfWork, product_id: int) -> list[tuple[int, str]]:
    stmt = select(TreeNode.id, TreeNode.title).where(
        TreeNode.product_id == product_id, TreeNode.kind == "opportunity"
    )
    return [(int(i), str(t)) for i, t in uow.session.execute(stmt.order_by(TreeNode.title))]


@dataclass(frozen=True)
class SignalsView:
    product: Product
    role: Role | None
    trends: list[TrendRow]
    market: list[MarketRow]
    counts: dict[str, int]
    opportunities: list[tuple[int, str]]
    broken_feeds: int
    feeds: int
    week_ends: list[date] = field(default_factory=list)


def signals_view(
    uow: UnitOfWork, *, actor: Actor, product_id: int, filters: Filters, now: datetime
) -> SignalsView:
    """Everything the signals page and the API show."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        role = role_of(uow, product_id=product_id, user_id=actor.id)
        feed_rows = list(
            uow.session.execute(select(Feed.error_code).where(Feed.product_id == product_id))
        )
        return SignalsView(
            product,
            role,
            theme_trends(uow, product_id, now=now),
            market_signals(uow, product_id, filters),
            state_counts(uow, product_id),
            opportunities(uow, product_id),
            sum(1 for (code,) in feed_rows if code),
            len(feed_rows),
            week_ends(now),
        )


@dataclass(frozen=True)
class SignalCard:
    product: Product
    role: Role | None
    row: MarketRow
    opportunities: list[tuple[int, str]]


def signal_card(uow: UnitOfWork, *, actor: Actor, signal_id: int) -> SignalCard:
    """One market signal as its row on the signals page shows it."""
    with uow:
        found = uow.get(MarketSignal, signal_id, what=N_("signal"))
        product = authorise(uow, product_id=found.product_id, actor=actor, action=Action.READ)
        filters = Filters(states=rules.STATES, signal_id=signal_id)
        [row] = market_signals(uow, found.product_id, filters)
        role = role_of(uow, product_id=found.product_id, user_id=actor.id)
        return SignalCard(product, role, row, opportunities(uow, found.product_id))


# --- feeds and watchlists -------------------------------------------------------------------


@dataclass(frozen=True)
class FeedRow:
    feed: Feed
    entries: int
    signals: int


@dataclass(frozen=True)
class WatchView:
    product: Product
    role: Role | None
    feeds: list[FeedRow]
    watchlists: list[Watchlist]


def _feed_rows(uow: UnitOfWork, product_id: int) -> list[FeedRow]:
    entries = (
        select(FeedEntry.feed_id, func.count().label("n")).group_by(FeedEntry.feed_id).subquery()
    )
    signals = (
        select(FeedEntry.feed_id, func.count().label("n"))
        .join(MarketSignal, MarketSignal.entry_id == FeedEntry.id)
        .group_by(FeedEntry.feed_id)
        .subquery()
    )
    stmt = (
        select(Feed, func.coalesce(entries.c.n, 0), func.coalesce(signals.c.n, 0))
        .outerjoin(entries, entries.c.feed_id == Feed.id)
        .outerjoin(signals, signals.c.feed_id == Feed.id)
        .where(Feed.product_id == product_id)
        .order_by(Feed.name, Feed.id)
    )
    return [FeedRow(f, int(e), int(s)) for f, e, s in uow.session.execute(stmt)]


def watch_view(uow: UnitOfWork, *, actor: Actor, product_id: int) -> WatchView:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        role = role_of(uow, product_id=product_id, user_id=actor.id)
        lists = uow.session.scalars(
            select(Watchlist).where(Watchlist.product_id == product_id).order_by(Watchlist.name)
        )
        return WatchView(product, role, _feed_rows(uow, product_id), list(lists))


def feed_product(uow: UnitOfWork, feed_id: int) -> int | None:
    with uow:
        return uow.session.scalar(select(Feed.product_id).where(Feed.id == feed_id))


def watchlist_product(uow: UnitOfWork, list_id: int) -> int | None:
    with uow:
        return uow.session.scalar(select(Watchlist.product_id).where(Watchlist.id == list_id))


# --- helpers for services -------------------------------------------------------------------


@dataclass(frozen=True)
class FeedTarget:
    id: int
    name: str
    product_id: int
    url: str
    etag: str
    modified: str


def feeds_to_fetch(uow: UnitOfWork, *, actor: Actor, product_id: int | None) -> list[FeedTarget]:
    """The active feeds of the product (its Product Owner may fetch them), or of every
    product (administrators only)."""
    with uow:
        stmt = select(Feed).where(Feed.active.is_(True))
        if product_id is not None:
            authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
            stmt = stmt.where(Feed.product_id == product_id)
        elif not actor.is_admin:
            raise Forbidden("Only an administrator may fetch the feeds of every product.")
        found = uow.session.scalars(stmt.order_by(Feed.product_id, Feed.id))
        return [FeedTarget(f.id, f.name, f.product_id, f.url, f.etag, f.modified) for f in found]


def known_entries(uow: UnitOfWork, feed_id: int) -> tuple[set[str], set[str]]:
    """The keys and links of the entries already stored for the feed."""
    rows = uow.session.execute(
        select(FeedEntry.key, FeedEntry.link).where(FeedEntry.feed_id == feed_id)
    )
    keys, links = set(), set()
    for key, link in rows:
        keys.add(str(key))
        if link:
            links.add(str(link))
    return keys, links


def product_keywords(uow: UnitOfWork, product_id: int) -> list[str]:
    """Every keyword of the product's watchlists, each once."""
    stmt = select(Watchlist.keywords).where(Watchlist.product_id == product_id)
    found: dict[str, None] = {}
    for keywords in uow.session.scalars(stmt.order_by(Watchlist.id)):
        found.update(dict.fromkeys(keywords))
    return list(found)


def entries_with_signal(uow: UnitOfWork, entry_ids: Iterable[int]) -> set[int]:
    ids = list(entry_ids)
    if not ids:
        return set()
    stmt = select(MarketSignal.entry_id).where(MarketSignal.entry_id.in_(ids))
    return {int(i) for i in uow.session.scalars(stmt)}


def unmatched_entries(uow: UnitOfWork, product_id: int, since: datetime) -> Sequence[FeedEntry]:
    """Entries of the product's feeds fetched since `since` that have no signal yet."""
    stmt = (
        select(FeedEntry)
        .join(Feed, Feed.id == FeedEntry.feed_id)
        .outerjoin(MarketSignal, MarketSignal.entry_id == FeedEntry.id)
        .where(
            Feed.product_id == product_id,
            FeedEntry.fetched_at >= since,
            MarketSignal.id.is_(None),
        )
    )
    return list(uow.session.scalars(stmt))


def opportunity_title(uow: UnitOfWork, node_id: int | None) -> str | None:
    if node_id is None:
        return None
    return uow.session.scalar(select(TreeNode.title).where(TreeNode.id == node_id))
