"""Pure backlog rules: item types and hierarchy, estimates and roll-ups.

Workflows and the Definition of Ready and of Done live in `backlog/workflow.py`; text rules
(Given/When/Then scenarios, story quality hints, @mentions) in `backlog/quality.py`. Both
are re-exported here, so callers only need `rules`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jalon.backlog.quality import (
    Hint,
    Scenario,
    fold,
    mentions,
    parse_scenarios,
    quality_hints,
    several_stories,
    typical_estimate,
    vague_words,
)
from jalon.backlog.workflow import (
    CATEGORY_LABELS,
    DEFAULT_STATUSES,
    MAX_STATUSES,
    STATUS_LABELS,
    Category,
    Readiness,
    check_checklist,
    check_workflow,
    default_workflow,
    done_warning,
    is_done,
    parse_status,
    readiness,
    status_category,
)
from jalon.errors import N_, Invalid, Label

__all__ = [
    "CATEGORY_LABELS",
    "DEFAULT_STATUSES",
    "MAX_STATUSES",
    "STATUS_LABELS",
    "Category",
    "Hint",
    "Readiness",
    "Scenario",
    "check_checklist",
    "check_workflow",
    "default_workflow",
    "done_warning",
    "fold",
    "is_done",
    "mentions",
    "parse_scenarios",
    "parse_status",
    "quality_hints",
    "readiness",
    "several_stories",
    "status_category",
    "typical_estimate",
    "vague_words",
]


# --- types and hierarchy --------------------------------------------------------------------


class ItemType(StrEnum):
    EPIC = "epic"
    FEATURE = "feature"
    STORY = "story"
    BUG = "bug"
    TECH_DEBT = "tech_debt"
    SPIKE = "spike"


TYPE_LABELS = {
    ItemType.EPIC: N_("Epic"),
    ItemType.FEATURE: N_("Feature"),
    ItemType.STORY: N_("Story"),
    ItemType.BUG: N_("Bug"),
    ItemType.TECH_DEBT: N_("Tech debt"),
    ItemType.SPIKE: N_("Spike"),
}

# epic -> feature -> story. Work items (story, bug, tech debt, spike) sit under a feature,
# or straight under an epic when the epic is not split into features yet.
ALLOWED_PARENTS: dict[ItemType, tuple[ItemType, ...]] = {
    ItemType.EPIC: (),
    ItemType.FEATURE: (ItemType.EPIC,),
    **{
        t: (ItemType.FEATURE, ItemType.EPIC)
        for t in (ItemType.STORY, ItemType.BUG, ItemType.TECH_DEBT, ItemType.SPIKE)
    },
}


def type_label(item_type: ItemType) -> Label:
    return Label(item_type.value, TYPE_LABELS[item_type])


def parse_type(raw: str) -> ItemType:
    """An item type from its code, in any case, with `-` or a space for `_` (`Tech-debt`)."""
    code = re.sub(r"[\s-]+", "_", raw.strip().lower())
    try:
        return ItemType(code)
    except ValueError:
        names = ", ".join(ItemType)
        raise Invalid(
            "Unknown item type {value!r}; types are {names}.", field="type", value=raw, names=names
        ) from None


def check_parent(child_type: str, parent_type: str) -> None:
    """Invalid (field `parent_id`) unless a `child_type` item may sit under `parent_type`."""
    child, parent = parse_type(child_type), parse_type(parent_type)
    allowed = ALLOWED_PARENTS[child]
    if not allowed:
        raise Invalid("An epic sits at the top: it has no parent.", field="parent_id")
    if parent not in allowed:
        raise Invalid(
            "A {child} goes under {allowed}, not under a {parent}.",
            field="parent_id",
            child=type_label(child),
            parent=type_label(parent),
            allowed=tuple(type_label(t) for t in allowed),
        )


def check_no_cycle(
    item_id: int, new_parent_id: int | None, parent_of: Mapping[int, int | None]
) -> None:
    """Invalid when giving `item_id` the parent `new_parent_id` would close a loop.

    `parent_of` maps item ids to their current parent. The message walks the loop:
    "#7 → #3 → #7".
    """
    if new_parent_id is None:
        return
    if new_parent_id == item_id:
        raise Invalid("An item cannot be its own parent.", field="parent_id")
    path, seen = [item_id, new_parent_id], {new_parent_id}
    current = parent_of.get(new_parent_id)
    while current is not None and current not in seen:
        path.append(current)
        if current == item_id:
            raise Invalid(
                "This parent would make a loop: {path}.",
                field="parent_id",
                path=" → ".join(f"#{i}" for i in path),
            )
        seen.add(current)
        current = parent_of.get(current)


# --- estimates ------------------------------------------------------------------------------


class Scale(StrEnum):
    FIBONACCI = "fibonacci"
    TSHIRT = "tshirt"


SCALE_LABELS = {Scale.FIBONACCI: N_("Story points (Fibonacci)"), Scale.TSHIRT: N_("T-shirt sizes")}
# The planning-poker deck: Fibonacci up to 13, then rounded (20, 40, 100).
FIBONACCI_POINTS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 40.0, 100.0)
# Sizes with the story points they count for in roll-ups and forecasts.
TSHIRT_POINTS = {"XS": 1.0, "S": 2.0, "M": 3.0, "L": 5.0, "XL": 8.0, "XXL": 13.0}


def parse_scale(raw: str) -> Scale:
    try:
        return Scale(raw.strip().lower().replace("-", ""))
    except ValueError:
        raise Invalid(
            "Unknown scale {value!r}; use fibonacci or tshirt.", field="scale", value=raw
        ) from None


def _number(value: float) -> str:
    """5.0 → "5", 0.5 → "0.5": numbers as people write them."""
    return f"{value:g}"


def _as_number(raw: object) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _fibonacci(raw: object) -> float:
    deck = ", ".join(_number(p) for p in FIBONACCI_POINTS)
    value = _as_number(raw)
    if value is None:
        raise Invalid(
            "{value!r} is not a number of story points; use one of {deck}.",
            field="estimate",
            value=str(raw),
            deck=deck,
        )
    if value not in FIBONACCI_POINTS:
        nearest = min(FIBONACCI_POINTS, key=lambda p: (abs(p - value), -p))
        raise Invalid(
            "{value} is not on the Fibonacci scale ({deck}); the nearest is {nearest}.",
            field="estimate",
            value=_number(value),
            deck=deck,
            nearest=_number(nearest),
        )
    return value


def _tshirt(raw: object) -> float:
    value = _as_number(raw)
    if value is not None and value in TSHIRT_POINTS.values():
        return value  # the stored equivalent, as exports write it
    size = str(raw).strip().upper()
    if size not in TSHIRT_POINTS:
        raise Invalid(
            "{value!r} is not a T-shirt size; use one of {sizes}.",
            field="estimate",
            value=str(raw),
            sizes=", ".join(TSHIRT_POINTS),
        )
    return TSHIRT_POINTS[size]


def parse_estimate(scale: str, raw: object) -> float | None:
    """The estimate as stored (points; a T-shirt size as its points), None when empty."""
    checked = parse_scale(scale)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return _fibonacci(raw) if checked is Scale.FIBONACCI else _tshirt(raw)


def estimate_label(scale: str, value: float | None) -> str:
    """How an estimate reads on the product's scale: "5", "0.5" or "M"."""
    if value is None:
        return ""
    if parse_scale(scale) is Scale.TSHIRT:
        return next((s for s, p in TSHIRT_POINTS.items() if p == value), _number(value))
    return _number(value)


# --- roll-up --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """What a parent shows of its children: rejected children count for nothing."""

    points: float  # sum of the estimates
    done_points: float
    items: int
    done_items: int
    unestimated: int

    @property
    def done_by_points(self) -> float | None:
        return self.done_points / self.points if self.points else None

    @property
    def done_by_count(self) -> float | None:
        return self.done_items / self.items if self.items else None


def rollup(
    children: Iterable[tuple[float | None, str]], statuses: Sequence[Mapping[str, str]]
) -> Rollup:
    """Sum and progress of (estimate, status) pairs, by points and by count."""
    categories = {s["key"]: s["category"] for s in statuses}
    points = done_points = 0.0
    items = done_items = unestimated = 0
    for estimate, status in children:
        category = categories.get(status)
        if category == Category.REJECTED:
            continue
        items += 1
        done = category == Category.DONE
        done_items += done
        if estimate is None:
            unestimated += 1
            continue
        points += estimate
        done_points += estimate if done else 0.0
    return Rollup(points, done_points, items, done_items, unestimated)


def leaves(root: int, children_of: Mapping[int, Sequence[int]]) -> list[int]:
    """The descendants of `root` that have no children: they carry the estimates that an
    epic or a feature rolls up (a feature's own estimate counts until it is split)."""
    found: list[int] = []
    stack, seen = list(children_of.get(root, ())), {root}
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        kids = children_of.get(node, ())
        if kids:
            stack.extend(kids)
        else:
            found.append(node)
    return found
