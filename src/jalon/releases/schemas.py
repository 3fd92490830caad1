"""JSON shapes of releases, their scope, checklist, notes and forecast; release settings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReleaseIn(_In):
    name: str = Field(max_length=200, description="Name or version number, unique per product")
    target_date: date | None = None
    description: str = Field("", max_length=10_000)


class ReleasePatch(_In):
    name: str | None = Field(None, max_length=200)
    target_date: date | None = None
    description: str | None = Field(None, max_length=10_000)
    notes: str | None = Field(None, max_length=200_000, description="Release notes (Markdown)")


class ScopeIn(_In):
    item_ids: list[int] = Field(max_length=1000)
    include_descendants: bool = Field(
        False, description="Also add the children of epics and features (not those planned)"
    )


class NotesIn(_In):
    language: str = Field("en", max_length=5, description="en or fr")


class ReleaseNow(_In):
    confirm: bool = Field(
        False, description="Release although the checklist has unticked entries or items are "
        "not done (otherwise 409, with the warnings)",
    )  # fmt: skip


class ChecklistIn(_In):
    ticked: list[str] = Field(max_length=40, description="The entries ticked (by their text)")


class SettingsIn(_In):
    checklist: list[str] | None = Field(None, max_length=40)
    public_changelog: bool | None = None


class SettingsOut(BaseModel):
    product_id: int
    checklist: list[str]
    public_changelog: bool
    changelog_url: str | None


class CheckOut(BaseModel):
    text: str
    done: bool


class ProgressOut(BaseModel):
    items: int
    done_items: int
    points: float
    done_points: float


class ForecastOut(BaseModel):
    outlook: str = Field(
        description="empty, done, on_track, at_risk, late, no_target or unknown (too little "
        "history: see explanation)"
    )
    p50: date | None
    p85: date | None
    explanation: str | None
    hit_rate: list[int] | None = Field(description="[held, windows] of the 85% forecast")
    reliable: bool


class ScopeItemOut(BaseModel):
    id: int
    title: str
    type: str
    status: str
    estimate: float | None
    done: bool


class ReleaseOut(BaseModel):
    id: int
    product_id: int
    name: str
    target_date: date | None
    description: str
    state: str
    released_at: datetime | None
    progress: ProgressOut
    checklist: list[CheckOut]
    notes: str
    notes_language: str
    release_warnings: list[str]


class ReleaseDetailOut(ReleaseOut):
    items: list[ScopeItemOut]
    forecast: ForecastOut | None = Field(description="For an unreleased release")
    warnings: list[str] = Field(description="What releasing now would warn about")
