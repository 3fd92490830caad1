"""Cohort pages for trainers (and administrators): the list, one cohort with its members, its
assignments and the results dashboard, and the dashboard's chart downloads.

Another trainer's cohort answers 404; a learner without the trainer role gets 403."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.academy.path import charts, queries, results, rules, services
from jalon.academy.runs import queries as runs_queries
from jalon.charts.view import MEDIA, download, view
from jalon.errors import N_, JalonError, Label, NotFound
from jalon.uow import NOT_FOUND
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/academy/cohorts", include_in_schema=False, dependencies=[Depends(web.verify_csrf)]
)
Text = Annotated[str, Form()]


def _list_page(request: Request, ctx: web.Ctx, *, status: int = 200, **extra: Any) -> Response:
    rows = results.cohorts_view(ctx.db.reader(), actor=ctx.actor)
    context = {"rows": rows, "errors": {}, "values": {}, **extra}
    return web.render(request, "academy/cohorts.html", context, status=status)


@router.get("")
def list_cohorts(request: Request, ctx: CtxDep, _actor: ActorDep) -> Response:
    return _list_page(request, ctx)


@router.post("")
def create_cohort(request: Request, ctx: CtxDep, actor: ActorDep, name: Text = "") -> Response:
    try:
        cohort = services.create_cohort(ctx.db.uow(), actor, name)
    except JalonError as exc:
        if exc.status != 422:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _list_page(request, ctx, status=422, errors=errors, values={"name": name})
    return web.redirect(f"/academy/cohorts/{cohort.id}", request)


def _work_choices(language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The assignable work, grouped for the form's <optgroup>s: (group label, (value, label))."""
    scenarios = [(f"scenario:{k}", runs_queries.scenario_title(k, language))
                 for k in queries.scenario_keys()]  # fmt: skip
    quizzes = [("quiz:mock", N_("Mock assessment")), ("quiz:practice", N_("Practice quiz"))]
    modules = [(f"module:{m.key}", m.title) for m in rules.MODULES]
    return [(N_("Scenarios"), scenarios), (N_("Quizzes"), quizzes), (N_("Modules"), modules)]


def _cohort_page(
    request: Request, ctx: web.Ctx, cohort_id: int, *, status: int = 200, **extra: Any
) -> Response:
    found = results.cohort_view(
        ctx.db.reader(), actor=ctx.actor, cohort_id=cohort_id, language=ctx.language
    )
    chart = charts.cohort_chart(found, ctx.gettext)
    context = {
        "view": found,
        "chart": view(chart, href=f"/academy/cohorts/{cohort_id}/chart"),
        "work": _work_choices(ctx.language),
        "kind_labels": rules.ASSIGNMENT_KIND_LABELS,
        "errors": {},
        "values": {},
        **extra,
    }
    return web.render(request, "academy/cohort.html", context, status=status)


@router.get("/{cohort_id}")
def show_cohort(request: Request, ctx: CtxDep, _actor: ActorDep, cohort_id: int) -> Response:
    return _cohort_page(request, ctx, cohort_id)


def _refused(request: Request, ctx: web.Ctx, cohort_id: int, exc: JalonError,
             values: dict[str, str]) -> Response:  # fmt: skip
    if exc.status not in (409, 422):
        raise exc
    errors = exc.render_fields(ctx.gettext) or {"form": exc.render(ctx.gettext)}
    return _cohort_page(request, ctx, cohort_id, status=exc.status, errors=errors, values=values)


@router.post("/{cohort_id}/members")
def add_member(
    request: Request, ctx: CtxDep, actor: ActorDep, cohort_id: int, email: Text = ""
) -> Response:
    try:
        services.add_member(ctx.db.uow(), actor, cohort_id, email)
    except JalonError as exc:
        return _refused(request, ctx, cohort_id, exc, {"email": email})
    return web.redirect(f"/academy/cohorts/{cohort_id}", request)


@router.post("/{cohort_id}/members/{user_id}/remove")
def remove_member(
    request: Request, ctx: CtxDep, actor: ActorDep, cohort_id: int, user_id: int
) -> Response:
    services.remove_member(ctx.db.uow(), actor, cohort_id, user_id)
    return web.redirect(f"/academy/cohorts/{cohort_id}", request)


@router.post("/{cohort_id}/assignments")
def assign(
    request: Request, ctx: CtxDep, actor: ActorDep, cohort_id: int, work: Text = "",
    due_on: Text = "",
) -> Response:  # fmt: skip
    kind, _, ref = work.partition(":")
    try:
        services.assign(ctx.db.uow(), actor, cohort_id, kind=kind, ref=ref, due_on=due_on)
    except JalonError as exc:
        return _refused(request, ctx, cohort_id, exc, {"work": work, "due_on": due_on})
    return web.redirect(f"/academy/cohorts/{cohort_id}#assignments", request)


@router.get("/{cohort_id}/chart.{extension}")
def chart_file(ctx: CtxDep, actor: ActorDep, cohort_id: int, extension: str) -> Response:
    if extension not in MEDIA:
        raise NotFound(NOT_FOUND, what=Label("chart", N_("chart")), ident=extension)
    found = results.cohort_view(
        ctx.db.reader(), actor=actor, cohort_id=cohort_id, language=ctx.language
    )
    chart = charts.cohort_chart(found, ctx.gettext)
    return download(chart, extension, f"cohort-{cohort_id}")
