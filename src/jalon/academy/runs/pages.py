"""Academy run pages: the scenarios, a run's turn (decide, then play the sprint), its debrief
and the debrief's exports. Every form works without JavaScript."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.academy.runs import charts, present, queries, reports, rules, services
from jalon.academy.runs.models import PLAYING
from jalon.charts.view import view as chart_view
from jalon.errors import JalonError
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]


def sandbox_banner(ctx: web.Ctx, product_id: int) -> queries.RunRow | None:
    """The run of a sandbox product, for the banner of its pages (a template global)."""
    return queries.sandbox_run(ctx.db.reader(), product_id, language=ctx.language)


def _scenarios_page(request: Request, ctx: web.Ctx, *, status: int = 200, **extra: Any) -> Response:
    context = {
        "scenarios": queries.scenarios(),
        "runs": queries.runs_of(ctx.db.reader(), ctx.actor.id or -1, language=ctx.language),
        "errors": {},
        "form": {},
        **extra,
    }
    return web.render(request, "academy/runs/scenarios.html", context, status=status)


@router.get("/academy/scenarios")
def scenarios_page(request: Request, ctx: CtxDep, _actor: ActorDep) -> Response:
    return _scenarios_page(request, ctx)


@router.post("/academy/runs")
def start(
    request: Request, ctx: CtxDep, actor: ActorDep, scenario: Text = "", seed: Text = ""
) -> Response:
    try:
        run = services.start_run(
            ctx.db.uow(), actor=actor, scenario=scenario, seed=seed, language=ctx.language
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        form = {"scenario": scenario, "seed": seed}
        errors = exc.render_fields(ctx.gettext)
        return _scenarios_page(request, ctx, status=exc.status, errors=errors, form=form)
    return web.redirect(f"/academy/runs/{run.id}", request)


def _names(found: queries.RunView, language: str) -> dict[str, Any]:
    s = found.scenario
    titles = {o.key: o.title.get(language) for o in s.opportunities}
    return {
        "titles": titles | {r.key: r.title for r in found.backlog},
        "stakeholder_specs": {h.key: h for h in s.stakeholders},
        "stakeholder_names": {h.key: h.name for h in s.stakeholders},
        "names_of": lambda keys: ", ".join(
            next((h.name for h in s.stakeholders if h.key == k), k) for k in keys
        ),
        "event_titles": {e.key: e.title.get(language) for e in s.events},
        "kpi_labels": {k.key: k.label.get(language) for k in s.kpis},
    }


def _run_context(ctx: web.Ctx, found: queries.RunView) -> dict[str, Any]:
    run, language = found.run, ctx.language
    outcomes = [present.localise(o, language) for o in run.outcomes]
    per_sprint = [o.get("scores", {}) for o in outcomes]
    return {
        "v": found,
        "run": run,
        "title": found.scenario.title.get(language),
        "turn": found.turn,
        "events": present.events_out(found.turn, language),
        "last": outcomes[-1] if outcomes else None,
        "reactions": present.grouped_reactions(outcomes[-1]["reactions"] if outcomes else []),
        "outcomes": outcomes,
        "chart": chart_view(charts.scores_chart(per_sprint, ctx.gettext), href="")
        if per_sprint else None,
        "score_rows": present.score_rows(found.turn.scores, ctx.gettext),
        "can_play": run.status == PLAYING and run.user_id == ctx.actor.id,
        # the sandbox follows product roles: its trainee (its owner) and administrators
        "sandbox": found.product if run.user_id == ctx.actor.id or ctx.actor.is_admin else None,
        **_names(found, language),
        "status_labels": rules.OPPORTUNITY_STATUS_LABELS,
        "errors": {},
        "form": None,
        "text_in": lambda t: rules.text_in(t, language),
    }  # fmt: skip


def _run_page(
    request: Request, ctx: web.Ctx, run_id: int, *, status: int = 200, **extra: Any
) -> Response:
    found = queries.run_view(ctx.db.reader(), actor=ctx.actor, run_id=run_id)
    context = {**_run_context(ctx, found), **extra}
    return web.render(request, "academy/runs/run.html", context, status=status)


@router.get("/academy/runs/{run_id}")
def run_page(request: Request, ctx: CtxDep, _actor: ActorDep, run_id: int) -> Response:
    return _run_page(request, ctx, run_id)


@router.post("/academy/runs/{run_id}/sprint")
async def play(request: Request, ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    form = await request.form()
    fields = [(str(k), v) for k, v in form.multi_items() if isinstance(v, str)]
    try:
        decisions = rules.form_decisions(fields)
        services.play_sprint(ctx.db.uow(), actor=actor, run_id=run_id, decisions=decisions)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext) or {"run": exc.render(ctx.gettext)}
        kept = rules.form_decisions([f for f in fields if f[0] != "pay_debt"])
        kept["pay_debt"] = str(form.get("pay_debt") or "")
        return _run_page(request, ctx, run_id, status=exc.status, errors=errors, form=kept)
    return web.redirect(f"/academy/runs/{run_id}#outcome", request)


@router.post("/academy/runs/{run_id}/abandon")
def abandon(request: Request, ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    services.abandon_run(ctx.db.uow(), actor=actor, run_id=run_id)
    return web.redirect(f"/academy/runs/{run_id}", request)


@router.get("/academy/runs/{run_id}/log.json")
def log_json(ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    run = queries.get_run(ctx.db.reader(), actor=actor, run_id=run_id)
    body = {"scenario": run.scenario_key, "seed": run.seed, "log": run.log}
    headers = {"Content-Disposition": f'attachment; filename="run-{run_id}-log.json"'}
    return Response(
        json.dumps(body, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers=headers,
    )


# --- the debrief --------------------------------------------------------------------------------


def _debrief_context(ctx: web.Ctx, found: reports.DebriefView) -> dict[str, Any]:
    return reports.debrief_context(found, ctx.language, ctx.gettext)


@router.get("/academy/runs/{run_id}/debrief")
def debrief_page(request: Request, ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    found = reports.debrief_of(ctx.db.reader(), actor=actor, run_id=run_id)
    return web.render(request, "academy/runs/debrief.html", _debrief_context(ctx, found))


@router.get("/academy/runs/{run_id}/debrief.html")
def debrief_html(request: Request, ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    found = reports.debrief_of(ctx.db.reader(), actor=actor, run_id=run_id)
    response = web.render(request, "academy/runs/debrief_print.html", _debrief_context(ctx, found))
    name = f"debrief-run-{run_id}.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/academy/runs/{run_id}/debrief.pdf")
def debrief_pdf(ctx: CtxDep, actor: ActorDep, run_id: int) -> Response:
    found = reports.debrief_of(ctx.db.reader(), actor=actor, run_id=run_id)
    body = reports.debrief_pdf(reports.debrief_context(found, ctx.language, ctx.gettext))
    headers = {"Content-Disposition": f'attachment; filename="debrief-run-{run_id}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)
