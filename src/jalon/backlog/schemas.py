"""JSON shapes of the backlog API. Unknown fields are refused; lengths are bounded."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from jalon.backlog.queries import Filters


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemQuery(BaseModel):
    """Filters and paging of the backlog, as query parameters (`?type=story&type=bug`)."""

    model_config = ConfigDict(extra="forbid")

    type: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)
    tag: str | None = Field(None, max_length=50)
    assignee_id: int | None = None
    parent_id: int | None = None
    cursor: str | None = Field(None, max_length=400)
    limit: int = Field(100, ge=1, le=500)

    def filters(self) -> Filters:
        return Filters(
            types=[t for t in self.type if t],
            statuses=[s for s in self.status if s],
            tag=self.tag or None,
            assignee_id=self.assignee_id,
            parent_id=self.parent_id,
        )


class ItemCreate(_In):
    title: str = Field(min_length=1, max_length=200)
    type: str = Field("story", max_length=20)
    description: str = Field("", max_length=20000)
    acceptance_criteria: str = Field("", max_length=10000)
    status: str | None = Field(None, max_length=30)
    estimate: float | str | None = None
    business_value: float | None = Field(None, ge=0, le=1_000_000)
    parent_id: int | None = None
    assignee_id: int | None = None
    due_date: date | None = None
    tags: list[str] = Field(default_factory=list, max_length=30)


class ItemUpdate(_In):
    title: str | None = Field(None, min_length=1, max_length=200)
    type: str | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=20000)
    acceptance_criteria: str | None = Field(None, max_length=10000)
    status: str | None = Field(None, max_length=30)
    estimate: float | str | None = None
    business_value: float | None = Field(None, ge=0, le=1_000_000)
    parent_id: int | None = None
    assignee_id: int | None = None
    due_date: date | None = None
    tags: list[str] | None = Field(None, max_length=30)


class Move(_In):
    before_id: int | None = None
    after_id: int | None = None
    to: str | None = Field(None, pattern="^(top|bottom|up|down)$")


class CommentIn(_In):
    body: str = Field(min_length=1, max_length=10000)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    type: str
    title: str
    description: str
    acceptance_criteria: str
    status: str
    estimate: float | None
    business_value: float | None
    parent_id: int | None
    assignee_id: int | None
    due_date: date | None
    rank: str
    version: int
    external_key: str | None
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    tags: list[str] = []


class ItemPage(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    author_id: int | None
    author_label: str
    body: str
    created_at: datetime
