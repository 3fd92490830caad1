"""JSON shapes of the portal's ideas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdeaIn(_In):
    title: str = Field(max_length=1000, description="5 to 150 characters")
    description: str = Field("", max_length=20_000, description="Markdown, up to 5,000")
    author_name: str = Field("", max_length=1000, description="Who asked for it")
    author_email: str = Field("", max_length=1000, description="Never shown on the portal")


class IdeaPatch(_In):
    status: str | None = Field(
        None, description="under_review, planned, in_progress, shipped or declined"
    )
    item_id: int | None = Field(
        None, description="Link to this backlog item (0 unlinks); its status then decides"
    )


class IdeaOut(BaseModel):
    id: int
    product_id: int
    title: str
    description: str
    state: str = Field(description="pending (moderation), published, rejected or merged")
    status: str = Field(
        description="under_review, planned, in_progress, shipped or declined; the linked "
        "backlog item's status decides when the idea is linked to one"
    )
    votes: int
    comments: int = Field(description="Visible comments")
    item_id: int | None = Field(description="The backlog item the idea is linked to")
    feedback_id: int | None = Field(description="The feedback row that carries it in the inbox")
    merged_into_id: int | None
    author_name: str
    created_at: datetime
    url: str | None = Field(description="Its public address, when the portal is open")
