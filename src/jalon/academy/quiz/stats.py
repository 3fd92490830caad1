"""The bank as trainers see it: questions with item statistics and flags, and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from jalon.academy import access
from jalon.academy.quiz import bank, gift, rules, store
from jalon.academy.quiz.models import BUILTIN, IMPORTED, Question, Quiz, QuizItem
from jalon.db import utcnow
from jalon.errors import N_, Invalid
from jalon.permissions import Actor
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class QuestionRow:
    question: bank.Question
    source: str
    stats: rules.ItemStats


def answer_matrix(uow: UnitOfWork, now: datetime) -> list[dict[str, int]]:
    """One dict per finished attempt: question id → 1 if answered right, else 0."""
    finished = (Quiz.finished_at.is_not(None)) | (Quiz.deadline < now)
    query = (
        select(QuizItem.quiz_id, QuizItem.question_id, QuizItem.correct)
        .join(Quiz, Quiz.id == QuizItem.quiz_id)
        .where(finished)
        .order_by(QuizItem.quiz_id)
    )
    attempts: dict[int, dict[str, int]] = {}
    for quiz_id, qid, correct in uow.session.execute(query):
        attempts.setdefault(quiz_id, {})[qid] = 1 if correct else 0
    return list(attempts.values())


def _check_filters(topic: str | None, flag: str | None) -> None:
    if topic and topic not in rules.TOPICS:
        raise Invalid(N_("Unknown topic."), field="topic")
    if flag and flag not in rules.FLAG_LABELS:
        raise Invalid(N_("Unknown flag."), field="flag")


def list_questions(
    reader: UnitOfWork,
    *,
    actor: Actor,
    topic: str | None = None,
    flag: str | None = None,
    now: datetime | None = None,
) -> list[QuestionRow]:
    """Active questions with their statistics (trainers and admins only).

    Built-in questions are read from the package (always current, even before the first quiz
    syncs them into the database); imported ones from the database.
    """
    _check_filters(topic, flag)
    empty = rules.ItemStats(0, None, None, ())
    with reader:
        access.require_trainer(reader, actor)
        stats = rules.item_statistics(answer_matrix(reader, now or utcnow()))
        query = select(Question).where(Question.active.is_(True), Question.source == IMPORTED)
        imported = [(store.parse(row), IMPORTED) for row in reader.session.scalars(query)]
    builtin = [(q, BUILTIN) for _, q in bank.builtin_bank().questions]
    rows = [
        QuestionRow(q, source, stats.get(q.id, empty))
        for q, source in sorted(builtin + imported, key=lambda pair: _order(pair[0]))
        if not topic or q.topic == topic
    ]
    return [r for r in rows if not flag or flag in r.stats.flags]


def _order(question: bank.Question) -> tuple[int, str]:
    topics = rules.TOPICS
    return (topics.index(question.topic) if question.topic in topics else 99, question.id)


def export_bank(reader: UnitOfWork, *, actor: Actor, fmt: str, topic: str | None = None) -> str:
    """The bank (or one topic) as YAML bank files (one document per topic) or GIFT."""
    if fmt not in ("yaml", "gift"):
        raise Invalid(N_("Choose YAML or GIFT."), field="format")
    rows = list_questions(reader, actor=actor, topic=topic)
    questions = [r.question for r in rows]
    if fmt == "gift":
        return gift.dump(questions)
    return bank.dump_yaml(questions)
