"""Sprint Review, Retrospective and action item pages. Forms post, then come back (303) to
the page at the part they changed; a refused form shows the page again with its messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.backlog import rules as backlog_rules
from jalon.ceremonies import queries, rules, services
from jalon.ceremonies.queries import SprintRef
from jalon.ceremonies.schemas import ActionForm, ReviewForm
from jalon.errors import N_, JalonError, Label, NotFound
from jalon.permissions import Action, Role, can
from jalon.sprints import rules as sprint_rules
from jalon.uow import NOT_FOUND
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
BASE = "/products/{product_id}/sprints/{sprint_id}"


def _permissions(ctx: web.Ctx, role: Role | None) -> dict[str, bool]:
    """What the reader may do, by action name, for the template (`can.contribute`…)."""
    return {a.value: can(role, a, is_admin=ctx.actor.is_admin) for a in Action}


def _same_product(ref: SprintRef, product_id: int) -> None:
    if ref.product.id != product_id:
        raise NotFound(NOT_FOUND, what=Label("sprint", N_("sprint")), ident=ref.sprint.id)


def _failed(exc: JalonError, ctx: web.Ctx, form: dict[str, str]) -> dict[str, Any]:
    if not exc.refused_form:
        raise exc
    return {
        "status": exc.status,
        "errors": exc.render_fields(ctx.gettext),
        "message": exc.render(ctx.gettext),
        "form": form,
    }


# --- Sprint Review -------------------------------------------------------------------------


def _review_values(page: queries.ReviewPage, form: dict[str, str]) -> dict[str, str]:
    """What the review form shows: the saved record, or what was typed when refused."""
    review = page.review
    percent = review.progress_percent if review else None
    saved = {
        "goal_verdict": (review.goal_verdict if review else None) or "",
        "goal_note": review.goal_note if review else "",
        "progress_percent": "" if percent is None else str(percent),
        "progress_note": review.progress_note if review else "",
        "attendees": "\n".join(review.attendees) if review else "",
    }
    return saved | form


def review_page(
    request: Request, ctx: web.Ctx, product_id: int, sprint_id: int, **extra: Any
) -> Response:
    page = queries.get_review(ctx.db.reader(), actor=ctx.actor, sprint_id=sprint_id)
    _same_product(page.ref, product_id)
    context = {
        "page": page,
        "ref": page.ref,
        "p": page.ref.product,
        "sprint": page.ref.sprint,
        "can": _permissions(ctx, page.ref.role),
        "verdicts": rules.VERDICTS,
        "type_labels": backlog_rules.TYPE_LABELS,
        "estimate_label": lambda v: backlog_rules.estimate_label(page.scale, v),
        "errors": {},
        "form": {},
        "tab": "review",
        "s": page.summary,
        "state_labels": sprint_rules.STATE_LABELS,
        **extra,
    }
    context["values"] = _review_values(page, context["form"])
    status = context.pop("status", 200)
    return web.render(request, "ceremonies/review.html", context, status=status)


@router.get(BASE + "/review")
def show_review(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    return review_page(request, ctx, product_id, sprint_id)


@router.post(BASE + "/review")
def save_review(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    form: Annotated[ReviewForm, Form()],
) -> Response:
    """Save the fields the form sent; `op` hold marks the review held, reopen reopens it."""
    values = form.values()
    held = {"hold": True, "reopen": False}.get(form.op)
    try:
        services.update_review(
            ctx.db.uow(), actor=actor, sprint_id=sprint_id, values=values, held=held
        )
    except JalonError as exc:
        return review_page(request, ctx, product_id, sprint_id, **_failed(exc, ctx, values))
    return web.redirect(f"/products/{product_id}/sprints/{sprint_id}/review?saved=1", request)


@router.post(BASE + "/review/feedback")
def add_feedback(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    who: Text = "",
    what: Text = "",
) -> Response:
    try:
        services.add_feedback(ctx.db.uow(), actor=actor, sprint_id=sprint_id, who=who, what=what)
    except JalonError as exc:
        failed = _failed(exc, ctx, {"who": who, "what": what})
        return review_page(request, ctx, product_id, sprint_id, **failed)
    return web.redirect(f"/products/{product_id}/sprints/{sprint_id}/review#feedback", request)


@router.post(BASE + "/review/feedback/{feedback_id}/to-item")
def feedback_to_item(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    feedback_id: int,
) -> Response:
    services.feedback_to_item(ctx.db.uow(), actor=actor, feedback_id=feedback_id)
    url = f"/products/{product_id}/sprints/{sprint_id}/review#feedback-{feedback_id}"
    return web.redirect(url, request)


@router.post(BASE + "/review/feedback/{feedback_id}/delete")
def delete_feedback(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    feedback_id: int,
) -> Response:
    services.delete_feedback(ctx.db.uow(), actor=actor, feedback_id=feedback_id)
    return web.redirect(f"/products/{product_id}/sprints/{sprint_id}/review#feedback", request)


# --- Retrospective -------------------------------------------------------------------------


def retro_page(
    request: Request, ctx: web.Ctx, product_id: int, sprint_id: int, **extra: Any
) -> Response:
    page = queries.get_retro(ctx.db.reader(), actor=ctx.actor, sprint_id=sprint_id)
    _same_product(page.ref, product_id)
    context = {
        "page": page,
        "ref": page.ref,
        "p": page.ref.product,
        "sprint": page.ref.sprint,
        "can": _permissions(ctx, page.ref.role),
        "formats": rules.FORMAT_LABELS,
        "statuses": rules.ACTION_STATUSES,
        "errors": {},
        "form": {},
        "tab": "retro",
        "s": page.summary,
        "state_labels": sprint_rules.STATE_LABELS,
        "back": f"/products/{product_id}/sprints/{sprint_id}/retro",
        **extra,
    }
    status = context.pop("status", 200)
    return web.render(request, "ceremonies/retro.html", context, status=status)


def _retro_url(product_id: int, sprint_id: int, anchor: str = "") -> str:
    return f"/products/{product_id}/sprints/{sprint_id}/retro" + (f"#{anchor}" if anchor else "")


@router.get(BASE + "/retro")
def show_retro(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    return retro_page(request, ctx, product_id, sprint_id)


@router.post(BASE + "/retro")
def set_up_retro(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    format: Text = "",
    dots: Text = "",
) -> Response:
    try:
        services.update_retro(
            ctx.db.uow(), actor=actor, sprint_id=sprint_id, fmt=format or None, dots=dots
        )
    except JalonError as exc:
        failed = _failed(exc, ctx, {"format": format, "dots": dots})
        return retro_page(request, ctx, product_id, sprint_id, **failed)
    return web.redirect(_retro_url(product_id, sprint_id), request)


@router.post(BASE + "/retro/cards")
def add_card(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    column: Text = "",
    text: Text = "",
) -> Response:
    try:
        card = services.add_card(
            ctx.db.uow(), actor=actor, sprint_id=sprint_id, column=column, text=text
        )
    except JalonError as exc:
        failed = _failed(exc, ctx, {"column": column, f"text-{column}": text})
        return retro_page(request, ctx, product_id, sprint_id, error_column=column, **failed)
    return web.redirect(_retro_url(product_id, sprint_id, f"card-{card.id}"), request)


@router.post(BASE + "/retro/cards/{card_id}")
def edit_card(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    card_id: int,
    text: Text = "",
) -> Response:
    try:
        services.edit_card(ctx.db.uow(), actor=actor, card_id=card_id, text=text)
    except JalonError as exc:
        failed = _failed(exc, ctx, {f"card-{card_id}": text})
        return retro_page(request, ctx, product_id, sprint_id, editing=card_id, **failed)
    return web.redirect(_retro_url(product_id, sprint_id, f"card-{card_id}"), request)


@router.post(BASE + "/retro/cards/{card_id}/delete")
def delete_card(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, sprint_id: int, card_id: int
) -> Response:
    services.delete_card(ctx.db.uow(), actor=actor, card_id=card_id)
    return web.redirect(_retro_url(product_id, sprint_id, "board"), request)


@router.post(BASE + "/retro/cards/{card_id}/vote")
def vote(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    card_id: int,
    op: Text = "up",
) -> Response:
    try:
        services.vote(ctx.db.uow(), actor=actor, card_id=card_id, up=op != "down")
    except JalonError as exc:
        return retro_page(request, ctx, product_id, sprint_id, **_failed(exc, ctx, {}))
    return web.redirect(_retro_url(product_id, sprint_id, f"card-{card_id}"), request)


@router.post(BASE + "/retro/actions")
def add_retro_action(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    form: Annotated[ActionForm, Form()],
) -> Response:
    values = form.values(in_retro=True)
    try:
        services.add_action(
            ctx.db.uow(), actor=actor, product_id=product_id, values=values, sprint_id=sprint_id
        )
    except JalonError as exc:
        return retro_page(request, ctx, product_id, sprint_id, **_failed(exc, ctx, values))
    return web.redirect(_retro_url(product_id, sprint_id, "actions"), request)


# --- action items of a product -------------------------------------------------------------


def actions_page(request: Request, ctx: web.Ctx, product_id: int, **extra: Any) -> Response:
    shown = request.query_params.get("status") or None
    page = queries.list_actions(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, status=shown
    )
    context = {
        "page": page,
        "p": page.product,
        "can": _permissions(ctx, page.role),
        "statuses": rules.ACTION_STATUSES,
        "shown": shown,
        "errors": {},
        "form": {},
        "back": f"/products/{product_id}/actions",
        **extra,
    }
    status = context.pop("status", 200)
    return web.render(request, "ceremonies/actions.html", context, status=status)


@router.get("/products/{product_id}/actions")
def show_actions(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return actions_page(request, ctx, product_id)


@router.post("/products/{product_id}/actions")
def add_action(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    form: Annotated[ActionForm, Form()],
) -> Response:
    values = form.values(in_retro=False)
    try:
        services.add_action(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    except JalonError as exc:
        return actions_page(request, ctx, product_id, **_failed(exc, ctx, values))
    return web.redirect(f"/products/{product_id}/actions", request)


@router.post("/products/{product_id}/actions/{action_id}")
def update_action(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    action_id: int,
    status: Text = "",
    next: Text = "",
) -> Response:
    """Mark an action item done, dropped or open again; back to the page it was changed on."""
    services.update_action(
        ctx.db.uow(), actor=actor, action_id=action_id, values={"status": status}
    )
    back = web.safe_next(next, f"/products/{product_id}/actions")
    return web.redirect(f"{back}#action-{action_id}", request)
