"""Quiz reads: a quiz with its review, a learner's results, the bank for trainers.

A mock whose deadline has passed reads as finished even before anyone closes it: its score
counts the answers given in time (later ones are refused).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from jalon.academy import access
from jalon.academy.quiz import bank, rules, store
from jalon.academy.quiz.models import Question, Quiz, QuizItem
from jalon.db import utcnow
from jalon.errors import N_
from jalon.permissions import Actor
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class QuizResults:
    mocks_taken: int
    best_mock_percent: float | None
    last_mock_passed: bool | None
    practice_answers: int
    cards_due: int
    accuracy_by_topic: dict[str, float]


@dataclass(frozen=True)
class ItemView:
    position: int
    question: bank.Question
    chosen: tuple[int, ...] | None
    correct: bool | None
    unsure: bool
    rating: str | None

    @property
    def answered(self) -> bool:
        return self.chosen is not None


@dataclass(frozen=True)
class TopicScore:
    topic: str
    right: int
    total: int

    @property
    def percent(self) -> float:
        return rules.percent(self.right, self.total)


@dataclass(frozen=True)
class QuizView:
    id: int
    user_id: int
    mode: str
    module: str | None
    topics: tuple[str, ...]
    started_at: datetime
    deadline: datetime | None
    finished: bool
    items: tuple[ItemView, ...]
    now: datetime

    @property
    def right(self) -> int:
        return sum(1 for item in self.items if item.correct)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.answered)

    @property
    def percent(self) -> float:
        return rules.percent(self.right, self.total)

    @property
    def passed(self) -> bool:
        return rules.passed(self.right, self.total)

    @property
    def seconds_left(self) -> int | None:
        if self.deadline is None or self.finished:
            return None
        return max(0, int((self.deadline - self.now).total_seconds()))

    @property
    def current(self) -> ItemView | None:
        return next((item for item in self.items if not item.answered), None)

    def by_topic(self) -> list[TopicScore]:
        scores: dict[str, list[int]] = {}
        for item in self.items:
            pair = scores.setdefault(item.question.topic, [0, 0])
            pair[0] += 1 if item.correct else 0
            pair[1] += 1
        order = {t: i for i, t in enumerate(rules.TOPICS)}
        keys = sorted(scores, key=lambda t: order.get(t, len(order)))
        return [TopicScore(t, scores[t][0], scores[t][1]) for t in keys]


def _finished(quiz: Quiz, now: datetime) -> bool:
    return quiz.finished_at is not None or (quiz.deadline is not None and now > quiz.deadline)


def load_quiz(uow: UnitOfWork, quiz: Quiz, now: datetime) -> QuizView:
    rows = list(
        uow.session.scalars(
            select(QuizItem).where(QuizItem.quiz_id == quiz.id).order_by(QuizItem.position)
        )
    )
    questions = store.questions_by_id(uow, [row.question_id for row in rows])
    items = tuple(
        ItemView(
            row.position,
            questions[row.question_id],
            tuple(row.chosen) if row.chosen is not None else None,
            row.correct,
            row.unsure,
            row.rating,
        )
        for row in rows
    )
    return QuizView(quiz.id, quiz.user_id, quiz.mode, quiz.module, tuple(quiz.topics or ()),
                    quiz.started_at, quiz.deadline, _finished(quiz, now), items, now)  # fmt: skip


def get_quiz(
    reader: UnitOfWork, *, actor: Actor, quiz_id: int, now: datetime | None = None
) -> QuizView:
    """A quiz as its learner (or their trainer, or an admin) may read it."""
    with reader:
        quiz = reader.get(Quiz, quiz_id, what=N_("quiz"))
        access.require_work_visible(reader, actor, quiz.user_id)
        return load_quiz(reader, quiz, now or utcnow())


@dataclass(frozen=True)
class QuizRow:
    id: int
    mode: str
    module: str | None
    started_at: datetime
    finished: bool
    right: int
    total: int
    answered: int

    @property
    def percent(self) -> float:
        return rules.percent(self.right, self.total)

    @property
    def passed(self) -> bool:
        return rules.passed(self.right, self.total)


def _rows(uow: UnitOfWork, user_id: int, now: datetime, limit: int | None) -> list[QuizRow]:
    query = select(Quiz).where(Quiz.user_id == user_id).order_by(Quiz.id.desc())
    quizzes = list(uow.session.scalars(query.limit(limit) if limit else query))
    marks: dict[int, list[bool | None]] = {q.id: [] for q in quizzes}
    items = select(QuizItem.quiz_id, QuizItem.correct).where(QuizItem.quiz_id.in_(list(marks)))
    for quiz_id, correct in uow.session.execute(items):
        marks[quiz_id].append(correct)
    return [
        QuizRow(
            q.id,
            q.mode,
            q.module,
            q.started_at,
            _finished(q, now),
            sum(1 for m in marks[q.id] if m),
            len(marks[q.id]),
            sum(1 for m in marks[q.id] if m is not None),
        )
        for q in quizzes
    ]


def list_quizzes(
    reader: UnitOfWork, *, user_id: int, limit: int = 20, now: datetime | None = None
) -> list[QuizRow]:
    """A learner's latest quizzes, newest first (callers check who may see them)."""
    with reader:
        return _rows(reader, user_id, now or utcnow(), limit)


@contextmanager
def reading(uow: UnitOfWork) -> Iterator[UnitOfWork]:
    """Enter the unit of work unless the caller already did (cross-area contracts)."""
    try:
        uow.session  # noqa: B018 - raises when not entered
    except RuntimeError:
        with uow:
            yield uow
        return
    yield uow


def results_of(uow: UnitOfWork, user_id: int, *, now: datetime | None = None) -> QuizResults:
    """A learner's quiz results, for the learning path and the trainer's dashboard.

    Callers check who may see them. Works on a fresh `db.reader()` or inside an open one.
    """
    now = now or utcnow()
    with reading(uow):
        rows = _rows(uow, user_id, now, None)
        mocks = [r for r in rows if r.mode == rules.MOCK and r.finished]
        practice = [r for r in rows if r.mode == rules.PRACTICE]
        return QuizResults(
            mocks_taken=len(mocks),
            best_mock_percent=max((r.percent for r in mocks), default=None),
            last_mock_passed=mocks[0].passed if mocks else None,
            practice_answers=sum(r.answered for r in practice),
            cards_due=store.count_due(uow, user_id=user_id, now=now),
            accuracy_by_topic=_accuracy(uow, user_id),
        )


def _accuracy(uow: UnitOfWork, user_id: int) -> dict[str, float]:
    query = (
        select(Question.topic, QuizItem.correct)
        .join(QuizItem, QuizItem.question_id == Question.id)
        .join(Quiz, Quiz.id == QuizItem.quiz_id)
        .where(Quiz.user_id == user_id, QuizItem.correct.is_not(None))
    )
    counts: dict[str, list[int]] = {}
    for topic, correct in uow.session.execute(query):
        pair = counts.setdefault(topic, [0, 0])
        pair[0] += 1 if correct else 0
        pair[1] += 1
    return {t: rules.percent(r, n) for t, (r, n) in counts.items()}


def best_module_scores(
    uow: UnitOfWork, user_id: int, *, now: datetime | None = None
) -> dict[str, float]:
    """Module key → best percent of the finished quizzes started for that module."""
    now = now or utcnow()
    with reading(uow):
        best: dict[str, float] = {}
        for row in _rows(uow, user_id, now, None):
            if row.module and row.finished:
                best[row.module] = max(best.get(row.module, 0.0), row.percent)
        return best


def count_due(reader: UnitOfWork, *, user_id: int, now: datetime | None = None) -> int:
    with reader:
        return store.count_due(reader, user_id=user_id, now=now or utcnow())


def topic_counts(reader: UnitOfWork) -> dict[str, int]:
    """Active questions per topic (the built-in bank counts even before its first sync)."""
    counts = bank.builtin_bank().per_topic()
    with reader:
        imported = reader.session.execute(
            select(Question.topic).where(Question.source != "builtin", Question.active.is_(True))
        )
        for (topic,) in imported:
            counts[topic] = counts.get(topic, 0) + 1
    return counts


def sequence_topics(values: Sequence[str]) -> list[str]:
    return [t for t in rules.TOPICS if t in values]
