"""Signal pages: the signals page (emerging and accelerating themes, market signals to
triage, link to an opportunity or turn into a backlog item) and the feeds and watchlists
page. Every form works without JavaScript; HTMX swaps a triaged signal in place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.charts.view import ChartView, view
from jalon.db import utcnow
from jalon.errors import N_, JalonError
from jalon.permissions import Action, can
from jalon.signals import charts, queries, rules, services
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
STATE_CHOICES = ("open", *rules.STATES, "all")
STATE_CHOICE_LABELS = {
    "open": N_("New and watching"),
    "new": N_("New"),
    "watching": N_("Watching"),
    "dismissed": N_("Dismissed"),
    "all": N_("All"),
}
NOTICES = {
    "fetched": N_("The feeds were fetched: {new} new entries, {signals} new signals."),
    "feed": N_("The feed is saved. It is read at the next round, or now with “Fetch now”."),
    "list": N_("The watchlist is saved; matching entries of the last 90 days became signals."),
    "deleted": N_("Deleted."),
}


def _common(ctx: web.Ctx, role: Any) -> dict[str, Any]:
    return {
        "can": {a: can(role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "kind_labels": rules.KIND_LABELS,
        "state_labels": rules.STATE_LABELS,
        "kinds": rules.FEED_KINDS,
        "day": lambda value: value.date().isoformat() if value else "",
        "errors": {},
        "form": {},
    }


def _filters(state: str, kind: str) -> queries.Filters:
    states = {"open": rules.OPEN_STATES, "all": rules.STATES}.get(state, (state,))
    return queries.Filters(
        states=tuple(s for s in states if s in rules.STATES) or rules.OPEN_STATES,
        kind=kind if kind in rules.FEED_KINDS else "",
    )


def _charts(found: queries.SignalsView, ctx: web.Ctx) -> dict[int, ChartView]:
    flagged = [r for r in found.trends if r.trend.emerging or r.trend.accelerating]
    return {
        r.theme_id: view(charts.trend_chart(r, found.week_ends, ctx.gettext), href="")
        for r in flagged
    }


@router.get("/products/{product_id}/signals")
def signals_page(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, state: str = "open",
    kind: str = "",
) -> Response:  # fmt: skip
    state = state if state in STATE_CHOICES else "open"
    found = queries.signals_view(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, filters=_filters(state, kind),
        now=utcnow(),
    )  # fmt: skip
    context = {
        **_common(ctx, found.role),
        "v": found,
        "p": found.product,
        "charts": _charts(found, ctx),
        "state": state,
        "kind": kind,
        "state_choices": STATE_CHOICES,
        "state_choice_labels": STATE_CHOICE_LABELS,
        "flagged": [r for r in found.trends if r.trend.emerging or r.trend.accelerating],
    }
    return web.render(request, "signals/page.html", context)


def _signal_answer(request: Request, ctx: web.Ctx, signal_id: int, product_id: int) -> Response:
    """HTMX gets the signal's row again; a plain form goes back to the signals page."""
    if not request.headers.get("hx-request"):
        return web.redirect(f"/products/{product_id}/signals", request)
    card = queries.signal_card(ctx.db.reader(), actor=ctx.actor, signal_id=signal_id)
    context = {**_common(ctx, card.role), "row": card.row, "p": card.product, "v": card}
    return web.render(request, "signals/_signal.html", context)


@router.post("/signals/{signal_id}/state")
def triage(
    request: Request, ctx: CtxDep, actor: ActorDep, signal_id: int, state: Text = ""
) -> Response:
    made = services.set_state(ctx.db.uow(), actor=actor, signal_id=signal_id, state=state)
    return _signal_answer(request, ctx, signal_id, made.product_id)


def _node_id(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


@router.post("/signals/{signal_id}/link")
def link(
    request: Request, ctx: CtxDep, actor: ActorDep, signal_id: int, opportunity_id: Text = ""
) -> Response:
    made = services.link_opportunity(
        ctx.db.uow(), actor=actor, signal_id=signal_id, opportunity_id=_node_id(opportunity_id)
    )
    return _signal_answer(request, ctx, signal_id, made.product_id)


@router.post("/signals/{signal_id}/item")
def make_item(request: Request, ctx: CtxDep, actor: ActorDep, signal_id: int) -> Response:
    item = services.make_item(ctx.db.uow(), actor=actor, signal_id=signal_id)
    return web.redirect(f"/items/{item.id}", request)


# --- feeds and watchlists ---------------------------------------------------------------------


def _watch_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    found = queries.watch_view(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    notice = NOTICES.get(request.query_params.get("done", ""))
    params = {k: request.query_params.get(k, "0") for k in ("new", "signals")}
    context = {
        **_common(ctx, found.role),
        "w": found,
        "p": found.product,
        "notice": ctx.gettext(notice).format(**params) if notice else "",
        "error_message": lambda code: ctx.gettext(rules.error_message(code)),
        "list_form": {},
        "list_errors": {},
        **extra,
    }
    return web.render(request, "signals/watch.html", context, status=status)


@router.get("/products/{product_id}/watch")
def watch_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _watch_page(request, ctx, product_id)


@router.post("/products/{product_id}/feeds")
def add_feed(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, name: Text = "",
    url: Text = "", kind: Text = "other",
) -> Response:  # fmt: skip
    values = {"name": name, "url": url, "kind": kind}
    try:
        services.create_feed(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _watch_page(request, ctx, product_id, status=exc.status, errors=errors, form=values)
    return web.redirect(f"/products/{product_id}/watch?done=feed", request)


@router.post("/feeds/{feed_id}/edit")
def edit_feed(
    request: Request, ctx: CtxDep, actor: ActorDep, feed_id: int, name: Text = "",
    kind: Text = "", active: Text = "",
) -> Response:  # fmt: skip
    values = {"name": name or None, "kind": kind or None, "active": active or None}
    feed = services.update_feed(ctx.db.uow(), actor=actor, feed_id=feed_id, values=values)
    return web.redirect(f"/products/{feed.product_id}/watch", request)


@router.post("/feeds/{feed_id}/delete")
def delete_feed(request: Request, ctx: CtxDep, actor: ActorDep, feed_id: int) -> Response:
    product_id = queries.feed_product(ctx.db.reader(), feed_id)
    services.delete_feed(ctx.db.uow(), actor=actor, feed_id=feed_id)
    return web.redirect(f"/products/{product_id}/watch?done=deleted", request)


@router.post("/products/{product_id}/watch/fetch")
def fetch_now(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    reports = services.fetch_feeds(ctx.db, actor=actor, product_id=product_id)
    new = sum(r.new_entries for r in reports)
    found = sum(r.new_signals for r in reports)
    url = f"/products/{product_id}/watch?done=fetched&new={new}&signals={found}"
    return web.redirect(url, request)


@router.post("/products/{product_id}/watchlists")
def add_watchlist(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, name: Text = "",
    keywords: Text = "",
) -> Response:  # fmt: skip
    try:
        services.create_watchlist(
            ctx.db.uow(), actor=actor, product_id=product_id, name=name, keywords=keywords
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        return _watch_page(
            request, ctx, product_id, status=exc.status,
            list_errors=exc.render_fields(ctx.gettext),
            list_form={"name": name, "keywords": keywords},
        )  # fmt: skip
    return web.redirect(f"/products/{product_id}/watch?done=list", request)


@router.post("/watchlists/{watchlist_id}/edit")
def edit_watchlist(
    request: Request, ctx: CtxDep, actor: ActorDep, watchlist_id: int, name: Text = "",
    keywords: Text = "",
) -> Response:  # fmt: skip
    found = services.update_watchlist(
        ctx.db.uow(), actor=actor, watchlist_id=watchlist_id, name=name, keywords=keywords
    )
    return web.redirect(f"/products/{found.product_id}/watch?done=list", request)


@router.post("/watchlists/{watchlist_id}/delete")
def delete_watchlist(request: Request, ctx: CtxDep, actor: ActorDep, watchlist_id: int) -> Response:
    product_id = queries.watchlist_product(ctx.db.reader(), watchlist_id)
    services.delete_watchlist(ctx.db.uow(), actor=actor, watchlist_id=watchlist_id)
    return web.redirect(f"/products/{product_id}/watch?done=deleted", request)
