"""JSON shapes of bulk edits and saved views."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from jalon.backlog.models import SavedView
from jalon.backlog.schemas import ItemQuery


class BulkEdit(BaseModel):
    """The items to edit and what to set; only the fields sent are changed.

    `assignee_id: null` unassigns; tags are added then removed.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    item_ids: list[int] = Field(min_length=1, max_length=500)
    status: str | None = Field(None, max_length=30)
    type: str | None = Field(None, max_length=20)
    assignee_id: int | None = None
    add_tags: list[str] = Field(default_factory=list, max_length=30)
    remove_tags: list[str] = Field(default_factory=list, max_length=30)

    def values(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, include={"status", "type", "assignee_id"})
        return {k: v for k, v in sent.items() if v is not None or k == "assignee_id"}


class BulkResult(BaseModel):
    updated: list[int]


class ViewFilters(ItemQuery):
    """The filters a view keeps: those of the backlog list, without paging."""

    cursor: None = Field(None, exclude=True)


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    shared: bool = False
    query: ViewFilters = Field(default_factory=ViewFilters)


class ViewOut(BaseModel):
    id: int
    name: str
    shared: bool
    query: dict[str, Any]
    url: str
    created_at: datetime

    @classmethod
    def of(cls, view: SavedView) -> ViewOut:
        return cls(
            id=view.id,
            name=view.name,
            shared=view.user_id is None,
            query=view.query,
            url=view_href(view),
            created_at=view.created_at,
        )


def view_href(view: SavedView) -> str:
    """The backlog page with a saved view's filters."""
    query = urlencode(view.query, doseq=True)
    return f"/products/{view.product_id}/backlog" + (f"?{query}" if query else "")
