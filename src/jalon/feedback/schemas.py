"""JSON shapes of feedback, its links as evidence, and the intake endpoint's body."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FeedbackIn(_In):
    text: str = Field(description="What the person said (up to 10,000 characters)")
    author_name: str = Field("", max_length=200)
    author_email: str = Field("", max_length=254)
    customer_id: int | None = Field(None, description="One of the product's customers")
    rating: int | None = Field(None, description="1 to 5")
    sentiment: float | None = Field(None, description="-1 (negative) to 1 (positive)")
    received_at: str | None = Field(
        None, description="When the person said it: YYYY-MM-DD or ISO 8601 (default: now)"
    )
    external_key: str | None = Field(None, max_length=300, description="Id in another tool")


class FeedbackPatch(_In):
    text: str | None = None
    author_name: str | None = Field(None, max_length=200)
    author_email: str | None = Field(None, max_length=254)
    customer_id: int | None = None
    rating: int | None = None
    sentiment: float | None = None
    received_at: str | None = None
    state: Literal["new", "triaged", "archived"] | None = Field(
        None, description="Triage: new → triaged → archived (and back)"
    )


class FeedbackQuery(_In):
    source: str = Field("", description="manual, csv, intake, email or portal")
    state: str = Field("", description="new, triaged, archived, pending or all (default: open)")
    q: str = Field("", max_length=200, description="Words in the text, author or e-mail")
    customer_id: int | None = None
    segment_id: int | None = None
    linked: Literal["", "yes", "no"] = Field("", description="Linked as evidence or not")
    page: int = Field(1, ge=1)
    per_page: int = Field(25, ge=1, le=200)


class LinkIn(_In):
    item_id: int | None = Field(None, description="A backlog item of the same product")
    opportunity_id: int | None = Field(None, description="An opportunity of the same product")
    importance: int = Field(2, description="1 nice to have, 2 important, 3 critical")


class IntakeIn(_In):
    text: str
    author_name: str = Field("", max_length=200)
    author_email: str = Field("", max_length=254)
    customer: str = Field("", max_length=200, description="A customer's name (created if new)")
    rating: int | None = None
    received_at: str | None = None
    external_key: str | None = Field(
        None, max_length=300, description="Sending the same key again updates that feedback"
    )


class LinkOut(BaseModel):
    id: int
    feedback_id: int
    item_id: int | None
    opportunity_id: int | None
    importance: int
    title: str


class FeedbackOut(BaseModel):
    id: int
    product_id: int
    text: str
    source: str
    state: str
    customer_id: int | None
    customer: str | None
    author_name: str
    author_email: str
    rating: int | None
    sentiment: float | None
    external_key: str | None
    received_at: datetime
    links: int


class FeedbackDetailOut(FeedbackOut):
    evidence_for: list[LinkOut]


class FeedbackPageOut(BaseModel):
    items: list[FeedbackOut]
    total: int
    page: int
    pages: int


class IntakeOut(BaseModel):
    created: list[int]
    updated: list[int]
