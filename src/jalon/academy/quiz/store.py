"""Database helpers shared by services and queries: the bank's rows, drawing questions, cards.

Nothing here commits: writers are called inside a service's unit of work.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime

import fsrs
from sqlalchemy import func, select

from jalon.academy.quiz import bank, rules
from jalon.academy.quiz.models import BUILTIN, BankState, Card, Question
from jalon.db import utcnow
from jalon.uow import UnitOfWork

# Fuzzing off: the same answers give the same schedule (reproducible, testable).
SCHEDULER = fsrs.Scheduler(enable_fuzzing=False)
RATINGS = {
    rules.AGAIN: fsrs.Rating.Again,
    rules.HARD: fsrs.Rating.Hard,
    rules.GOOD: fsrs.Rating.Good,
}


def row_values(question: bank.Question, *, source: str) -> dict[str, object]:
    return {
        "topic": question.topic,
        "type": question.type,
        "difficulty": question.difficulty,
        "source": source,
        "content": question.model_dump(mode="json"),
        "content_hash": question.content_hash(),
        "active": True,
    }


def upsert(
    uow: UnitOfWork,
    question: bank.Question,
    *,
    source: str,
    by: int | None,
    row: Question | None = None,
) -> str:
    """Insert or update one question row; says "created", "updated" or "unchanged"."""
    row = row or uow.session.get(Question, question.id)
    values = row_values(question, source=source)
    if row is None:
        uow.add(Question(id=question.id, imported_by=by, updated_at=utcnow(), **values))
        return "created"
    if row.content_hash == values["content_hash"] and row.active:
        return "unchanged"
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    return "updated"


def sync_builtin(uow: UnitOfWork) -> None:
    """Bring the built-in questions in the database up to the package's YAML.

    Cheap when nothing changed (one locked read of the stored bank hash). Questions gone from
    the package are deactivated, never deleted: answers and cards refer to them.
    """
    parsed = bank.builtin_bank()
    questions = [q for _, q in parsed.questions]
    digest = bank.bank_hash(questions)
    state = uow.session.scalars(
        select(BankState).where(BankState.key == BUILTIN).with_for_update()
    ).one_or_none()
    if state is not None and state.bank_hash == digest:
        return
    rows = {row.id: row for row in uow.session.scalars(select(Question))}
    for question in questions:
        upsert(uow, question, source=BUILTIN, by=None, row=rows.get(question.id))
    keep = {q.id for q in questions}
    for row in rows.values():
        if row.source == BUILTIN and row.id not in keep:
            row.active = False
    if state is None:
        uow.add(BankState(key=BUILTIN, bank_hash=digest))
    else:
        state.bank_hash = digest
    uow.flush()


def parse(row: Question) -> bank.Question:
    return bank.Question.model_validate(row.content)


def questions_by_id(uow: UnitOfWork, ids: Iterable[str]) -> dict[str, bank.Question]:
    rows = uow.session.scalars(select(Question).where(Question.id.in_(list(ids))))
    return {row.id: parse(row) for row in rows}


def _active(topics: Sequence[str]):  # type: ignore[no-untyped-def]
    query = select(Question.id).where(Question.active.is_(True))
    return query.where(Question.topic.in_(topics)) if topics else query


def practice_draw(
    uow: UnitOfWork, *, user_id: int, topics: Sequence[str], count: int, now: datetime,
    rng: random.Random,
) -> list[str]:  # fmt: skip
    """Due cards first (most overdue first), then new questions, then the soonest due."""
    cards = (
        select(Card.question_id)
        .where(Card.user_id == user_id, Card.question_id.in_(_active(topics)))
        .order_by(Card.due, Card.id)
    )
    due = list(uow.session.scalars(cards.where(Card.due <= now).limit(count)))
    if len(due) < count:
        known = select(Card.question_id).where(Card.user_id == user_id)
        fresh = sorted(uow.session.scalars(_active(topics).where(Question.id.not_in(known))))
        due += rng.sample(fresh, min(len(fresh), count - len(due)))
    if len(due) < count:
        later = uow.session.scalars(cards.where(Card.due > now).limit(count - len(due)))
        due += list(later)
    return due


def mock_draw(uow: UnitOfWork, *, rng: random.Random) -> list[str]:
    """80 questions spread evenly over the topics, shuffled."""
    by_topic: dict[str, list[str]] = {}
    for qid, topic in uow.session.execute(
        select(Question.id, Question.topic).where(Question.active.is_(True)).order_by(Question.id)
    ):
        by_topic.setdefault(topic, []).append(qid)
    available = {t: len(by_topic[t]) for t in rules.TOPICS if t in by_topic}
    chosen = [
        qid
        for topic, n in rules.spread(rules.MOCK_QUESTIONS, available).items()
        for qid in rng.sample(by_topic[topic], n)
    ]
    rng.shuffle(chosen)
    return chosen


def review(uow: UnitOfWork, *, user_id: int, question_id: str, rating: str, now: datetime) -> None:
    """Rate one practice answer on the learner's FSRS card (created on first review)."""
    row = uow.session.scalars(
        select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    ).one_or_none()
    card = fsrs.Card.from_dict(row.state) if row is not None else fsrs.Card(card_id=1, due=now)  # type: ignore[arg-type]
    card, _ = SCHEDULER.review_card(card, RATINGS[rating], now)
    if row is None:
        row = Card(user_id=user_id, question_id=question_id, reviews=0)
        uow.add(row)
    row.state = dict(card.to_dict())
    row.due = card.due
    row.reviews = (row.reviews or 0) + 1
    row.updated_at = now


def count_due(uow: UnitOfWork, *, user_id: int, now: datetime) -> int:
    query = select(func.count(Card.id)).where(Card.user_id == user_id, Card.due <= now)
    return uow.session.scalar(query) or 0
