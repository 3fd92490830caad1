"""JSON shapes of themes, their members, re-clustering runs and similar feedback."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RenameIn(_In):
    label: str = Field(max_length=200, description="The theme's name; re-clusterings keep it")


class MergeIn(_In):
    into: int = Field(description="Id of the theme that survives")


class SplitIn(_In):
    feedback_ids: list[int] = Field(max_length=5000, description="Members moved to a new theme")
    label: str = Field("", max_length=200, description="Its name (made from its terms if empty)")


class MoveIn(_In):
    feedback_ids: list[int] = Field(max_length=5000, description="Feedback pinned in this theme")


class DuplicateIn(_In):
    survivor_id: int = Field(description="The feedback this one duplicates (it keeps the links)")


class QuoteOut(BaseModel):
    feedback_id: int
    text: str


class ThemeOut(BaseModel):
    id: int
    product_id: int
    label: str
    label_locked: bool = Field(description="Named by a person: re-clusterings keep the label")
    created_by: str = Field(description="machine or person")
    size: int = Field(description="Feedback in the theme (pending, rejected, duplicates left out)")
    weighted_demand: float = Field(description="Sum of customer weight × segment weight")
    quotes: list[QuoteOut] = Field(description="Representative quotes, closest to the centre")
    weekly_counts: list[int] = Field(description="Feedback per ISO week, oldest first")


class RunOut(BaseModel):
    id: int
    product_id: int
    state: str = Field(description="queued, running, done or failed")
    progress: float = Field(description="0 to 1")
    step: str
    model: str
    feedback_count: int
    theme_count: int
    created_themes: int
    error: str
    created_at: datetime
    finished_at: datetime | None


class ThemesOut(BaseModel):
    themes: list[ThemeOut]
    unthemed: int = Field(description="Feedback in no theme yet")
    model: str = Field(description="The text model of the stored vectors")
    run: RunOut | None = Field(description="The latest re-clustering")


class MemberOut(BaseModel):
    feedback_id: int
    text: str
    source: str
    received_at: datetime
    score: float = Field(description="Cosine similarity to the theme's centre")
    pinned: bool = Field(description="Placed by a person: re-clusterings keep it")


class ThemeDetailOut(ThemeOut):
    state: str
    merged_into_id: int | None
    members: list[MemberOut]


class SimilarOut(BaseModel):
    feedback_id: int
    text: str
    source: str
    state: str
    similarity: float = Field(description="0 to 1, after centring")
    likely_duplicate: bool
