"""Refinement JSON API: a product's backlog settings, an item's DoR/DoD ticks and links."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.backlog import rules as backlog_rules
from jalon.refinement import queries, rules, services
from jalon.refinement.queries import ItemPage, LinkRow, SettingsView
from jalon.refinement.schemas import (
    ChecklistOut,
    ChecksIn,
    ChecksOut,
    LinkIn,
    LinkOut,
    SettingsIn,
    SettingsOut,
    StatusOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["refinement"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
}


def settings_out(view: SettingsView) -> SettingsOut:
    s = view.settings
    return SettingsOut(
        product_id=view.product.id,
        statuses=[StatusOut(**st, items=view.in_use.get(st["key"], 0)) for st in s.statuses],
        scale=s.scale,
        definition_of_ready=list(s.definition_of_ready),
        definition_of_done=list(s.definition_of_done),
    )


@router.get(
    "/products/{product_id}/backlog-settings",
    response_model=SettingsOut,
    responses=ERRORS,
    summary="Workflow, estimation scale, Definition of Ready and of Done",
)
def get_settings(product_id: int, ctx: CtxDep, actor: ActorDep) -> SettingsOut:
    return settings_out(queries.get_settings(ctx.db.reader(), actor=actor, product_id=product_id))


@router.put(
    "/products/{product_id}/backlog-settings",
    response_model=SettingsOut,
    responses=ERRORS | {409: {"description": "A removed status is still used by items"}},
    summary="Replace the backlog settings (Product Owner)",
)
def put_settings(product_id: int, body: SettingsIn, ctx: CtxDep, actor: ActorDep) -> SettingsOut:
    draft = rules.Draft(
        statuses=[s.model_dump() for s in body.statuses],
        scale=body.scale,
        ready=body.definition_of_ready,
        done=body.definition_of_done,
    )
    services.update_settings(
        ctx.db.uow(), actor=actor, product_id=product_id, draft=draft, move_to=body.move_items_to
    )
    return settings_out(queries.get_settings(ctx.db.reader(), actor=actor, product_id=product_id))


def _checklist(entries: list[str], ticked: list[str]) -> ChecklistOut:
    state = backlog_rules.readiness(entries, ticked)
    return ChecklistOut(entries=entries, ticked=ticked, met=state.ready, missing=state.missing)


def checks_out(page: ItemPage) -> ChecksOut:
    item, settings = page.view.item, page.view.settings
    return ChecksOut(
        item_id=item.id,
        ready=_checklist(settings.definition_of_ready, rules.ticked(item.checks, "ready")),
        done=_checklist(settings.definition_of_done, rules.ticked(item.checks, "done")),
    )


@router.get(
    "/items/{item_id}/checks",
    response_model=ChecksOut,
    responses=ERRORS,
    summary="The item's Definition of Ready and of Done, ticked or not",
)
def get_checks(item_id: int, ctx: CtxDep, actor: ActorDep) -> ChecksOut:
    return checks_out(queries.item_page(ctx.db.reader(), actor=actor, item_id=item_id))


@router.put(
    "/items/{item_id}/checks",
    response_model=ChecksOut,
    responses=ERRORS,
    summary="Set the ticked entries of the DoR and/or the DoD (by entry text)",
)
def put_checks(item_id: int, body: ChecksIn, ctx: CtxDep, actor: ActorDep) -> ChecksOut:
    ticks = body.model_dump(exclude_none=True)
    services.set_ticks(ctx.db.uow(), actor=actor, item_id=item_id, ticks=ticks)
    return checks_out(queries.item_page(ctx.db.reader(), actor=actor, item_id=item_id))


def link_out(item_id: int, row: LinkRow) -> LinkOut:
    ends = (item_id, row.other.id) if row.outgoing else (row.other.id, item_id)
    return LinkOut(
        id=row.id,
        kind=row.kind,
        from_id=ends[0],
        to_id=ends[1],
        label=row.label,
        other_id=row.other.id,
        other_title=row.other.title,
    )


@router.get(
    "/items/{item_id}/links",
    response_model=list[LinkOut],
    responses=ERRORS,
    summary="The item's links, both ways (blocks and blocked by…)",
)
def get_links(item_id: int, ctx: CtxDep, actor: ActorDep) -> list[LinkOut]:
    page = queries.item_page(ctx.db.reader(), actor=actor, item_id=item_id)
    return [link_out(item_id, row) for row in page.links]


@router.post(
    "/items/{item_id}/links",
    response_model=list[LinkOut],
    status_code=201,
    responses=ERRORS,
    summary="Link the item to another of the same product; answers all its links",
)
def add_link(item_id: int, body: LinkIn, ctx: CtxDep, actor: ActorDep) -> list[LinkOut]:
    services.add_link(ctx.db.uow(), actor=actor, item_id=item_id, kind=body.kind, to_id=body.to_id)
    return get_links(item_id, ctx, actor)


@router.delete(
    "/items/{item_id}/links/{link_id}",
    status_code=204,
    responses=ERRORS,
    summary="Remove a link (from either of its items)",
)
def remove_link(item_id: int, link_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.remove_link(ctx.db.uow(), actor=actor, item_id=item_id, link_id=link_id)
    return Response(status_code=204)
