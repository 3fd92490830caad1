"""JSON shapes of the quiz API. A question sent to a learner never carries its answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from jalon.academy.quiz import bank, queries, rules, services
from jalon.academy.quiz.stats import QuestionRow


class TextOut(BaseModel):
    en: str
    fr: str

    @classmethod
    def of(cls, text: bank.Text) -> TextOut:
        return cls(en=text.en, fr=text.fr)


class RefOut(BaseModel):
    guide: str
    section: str


class OptionOut(BaseModel):
    index: int
    text: TextOut


class OptionRevealedOut(OptionOut):
    correct: bool
    why: TextOut


class QuestionOut(BaseModel):
    id: str
    topic: str
    type: str
    difficulty: int
    tags: list[str]
    ref: RefOut
    question: TextOut
    options: list[OptionOut]

    @classmethod
    def of(cls, q: bank.Question) -> QuestionOut:
        options = [OptionOut(index=i, text=TextOut.of(o.text)) for i, o in enumerate(q.options)]
        return cls(**_common(q), options=options)


class QuestionRevealedOut(QuestionOut):
    options: list[OptionRevealedOut]  # type: ignore[assignment]

    @classmethod
    def of(cls, q: bank.Question) -> QuestionRevealedOut:
        options = [
            OptionRevealedOut(
                index=i, text=TextOut.of(o.text), correct=o.correct, why=TextOut.of(o.why)
            )
            for i, o in enumerate(q.options)
        ]
        return cls(**_common(q), options=options)


def _common(q: bank.Question) -> dict[str, object]:
    return {
        "id": q.id, "topic": q.topic, "type": q.type, "difficulty": q.difficulty,
        "tags": list(q.tags), "ref": RefOut(guide=q.ref.guide, section=q.ref.section),
        "question": TextOut.of(q.question),
    }  # fmt: skip


class QuestionStatsOut(QuestionRevealedOut):
    source: str
    answers: int
    difficulty_index: float | None = Field(description="Share of right answers (p)")
    discrimination: float | None = Field(description="Point-biserial, item vs rest score")
    flags: list[str]

    @classmethod
    def row(cls, row: QuestionRow) -> QuestionStatsOut:
        base = QuestionRevealedOut.of(row.question).model_dump()
        s = row.stats
        return cls(
            **base, source=row.source, answers=s.answers, flags=list(s.flags),
            difficulty_index=None if s.difficulty is None else round(s.difficulty, 3),
            discrimination=None if s.discrimination is None else round(s.discrimination, 3),
        )  # fmt: skip


class QuizIn(BaseModel):
    mode: str = Field(description="practice or mock")
    topics: list[str] = []
    count: int | None = Field(None, description="practice only; default 10, at most 80")
    module: str | None = None


class AnswerIn(BaseModel):
    question_id: str
    chosen: list[int] = Field(description="indexes of the chosen options, from 0")
    unsure: bool = False


class TopicScoreOut(BaseModel):
    topic: str
    right: int
    total: int
    percent: float


class ReviewItemOut(BaseModel):
    position: int
    question: QuestionRevealedOut
    chosen: list[int] | None
    correct: bool | None
    unsure: bool


class ResultOut(BaseModel):
    right: int
    total: int
    percent: float
    passed: bool
    pass_mark: float = rules.PASS_PERCENT
    by_topic: list[TopicScoreOut]
    review: list[ReviewItemOut]

    @classmethod
    def of(cls, quiz: queries.QuizView) -> ResultOut:
        return cls(
            right=quiz.right, total=quiz.total, percent=quiz.percent, passed=quiz.passed,
            by_topic=[TopicScoreOut(topic=t.topic, right=t.right, total=t.total,
                                    percent=t.percent) for t in quiz.by_topic()],
            review=[ReviewItemOut(position=i.position, question=QuestionRevealedOut.of(i.question),
                                  chosen=list(i.chosen) if i.chosen is not None else None,
                                  correct=i.correct, unsure=i.unsure) for i in quiz.items],
        )  # fmt: skip


class QuizOut(BaseModel):
    id: int
    mode: str
    module: str | None
    topics: list[str]
    started_at: datetime
    deadline: datetime | None
    seconds_left: int | None
    finished: bool
    answered: int
    total: int
    current: QuestionOut | None = Field(description="the next unanswered question")
    result: ResultOut | None = Field(description="once finished: score, topics, review")

    @classmethod
    def of(cls, quiz: queries.QuizView) -> QuizOut:
        current = quiz.current if not quiz.finished else None
        return cls(
            id=quiz.id, mode=quiz.mode, module=quiz.module, topics=list(quiz.topics),
            started_at=quiz.started_at, deadline=quiz.deadline, seconds_left=quiz.seconds_left,
            finished=quiz.finished, answered=quiz.answered, total=quiz.total,
            current=QuestionOut.of(current.question) if current else None,
            result=ResultOut.of(quiz) if quiz.finished else None,
        )  # fmt: skip


class AnswerOut(BaseModel):
    question_id: str
    accepted: bool = True
    correct: bool | None = Field(description="practice only; a mock reveals it at the end")
    rating: str | None = Field(description="practice: again, hard or good (FSRS)")
    explanations: QuestionRevealedOut | None = Field(description="practice only")
    finished: bool
    next: QuestionOut | None

    @classmethod
    def of(cls, done: services.Answered, quiz: queries.QuizView) -> AnswerOut:
        item = next(i for i in quiz.items if i.question.id == done.question_id)
        practice = quiz.mode == rules.PRACTICE
        current = quiz.current if not quiz.finished else None
        return cls(
            question_id=done.question_id, correct=done.correct, rating=done.rating,
            explanations=QuestionRevealedOut.of(item.question) if practice else None,
            finished=quiz.finished,
            next=QuestionOut.of(current.question) if current else None,
        )  # fmt: skip


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    dry_run: bool
