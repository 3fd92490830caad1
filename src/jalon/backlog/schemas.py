"""JSON shapes of the backlog API. Unknown fields are refused; lengths are bounded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jalon.backlog.queries import Filters
from jalon.backlog.rules import ItemType
from jalon.errors import Invalid
from jalon.prioritisation.rules import MODELS

SCORE_MODELS = frozenset(MODELS) | {"formula"}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemQuery(BaseModel):
    """Filters and paging of the backlog, as query parameters (`?type=story&type=bug`).

    Every filter given must hold. Empty values (an untouched select of the filter form)
    mean "no filter". `assignee_id=none` keeps unassigned items; `ready=yes|no` compares
    with the product's Definition of Ready; `score_model` with `score_min`/`score_max`
    keeps items whose score under that model (`rice`, `formula:<key>`...) is in range.
    """

    model_config = ConfigDict(extra="forbid")

    type: list[ItemType] = Field(default_factory=list)
    status: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=20)
    tag: str | None = Field(None, max_length=50)
    assignee_id: str | None = Field(None, pattern=r"^(\d{1,12}|none)$")
    parent_id: int | None = None
    ready: Literal["yes", "no"] | None = None
    score_model: str | None = Field(None, pattern=r"^[a-z_]{1,30}(:[a-z0-9_]{1,40})?$")
    score_min: float | None = Field(None, allow_inf_nan=False)
    score_max: float | None = Field(None, allow_inf_nan=False)
    q: str = Field("", max_length=200)
    cursor: str | None = Field(None, max_length=400)
    limit: int = Field(100, ge=1, le=500)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        for key, raw in data.items():
            value = [v for v in raw if v != ""] if isinstance(raw, list) else raw
            if value not in ("", []):
                out[key] = value
        return out

    def _check_score(self) -> None:
        if (self.score_min is not None or self.score_max is not None) and not self.score_model:
            raise Invalid("Choose the model whose score to filter on.", field="score_model")
        if self.score_model and self.score_model.split(":")[0] not in SCORE_MODELS:
            raise Invalid(
                "Unknown model {model!r}; models are {models}.",
                field="score_model",
                model=self.score_model,
                models=", ".join(sorted(SCORE_MODELS)),
            )
        low, high = self.score_min, self.score_max
        if low is not None and high is not None and low > high:
            raise Invalid("The lowest score is above the highest.", field="score_min")

    def filters(self) -> Filters:
        """The filters, checked together (422 naming the field at fault)."""
        self._check_score()
        return Filters(
            types=[str(t) for t in self.type],
            statuses=list(self.status),
            tag=self.tag or None,
            assignee_id=int(self.assignee_id or 0) if (self.assignee_id or "").isdigit() else None,
            unassigned=self.assignee_id == "none",
            parent_id=self.parent_id,
            ready=None if self.ready is None else self.ready == "yes",
            score_model=self.score_model,
            score_min=self.score_min,
            score_max=self.score_max,
            q=self.q.strip(),
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


class ItemEdited(ItemOut):
    """An edited item, with advice about the change (a move to done with its DoD unmet)."""

    warnings: list[str] = Field(
        default_factory=list, description="Advice about this change, such as an unmet DoD"
    )


class ItemPage(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None
