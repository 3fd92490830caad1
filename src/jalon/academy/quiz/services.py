"""The only write path of the quiz area: start a quiz, answer, finish, import the bank.

A practice answer is revealed at once and rates the learner's FSRS card; a mock answer is
kept secret until the attempt is finished. A mock answer after its deadline is refused (409)
and the attempt is closed and scored with the answers given in time.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from jalon import activity
from jalon.academy import access
from jalon.academy.quiz import bank, gift, rules, store
from jalon.academy.quiz.models import BUILTIN, IMPORTED, Question, Quiz, QuizItem
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid
from jalon.permissions import Actor
from jalon.uow import UnitOfWork

TIME_UP = N_(
    "Time is up: answers after the 60 minutes are not accepted. Your assessment was closed "
    "and scored with the answers given in time."
)
FINISHED = N_("This quiz is finished: start a new one to keep practising.")


@dataclass(frozen=True)
class Answered:
    quiz_id: int
    question_id: str
    position: int
    correct: bool | None  # None in a mock: revealed at the end
    rating: str | None
    finished: bool
    next_position: int | None


def _check_start(mode: str, topics: Sequence[str], count: int | None, module: str | None) -> int:
    errors: dict[str, str] = {}
    if mode not in rules.MODES:
        errors["mode"] = N_("Choose practice or mock.")
    if any(t not in rules.TOPICS for t in topics):
        errors["topics"] = N_("Unknown topic.")
    n = rules.MOCK_QUESTIONS if mode == rules.MOCK else count or rules.DEFAULT_PRACTICE_COUNT
    if not 1 <= n <= rules.MAX_PRACTICE_COUNT:
        errors["count"] = N_("Choose between 1 and 80 questions.")
    if module is not None and not 0 < len(module) <= 80:
        errors["module"] = N_("A module key has 1 to 80 characters.")
    if errors:
        raise Invalid(N_("The quiz could not start."), fields=errors)
    return n


def start_quiz(
    uow: UnitOfWork,
    *,
    actor: Actor,
    mode: str,
    topics: Sequence[str] = (),
    count: int | None = None,
    module: str | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> int:
    """A new practice quiz or mock assessment for the actor; returns its id."""
    n = _check_start(mode, topics, count, module)
    now, rng = now or utcnow(), rng or random.Random()  # noqa: S311 - not security
    user_id = access_user(actor)
    with uow:
        store.sync_builtin(uow)
        if mode == rules.MOCK:
            ids = store.mock_draw(uow, rng=rng)
        else:
            ids = store.practice_draw(
                uow, user_id=user_id, topics=topics, count=n, now=now, rng=rng
            )
        if not ids:
            raise Invalid(N_("No question matches these topics yet."), field="topics")
        deadline = now + timedelta(minutes=rules.MOCK_MINUTES) if mode == rules.MOCK else None
        quiz = Quiz(
            user_id=user_id, mode=mode, module=module, topics=list(topics), started_at=now,
            deadline=deadline, correct_count=0, question_count=len(ids),
        )  # fmt: skip
        uow.add(quiz)
        uow.flush()
        for position, qid in enumerate(ids, start=1):
            shown = now if position == 1 else None
            uow.add(QuizItem(quiz_id=quiz.id, position=position, question_id=qid,
                             shown_at=shown, unsure=False))  # fmt: skip
        activity.record(uow, "academy.quiz.started", _subject(quiz), actor=actor)
        uow.commit()
        return quiz.id


def access_user(actor: Actor) -> int:
    if actor.id is None:
        raise Invalid(N_("Only a signed-in user takes quizzes."))
    return actor.id


def _subject(quiz: Quiz) -> activity.Subject:
    label = "mock" if quiz.mode == rules.MOCK else (quiz.module or "practice")
    return activity.Subject("academy_quiz", quiz.id, label)


def _items(uow: UnitOfWork, quiz_id: int) -> list[QuizItem]:
    query = select(QuizItem).where(QuizItem.quiz_id == quiz_id).order_by(QuizItem.position)
    return list(uow.session.scalars(query))


def _close(
    uow: UnitOfWork, quiz: Quiz, items: Sequence[QuizItem], now: datetime, actor: Actor
) -> None:
    quiz.correct_count = sum(1 for item in items if item.correct)
    quiz.question_count = len(items)
    end = min(now, quiz.deadline) if quiz.deadline else now
    quiz.finished_at = end
    changes = {"score": [None, rules.percent(quiz.correct_count, quiz.question_count)]}
    activity.record(uow, "academy.quiz.finished", _subject(quiz), actor=actor, changes=changes)


def _check_choice(question: bank.Question, chosen: Sequence[int]) -> list[int]:
    picked = sorted(set(chosen))
    if not picked:
        raise Invalid(N_("Choose an answer."), field="chosen")
    if any(not 0 <= i < len(question.options) for i in picked):
        raise Invalid(N_("This answer is not one of the options."), field="chosen")
    if question.type != rules.MULTIPLE and len(picked) != 1:
        raise Invalid(N_("Choose exactly one answer."), field="chosen")
    return picked


def answer(
    uow: UnitOfWork,
    *,
    actor: Actor,
    quiz_id: int,
    question_id: str,
    chosen: Sequence[int],
    unsure: bool = False,
    now: datetime | None = None,
) -> Answered:
    """Record one answer. Practice: scored and rated at once. Mock: kept until the end."""
    now = now or utcnow()
    with uow:
        quiz = uow.get(Quiz, quiz_id, what=N_("quiz"))
        access.require_own(actor, quiz.user_id)
        if quiz.finished_at is not None:
            raise Conflict(FINISHED)
        items = _items(uow, quiz.id)
        if quiz.deadline is not None and now > quiz.deadline:
            _close(uow, quiz, items, now, actor)
            uow.commit()
            late = True
        else:
            result = _record(uow, quiz, items, question_id, chosen, unsure, now, actor)
            uow.commit()
            late = False
    if late:
        raise Conflict(TIME_UP)
    return result


def _record(
    uow: UnitOfWork, quiz: Quiz, items: list[QuizItem], question_id: str,
    chosen: Sequence[int], unsure: bool, now: datetime, actor: Actor,
) -> Answered:  # fmt: skip
    item = next((i for i in items if i.question_id == question_id), None)
    if item is None:
        raise Invalid(N_("This question is not part of this quiz."), field="question_id")
    practice = quiz.mode == rules.PRACTICE
    if practice and item.answered_at is not None:
        raise Conflict(N_("This question was already answered."))
    question = store.questions_by_id(uow, [question_id])[question_id]
    item.chosen = _check_choice(question, chosen)
    item.correct = rules.is_correct(item.chosen, question.correct)
    item.unsure, item.answered_at = unsure, now
    if practice:
        seconds = (now - item.shown_at).total_seconds() if item.shown_at else 0.0
        item.rating = rules.rating(correct=item.correct, seconds=seconds, unsure=unsure)
        store.review(
            uow, user_id=quiz.user_id, question_id=question_id, rating=item.rating, now=now
        )
    pending = [i for i in items if i.answered_at is None]
    if practice and not pending:
        _close(uow, quiz, items, now, actor)
    return Answered(
        quiz.id, question_id, item.position, item.correct if practice else None, item.rating,
        quiz.finished_at is not None, pending[0].position if pending else None,
    )  # fmt: skip


def show_item(
    uow: UnitOfWork, *, actor: Actor, quiz_id: int, position: int, now: datetime | None = None
) -> None:
    """Start the clock of a question when it is first shown (practice timing)."""
    with uow:
        quiz = uow.get(Quiz, quiz_id, what=N_("quiz"))
        if actor.id != quiz.user_id or quiz.finished_at is not None:
            return
        item = uow.session.scalars(
            select(QuizItem).where(QuizItem.quiz_id == quiz_id, QuizItem.position == position)
        ).one_or_none()
        if item is not None and item.shown_at is None:
            item.shown_at = now or utcnow()
        uow.commit()


def finish_quiz(
    uow: UnitOfWork, *, actor: Actor, quiz_id: int, now: datetime | None = None
) -> None:
    """Hand in a quiz (a mock before its time is up); unanswered questions count as wrong."""
    now = now or utcnow()
    with uow:
        quiz = uow.get(Quiz, quiz_id, what=N_("quiz"))
        access.require_own(actor, quiz.user_id)
        if quiz.finished_at is None:
            _close(uow, quiz, _items(uow, quiz.id), now, actor)
        uow.commit()


# --- trainer's imports ----------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int
    unchanged: int
    dry_run: bool


FORMATS = ("yaml", "gift")


def _parse_upload(text: str, fmt: str, source: str) -> bank.Parsed:
    if fmt not in FORMATS:
        raise Invalid(N_("Choose YAML or GIFT."), field="format")
    parsed = gift.parse(text, source) if fmt == "gift" else bank.parse_stream(text, source)
    if not parsed.questions and not parsed.defects:
        raise Invalid(N_("The file holds no question."), field="file")
    return parsed


def _builtin_hashes(uow: UnitOfWork) -> dict[str, str]:
    query = select(Question.id, Question.content_hash).where(Question.source == BUILTIN)
    return {qid: digest for qid, digest in uow.session.execute(query)}


def _clashes(parsed: bank.Parsed, builtin: dict[str, str], source: str) -> list[bank.Defect]:
    """A built-in question may come back unchanged (an export re-imported), never edited."""
    lines = {qid: line for _, qid, line in parsed.ids}
    return [
        bank.Defect(source, lines.get(q.id), q.id, "id", "a built-in question: give yours a new id")
        for _, q in parsed.questions
        if builtin.get(q.id, q.content_hash()) != q.content_hash()
    ]


def import_bank(
    uow: UnitOfWork, *, actor: Actor, text: str, fmt: str, source: str = "upload",
    dry_run: bool = False,
) -> Imported:  # fmt: skip
    """Import questions (YAML bank files or GIFT): all or nothing, every defect by line."""
    parsed = _parse_upload(text, fmt, source)
    defects = list(parsed.defects) + list(bank.check_duplicates([parsed]))
    with uow:
        access.require_trainer(uow, actor)
        store.sync_builtin(uow)
        builtin = _builtin_hashes(uow)
        defects += _clashes(parsed, builtin, source)
        if defects:
            listed = "\n".join(str(d) for d in defects[:50])
            raise Invalid(
                N_("The file has defects; nothing was imported."), fields={"file": listed}
            )
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for _, question in parsed.questions:
            if question.id in builtin:
                counts["unchanged"] += 1
            else:
                counts[store.upsert(uow, question, source=IMPORTED, by=actor.id)] += 1
        if not dry_run:
            subject = activity.Subject("academy_bank", None, source[:200])
            activity.record(uow, "academy.bank.imported", subject, actor=actor,
                            changes={k: [None, v] for k, v in counts.items()})  # fmt: skip
            uow.commit()
    return Imported(dry_run=dry_run, **counts)
