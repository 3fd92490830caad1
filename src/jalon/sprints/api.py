"""Sprints JSON API: teams, sprints, planning, start and close, sprint settings.

Moving a card on the board is `PATCH /api/v1/items/{id}` with a new status (backlog API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.sprints import queries, services
from jalon.sprints.schemas import (
    SprintClose,
    SprintClosed,
    SprintCreate,
    SprintItems,
    SprintOut,
    SprintSettingsIn,
    SprintSettingsOut,
    SprintUpdate,
    TeamCreate,
    TeamOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["sprints"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "Not possible in the sprint's state"},
}


def _out(ctx: web.Ctx, actor: ActorDep, sprint_id: int) -> SprintOut:
    return SprintOut.of(queries.sprint_summary(ctx.db.reader(), sprint_id, actor=actor))


@router.get(
    "/products/{product_id}/sprints",
    response_model=list[SprintOut],
    responses=ERRORS,
    summary="The product's sprints: active, planned, then closed",
)
def list_sprints(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[SprintOut]:
    found = queries.list_sprints(ctx.db.reader(), actor=actor, product_id=product_id)
    return [SprintOut.of(s) for s in found]


@router.post(
    "/products/{product_id}/sprints",
    response_model=SprintOut,
    status_code=201,
    responses=ERRORS,
    summary="Plan a sprint (the end defaults to start + sprint length − 1)",
)
def create_sprint(
    product_id: int, body: SprintCreate, ctx: CtxDep, actor: ActorDep, response: Response
) -> SprintOut:
    values = body.model_dump(exclude_none=True)
    sprint = services.create_sprint(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    response.headers["Location"] = f"/api/v1/sprints/{sprint.id}"
    return _out(ctx, actor, sprint.id)


@router.get("/sprints/{sprint_id}", response_model=SprintOut, responses=ERRORS)
def get_sprint(sprint_id: int, ctx: CtxDep, actor: ActorDep) -> SprintOut:
    return _out(ctx, actor, sprint_id)


@router.patch(
    "/sprints/{sprint_id}",
    response_model=SprintOut,
    responses=ERRORS,
    summary="Rename a sprint, change its goal or dates",
)
def update_sprint(sprint_id: int, body: SprintUpdate, ctx: CtxDep, actor: ActorDep) -> SprintOut:
    values = body.model_dump(exclude_unset=True)
    services.edit_sprint(ctx.db.uow(), actor=actor, sprint_id=sprint_id, values=values)
    return _out(ctx, actor, sprint_id)


@router.post(
    "/sprints/{sprint_id}/items",
    response_model=SprintOut,
    responses=ERRORS,
    summary="Put backlog items into the sprint",
)
def add_items(sprint_id: int, body: SprintItems, ctx: CtxDep, actor: ActorDep) -> SprintOut:
    services.add_items(ctx.db.uow(), actor=actor, sprint_id=sprint_id, item_ids=body.item_ids)
    return _out(ctx, actor, sprint_id)


@router.delete(
    "/sprints/{sprint_id}/items/{item_id}",
    response_model=SprintOut,
    responses=ERRORS,
    summary="Take an item out of the sprint, back to the backlog",
)
def remove_item(sprint_id: int, item_id: int, ctx: CtxDep, actor: ActorDep) -> SprintOut:
    services.remove_item(ctx.db.uow(), actor=actor, sprint_id=sprint_id, item_id=item_id)
    return _out(ctx, actor, sprint_id)


@router.post(
    "/sprints/{sprint_id}/start",
    response_model=SprintOut,
    responses=ERRORS,
    summary="Start a planned sprint (it needs a Sprint Goal)",
)
def start_sprint(sprint_id: int, ctx: CtxDep, actor: ActorDep) -> SprintOut:
    services.start_sprint(ctx.db.uow(), actor=actor, sprint_id=sprint_id)
    return _out(ctx, actor, sprint_id)


@router.post(
    "/sprints/{sprint_id}/close",
    response_model=SprintClosed,
    responses=ERRORS,
    summary="Close the active sprint; unfinished items go to the backlog or the next sprint",
)
def close_sprint(sprint_id: int, body: SprintClose, ctx: CtxDep, actor: ActorDep) -> SprintClosed:
    closed = services.close_sprint(
        ctx.db.uow(),
        actor=actor,
        sprint_id=sprint_id,
        unfinished=body.unfinished,
        next_sprint_id=body.next_sprint_id,
        choices=body.choices,
    )
    nxt = closed.next_sprint
    return SprintClosed(
        sprint=_out(ctx, actor, sprint_id),
        next_sprint=_out(ctx, actor, nxt.id) if nxt is not None else None,
        created_next=closed.created_next,
        counts=closed.counts,
    )


@router.get(
    "/products/{product_id}/teams",
    response_model=list[TeamOut],
    responses=ERRORS,
    summary="The product's teams and their members",
)
def list_teams(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[TeamOut]:
    rows = queries.list_teams(ctx.db.reader(), actor=actor, product_id=product_id)
    return [TeamOut.of(r) for r in rows]


@router.post(
    "/products/{product_id}/teams",
    response_model=TeamOut,
    status_code=201,
    responses=ERRORS,
    summary="Create a team of product members, each with a focus factor (Product Owner)",
)
def create_team(product_id: int, body: TeamCreate, ctx: CtxDep, actor: ActorDep) -> TeamOut:
    members = {m.user_id: m.focus_factor for m in body.members}
    team = services.create_team(
        ctx.db.uow(), actor=actor, product_id=product_id, name=body.name, members=members
    )
    rows = queries.list_teams(ctx.db.reader(), actor=actor, product_id=product_id)
    return next(TeamOut.of(r) for r in rows if r.team.id == team.id)


@router.get(
    "/products/{product_id}/sprint-settings",
    response_model=SprintSettingsOut,
    responses=ERRORS,
    summary="Sprint length, capacity unit and WIP limits",
)
def get_settings(product_id: int, ctx: CtxDep, actor: ActorDep) -> SprintSettingsOut:
    found = queries.get_settings(ctx.db.reader(), actor=actor, product_id=product_id)
    return SprintSettingsOut.model_validate(found)


@router.patch(
    "/products/{product_id}/sprint-settings",
    response_model=SprintSettingsOut,
    responses=ERRORS,
    summary="Change the sprint settings (Product Owner); fields left out keep their value",
)
def patch_settings(
    product_id: int, body: SprintSettingsIn, ctx: CtxDep, actor: ActorDep
) -> SprintSettingsOut:
    values = body.model_dump(exclude_unset=True)
    saved = services.save_settings(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    return SprintSettingsOut.model_validate(saved)
