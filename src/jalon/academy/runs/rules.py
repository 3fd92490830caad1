"""Pure rules of a run: how the engine's opportunities show in the sandbox backlog, how a
turn's form reads as decisions, and how scores are named.

No database, no engine import (the engine reads its scenario files; its pure scoring module
names the scores): values in, values out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from jalon.academy.sim import scoring
from jalon.errors import N_, Invalid

MAX_SEED = 2**31 - 1
# The planning-poker deck of the backlog (backlog.rules.FIBONACCI_POINTS) without 0.
DECK = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 40.0, 100.0)
# Engine status of an opportunity -> workflow status of its backlog item (default workflow).
ITEM_STATUS = {"backlog": "new", "done": "done", "released": "done", "retired": "rejected"}
REFINED_STATUS = "ready"
OPPORTUNITY_STATUS_LABELS = {
    "backlog": N_("In the backlog"),
    "done": N_("Done"),
    "released": N_("Released"),
    "retired": N_("Retired"),
}
# The engine's score keys, in the order the run page shows them, with their labels (the
# simulation's own, so a score added there is named here too).
SCORE_LABELS = scoring.LABELS
# The learning path's modules (the debrief links each gap to one).
LESSON_LABELS = {
    "product-vision": N_("Product culture and vision"),
    "needs-prioritisation": N_("Needs analysis and prioritisation"),
    "backlog-scrum": N_("Backlog management and Scrum"),
    "design-thinking": N_("Design thinking"),
    "market-watch": N_("Market watch"),
    "product-kpis": N_("Product KPIs"),
    "csr-ethics": N_("CSR and ethics"),
    "stakeholders": N_("Stakeholder management"),
    "facilitation": N_("Workshop facilitation and communication"),
}
SCRUM_GUIDE_URL = "https://scrumguides.org/scrum-guide.html"
EBM_GUIDE_URL = "https://www.scrum.org/resources/evidence-based-management-guide"
VALUE_AREAS = ("current_value", "unrealised_value", "time_to_market", "ability_to_innovate")
ANSWER_PREFIX = "answer."


class Localised(Protocol):
    """A scenario text: English and French."""

    @property
    def en(self) -> str: ...

    @property
    def fr(self) -> str: ...


def text_in(text: Localised | None, language: str) -> str:
    """The text in the language (French or English; English for any other)."""
    if text is None:
        return ""
    return text.fr if language == "fr" and text.fr else text.en


def points(low: float, high: float) -> float:
    """The story points an item shows: the deck value nearest the middle of its range."""
    middle = (float(low) + float(high)) / 2
    if not math.isfinite(middle) or middle <= DECK[0]:
        return DECK[0]
    return min(DECK, key=lambda p: (abs(p - middle), -p))  # a tie goes to the larger


def value_hint(low: float, high: float) -> float:
    """The business value an item shows: the middle of its visible value range, per sprint
    once released (what the prioritisation models read)."""
    return round((float(low) + float(high)) / 2, 1)


def item_status(status: str, *, refined: bool) -> str:
    """The backlog status of an opportunity: refined items still in the backlog are ready."""
    found = ITEM_STATUS.get(status, "new")
    return REFINED_STATUS if refined and found == "new" else found


def item_type(kind: str) -> str:
    """The backlog item type of an opportunity kind (`tech-debt` -> `tech_debt`)."""
    return kind.strip().lower().replace("-", "_").replace(" ", "_")


def parse_seed(raw: object) -> int | None:
    """A seed from a form or JSON (blank -> None: the service draws one)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise Invalid(N_("The seed is a whole number from 0 to 2147483647."), field="seed")
    try:
        seed = int(str(raw).strip())
    except ValueError:
        raise Invalid(
            N_("The seed is a whole number from 0 to 2147483647."), field="seed"
        ) from None
    if not 0 <= seed <= MAX_SEED:
        raise Invalid(N_("The seed is a whole number from 0 to 2147483647."), field="seed")
    return seed


def parse_points(raw: object) -> int:
    """Capacity points paid down on debt (blank -> 0); a negative or odd value is the
    engine's to refuse, but it must be a whole number."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0
    try:
        return int(str(raw).strip())
    except ValueError:
        raise Invalid(
            N_("Write a whole number of points, like 0 or 3."), field="pay_debt"
        ) from None


def form_decisions(form: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A turn's form fields as the engine's decisions (without the order): repeated `refine`
    and `plan` checkboxes, `goal`, `pay_debt` and one `answer.<event key>` per event."""
    refine: list[str] = []
    plan: list[str] = []
    answers: dict[str, str] = {}
    goal, pay = "", ""
    for name, value in form:
        text = str(value)
        if name == "refine":
            refine.append(text)
        elif name == "plan":
            plan.append(text)
        elif name == "goal":
            goal = text
        elif name == "pay_debt":
            pay = text
        elif name.startswith(ANSWER_PREFIX) and text:
            answers[name.removeprefix(ANSWER_PREFIX)] = text
    return {
        "refine": _unique(refine), "plan": _unique(plan), "goal": goal.strip(),
        "answers": answers, "pay_debt": parse_points(pay),
    }  # fmt: skip


def _unique(keys: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(k for k in keys if k))


def field_errors(problems: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The engine's (field, message) problems as one message per field (the first)."""
    found: dict[str, str] = {}
    for name, message in problems:
        found.setdefault(name or "decisions", message)
    return found


def merged_order(current: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The backlog order after putting `wanted` (known keys, in that order) on top; the
    other keys keep their relative order below."""
    known = set(current)
    top = [k for k in dict.fromkeys(wanted) if k in known]
    chosen = set(top)
    return top + [k for k in current if k not in chosen]


def guide_link(ref: str) -> tuple[str, str]:
    """(guide name, URL) of a guide reference: "EBM: Current Value" is the EBM Guide's,
    anything else a section of the Scrum Guide 2020."""
    if ref.startswith("EBM"):
        return "Evidence-Based Management Guide", EBM_GUIDE_URL
    return "Scrum Guide 2020", SCRUM_GUIDE_URL
