"""The question bank in the database, quizzes, their items, and spaced-repetition cards.

Every question lives in `academy_questions`, keyed by its bank id ("empiricism-01"): the
built-in bank is synced from the package's YAML (by content hash) and trainers' imports sit
beside it, so answers, cards and item statistics refer to one table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

BUILTIN, IMPORTED = "builtin", "imported"


class Question(Base):
    __tablename__ = "academy_questions"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(20))
    difficulty: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # builtin / imported
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # the bank's Question, as JSON
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BankState(Base):
    """One row per synced source; its lock serialises concurrent syncs of the built-in bank."""

    __tablename__ = "academy_bank_state"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    bank_hash: Mapped[str] = mapped_column(String(64))


class Quiz(Base):
    __tablename__ = "academy_quizzes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(20))  # practice / mock
    module: Mapped[str | None] = mapped_column(String(80))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    question_count: Mapped[int] = mapped_column(Integer, default=0)


class QuizItem(Base):
    """One question of a quiz, in order, with the learner's answer once given."""

    __tablename__ = "academy_quiz_items"
    __table_args__ = (
        UniqueConstraint("quiz_id", "position", name="uq_academy_quiz_item_position"),
        UniqueConstraint("quiz_id", "question_id", name="uq_academy_quiz_item_question"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("academy_quizzes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(
        ForeignKey("academy_questions.id", ondelete="CASCADE"), index=True
    )
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chosen: Mapped[list[int] | None] = mapped_column(JSON)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    unsure: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[str | None] = mapped_column(String(10))  # practice: again / hard / good


class Card(Base):
    """A learner's FSRS card for one question (practice mode)."""

    __tablename__ = "academy_cards"
    __table_args__ = (UniqueConstraint("user_id", "question_id", name="uq_academy_card"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(
        ForeignKey("academy_questions.id", ondelete="CASCADE"), index=True
    )
    due: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)  # fsrs.Card.to_dict()
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
