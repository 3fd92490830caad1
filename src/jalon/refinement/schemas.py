"""JSON shapes of backlog settings, checklist ticks and links; the item edit form."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jalon.errors import Invalid


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StatusIn(_In):
    key: str = Field("", max_length=30, description="Empty for a new status: made from its label")
    label: str = Field(max_length=40)
    category: str = Field(max_length=10, description="todo, doing, done or rejected")


class SettingsIn(_In):
    statuses: list[StatusIn] = Field(max_length=12)
    scale: str = Field("fibonacci", max_length=20, description="fibonacci or tshirt")
    definition_of_ready: list[str] = Field(default_factory=list, max_length=20)
    definition_of_done: list[str] = Field(default_factory=list, max_length=20)
    move_items_to: str | None = Field(
        None, max_length=30, description="Where items of a removed status go"
    )


class StatusOut(BaseModel):
    key: str
    label: str
    category: str
    items: int = 0


class SettingsOut(BaseModel):
    product_id: int
    statuses: list[StatusOut]
    scale: str
    definition_of_ready: list[str]
    definition_of_done: list[str]


class ChecksIn(_In):
    ready: list[str] | None = Field(None, max_length=20, description="Ticked DoR entries")
    done: list[str] | None = Field(None, max_length=20, description="Ticked DoD entries")


class ChecklistOut(BaseModel):
    entries: list[str]
    ticked: list[str]
    met: bool
    missing: list[str]


class ChecksOut(BaseModel):
    item_id: int
    ready: ChecklistOut
    done: ChecklistOut


class LinkIn(_In):
    kind: str = Field(
        max_length=20, description="blocks, blocked_by, relates, duplicates or duplicated_by"
    )
    to_id: int


class LinkOut(BaseModel):
    id: int
    kind: str = Field(description="blocks, relates or duplicates, read from `from_id`")
    from_id: int
    to_id: int
    label: str = Field(description="How it reads from this item: Blocks, Blocked by…")
    other_id: int
    other_title: str


def _number(raw: str, name: str) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Invalid("Write a number, like 8 or 2.5.", field=name) from None


def _ident(raw: str, name: str) -> int | None:
    text = raw.strip().removeprefix("#")
    if not text:
        return None
    if not text.isdigit():
        raise Invalid("Choose from the list.", field=name)
    return int(text)


def _date(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise Invalid("Write a date like 2025-03-12.", field="due_date") from None


class ItemForm(BaseModel):
    """The item page's edit form, as typed (kept as typed when the save is refused)."""

    title: str = ""
    type: str = "story"
    status: str = ""
    estimate: str = ""
    business_value: str = ""
    description: str = ""
    acceptance_criteria: str = ""
    tags: str = ""
    due_date: str = ""
    assignee_id: str = ""
    parent_id: str = ""
    version: int = 0

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "type": self.type,
            "status": self.status,
            "estimate": self.estimate or None,
            "business_value": _number(self.business_value, "business_value"),
            "description": self.description,
            "acceptance_criteria": self.acceptance_criteria,
            "tags": [t for t in self.tags.replace(";", ",").split(",") if t.strip()],
            "due_date": _date(self.due_date),
            "assignee_id": _ident(self.assignee_id, "assignee_id"),
            "parent_id": _ident(self.parent_id, "parent_id"),
        }


class SettingsForm(BaseModel):
    """The backlog settings page's form: status rows as parallel lists, one input a line."""

    status_key: list[str] = Field(default_factory=list, max_length=40)
    status_label: list[str] = Field(default_factory=list, max_length=40)
    status_category: list[str] = Field(default_factory=list, max_length=40)
    ready: list[str] = Field(default_factory=list, max_length=40)
    done: list[str] = Field(default_factory=list, max_length=40)
    scale: str = "fibonacci"
    op: str = "save"
    move_to: str = ""

    def statuses(self) -> list[dict[str, str]]:
        rows = zip(self.status_key, self.status_label, self.status_category, strict=False)
        return [{"key": k, "label": label, "category": c} for k, label, c in rows]
