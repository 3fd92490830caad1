"""JSON shapes of signals: theme trends, market signals, feeds and watchlists."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignalQuery(BaseModel):
    """Filters and paging of `GET /products/{id}/signals`, as query parameters."""

    model_config = ConfigDict(extra="forbid")

    state: str = Field(
        "open", description="open (new and watching), new, watching, dismissed or all"
    )
    kind: str = Field("", description="Only signals of feeds of this kind")
    since: date | None = Field(None, description="Only entries published since this day")
    flagged_only: bool = Field(True, description="Only emerging or accelerating themes")
    limit: int = Field(50, ge=1, le=200)
    before_id: int | None = Field(None, description="From `next_before_id`, for the next page")


class TrendOut(BaseModel):
    theme_id: int
    label: str
    weekly: list[int] = Field(description="Feedback per week, oldest first (see `weeks`)")
    recent: int = Field(description="Feedback in the last 3 weeks")
    expected: float = Field(description="What the theme's baseline predicts for those weeks")
    baseline_rate: float = Field(description="Feedback per week before the last 3 weeks")
    dispersion: float = Field(description="Variance over mean of the baseline (1 = Poisson)")
    emerging: bool
    p_emerging: float
    q_emerging: float = Field(description="Benjamini–Hochberg adjusted p-value")
    accelerating: bool
    p_accelerating: float
    q_accelerating: float
    growth_before: float | None = Field(description="Weekly growth rate before the last 8 weeks")
    growth_after: float | None = Field(description="Weekly growth rate over the last 8 weeks")
    new: bool = Field(description="No feedback before the last 3 weeks")


class MarketSignalOut(BaseModel):
    id: int
    state: str = Field(description="new, watching or dismissed")
    matched: list[str] = Field(description="The watchlist keywords found in the entry")
    title: str
    link: str
    summary: str
    published_at: datetime | None
    feed_id: int
    feed_name: str
    feed_kind: str
    opportunity_id: int | None
    opportunity: str | None
    item_id: int | None
    created_at: datetime


class SignalsOut(BaseModel):
    product_id: int
    weeks: list[date] = Field(description="The last day of each weekly window, oldest first")
    trends: list[TrendOut]
    market: list[MarketSignalOut]
    next_before_id: int | None = Field(
        description="Pass as `before_id` for the next page of market signals (null: last page)"
    )


class SignalPatch(_In):
    state: str | None = Field(None, description="new, watching or dismissed")
    opportunity_id: int | None = Field(
        None, description="An opportunity of the product's tree; null unlinks"
    )


class FeedIn(_In):
    name: str = Field(max_length=200)
    url: str = Field(max_length=1000, description="The RSS or Atom address (http or https)")
    kind: str = Field("other", description="competitor, regulator, technology or other")
    active: bool = Field(True, description="Paused feeds are not fetched")


class FeedErrorOut(BaseModel):
    code: str = Field(description="unreachable, timeout, http, too_large, not_feed or empty")
    message: str


class FeedOut(BaseModel):
    id: int
    product_id: int
    name: str
    url: str
    kind: str
    active: bool
    last_fetched_at: datetime | None
    last_ok_at: datetime | None
    error: FeedErrorOut | None = Field(description="Why the last fetch failed (null: it worked)")


class WatchlistIn(_In):
    name: str = Field(max_length=100)
    keywords: list[str] = Field(
        max_length=50, description="Keywords or phrases; `word*` for a prefix"
    )


class WatchlistOut(BaseModel):
    id: int
    product_id: int
    name: str
    keywords: list[str]
