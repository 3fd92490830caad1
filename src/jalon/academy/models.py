"""Cohorts: a trainer's group of trainees, and what the trainer assigned them.

A user's Academy role is `User.academy_role` (None, "trainee" or "trainer"); see
`academy/rules.py` for what each may see.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

ASSIGNMENT_KINDS = ("scenario", "quiz", "module")


class Cohort(Base):
    __tablename__ = "academy_cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CohortMember(Base):
    __tablename__ = "academy_cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_academy_cohort_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("academy_cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(Base):
    """A scenario, a quiz (practice or mock) or a module a trainer set for a cohort."""

    __tablename__ = "academy_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("academy_cohorts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # scenario / quiz / module
    ref: Mapped[str] = mapped_column(String(80))  # scenario key, "mock"/"practice", module key
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
