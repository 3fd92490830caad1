"""Releases JSON API: versions of a product, their scope, readiness, notes and releasing."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.errors import translate
from jalon.releases import queries, services
from jalon.releases.queries import ReleasePage, ReleaseRow, TargetForecast
from jalon.releases.schemas import (
    ChecklistIn,
    CheckOut,
    ForecastOut,
    NotesIn,
    ProgressOut,
    ReleaseDetailOut,
    ReleaseIn,
    ReleaseNow,
    ReleaseOut,
    ReleasePatch,
    ScopeIn,
    ScopeItemOut,
    SettingsIn,
    SettingsOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["releases"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "Duplicate name, item planned elsewhere, or already released"},
}


def release_out(row: ReleaseRow, gettext: Callable[[str], str]) -> ReleaseOut:
    r, p = row.release, row.progress
    return ReleaseOut(
        id=r.id,
        product_id=r.product_id,
        name=r.name,
        target_date=r.target_date,
        description=r.description,
        state=r.state,
        released_at=r.released_at,
        progress=ProgressOut(
            items=p.items, done_items=p.done_items, points=p.points, done_points=p.done_points
        ),
        checklist=[CheckOut(text=c["text"], done=bool(c.get("done"))) for c in r.checklist],
        notes=r.notes,
        notes_language=r.notes_language,
        release_warnings=[w.localise(gettext) for w in queries.recorded_warnings(r)],
    )


def forecast_out(found: TargetForecast, gettext: Callable[[str], str]) -> ForecastOut:
    return ForecastOut(
        outlook=found.outlook,
        p50=found.p50,
        p85=found.p85,
        explanation=translate(found.explanation, gettext) if found.explanation else None,
        hit_rate=list(found.hit_rate) if found.hit_rate else None,
        reliable=found.reliable,
    )


def detail_out(page: ReleasePage, ctx: web.Ctx) -> ReleaseDetailOut:
    release = page.release
    forecast = None
    if release.state != "released":
        found = queries.forecast_against_target(
            ctx.db.reader(), product_id=release.product_id, items=page.progress.items,
            remaining=page.progress.remaining,
            target=release.target_date, seed=release.id,
        )  # fmt: skip
        forecast = forecast_out(found, ctx.gettext)
    base = release_out(ReleaseRow(release, page.progress), ctx.gettext)
    return ReleaseDetailOut(
        **base.model_dump(),
        items=[
            ScopeItemOut(
                id=e.item.id,
                title=e.item.title,
                type=e.item.type,
                status=e.item.status,
                estimate=e.item.estimate,
                done=e.done,
            )
            for e in page.scope
        ],
        forecast=forecast,
        warnings=[w.localise(ctx.gettext) for w in page.warnings],
    )


def _detail(ctx: web.Ctx, release_id: int) -> ReleaseDetailOut:
    page = queries.release_page(ctx.db.reader(), actor=ctx.actor, release_id=release_id)
    return detail_out(page, ctx)


@router.get(
    "/products/{product_id}/releases",
    response_model=list[ReleaseOut],
    responses=ERRORS,
    summary="A product's releases: unreleased by target date, then released, newest first",
)
def list_releases(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[ReleaseOut]:
    view = queries.list_releases(ctx.db.reader(), actor=actor, product_id=product_id)
    return [release_out(row, ctx.gettext) for row in view.rows]


@router.post(
    "/products/{product_id}/releases",
    response_model=ReleaseDetailOut,
    status_code=201,
    responses=ERRORS,
    summary="Plan a release (Product Owner)",
)
def create_release(
    product_id: int, body: ReleaseIn, ctx: CtxDep, actor: ActorDep
) -> ReleaseDetailOut:
    made = services.create_release(
        ctx.db.uow(), actor=actor, product_id=product_id, values=body.model_dump()
    )
    return _detail(ctx, made.id)


@router.get(
    "/releases/{release_id}",
    response_model=ReleaseDetailOut,
    responses=ERRORS,
    summary="A release with its scope, progress, forecast against the target and warnings",
)
def get_release(release_id: int, ctx: CtxDep, actor: ActorDep) -> ReleaseDetailOut:
    return _detail(ctx, release_id)


@router.patch(
    "/releases/{release_id}",
    response_model=ReleaseDetailOut,
    responses=ERRORS,
    summary="Edit a release's name, target date, description or notes (Product Owner)",
)
def patch_release(
    release_id: int, body: ReleasePatch, ctx: CtxDep, actor: ActorDep
) -> ReleaseDetailOut:
    values = body.model_dump(exclude_unset=True)
    services.update_release(ctx.db.uow(), actor=actor, release_id=release_id, values=values)
    return _detail(ctx, release_id)


@router.post(
    "/releases/{release_id}/items",
    response_model=ReleaseDetailOut,
    responses=ERRORS,
    summary="Add items to the release's scope",
)
def add_items(release_id: int, body: ScopeIn, ctx: CtxDep, actor: ActorDep) -> ReleaseDetailOut:
    services.add_items(
        ctx.db.uow(), actor=actor, release_id=release_id, item_ids=body.item_ids,
        include_descendants=body.include_descendants,
    )  # fmt: skip
    return _detail(ctx, release_id)


@router.delete(
    "/releases/{release_id}/items/{item_id}",
    status_code=204,
    responses=ERRORS,
    summary="Take an item out of the release's scope",
)
def remove_item(release_id: int, item_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.remove_item(ctx.db.uow(), actor=actor, release_id=release_id, item_id=item_id)
    return Response(status_code=204)


@router.put(
    "/releases/{release_id}/checklist",
    response_model=ReleaseDetailOut,
    responses=ERRORS,
    summary="Tick exactly these entries of the readiness checklist",
)
def put_checklist(
    release_id: int, body: ChecklistIn, ctx: CtxDep, actor: ActorDep
) -> ReleaseDetailOut:
    services.set_checklist(ctx.db.uow(), actor=actor, release_id=release_id, ticked=body.ticked)
    return _detail(ctx, release_id)


@router.post(
    "/releases/{release_id}/notes",
    response_model=ReleaseDetailOut,
    responses=ERRORS,
    summary="Generate the release notes from the done items, in English or French",
)
def generate_notes(
    release_id: int, body: NotesIn, ctx: CtxDep, actor: ActorDep
) -> ReleaseDetailOut:
    services.generate_notes(
        ctx.db.uow(), actor=actor, release_id=release_id, language=body.language
    )
    return _detail(ctx, release_id)


@router.post(
    "/releases/{release_id}/release",
    response_model=ReleaseDetailOut,
    responses=ERRORS,
    summary="Release the version (409 with the warnings unless confirmed)",
)
def release_now(
    release_id: int, body: ReleaseNow, ctx: CtxDep, actor: ActorDep
) -> ReleaseDetailOut:
    services.mark_released(ctx.db.uow(), actor=actor, release_id=release_id, confirm=body.confirm)
    return _detail(ctx, release_id)


def settings_out(view: queries.SettingsView) -> SettingsOut:
    s = view.settings
    public = f"/changelog/{view.product.id}" if s.public_changelog else None
    return SettingsOut(
        product_id=view.product.id,
        checklist=list(s.checklist),
        public_changelog=s.public_changelog,
        changelog_url=public,
    )


@router.get(
    "/products/{product_id}/release-settings",
    response_model=SettingsOut,
    responses=ERRORS,
    summary="The default readiness checklist, and whether the changelog is public",
)
def get_settings(product_id: int, ctx: CtxDep, actor: ActorDep) -> SettingsOut:
    return settings_out(queries.get_settings(ctx.db.reader(), actor=actor, product_id=product_id))


@router.patch(
    "/products/{product_id}/release-settings",
    response_model=SettingsOut,
    responses=ERRORS,
    summary="Change the default readiness checklist or the public changelog (Product Owner)",
)
def patch_settings(product_id: int, body: SettingsIn, ctx: CtxDep, actor: ActorDep) -> SettingsOut:
    services.update_settings(
        ctx.db.uow(), actor=actor, product_id=product_id, checklist=body.checklist,
        public_changelog=body.public_changelog,
    )  # fmt: skip
    return get_settings(product_id, ctx, actor)
