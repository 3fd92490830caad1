"""JSON shapes of the sprints API. Unknown fields are refused; the services check values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jalon.sprints.queries import SprintSummary, TeamRow


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SprintCreate(_In):
    name: str = Field("", max_length=200)
    team_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = Field(None, description="The last day; default start + length − 1")
    goal: str = Field("", max_length=4000, description="The Sprint Goal (needed to start)")


class SprintUpdate(_In):
    name: str | None = Field(None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    goal: str | None = Field(None, max_length=4000)


class SprintOut(BaseModel):
    id: int
    product_id: int
    team_id: int
    team_name: str
    name: str
    goal: str
    starts_on: date
    ends_on: date = Field(description="The last day of the sprint, inclusive")
    state: str = Field(description="planned, active or closed")
    started_at: datetime | None
    closed_at: datetime | None
    unit: str = Field(description="The product's capacity unit: points or items")
    committed_points: float
    committed_count: int
    added_points: float = Field(description="Scope added after the start")
    added_count: int
    done_points: float
    done_count: int
    item_ids: list[int]

    @classmethod
    def of(cls, s: SprintSummary) -> SprintOut:
        fields = {name: getattr(s, name) for name in cls.model_fields}
        return cls(**fields)


class SprintItems(_In):
    item_ids: list[int] = Field(min_length=1, max_length=500)


class SprintClose(_In):
    unfinished: str = Field("backlog", description='"backlog" or "next", for every unfinished item')
    next_sprint_id: int | None = Field(
        None, description="A planned sprint of the team; default its next one, or a new one"
    )
    choices: dict[int, str] = Field(
        default_factory=dict, description='Per item id, "backlog" or "next" (overrides)'
    )


class SprintClosed(BaseModel):
    sprint: SprintOut
    next_sprint: SprintOut | None
    created_next: bool
    counts: dict[str, int] = Field(description="Items by outcome: done, removed, backlog, next")


class MemberIn(_In):
    user_id: int
    focus_factor: float = Field(1.0, description="Share of the day given to the team, 0 < f ≤ 1")


class TeamCreate(_In):
    name: str = Field("", max_length=200)
    members: list[MemberIn] = Field(default_factory=list, max_length=100)


class MemberOut(BaseModel):
    user_id: int
    name: str
    focus_factor: float


class TeamOut(BaseModel):
    id: int
    product_id: int
    name: str
    members: list[MemberOut]

    @classmethod
    def of(cls, row: TeamRow) -> TeamOut:
        members = [MemberOut(user_id=u.id, name=u.label, focus_factor=f) for u, f in row.members]
        return cls(
            id=row.team.id, product_id=row.team.product_id, name=row.team.name, members=members
        )


class SprintSettingsIn(_In):
    length_days: int | None = Field(None, description="Default sprint length in days (1–60)")
    capacity_unit: str | None = Field(None, description="points or items")
    wip_limits: dict[str, Any] | None = Field(
        None, description="Per status key: a whole number ≥ 0, or null for no limit"
    )


class SprintSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    length_days: int
    capacity_unit: str
    wip_limits: dict[str, int]


class SprintForm(BaseModel):
    """The sprint forms of the pages, as typed (kept as typed when refused)."""

    name: str = ""
    team_id: str = ""
    starts_on: str = ""
    ends_on: str = ""
    goal: str = ""

    def values(self, *, creating: bool) -> dict[str, Any]:
        values = self.model_dump()
        if not creating:
            values.pop("team_id")
        return values


class CloseForm(BaseModel):
    """The close form: a choice for all unfinished items, and per item (`item`/`choice`)."""

    unfinished: str = "backlog"
    next_sprint_id: str = ""
    item: list[int] = Field(default_factory=list)
    choice: list[str] = Field(default_factory=list)

    def choices(self) -> dict[int, str]:
        return {i: c for i, c in zip(self.item, self.choice, strict=False) if c}

    def next_id(self) -> int | None:
        return int(self.next_sprint_id) if self.next_sprint_id.isdigit() else None
