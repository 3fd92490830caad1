"""Teams and their members, and sprints (time boxes with a Sprint Goal).

An item's current sprint is `items.sprint_id`; the history of sprint membership is kept by
the daily snapshots (history/) and by `SprintEntry` rows (added, removed, spilled over).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Share of a working day this person gives the team's sprint work (0 < f <= 1).
    focus_factor: Mapped[float] = mapped_column(Float, default=1.0)


class Sprint(Base):
    __tablename__ = "sprints"
    __table_args__ = (Index("ix_sprints_team_dates", "team_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    goal: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last day of the sprint, inclusive
    state: Mapped[str] = mapped_column(String(20), default="planned")  # planned/active/closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SprintEntry(Base):
    """One item's stay in one sprint: when it came in (at planning or added later), and how
    it left (done, removed, spilled over to the backlog or to the next sprint)."""

    __tablename__ = "sprint_entries"
    __table_args__ = (Index("ix_sprint_entries_sprint", "sprint_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_after_start: Mapped[bool] = mapped_column(default=False)
    estimate_at_entry: Mapped[float | None] = mapped_column(Float)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # done/removed/backlog/next_sprint


class SprintSettings(Base):
    """Per product: sprint length, the unit capacity is counted in, WIP limits per status."""

    __tablename__ = "sprint_settings"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    length_days: Mapped[int] = mapped_column(Integer, default=14)
    capacity_unit: Mapped[str] = mapped_column(String(10), default="points")  # points/items
    # {status key: limit}; a status not listed has no limit.
    wip_limits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DaysOff(Base):
    """How many working days one team member is away during one sprint."""

    __tablename__ = "sprint_days_off"

    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprints.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    days: Mapped[float] = mapped_column(Float, default=0.0)
