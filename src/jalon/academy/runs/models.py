"""A trainee's run of a scenario: its sandbox product, the engine's state and the log.

The engine (`jalon.academy.sim`) is pure; a run stores what it needs to resume and replay:
the seed, the engine state after the last sprint, one `Decisions.to_dict()` per sprint played
(`log`) and one `SprintOutcome.to_dict()` per sprint (`outcomes`). `item_map` maps each
opportunity key of the scenario to the backlog item that shows it in the sandbox product.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

PLAYING, FINISHED, ABANDONED = "playing", "finished", "abandoned"
RUN_STATUSES = (PLAYING, FINISHED, ABANDONED)


class SimRun(Base):
    __tablename__ = "academy_runs"
    __table_args__ = (Index("ix_academy_runs_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    scenario_key: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="en")
    sprint: Mapped[int] = mapped_column(Integer, default=0)  # sprints played so far
    sprints: Mapped[int] = mapped_column(Integer, default=0)  # sprints in the scenario
    status: Mapped[str] = mapped_column(String(20), default=PLAYING)  # one of RUN_STATUSES
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    item_map: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    ebm: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
