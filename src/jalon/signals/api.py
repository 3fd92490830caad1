"""Signals JSON API: theme trends and market signals, their triage, feeds and watchlists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jalon import web
from jalon.db import utcnow
from jalon.errors import Invalid
from jalon.signals import queries, rules, services
from jalon.signals.models import Feed, Watchlist
from jalon.signals.schemas import (
    FeedErrorOut,
    FeedIn,
    FeedOut,
    MarketSignalOut,
    SignalPatch,
    SignalQuery,
    SignalsOut,
    TrendOut,
    WatchlistIn,
    WatchlistOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["signals"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "The product already follows this feed, or has this watchlist name"},
}
STATE_HELP = "open (new and watching, the default), new, watching, dismissed or all"


def trend_out(row: queries.TrendRow) -> TrendOut:
    t = row.trend
    return TrendOut(
        theme_id=row.theme_id, label=row.label, weekly=list(t.counts), recent=t.recent,
        expected=round(t.expected, 3), baseline_rate=round(t.baseline_rate, 3),
        dispersion=round(t.dispersion, 3), emerging=t.emerging, p_emerging=t.p_emerging,
        q_emerging=t.q_emerging, accelerating=t.accelerating, p_accelerating=t.p_accelerating,
        q_accelerating=t.q_accelerating, growth_before=t.growth_before,
        growth_after=t.growth_after, new=t.is_new,
    )  # fmt: skip


def market_out(row: queries.MarketRow) -> MarketSignalOut:
    s, e = row.signal, row.entry
    return MarketSignalOut(
        id=s.id, state=s.state, matched=list(s.matched), title=e.title, link=e.link,
        summary=e.summary, published_at=e.published_at, feed_id=e.feed_id,
        feed_name=row.feed_name, feed_kind=row.feed_kind, opportunity_id=s.opportunity_id,
        opportunity=row.opportunity, item_id=s.item_id, created_at=s.created_at,
    )  # fmt: skip


def _filters(query: SignalQuery) -> queries.Filters:
    states = {"open": rules.OPEN_STATES, "all": rules.STATES}.get(query.state, (query.state,))
    if not set(states) <= set(rules.STATES):
        raise Invalid("Choose one of: {states}.", field="state", states=STATE_HELP)
    if query.kind and query.kind not in rules.FEED_KINDS:
        raise Invalid("Choose one of: {kinds}.", field="kind", kinds=", ".join(rules.FEED_KINDS))
    return queries.Filters(tuple(states), query.kind, query.since, query.limit, query.before_id)


@router.get(
    "/products/{product_id}/signals",
    response_model=SignalsOut,
    responses=ERRORS,
    summary="Emerging and accelerating themes, and market signals (newest first)",
)
def list_signals(
    product_id: int, ctx: CtxDep, actor: ActorDep, query: Annotated[SignalQuery, Query()]
) -> SignalsOut:
    filters = _filters(query)
    found = queries.signals_view(
        ctx.db.reader(), actor=actor, product_id=product_id, filters=filters, now=utcnow()
    )
    flagged = [r for r in found.trends if r.trend.emerging or r.trend.accelerating]
    market = [market_out(r) for r in found.market]
    return SignalsOut(
        product_id=product_id,
        weeks=found.week_ends,
        trends=[trend_out(r) for r in (flagged if query.flagged_only else found.trends)],
        market=market,
        next_before_id=market[-1].id if len(market) == query.limit else None,
    )


@router.patch(
    "/signals/{signal_id}",
    response_model=MarketSignalOut,
    responses=ERRORS,
    summary="Triage a market signal or link it to an opportunity (team)",
)
def patch_signal(
    signal_id: int, body: SignalPatch, ctx: CtxDep, actor: ActorDep
) -> MarketSignalOut:
    given = body.model_dump(exclude_unset=True)
    if "opportunity_id" in given:
        services.link_opportunity(
            ctx.db.uow(), actor=actor, signal_id=signal_id, opportunity_id=body.opportunity_id
        )
    if body.state is not None:
        services.set_state(ctx.db.uow(), actor=actor, signal_id=signal_id, state=body.state)
    card = queries.signal_card(ctx.db.reader(), actor=actor, signal_id=signal_id)
    return market_out(card.row)


# --- feeds and watchlists ---------------------------------------------------------------------


def feed_out(feed: Feed, gettext: Callable[[str], str]) -> FeedOut:
    error = None
    if feed.error_code:
        message = gettext(rules.error_message(feed.error_code)).format(detail=feed.error_detail)
        error = FeedErrorOut(code=feed.error_code, message=message)
    return FeedOut(
        id=feed.id, product_id=feed.product_id, name=feed.name, url=feed.url, kind=feed.kind,
        active=feed.active, last_fetched_at=feed.last_fetched_at, last_ok_at=feed.last_ok_at,
        error=error,
    )  # fmt: skip


def watchlist_out(found: Watchlist) -> WatchlistOut:
    return WatchlistOut(
        id=found.id, product_id=found.product_id, name=found.name, keywords=list(found.keywords)
    )


@router.get(
    "/products/{product_id}/feeds",
    response_model=list[FeedOut],
    responses=ERRORS,
    summary="The feeds the product follows, with the error of their last fetch",
)
def list_feeds(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[FeedOut]:
    found = queries.watch_view(ctx.db.reader(), actor=actor, product_id=product_id)
    return [feed_out(row.feed, ctx.gettext) for row in found.feeds]


@router.post(
    "/products/{product_id}/feeds",
    response_model=FeedOut,
    status_code=201,
    responses=ERRORS,
    summary="Follow an RSS or Atom feed (Product Owner)",
)
def create_feed(product_id: int, body: FeedIn, ctx: CtxDep, actor: ActorDep) -> FeedOut:
    feed = services.create_feed(
        ctx.db.uow(), actor=actor, product_id=product_id, values=body.model_dump()
    )
    return feed_out(feed, ctx.gettext)


@router.delete(
    "/feeds/{feed_id}",
    status_code=204,
    responses=ERRORS,
    summary="Stop following a feed; its entries and signals are deleted (Product Owner)",
)
def delete_feed(feed_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.delete_feed(ctx.db.uow(), actor=actor, feed_id=feed_id)
    return Response(status_code=204)


@router.get(
    "/products/{product_id}/watchlists",
    response_model=list[WatchlistOut],
    responses=ERRORS,
    summary="The product's watchlists of keywords",
)
def list_watchlists(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[WatchlistOut]:
    found = queries.watch_view(ctx.db.reader(), actor=actor, product_id=product_id)
    return [watchlist_out(w) for w in found.watchlists]


@router.post(
    "/products/{product_id}/watchlists",
    response_model=WatchlistOut,
    status_code=201,
    responses=ERRORS,
    summary="Create a watchlist; stored entries of the last 90 days that match become signals",
)
def create_watchlist(
    product_id: int, body: WatchlistIn, ctx: CtxDep, actor: ActorDep
) -> WatchlistOut:
    made = services.create_watchlist(
        ctx.db.uow(), actor=actor, product_id=product_id, name=body.name, keywords=body.keywords
    )
    return watchlist_out(made)


@router.delete(
    "/watchlists/{watchlist_id}",
    status_code=204,
    responses=ERRORS,
    summary="Delete a watchlist; the signals it found stay (Product Owner)",
)
def delete_watchlist(watchlist_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.delete_watchlist(ctx.db.uow(), actor=actor, watchlist_id=watchlist_id)
    return Response(status_code=204)
