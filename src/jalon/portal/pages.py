"""The team's side of the portal: the ideas overview, settings, the moderation queue, and
an idea's page (status, backlog link, merge, comments)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.errors import JalonError
from jalon.permissions import Action, Role, can
from jalon.portal import rules, services, views
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]


def _common(ctx: web.Ctx, role: Role | None) -> dict[str, Any]:
    return {
        "can": {a: can(role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "status_labels": rules.STATUS_LABELS,
        "statuses": rules.STATUSES,
        "state_labels": rules.STATE_LABELS,
        "errors": {},
        "form": {},
    }


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


# --- the overview ---------------------------------------------------------------------------------


@router.get("/products/{product_id}/portal")
def overview(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    sort = request.query_params.get("sort", "votes")
    sort = sort if sort in rules.SORTS else "votes"
    wanted = request.query_params.get("status", "")
    topic = _int(request.query_params.get("topic", ""))
    view = views.overview(
        ctx.db.reader(), actor=actor, product_id=product_id, sort=sort, status=wanted, topic=topic
    )
    context = {**_common(ctx, view.role), "view": view, "p": view.product, "sort": sort}
    return web.render(
        request, "portal/overview.html", {**context, "wanted": wanted, "topic": topic}
    )


# --- settings -------------------------------------------------------------------------------------


def _settings_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    product, settings = views.settings_view(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {
        **_common(ctx, None),
        "p": product,
        "settings": settings,
        "form": {"slug": settings.slug, "welcome": settings.welcome},
        "shown": list(settings.shown_statuses),
        "saved": request.query_params.get("saved") == "1",
        **extra,
    }
    return web.render(request, "portal/settings.html", context, status=status)


@router.get("/products/{product_id}/portal/settings")
def settings_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _settings_page(request, ctx, product_id)


@router.post("/products/{product_id}/portal/settings")
def save_settings(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, slug: Text = "",
    welcome: Text = "", shown_statuses: Texts = [], options: Texts = [],  # noqa: B006
) -> Response:  # fmt: skip
    """`options` holds the ticked boxes: "enabled" and "group_by_theme"."""
    try:
        services.update_settings(
            ctx.db.uow(), actor=actor, product_id=product_id, enabled="enabled" in options,
            slug=slug, welcome=welcome, shown_statuses=shown_statuses,
            group_by_theme="group_by_theme" in options,
        )  # fmt: skip
    except JalonError as exc:
        if not exc.refused_form:
            raise
        return _settings_page(
            request, ctx, product_id, status=exc.status, errors=exc.render_fields(ctx.gettext),
            form={"slug": slug, "welcome": welcome}, shown=shown_statuses,
        )  # fmt: skip
    return web.redirect(f"/products/{product_id}/portal/settings?saved=1", request)


# --- moderation -----------------------------------------------------------------------------------


def _queue_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    queue = views.moderation_queue(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    done = request.query_params.get("done", "")
    context = {**_common(ctx, None), "queue": queue, "p": queue.product, "done": done, **extra}
    return web.render(request, "portal/moderation.html", context, status=status)


@router.get("/products/{product_id}/portal/moderation")
def moderation(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _queue_page(request, ctx, product_id)


@router.post("/products/{product_id}/portal/moderation")
def moderate(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int,
    idea_id: Texts = [], decision: Text = "",  # noqa: B006
) -> Response:  # fmt: skip
    ids = [i for i in (_int(v) for v in idea_id) if i is not None]
    try:
        count = services.moderate(
            ctx.db.uow(), actor=actor, product_id=product_id, idea_ids=ids, decision=decision
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _queue_page(request, ctx, product_id, status=exc.status, errors=errors)
    return web.redirect(
        f"/products/{product_id}/portal/moderation?done={decision}-{count}", request
    )


# --- one idea -------------------------------------------------------------------------------------


def _idea_page(
    request: Request, ctx: web.Ctx, idea_id: int, *, status: int = 200, **extra: Any
) -> Response:
    detail = views.idea_detail(ctx.db.reader(), actor=ctx.actor, idea_id=idea_id)
    context = {
        **_common(ctx, detail.role),
        "d": detail,
        "p": detail.product,
        "row": detail.row,
        "idea": detail.row.idea,
        **extra,
    }
    return web.render(request, "portal/idea.html", context, status=status)


@router.get("/ideas/{idea_id}")
def idea(request: Request, ctx: CtxDep, _actor: ActorDep, idea_id: int) -> Response:
    return _idea_page(request, ctx, idea_id)


def _idea_form(request: Request, ctx: web.Ctx, idea_id: int, call: Any) -> Response:
    """Run a form's service call; a refused form shows the idea page with the messages."""
    try:
        call()
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _idea_page(request, ctx, idea_id, status=exc.status, errors=errors)
    return web.redirect(f"/ideas/{idea_id}", request)


@router.post("/ideas/{idea_id}/status")
def set_status(
    request: Request, ctx: CtxDep, actor: ActorDep, idea_id: int, status: Text = ""
) -> Response:
    return _idea_form(
        request, ctx, idea_id,
        lambda: services.set_status(ctx.db.uow(), actor=actor, idea_id=idea_id, status=status),
    )  # fmt: skip


@router.post("/ideas/{idea_id}/link")
def link_item(
    request: Request, ctx: CtxDep, actor: ActorDep, idea_id: int, item_id: Text = ""
) -> Response:
    target = _int(item_id.lstrip("#"))
    if item_id.strip() and target is None:
        target = -1  # not a number: refused by the service like an unknown item
    return _idea_form(
        request, ctx, idea_id,
        lambda: services.link_item(ctx.db.uow(), actor=actor, idea_id=idea_id, item_id=target),
    )  # fmt: skip


@router.post("/ideas/{idea_id}/merge")
def merge(
    request: Request, ctx: CtxDep, actor: ActorDep, idea_id: int, into_id: Text = ""
) -> Response:
    into = _int(into_id) or 0
    try:
        survivor = services.merge_ideas(ctx.db.uow(), actor=actor, idea_id=idea_id, into_id=into)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext) or {"into_id": exc.render(ctx.gettext)}
        return _idea_page(request, ctx, idea_id, status=exc.status, errors=errors)
    return web.redirect(f"/ideas/{survivor.id}", request)


@router.post("/ideas/{idea_id}/reply")
def reply(
    request: Request, ctx: CtxDep, actor: ActorDep, idea_id: int, body: Text = ""
) -> Response:
    return _idea_form(
        request, ctx, idea_id,
        lambda: services.reply(ctx.db.uow(), actor=actor, idea_id=idea_id, body=body),
    )  # fmt: skip


@router.post("/idea-comments/{comment_id}/hide")
def hide_comment(
    request: Request, ctx: CtxDep, actor: ActorDep, comment_id: int, hidden: Text = "yes"
) -> Response:
    comment = services.hide_comment(
        ctx.db.uow(), actor=actor, comment_id=comment_id, hidden=hidden == "yes"
    )
    return web.redirect(f"/ideas/{comment.idea_id}#comments", request)
