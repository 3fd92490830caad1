"""JSON shapes of the Sprint Review, the Retrospective and action items."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- Sprint Review -------------------------------------------------------------------------


class ReviewIn(_In):
    """Only the fields sent change; `held: true` marks the review held (read-only after)."""

    goal_verdict: str | None = Field(None, description="met, partly or not_met (null: unsaid)")
    goal_note: str | None = Field(None, max_length=5000)
    progress_percent: int | None = Field(
        None, description="Progress toward the Product Goal, 0–100 (Product Owner)"
    )
    progress_note: str | None = Field(None, max_length=5000, description="(Product Owner)")
    attendees: list[str] | None = Field(None, max_length=100)
    held: bool | None = Field(None, description="true: mark held; false: reopen (Product Owner)")


class ReviewItemOut(BaseModel):
    id: int
    title: str
    type: str
    estimate: float | None
    status: str


class IncrementOut(BaseModel):
    count: int
    points: float
    unestimated: int
    by_type: dict[str, int]
    items: list[ReviewItemOut]


class FeedbackIn(_In):
    who: str = Field(max_length=200, description="Who said it")
    what: str = Field(max_length=2000, description="What they said")


class FeedbackOut(BaseModel):
    id: int
    who: str
    what: str
    item_id: int | None = Field(description="The backlog item made from it, if any")


class TrendOut(BaseModel):
    sprint: str
    percent: int
    change: int | None


class ReviewOut(BaseModel):
    sprint_id: int
    sprint_name: str
    sprint_goal: str
    product_goal: str
    goal_verdict: str | None
    goal_note: str
    progress_percent: int | None
    progress_note: str
    attendees: list[str]
    held: bool
    increment: IncrementOut
    feedback: list[FeedbackOut]
    trend: list[TrendOut] = Field(description="Product Goal progress across the reviews")


class ToItemIn(_In):
    """Optional overrides of the item made from the feedback (its title comes from it)."""

    title: str | None = Field(None, max_length=200)
    type: str | None = Field(None, max_length=20)
    estimate: float | str | None = None


class ItemRefOut(BaseModel):
    id: int
    title: str
    type: str
    status: str


class ToItemOut(BaseModel):
    feedback: FeedbackOut
    item: ItemRefOut


# --- Retrospective -------------------------------------------------------------------------


class RetroIn(_In):
    format: str | None = Field(None, description="start_stop_continue, four_ls or sailboat")
    dots: int | None = Field(None, description="Dots each person may place, 1–20")


class CardIn(_In):
    column: str = Field(max_length=20, description="A column of the retro's format")
    text: str = Field(max_length=2000)


class CardEditIn(_In):
    text: str = Field(max_length=2000)


class CardOut(BaseModel):
    id: int
    column: str
    text: str
    votes: int
    mine: int = Field(description="The caller's own dots on it")


class ColumnOut(BaseModel):
    key: str
    label: str
    cards: list[CardOut]


class VotesOut(BaseModel):
    card_id: int
    votes: int


class ActionOut(BaseModel):
    id: int
    text: str
    status: str
    owner_id: int | None
    owner_name: str | None
    team_id: int | None
    sprint_id: int | None = Field(description="The sprint whose retro wrote it")
    due_sprint_id: int | None
    due_date: date | None


class RetroOut(BaseModel):
    sprint_id: int
    sprint_name: str
    team_id: int
    format: str
    dots: int
    dots_left: int
    columns: list[ColumnOut]
    actions: list[ActionOut] = Field(description="Action items written in this retro")
    carried_over: list[ActionOut] = Field(
        description="The team's earlier action items still open (or closed since this sprint)"
    )


# --- action items --------------------------------------------------------------------------


class ActionIn(_In):
    text: str = Field(max_length=500)
    owner_id: int = Field(description="A member of the product")
    sprint_id: int | None = Field(None, description="The sprint whose retro writes it")
    team_id: int | None = Field(None, description="Without sprint_id: the team it belongs to")
    due_sprint_id: int | None = None
    due_date: date | None = None


class ActionPatch(_In):
    text: str | None = Field(None, max_length=500)
    owner_id: int | None = None
    due_sprint_id: int | None = None
    due_date: date | None = None
    status: str | None = Field(None, description="open, done or dropped")


# --- page forms ----------------------------------------------------------------------------


class ReviewForm(BaseModel):
    """The review page's form; a field left out (the PO's, for the team) stays as it was."""

    op: str = "save"
    goal_verdict: str | None = None
    goal_note: str | None = None
    progress_percent: str | None = None
    progress_note: str | None = None
    attendees: str | None = None

    def values(self) -> dict[str, str]:
        sent = self.model_dump(exclude={"op"})
        return {k: v for k, v in sent.items() if v is not None}


class ActionForm(BaseModel):
    text: str = ""
    owner_id: str = ""
    team_id: str = ""
    due_sprint_id: str = ""
    due_date: str = ""

    def values(self, *, in_retro: bool) -> dict[str, str]:
        return self.model_dump(exclude={"team_id"} if in_retro else {"due_sprint_id"})
