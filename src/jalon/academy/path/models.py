"""The learning path's tables: a learner's progress per module, and their practice sandbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class ModuleProgress(Base):
    """One learner's progress on one module (the quiz part is read from the quiz area)."""

    __tablename__ = "academy_module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module", name="uq_academy_module_progress"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module: Mapped[str] = mapped_column(String(40))
    lesson_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exercise_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last "Check my work"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PracticeSandbox(Base):
    """The sandbox product where a learner does the path's exercises (one per learner)."""

    __tablename__ = "academy_practice_sandboxes"
    __table_args__ = (UniqueConstraint("user_id", name="uq_academy_practice_sandbox_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
