"""Theme pages: the theme list with a re-clustering's progress, one theme with the
corrections (rename, merge, split, move), and the similar-feedback fragment with the
duplicate merge."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.errors import N_, JalonError
from jalon.permissions import Action, can
from jalon.themes import queries, rules, runs, services
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
Ids = Annotated[list[int], Form()]
RUN_STEPS = {
    "": N_("Queued"),
    "embedding": N_("Reading the feedback"),
    "clustering": N_("Grouping into themes"),
    "saving": N_("Saving the themes"),
    "done": N_("Done"),
}


def _can(ctx: web.Ctx, role: Any) -> dict[str, bool]:
    return {a: can(role, a, is_admin=ctx.actor.is_admin) for a in Action}


def _list_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = queries.list_themes(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {
        "view": view, "p": view.product, "run": view.run, "can": _can(ctx, view.role),
        "spark": rules.sparkline, "steps": RUN_STEPS, "errors": {}, **extra,
    }  # fmt: skip
    return web.render(request, "themes/list.html", context, status=status)


@router.get("/products/{product_id}/themes")
def list_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _list_page(request, ctx, product_id)


@router.post("/products/{product_id}/themes/recluster")
def recluster(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    try:
        run = services.start_reclustering(ctx.db.uow(), actor=actor, product_id=product_id)
    except JalonError as exc:
        if exc.status != 409:
            raise
        return _list_page(request, ctx, product_id, status=409, refused=exc.render(ctx.gettext))
    runs.start_in_background(ctx.db, run.id)
    return web.redirect(f"/products/{product_id}/themes", request)


@router.get("/clustering-runs/{run_id}/progress")
def progress(request: Request, ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    """The progress fragment the list polls every second while a run is going."""
    run = queries.get_run(ctx.db.reader(), actor=actor, run_id=run_id)
    response = web.render(
        request, "themes/_run.html", {"run": run, "steps": RUN_STEPS, "polling": True},
        fragment="themes/_run.html",
    )  # fmt: skip
    if run.state in ("done", "failed") and request.headers.get("hx-request"):
        response.headers["HX-Refresh"] = "true"
    return response


def _theme_page(
    request: Request, ctx: web.Ctx, theme_id: int, *, status: int = 200, **extra: Any
) -> Response:
    d = queries.get_theme(ctx.db.reader(), actor=ctx.actor, theme_id=theme_id)
    context = {
        "d": d, "t": d.theme, "p": d.product, "can": _can(ctx, d.role), "spark": rules.sparkline,
        "errors": {}, "form": {}, **extra,
    }  # fmt: skip
    return web.render(request, "themes/theme.html", context, status=status)


@router.get("/themes/{theme_id}")
def theme_page(request: Request, ctx: CtxDep, _actor: ActorDep, theme_id: int) -> Response:
    return _theme_page(request, ctx, theme_id)


def _refused(request: Request, ctx: web.Ctx, theme_id: int, exc: JalonError, form: Any) -> Response:
    if not exc.refused_form:
        raise exc
    errors = exc.render_fields(ctx.gettext)
    message = exc.render(ctx.gettext)
    return _theme_page(
        request, ctx, theme_id, status=exc.status, errors=errors, form=form, refused=message
    )


@router.post("/themes/{theme_id}/rename")
def rename(
    request: Request, ctx: CtxDep, actor: ActorDep, theme_id: int, label: Text = ""
) -> Response:
    try:
        services.rename_theme(ctx.db.uow(), actor=actor, theme_id=theme_id, label=label)
    except JalonError as exc:
        return _refused(request, ctx, theme_id, exc, {"label": label})
    return web.redirect(f"/themes/{theme_id}", request)


@router.post("/themes/{theme_id}/merge")
def merge(
    request: Request, ctx: CtxDep, actor: ActorDep, theme_id: int, into: Text = ""
) -> Response:
    try:
        target = int(into) if into.strip().isdigit() else 0
        survivor = services.merge_themes(
            ctx.db.uow(), actor=actor, theme_id=theme_id, into_id=target
        )
    except JalonError as exc:
        return _refused(request, ctx, theme_id, exc, {"into": into})
    return web.redirect(f"/themes/{survivor.id}", request)


@router.post("/themes/{theme_id}/split")
def split(
    request: Request, ctx: CtxDep, actor: ActorDep, theme_id: int,
    feedback_ids: Ids = [],  # noqa: B006 - FastAPI copies the default
    split_label: Text = "",
) -> Response:  # fmt: skip
    try:
        new = services.split_theme(
            ctx.db.uow(), actor=actor, theme_id=theme_id, feedback_ids=feedback_ids,
            label=split_label,
        )  # fmt: skip
    except JalonError as exc:
        if "label" in exc.fields:
            exc.fields["split_label"] = exc.fields.pop("label")
        return _refused(request, ctx, theme_id, exc, {})
    return web.redirect(f"/themes/{new.id}", request)


@router.post("/themes/{theme_id}/move")
def move(
    request: Request, ctx: CtxDep, actor: ActorDep, theme_id: int,
    feedback_ids: Ids = [],  # noqa: B006 - FastAPI copies the default
    to: Text = "",
) -> Response:  # fmt: skip
    """Move the chosen members of this theme to the theme `to`."""
    try:
        target = int(to) if to.strip().isdigit() else 0
        services.move_feedback(
            ctx.db.uow(), actor=actor, feedback_ids=feedback_ids, theme_id=target
        )
    except JalonError as exc:
        return _refused(request, ctx, theme_id, exc, {"to": to})
    return web.redirect(f"/themes/{theme_id}", request)


@router.get("/feedback/{feedback_id}/similar")
def similar(request: Request, ctx: CtxDep, actor: ActorDep, feedback_id: int) -> Response:
    """Similar feedback of one feedback: a fragment for the feedback page (a page alone)."""
    found = queries.similar_feedback(ctx.db.reader(), actor=actor, feedback_id=feedback_id)
    context = {"found": found, "feedback_id": feedback_id}
    return web.render(request, "themes/similar.html", context, fragment="themes/_similar.html")


@router.post("/feedback/{feedback_id}/merge-duplicate")
def merge_duplicate(
    request: Request, ctx: CtxDep, actor: ActorDep, feedback_id: int, survivor: Text = ""
) -> Response:
    target = int(survivor) if survivor.strip().isdigit() else 0
    services.merge_duplicate(ctx.db.uow(), actor=actor, feedback_id=feedback_id, survivor_id=target)
    return web.redirect(f"/feedback/{target}", request)
