"""Learning path JSON API under /api/v1/academy: progress and cohorts (the same services and
reads as the pages). Another trainer's cohort answers 404; a non-trainer gets 403."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.academy.path import results, services
from jalon.academy.path.schemas import (
    AssignmentIn,
    AssignmentOut,
    CohortDetailOut,
    CohortIn,
    CohortOut,
    MemberIn,
    MemberOut,
    ProgressOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1/academy", tags=["academy"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS = web.API_ERRORS | {409: {"description": "Already done (a member already in)"}}


@router.get(
    "/progress", response_model=ProgressOut, responses=ERRORS,
    summary="Learning path progress (yours; a trainee's with user_id, for their trainer)",
)  # fmt: skip
def progress(ctx: CtxDep, actor: ActorDep, user_id: int | None = None) -> ProgressOut:
    who = user_id if user_id is not None else actor.id or 0
    return ProgressOut.of(results.progress_view(ctx.db.reader(), actor=actor, user_id=who))


@router.get("/cohorts", response_model=list[CohortOut], responses=ERRORS,
            summary="Cohorts you train (every cohort for an administrator)")  # fmt: skip
def list_cohorts(ctx: CtxDep, actor: ActorDep) -> list[CohortOut]:
    return [CohortOut.of(r) for r in results.cohorts_view(ctx.db.reader(), actor=actor)]


@router.post("/cohorts", response_model=CohortOut, status_code=201, responses=ERRORS,
             summary="Create a cohort (trainers and administrators)")  # fmt: skip
def create_cohort(body: CohortIn, ctx: CtxDep, actor: ActorDep, response: Response) -> CohortOut:
    cohort = services.create_cohort(ctx.db.uow(), actor, body.name)
    response.headers["Location"] = f"/api/v1/academy/cohorts/{cohort.id}"
    row = results.CohortRow(cohort, 0, actor.label)
    return CohortOut.of(row)


@router.get("/cohorts/{cohort_id}", response_model=CohortDetailOut, responses=ERRORS,
            summary="A cohort with each trainee's results and the assignments")  # fmt: skip
def get_cohort(cohort_id: int, ctx: CtxDep, actor: ActorDep) -> CohortDetailOut:
    found = results.cohort_view(
        ctx.db.reader(), actor=actor, cohort_id=cohort_id, language=ctx.language
    )
    return CohortDetailOut.of(found)


@router.post("/cohorts/{cohort_id}/members", response_model=MemberOut, status_code=201,
             responses=ERRORS, summary="Add an existing user to the cohort by e-mail")  # fmt: skip
def add_member(cohort_id: int, body: MemberIn, ctx: CtxDep, actor: ActorDep) -> MemberOut:
    member = services.add_member(ctx.db.uow(), actor, cohort_id, body.email)
    return MemberOut(cohort_id=cohort_id, user_id=member.user_id, joined_at=member.joined_at)


@router.delete("/cohorts/{cohort_id}/members/{user_id}", status_code=204, responses=ERRORS,
               summary="Remove a trainee from the cohort")  # fmt: skip
def remove_member(cohort_id: int, user_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.remove_member(ctx.db.uow(), actor, cohort_id, user_id)
    return Response(status_code=204)


@router.post("/cohorts/{cohort_id}/assignments", response_model=AssignmentOut, status_code=201,
             responses=ERRORS, summary="Assign a scenario, a quiz or a module")  # fmt: skip
def assign(cohort_id: int, body: AssignmentIn, ctx: CtxDep, actor: ActorDep) -> AssignmentOut:
    made = services.assign(
        ctx.db.uow(), actor, cohort_id, kind=body.kind, ref=body.ref, due_on=body.due_on
    )
    return AssignmentOut(id=made.id, cohort_id=made.cohort_id, kind=made.kind, ref=made.ref,
                         due_on=made.due_on)  # fmt: skip
