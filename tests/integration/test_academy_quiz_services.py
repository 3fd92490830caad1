"""Quiz services on a real database: practice with FSRS, the mock deadline, imports."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jalon.academy.quiz import gift, queries, rules, services, stats
from jalon.academy.quiz.models import Card, Question, QuizItem
from jalon.errors import Conflict, Forbidden, Invalid
from jalon.uow import Database
from tests.support.academy_quiz import question, use_synthetic_bank
from tests.support.helpers import actor, make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    use_synthetic_bank(monkeypatch)


def _right(q_id: str) -> list[int]:
    n = int(q_id.rsplit("-", 1)[1])
    return [0, 1] if n % 3 == 1 else [0]  # see tests/support/academy_quiz.py


def _current(db: Database, who, quiz_id: int) -> queries.ItemView:  # type: ignore[no-untyped-def]
    item = queries.get_quiz(db.reader(), actor=who, quiz_id=quiz_id, now=T0).current
    assert item is not None
    return item


def test_practice_rates_cards_and_serves_due_ones_first(db: Database) -> None:
    learner = actor(make_user(db, "lea@example.com"))
    quiz_id = services.start_quiz(
        db.uow(), actor=learner, mode="practice", topics=["events"], count=3, now=T0,
        rng=random.Random(1),
    )  # fmt: skip
    outcomes = []
    for step, (delay, wrong, unsure) in enumerate([(5, True, False), (90, False, False),
                                                   (5, False, True)]):  # fmt: skip
        item = _current(db, learner, quiz_id)
        services.show_item(db.uow(), actor=learner, quiz_id=quiz_id, position=item.position,
                           now=T0 + timedelta(minutes=step))  # fmt: skip
        chosen = [1] if wrong else _right(item.question.id)
        done = services.answer(
            db.uow(), actor=learner, quiz_id=quiz_id, question_id=item.question.id,
            chosen=chosen, unsure=unsure, now=T0 + timedelta(minutes=step, seconds=delay),
        )  # fmt: skip
        outcomes.append((done.correct, done.rating))
    assert outcomes == [(False, "again"), (True, "hard"), (True, "hard")]
    assert done.finished
    view = queries.get_quiz(db.reader(), actor=learner, quiz_id=quiz_id, now=T0)
    assert view.finished and view.right == 2 and view.total == 3
    with db.reader() as r:
        cards = list(r.session.scalars(select(Card).where(Card.user_id == learner.id)))
    assert len(cards) == 3 and all(c.reviews == 1 for c in cards)
    # A day later every card of the topic is due: the next practice serves them first.
    again = services.start_quiz(db.uow(), actor=learner, mode="practice", topics=["events"],
                                count=4, now=T0 + timedelta(days=1))  # fmt: skip
    served = [i.question.id for i in queries.get_quiz(db.reader(), actor=learner,
                                                       quiz_id=again, now=T0).items]  # fmt: skip
    assert set(served[:3]) == {c.question_id for c in cards}
    assert served[3] not in served[:3]
    results = queries.results_of(db.reader(), learner.id, now=T0 + timedelta(days=1))
    assert results.practice_answers == 3 and results.cards_due == 3
    assert results.accuracy_by_topic == {"events": pytest.approx(66.7)}


def test_a_practice_question_is_answered_once_and_by_its_owner(db: Database) -> None:
    learner = actor(make_user(db, "lea@example.com"))
    other = actor(make_user(db, "max@example.com"))
    quiz_id = services.start_quiz(db.uow(), actor=learner, mode="practice", count=2, now=T0)
    item = _current(db, learner, quiz_id)
    with pytest.raises(Forbidden):
        services.answer(db.uow(), actor=other, quiz_id=quiz_id, question_id=item.question.id,
                        chosen=[0], now=T0)  # fmt: skip
    with pytest.raises(Forbidden):
        queries.get_quiz(db.reader(), actor=other, quiz_id=quiz_id)
    with pytest.raises(Invalid) as bad:
        services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=item.question.id,
                        chosen=[9], now=T0)  # fmt: skip
    assert "chosen" in bad.value.fields
    services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=item.question.id,
                    chosen=[0], now=T0)  # fmt: skip
    with pytest.raises(Conflict):
        services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=item.question.id,
                        chosen=[0], now=T0)  # fmt: skip


def test_a_mock_answer_after_the_deadline_is_refused_and_the_attempt_scored(db: Database) -> None:
    learner = actor(make_user(db, "lea@example.com"))
    quiz_id = services.start_quiz(db.uow(), actor=learner, mode="mock", now=T0,
                                  rng=random.Random(3), module="pspo")  # fmt: skip
    view = queries.get_quiz(db.reader(), actor=learner, quiz_id=quiz_id, now=T0)
    assert view.total == 80 and view.deadline == T0 + timedelta(minutes=60)
    assert {t.topic for t in view.by_topic()} == set(rules.TOPICS)
    first, second = view.items[0].question, view.items[1].question
    done = services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=first.id,
                           chosen=_right(first.id), now=T0 + timedelta(minutes=59))  # fmt: skip
    assert done.correct is None and not done.finished  # a mock reveals nothing yet
    with pytest.raises(Conflict) as late:
        services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=second.id,
                        chosen=_right(second.id), now=T0 + timedelta(minutes=61))  # fmt: skip
    assert "Time is up" in str(late.value)
    view = queries.get_quiz(db.reader(), actor=learner, quiz_id=quiz_id, now=T0)
    assert view.finished and view.right == 1 and view.answered == 1
    assert view.items[1].chosen is None
    results = queries.results_of(db.reader(), learner.id, now=T0)
    assert results.mocks_taken == 1 and results.last_mock_passed is False
    assert results.best_mock_percent == pytest.approx(1.2)
    assert queries.best_module_scores(db.reader(), learner.id, now=T0) == {"pspo": 1.2}


def test_an_unclosed_mock_reads_finished_once_its_time_is_up(db: Database) -> None:
    learner = actor(make_user(db, "lea@example.com"))
    quiz_id = services.start_quiz(db.uow(), actor=learner, mode="mock", now=T0)
    later = T0 + timedelta(minutes=61)
    assert queries.get_quiz(db.reader(), actor=learner, quiz_id=quiz_id, now=later).finished
    assert queries.results_of(db.reader(), learner.id, now=later).mocks_taken == 1
    assert queries.results_of(db.reader(), learner.id, now=T0).mocks_taken == 0


def test_bad_start_input_writes_nothing(db: Database) -> None:
    learner = actor(make_user(db, "lea@example.com"))
    with pytest.raises(Invalid) as bad:
        services.start_quiz(db.uow(), actor=learner, mode="exam", topics=["agile"], count=0)
    assert set(bad.value.fields) == {"mode", "topics"}
    with pytest.raises(Invalid) as bad:
        services.start_quiz(db.uow(), actor=learner, mode="practice", count=81)
    assert set(bad.value.fields) == {"count"}
    assert queries.list_quizzes(db.reader(), user_id=learner.id) == []


def test_trainer_imports_all_or_nothing_and_sees_statistics(db: Database) -> None:
    trainer = make_user(db, "tess@example.com")
    with db.uow() as uow:
        uow.session.get(type(trainer), trainer.id).academy_role = "trainer"  # type: ignore[union-attr]
        uow.commit()
    coach, learner = actor(trainer), actor(make_user(db, "lea@example.com"))
    mine = [question("events", n).model_copy(update={"id": f"events-acme-{n:02d}"})
            for n in (1, 2)]  # fmt: skip
    text = gift.dump(mine)
    with pytest.raises(Forbidden):
        services.import_bank(db.uow(), actor=learner, text=text, fmt="gift")
    broken = text.replace("=<span", "~<span", 1)  # question 1 loses its right option
    with pytest.raises(Invalid) as bad:
        services.import_bank(db.uow(), actor=coach, text=broken, fmt="gift", source="acme.gift")
    assert "acme.gift:4 [events-acme-01] options: no correct option" in bad.value.fields["file"]
    dry = services.import_bank(db.uow(), actor=coach, text=text, fmt="gift", dry_run=True)
    assert (dry.created, dry.dry_run) == (2, True)
    with db.reader() as r:
        assert r.session.get(Question, "events-acme-01") is None
    done = services.import_bank(db.uow(), actor=coach, text=text, fmt="gift")
    assert (done.created, done.updated) == (2, 0)
    again = services.import_bank(db.uow(), actor=coach, text=text, fmt="gift")
    assert (again.created, again.unchanged) == (0, 2)
    clash = gift.dump([question("events", 1)])
    with pytest.raises(Invalid) as bad:
        services.import_bank(db.uow(), actor=coach, text=clash, fmt="gift")
    assert "a built-in question: give yours a new id" in bad.value.fields["file"]
    rows = stats.list_questions(db.reader(), actor=coach, topic="events")
    imported = {r.question.id for r in rows if r.source == "imported"}
    assert imported == {"events-acme-01", "events-acme-02"}
    with pytest.raises(Forbidden):
        stats.list_questions(db.reader(), actor=learner)


def test_statistics_count_finished_attempts_only(db: Database) -> None:
    learner = actor(make_user(db, "lea@example.com"))
    admin = actor(make_user(db, "ada@example.com", admin=True))
    finished = services.start_quiz(db.uow(), actor=learner, mode="practice", topics=["events"],
                                   count=1, now=T0)  # fmt: skip
    item = _current(db, learner, finished)
    services.answer(db.uow(), actor=learner, quiz_id=finished, question_id=item.question.id,
                    chosen=_right(item.question.id), now=T0)  # fmt: skip
    open_quiz = services.start_quiz(db.uow(), actor=learner, mode="practice", count=2, now=T0)
    with db.reader() as r:
        open_ids = set(r.session.scalars(select(QuizItem.question_id)
                                         .where(QuizItem.quiz_id == open_quiz)))  # fmt: skip
    rows = {r.question.id: r.stats for r in stats.list_questions(db.reader(), actor=admin)}
    assert rows[item.question.id].answers == 1 and rows[item.question.id].difficulty == 1.0
    assert all(rows[q].answers == 0 for q in open_ids - {item.question.id})
