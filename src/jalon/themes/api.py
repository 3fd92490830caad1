"""Themes JSON API: themes of a product, one theme, corrections, re-clustering runs, and
similar feedback (duplicates) with their merge."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jalon import web
from jalon.themes import queries, runs, services
from jalon.themes.models import ClusteringRun
from jalon.themes.queries import ThemeRow
from jalon.themes.schemas import (
    DuplicateIn,
    MemberOut,
    MergeIn,
    MoveIn,
    QuoteOut,
    RenameIn,
    RunOut,
    SimilarOut,
    SplitIn,
    ThemeDetailOut,
    ThemeOut,
    ThemesOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["themes"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "A re-clustering already runs, a theme was merged, or a duplicate"},
}


def theme_out(row: ThemeRow) -> ThemeOut:
    t = row.theme
    return ThemeOut(
        id=t.id, product_id=t.product_id, label=t.label, label_locked=t.label_locked,
        created_by=t.created_by, size=row.size, weighted_demand=row.demand,
        quotes=[QuoteOut(feedback_id=q.feedback_id, text=q.text) for q in row.quotes],
        weekly_counts=row.trend,
    )  # fmt: skip


def run_out(run: ClusteringRun) -> RunOut:
    return RunOut(
        id=run.id, product_id=run.product_id, state=run.state, progress=run.progress,
        step=run.step, model=run.model, feedback_count=run.feedback_count,
        theme_count=run.theme_count, created_themes=run.created_themes, error=run.error,
        created_at=run.created_at, finished_at=run.finished_at,
    )  # fmt: skip


def _detail(ctx: web.Ctx, theme_id: int) -> ThemeDetailOut:
    d = queries.get_theme(ctx.db.reader(), actor=ctx.actor, theme_id=theme_id)
    members = [
        MemberOut(
            feedback_id=m.feedback.id, text=m.feedback.text, source=m.feedback.source,
            received_at=m.feedback.received_at, score=round(m.score, 4), pinned=m.pinned,
        )
        for m in d.members
    ]  # fmt: skip
    return ThemeDetailOut(
        **theme_out(d.row).model_dump(), state=d.theme.state,
        merged_into_id=d.theme.merged_into_id, members=members,
    )  # fmt: skip


@router.get(
    "/products/{product_id}/themes", response_model=ThemesOut, responses=ERRORS,
    summary="A product's themes by weighted demand, with quotes and weekly counts",
)  # fmt: skip
def list_themes(product_id: int, ctx: CtxDep, actor: ActorDep) -> ThemesOut:
    view = queries.list_themes(ctx.db.reader(), actor=actor, product_id=product_id)
    return ThemesOut(
        themes=[theme_out(r) for r in view.themes], unthemed=view.unthemed, model=view.model,
        run=run_out(view.run) if view.run else None,
    )  # fmt: skip


@router.post(
    "/products/{product_id}/themes/recluster", response_model=RunOut, status_code=202,
    responses=ERRORS, summary="Start a full re-clustering in the background (team)",
)  # fmt: skip
def recluster(product_id: int, ctx: CtxDep, actor: ActorDep) -> RunOut:
    run = services.start_reclustering(ctx.db.uow(), actor=actor, product_id=product_id)
    runs.start_in_background(ctx.db, run.id)
    return run_out(run)


@router.get(
    "/clustering-runs/{run_id}", response_model=RunOut, responses=ERRORS,
    summary="A re-clustering's state and progress",
)  # fmt: skip
def get_run(run_id: int, ctx: CtxDep, actor: ActorDep) -> RunOut:
    return run_out(queries.get_run(ctx.db.reader(), actor=actor, run_id=run_id))


@router.get(
    "/themes/{theme_id}", response_model=ThemeDetailOut, responses=ERRORS,
    summary="A theme with its members",
)  # fmt: skip
def get_theme(theme_id: int, ctx: CtxDep, actor: ActorDep) -> ThemeDetailOut:
    return _detail(ctx, theme_id)


@router.patch(
    "/themes/{theme_id}", response_model=ThemeDetailOut, responses=ERRORS,
    summary="Rename a theme (team); re-clusterings keep the name",
)  # fmt: skip
def rename(theme_id: int, body: RenameIn, ctx: CtxDep, actor: ActorDep) -> ThemeDetailOut:
    services.rename_theme(ctx.db.uow(), actor=actor, theme_id=theme_id, label=body.label)
    return _detail(ctx, theme_id)


@router.post(
    "/themes/{theme_id}/merge", response_model=ThemeDetailOut, responses=ERRORS,
    summary="Merge a theme into another (team); the survivor is answered",
)  # fmt: skip
def merge(theme_id: int, body: MergeIn, ctx: CtxDep, actor: ActorDep) -> ThemeDetailOut:
    into = services.merge_themes(ctx.db.uow(), actor=actor, theme_id=theme_id, into_id=body.into)
    return _detail(ctx, into.id)


@router.post(
    "/themes/{theme_id}/split", response_model=ThemeDetailOut, status_code=201,
    responses=ERRORS, summary="Move some members to a new theme (team); the new theme",
)  # fmt: skip
def split(theme_id: int, body: SplitIn, ctx: CtxDep, actor: ActorDep) -> ThemeDetailOut:
    new = services.split_theme(
        ctx.db.uow(), actor=actor, theme_id=theme_id, feedback_ids=body.feedback_ids,
        label=body.label,
    )  # fmt: skip
    return _detail(ctx, new.id)


@router.post(
    "/themes/{theme_id}/members", response_model=ThemeDetailOut, responses=ERRORS,
    summary="Move feedback into this theme (team); they stay there",
)  # fmt: skip
def move(theme_id: int, body: MoveIn, ctx: CtxDep, actor: ActorDep) -> ThemeDetailOut:
    services.move_feedback(
        ctx.db.uow(), actor=actor, feedback_ids=body.feedback_ids, theme_id=theme_id
    )
    return _detail(ctx, theme_id)


@router.get(
    "/feedback/{feedback_id}/similar", response_model=list[SimilarOut], responses=ERRORS,
    summary="The feedback most similar to this one, best first (duplicates flagged)",
)  # fmt: skip
def similar(feedback_id: int, ctx: CtxDep, actor: ActorDep, limit: int = 5) -> list[SimilarOut]:
    found = queries.similar_feedback(
        ctx.db.reader(), actor=actor, feedback_id=feedback_id, limit=max(1, min(limit, 50))
    )
    return [
        SimilarOut(
            feedback_id=s.feedback.id, text=s.feedback.text, source=s.feedback.source,
            state=s.feedback.state, similarity=round(s.similarity, 4),
            likely_duplicate=s.likely_duplicate,
        )
        for s in found
    ]  # fmt: skip


@router.post(
    "/feedback/{feedback_id}/merge", response_model=list[SimilarOut], responses=ERRORS,
    summary="Merge a duplicate into the feedback it repeats (team): links move to it",
)  # fmt: skip
def merge_duplicate(
    feedback_id: int, body: DuplicateIn, ctx: CtxDep, actor: ActorDep
) -> list[SimilarOut]:
    services.merge_duplicate(
        ctx.db.uow(), actor=actor, feedback_id=feedback_id, survivor_id=body.survivor_id
    )
    return similar(body.survivor_id, ctx, actor)
