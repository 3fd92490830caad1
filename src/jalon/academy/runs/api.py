"""Academy runs JSON API: scenarios, runs, playing a sprint, the debrief and the replay."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jalon import web
from jalon.academy.runs import present, queries, reports, services
from jalon.academy.runs.schemas import (
    DebriefOut,
    ReplayOut,
    RunIn,
    RunOut,
    ScenarioOut,
    SprintIn,
    SprintOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1/academy", tags=["academy"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    403: {"description": "The run belongs to another learner"},
    409: {"description": "The run is over (finished or abandoned)"},
}


def _run_with_turn(ctx: web.Ctx, run_id: int) -> RunOut:
    found = queries.run_view(ctx.db.reader(), actor=ctx.actor, run_id=run_id)
    return present.run_out(found.run, ctx.language, present.turn_out(found, ctx.language))


@router.get(
    "/scenarios",
    response_model=list[ScenarioOut],
    responses=ERRORS,
    summary="The built-in scenarios, in the caller's language",
)
def list_scenarios(ctx: CtxDep, _actor: ActorDep) -> list[ScenarioOut]:
    return [present.scenario_out(s, ctx.language) for s in queries.scenarios()]


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=201,
    responses=ERRORS,
    summary="Start a scenario on a new sandbox product (the caller is its Product Owner)",
)
def start_run(body: RunIn, ctx: CtxDep, actor: ActorDep) -> RunOut:
    run = services.start_run(
        ctx.db.uow(), actor=actor, scenario=body.scenario, seed=body.seed, language=ctx.language
    )
    return _run_with_turn(ctx, run.id)


@router.get(
    "/runs",
    response_model=list[RunOut],
    responses=ERRORS,
    summary="The caller's runs, newest first",
)
def list_runs(ctx: CtxDep, actor: ActorDep) -> list[RunOut]:
    return [present.run_out(run, ctx.language) for run in queries.own_runs(ctx.db.reader(), actor)]


@router.get(
    "/runs/{run_id}",
    response_model=RunOut,
    responses=ERRORS,
    summary="A run with its next turn (its trainee, their trainer, administrators)",
)
def get_run(run_id: int, ctx: CtxDep, _actor: ActorDep) -> RunOut:
    return _run_with_turn(ctx, run_id)


@router.post(
    "/runs/{run_id}/sprint",
    response_model=SprintOut,
    responses=ERRORS,
    summary="Play the next sprint with the trainee's decisions; the sprint's outcome",
)
def play_sprint(run_id: int, body: SprintIn, ctx: CtxDep, actor: ActorDep) -> SprintOut:
    decisions = body.model_dump(exclude={"order"})
    played = services.play_sprint(
        ctx.db.uow(), actor=actor, run_id=run_id, decisions=decisions, order=body.order
    )
    outcome = present.localise(played.outcome.to_dict(), ctx.language)
    return SprintOut(run=_run_with_turn(ctx, run_id), outcome=outcome)


@router.get(
    "/runs/{run_id}/debrief",
    response_model=DebriefOut,
    responses=ERRORS,
    summary="The run against the informed policy on the same seed (partial until finished)",
)
def debrief(run_id: int, ctx: CtxDep, actor: ActorDep) -> DebriefOut:
    found = reports.debrief_of(ctx.db.reader(), actor=actor, run_id=run_id)
    return DebriefOut(
        run_id=run_id, complete=found.complete,
        debrief=present.localise(reports.debrief_dict(found.debrief), ctx.language),
    )  # fmt: skip


@router.get(
    "/runs/{run_id}/replay",
    response_model=ReplayOut,
    responses=ERRORS,
    summary="Replay the stored log from the seed: does it give exactly the stored state?",
)
def replay(run_id: int, ctx: CtxDep, actor: ActorDep) -> ReplayOut:
    return reports.replay_of(ctx.db.reader(), actor=actor, run_id=run_id)
