"""Sprint pages: the sprints list with teams and settings, planning, the board, closing.

Every form works without JavaScript; sprints.js adds drag and drop over the JSON API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.backlog import rules as backlog_rules
from jalon.backlog import services as backlog_services
from jalon.errors import JalonError
from jalon.permissions import Action, can
from jalon.sprints import rules, services, views
from jalon.sprints.schemas import CloseForm, SprintForm
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
Ints = Annotated[list[int] | None, Form()]
Strs = Annotated[list[str] | None, Form()]
PAGE = "/products/{product_id}/sprints/{sprint_id}"


def _rights(ctx: web.Ctx, role: Any) -> dict[str, bool]:
    admin = ctx.actor.is_admin
    return {
        "can_plan": can(role, Action.CONTRIBUTE, is_admin=admin),
        "can_manage": can(role, Action.EDIT_PRODUCT, is_admin=admin),
    }


def _labels() -> dict[str, Any]:
    return {
        "state_labels": rules.STATE_LABELS,
        "unit_labels": rules.UNIT_LABELS,
        "outcome_labels": rules.OUTCOME_LABELS,
        "type_labels": backlog_rules.TYPE_LABELS,
        "types": list(backlog_rules.TYPE_LABELS),
    }


def _refused(exc: JalonError, ctx: web.Ctx) -> dict[str, Any]:
    """A refused form: its message and per-field messages, to show on the page again."""
    if exc.status not in (409, 422):
        raise exc
    return {"message": exc.render(ctx.gettext), "errors": exc.render_fields(ctx.gettext)}


# --- the sprints list, teams and settings ----------------------------------------------------


def overview_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = views.overview(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {"v": view, "p": view.product, "errors": {}, "form": {}, **_labels()}
    context |= _rights(ctx, view.role) | extra
    return web.render(request, "sprints/sprints.html", context, status=status)


def _back_to_list(request: Request, product_id: int, anchor: str = "") -> Response:
    return web.redirect(f"/products/{product_id}/sprints{anchor}", request)


@router.get("/products/{product_id}/sprints")
def sprints(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return overview_page(request, ctx, product_id)


@router.post("/products/{product_id}/sprints")
def create_sprint(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    form: Annotated[SprintForm, Form()],
) -> Response:
    try:
        sprint = services.create_sprint(
            ctx.db.uow(), actor=actor, product_id=product_id, values=form.values(creating=True)
        )
    except JalonError as exc:
        return overview_page(request, ctx, product_id, status=exc.status, form=form.model_dump(),
                             **_refused(exc, ctx))  # fmt: skip
    return web.redirect(f"/products/{product_id}/sprints/{sprint.id}/plan", request)


@router.post("/products/{product_id}/sprint-settings")
def save_settings(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    length_days: Text = "",
    capacity_unit: Text = "",
    wip_status: Strs = None,
    wip_limit: Strs = None,
) -> Response:
    limits = dict(zip(wip_status or [], wip_limit or [], strict=False))
    values = {"length_days": length_days, "capacity_unit": capacity_unit, "wip_limits": limits}
    try:
        services.save_settings(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    except JalonError as exc:
        return overview_page(request, ctx, product_id, status=exc.status, **_refused(exc, ctx))
    return _back_to_list(request, product_id, "?saved=settings#settings")


@router.post("/products/{product_id}/teams")
def create_team(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, name: Text = ""
) -> Response:
    try:
        services.create_team(ctx.db.uow(), actor=actor, product_id=product_id, name=name)
    except JalonError as exc:
        return overview_page(request, ctx, product_id, status=exc.status, team_form=name,
                             **_refused(exc, ctx))  # fmt: skip
    return _back_to_list(request, product_id, "#teams")


def _team_done(request: Request, ctx: web.Ctx, team_id: int, call: Any) -> Response:
    """Run a team change; back to the list, or the list with the refusal."""
    product_id = views.team_product(ctx.db.reader(), actor=ctx.actor, team_id=team_id)
    try:
        call()
    except JalonError as exc:
        return overview_page(request, ctx, product_id, status=exc.status, **_refused(exc, ctx))
    return _back_to_list(request, product_id, f"#team-{team_id}")


@router.post("/teams/{team_id}/rename")
def rename_team(
    request: Request, ctx: CtxDep, actor: ActorDep, team_id: int, name: Text = ""
) -> Response:
    return _team_done(request, ctx, team_id, lambda: services.rename_team(
        ctx.db.uow(), actor=actor, team_id=team_id, name=name))  # fmt: skip


@router.post("/teams/{team_id}/delete")
def delete_team(request: Request, ctx: CtxDep, actor: ActorDep, team_id: int) -> Response:
    return _team_done(request, ctx, team_id, lambda: services.delete_team(
        ctx.db.uow(), actor=actor, team_id=team_id))  # fmt: skip


@router.post("/teams/{team_id}/members")
def save_member(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    team_id: int,
    user_id: Annotated[int, Form()],
    focus_factor: Text = "1",
) -> Response:
    return _team_done(request, ctx, team_id, lambda: services.save_member(
        ctx.db.uow(), actor=actor, team_id=team_id, user_id=user_id,
        focus_factor=focus_factor))  # fmt: skip


@router.post("/teams/{team_id}/members/{user_id}/remove")
def remove_member(
    request: Request, ctx: CtxDep, actor: ActorDep, team_id: int, user_id: int
) -> Response:
    return _team_done(request, ctx, team_id, lambda: services.remove_member(
        ctx.db.uow(), actor=actor, team_id=team_id, user_id=user_id))  # fmt: skip


# --- planning -------------------------------------------------------------------------------


def plan_page(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    sprint_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    q = request.query_params.get("q", "")[:200]
    kind = request.query_params.get("type", "")
    kind = kind if kind in backlog_rules.TYPE_LABELS else ""
    view = views.plan_view(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, sprint_id=sprint_id, q=q, type=kind
    )
    context = {"v": view, "p": view.product, "s": view.sprint, "q": q, "type": kind}
    context |= {"errors": {}, "form": {}, "tab": "plan", **_labels()}
    context |= _rights(ctx, view.role) | extra
    return web.render(request, "sprints/plan.html", context, status=status)


def _planned(
    request: Request, ctx: web.Ctx, product_id: int, sprint_id: int, call: Any, anchor: str = ""
) -> Response:
    """Run a planning change on this product's sprint; back to planning, or the refusal."""
    views.sprint_of(ctx.db.reader(), actor=ctx.actor, product_id=product_id, sprint_id=sprint_id)
    try:
        call()
    except JalonError as exc:
        return plan_page(request, ctx, product_id, sprint_id, status=exc.status,
                         **_refused(exc, ctx))  # fmt: skip
    query = f"?{request.url.query}" if request.url.query else ""
    return web.redirect(f"/products/{product_id}/sprints/{sprint_id}/plan{query}{anchor}", request)


@router.get(PAGE + "/plan")
def plan(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    return plan_page(request, ctx, product_id, sprint_id)


@router.post(PAGE + "/edit")
def edit_sprint(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    form: Annotated[SprintForm, Form()],
) -> Response:
    values = form.values(creating=False)
    return _planned(request, ctx, product_id, sprint_id, lambda: services.edit_sprint(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, values=values), "#sprint-goal")  # fmt: skip


@router.post(PAGE + "/items")
def add_items(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    item_id: Ints = None,
) -> Response:
    return _planned(request, ctx, product_id, sprint_id, lambda: services.add_items(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, item_ids=item_id or []),
        "#sprint-items")  # fmt: skip


@router.post(PAGE + "/items/{item_id}/remove")
def remove_item(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, sprint_id: int, item_id: int
) -> Response:
    return _planned(request, ctx, product_id, sprint_id, lambda: services.remove_item(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, item_id=item_id),
        "#backlog-items")  # fmt: skip


@router.post(PAGE + "/days-off")
def days_off(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    user_id: Ints = None,
    days: Strs = None,
) -> Response:
    off: dict[int, object] = dict(zip(user_id or [], days or [], strict=False))
    return _planned(request, ctx, product_id, sprint_id, lambda: services.set_days_off(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, days=off), "#capacity")  # fmt: skip


@router.post(PAGE + "/start")
def start_sprint(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    return _planned(request, ctx, product_id, sprint_id, lambda: services.start_sprint(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id))  # fmt: skip


# --- the board and closing -------------------------------------------------------------------


@router.get(PAGE + "/board")
def board(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    view = views.board_view(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, sprint_id=sprint_id
    )
    context = {"v": view, "p": view.product, "s": view.sprint, "tab": "board", **_labels()}
    context |= _rights(ctx, view.role) | {"warning": request.query_params.get("warning")}
    return web.render(request, "sprints/board.html", context)


@router.post(PAGE + "/board/{item_id}")
def move_card(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    item_id: int,
    status: Text = "",
) -> Response:
    """The board's no-JS move: the backlog's status change, so history and done_at hold."""
    views.card_of(
        ctx.db.reader(), actor=actor, product_id=product_id, sprint_id=sprint_id, item_id=item_id
    )
    edited = backlog_services.edit_item(
        ctx.db.uow(), actor=actor, item_id=item_id, values={"status": status}
    )
    warning = "?warning=dod" if edited.warning else ""
    return web.redirect(
        f"/products/{product_id}/sprints/{sprint_id}/board{warning}#card-{item_id}", request
    )


def close_page(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    sprint_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    view = views.close_view(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, sprint_id=sprint_id
    )
    context = {"v": view, "p": view.product, "s": view.sprint, "tab": "close", "errors": {}}
    context |= _labels() | _rights(ctx, view.role) | extra
    return web.render(request, "sprints/close.html", context, status=status)


@router.get(PAGE + "/close")
def close_form(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    return close_page(request, ctx, product_id, sprint_id)


@router.post(PAGE + "/close")
def close_sprint(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    sprint_id: int,
    form: Annotated[CloseForm, Form()],
) -> Response:
    views.sprint_of(ctx.db.reader(), actor=actor, product_id=product_id, sprint_id=sprint_id)
    try:
        closed = services.close_sprint(
            ctx.db.uow(), actor=actor, sprint_id=sprint_id, unfinished=form.unfinished,
            next_sprint_id=form.next_id(), choices=form.choices(),
        )  # fmt: skip
    except JalonError as exc:
        return close_page(request, ctx, product_id, sprint_id, status=exc.status,
                          **_refused(exc, ctx))  # fmt: skip
    nxt = closed.next_sprint
    where = f"{nxt.id}/plan" if nxt is not None else f"{sprint_id}/board"
    return web.redirect(f"/products/{product_id}/sprints/{where}", request)
