"""JSON shapes of comments and notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=10000)


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    author_id: int | None
    author_label: str
    body: str
    created_at: datetime


class NotificationOut(BaseModel):
    id: int
    kind: str
    item_id: int | None
    comment_id: int | None
    item_title: str
    product_name: str
    by: str  # who mentioned you
    created_at: datetime
    read_at: datetime | None


class ReadAll(BaseModel):
    marked: int
