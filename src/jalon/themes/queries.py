"""Theme reads: the theme list with size, demand, quotes and trend; one theme; a run's
progress; weekly counts for the signals area; similar feedback; vectors for a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import ColumnElement, func, select

from jalon.db import utcnow
from jalon.errors import N_
from jalon.feedback.models import Customer, Feedback, Segment
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.themes import engine, placement, rules, store
from jalon.themes.engine import Matrix
from jalon.themes.models import ClusteringRun, FeedbackDuplicate, FeedbackVector, Theme, ThemeMember
from jalon.uow import UnitOfWork

QUOTES = 3
TREND_WEEKS = 12
MEMBERS_SHOWN = 200


@contextmanager
def _reading(uow: UnitOfWork) -> Iterator[UnitOfWork]:
    """Open the unit of work unless the caller already has (a query inside a service)."""
    if getattr(uow, "_session", None) is not None:
        yield uow
        return
    with uow:
        yield uow


# --- for the signals area --------------------------------------------------------------------


def week_starts(today: date, weeks: int) -> list[date]:
    """Mondays of the last `weeks` ISO weeks, oldest first, this week last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def weekly_counts(
    uow: UnitOfWork, product_id: int, weeks: int = 26, *, today: date | None = None
) -> dict[int, list[int]]:
    """Feedback per active theme per ISO week (by received_at), oldest first, the current
    week last. Merged themes are counted in their survivor (their feedback moved there);
    pending, rejected and duplicate feedback are not counted."""
    starts = week_starts(today or utcnow().date(), weeks)
    since = datetime.combine(starts[0], time(0), tzinfo=UTC)
    with _reading(uow):
        theme_ids = list(_active_ids(uow, product_id))
        rows = uow.session.execute(
            select(ThemeMember.theme_id, Feedback.received_at)
            .join(Feedback, Feedback.id == ThemeMember.feedback_id)
            .where(ThemeMember.theme_id.in_(theme_ids), Feedback.received_at >= since)
            .where(Feedback.state.not_in(store.HIDDEN_STATES))
        ).all()
    counts: dict[tuple[int, int], int] = {}
    for theme_id, received in rows:
        day = received.date()
        key = (int(theme_id), (day - timedelta(days=day.weekday())).toordinal())
        counts[key] = counts.get(key, 0) + 1
    return rules.weekly_buckets([s.toordinal() for s in starts], counts, theme_ids)


def theme_labels(uow: UnitOfWork, product_id: int) -> dict[int, str]:
    """Labels of the product's active themes."""
    with _reading(uow):
        return dict(
            uow.session.execute(
                select(Theme.id, Theme.label).where(
                    Theme.product_id == product_id, Theme.state == "active"
                )
            ).all()
        )


def _active_ids(uow: UnitOfWork, product_id: int) -> list[int]:
    return list(
        uow.session.scalars(
            select(Theme.id)
            .where(Theme.product_id == product_id, Theme.state == "active")
            .order_by(Theme.id)
        )
    )


# --- the theme list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    feedback_id: int
    text: str


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    size: int
    demand: float  # customer weight x segment weight, summed
    quotes: list[Quote]
    trend: list[int]  # weekly counts, oldest first


@dataclass(frozen=True)
class ThemeList:
    product: Product
    role: Role | None
    themes: list[ThemeRow]
    unthemed: int
    run: ClusteringRun | None
    model: str


def list_themes(uow: UnitOfWork, *, actor: Actor, product_id: int) -> ThemeList:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        role = role_of(uow, product_id=product_id, user_id=actor.id)
        themes = uow.session.scalars(
            select(Theme).where(Theme.product_id == product_id, Theme.state == "active")
        ).all()
        sizes = _sizes_and_demand(uow, [t.id for t in themes])
        trend = weekly_counts(uow, product_id, TREND_WEEKS)
        quotes = _quotes(uow, [t.id for t in themes])
        rows = [
            ThemeRow(t, *sizes.get(t.id, (0, 0.0)), quotes.get(t.id, []), trend.get(t.id, []))
            for t in themes
        ]
        rows.sort(key=lambda r: (-r.demand, -r.size, r.theme.id))
        model = store.current_model(uow, product_id)
        return ThemeList(
            product, role, rows, _unthemed(uow, product_id), latest_run(uow, product_id),
            model.name if model else "",
        )  # fmt: skip


def _visible() -> list[ColumnElement[bool]]:
    return [
        Feedback.state.not_in(store.HIDDEN_STATES),
        Feedback.id.not_in(select(FeedbackDuplicate.feedback_id)),
    ]


def _sizes_and_demand(uow: UnitOfWork, theme_ids: list[int]) -> dict[int, tuple[int, float]]:
    weight = func.coalesce(Customer.weight, 1.0) * func.coalesce(Segment.weight, 1.0)
    rows = uow.session.execute(
        select(ThemeMember.theme_id, func.count(), func.sum(weight))
        .join(Feedback, Feedback.id == ThemeMember.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Segment, Segment.id == Customer.segment_id)
        .where(ThemeMember.theme_id.in_(theme_ids), *_visible())
        .group_by(ThemeMember.theme_id)
    ).all()
    return {int(t): (int(n), round(float(d or 0.0), 2)) for t, n, d in rows}


def _quotes(uow: UnitOfWork, theme_ids: list[int]) -> dict[int, list[Quote]]:
    """The members closest to each theme's centre (highest score), QUOTES per theme."""
    ranked = (
        select(
            ThemeMember.theme_id, Feedback.id, Feedback.text,
            func.row_number().over(
                partition_by=ThemeMember.theme_id,
                order_by=(ThemeMember.score.desc(), Feedback.id),
            ).label("n"),
        )
        .join(Feedback, Feedback.id == ThemeMember.feedback_id)
        .where(ThemeMember.theme_id.in_(theme_ids), *_visible())
        .subquery()
    )  # fmt: skip
    out: dict[int, list[Quote]] = {}
    for theme_id, feedback_id, text, _n in uow.session.execute(
        select(ranked).where(ranked.c.n <= QUOTES).order_by(ranked.c.theme_id, ranked.c.n)
    ):
        out.setdefault(int(theme_id), []).append(Quote(int(feedback_id), str(text)))
    return out


def _unthemed(uow: UnitOfWork, product_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Feedback)
        .where(Feedback.product_id == product_id, *_visible())
        .where(Feedback.id.not_in(select(ThemeMember.feedback_id)))
    )
    return int(uow.session.scalar(query) or 0)


def latest_run(uow: UnitOfWork, product_id: int) -> ClusteringRun | None:
    return uow.session.scalars(
        select(ClusteringRun)
        .where(ClusteringRun.product_id == product_id)
        .order_by(ClusteringRun.id.desc())
        .limit(1)
    ).first()


def get_run(uow: UnitOfWork, *, actor: Actor, run_id: int) -> ClusteringRun:
    with uow:
        run = uow.get(ClusteringRun, run_id, what=N_("re-clustering"))
        authorise(uow, product_id=run.product_id, actor=actor, action=Action.READ)
        return run


# --- one theme --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    feedback: Feedback
    score: float
    pinned: bool


@dataclass(frozen=True)
class ThemeDetail:
    product: Product
    role: Role | None
    theme: Theme
    members: list[Member]
    row: ThemeRow
    others: list[Theme]  # active themes to merge into or move feedback to


def get_theme(uow: UnitOfWork, *, actor: Actor, theme_id: int) -> ThemeDetail:
    with uow:
        theme = uow.get(Theme, theme_id, what=N_("theme"))
        product = authorise(uow, product_id=theme.product_id, actor=actor, action=Action.READ)
        role = role_of(uow, product_id=product.id, user_id=actor.id)
        rows = uow.session.execute(
            select(Feedback, ThemeMember.score, ThemeMember.pinned)
            .join(ThemeMember, ThemeMember.feedback_id == Feedback.id)
            .where(ThemeMember.theme_id == theme.id, *_visible())
            .order_by(ThemeMember.pinned.desc(), ThemeMember.score.desc(), Feedback.id)
        ).all()
        others = uow.session.scalars(
            select(Theme)
            .where(Theme.product_id == product.id, Theme.state == "active", Theme.id != theme.id)
            .order_by(Theme.label)
        ).all()
        members = [Member(f, float(s), bool(p)) for f, s, p in rows[:MEMBERS_SHOWN]]
        return ThemeDetail(product, role, theme, members, _row(uow, theme), list(others))


def _row(uow: UnitOfWork, theme: Theme) -> ThemeRow:
    size, demand = _sizes_and_demand(uow, [theme.id]).get(theme.id, (0, 0.0))
    trend = weekly_counts(uow, theme.product_id, TREND_WEEKS).get(theme.id, [0] * TREND_WEEKS)
    return ThemeRow(theme, size, demand, _quotes(uow, [theme.id]).get(theme.id, []), trend)


# --- duplicates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    feedback: Feedback
    similarity: float
    likely_duplicate: bool


def similar_feedback(
    uow: UnitOfWork, *, actor: Actor, feedback_id: int, limit: int = 5
) -> list[Similar]:
    """The feedback most similar to this one (itself left out), best first."""
    with uow:
        feedback = uow.get(Feedback, feedback_id, what=N_("feedback"))
        authorise(uow, product_id=feedback.product_id, actor=actor, action=Action.READ)
        row = uow.session.get(FeedbackVector, feedback.id)
        if row is None:
            return []
        found = placement.similar_to_vector(
            uow, feedback.product_id, row.model, np.frombuffer(row.vector, np.float32),
            limit=limit, exclude=[feedback.id],
        )  # fmt: skip
        threshold = engine.DUPLICATE_THRESHOLD[engine.family(row.model)]
        rows = {f.id: f for f in uow.session.scalars(
            select(Feedback).where(Feedback.id.in_([i for i, _ in found]))
        )}  # fmt: skip
        return [Similar(rows[i], s, s >= threshold) for i, s in found if i in rows]


# --- for a run --------------------------------------------------------------------------------


def run_product(uow: UnitOfWork, run_id: int) -> int:
    with uow:
        return uow.get(ClusteringRun, run_id, what=N_("re-clustering")).product_id


def current_model(uow: UnitOfWork, product_id: int) -> store.Model | None:
    with uow:
        return store.current_model(uow, product_id)


def missing_vectors(uow: UnitOfWork, product_id: int, model: str) -> list[tuple[int, str]]:
    """Feedback (not rejected) with no vector of `model` yet, as (id, text)."""
    with uow:
        has = select(FeedbackVector.feedback_id).where(
            FeedbackVector.product_id == product_id, FeedbackVector.model == model
        )
        rows = uow.session.execute(
            select(Feedback.id, Feedback.text)
            .where(Feedback.product_id == product_id, Feedback.state != "rejected")
            .where(Feedback.id.not_in(has))
            .order_by(Feedback.id)
        ).all()
        return [(int(i), str(t)) for i, t in rows]


def discovery_vectors(uow: UnitOfWork, product_id: int, model: str) -> tuple[np.ndarray, Matrix]:
    """Ids and stored vectors of the feedback a clustering groups (visible ones)."""
    with uow:
        ids, matrix = store.load_vectors(uow, product_id, model)
        keep = np.isin(ids, store.visible_ids(uow, product_id))
        return ids[keep], matrix[keep]
