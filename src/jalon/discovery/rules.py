"""Pure discovery rules: the tree's levels, hypotheses, experiments and their evaluation,
the vision board and personas. Values in, values out; problems raise Invalid per field."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jalon.discovery import stats
from jalon.errors import N_, Invalid, Message

KINDS = ("outcome", "opportunity", "solution", "assumption")
KIND_LABELS = {
    "outcome": N_("Desired outcome"),
    "opportunity": N_("Opportunity"),
    "solution": N_("Solution"),
    "assumption": N_("Assumption"),
}
PLURAL_LABELS = {
    "opportunity": N_("Opportunities"),
    "solution": N_("Solutions"),
    "assumption": N_("Assumptions"),
}
ADD_LABELS = {
    "outcome": N_("Add a desired outcome"),
    "opportunity": N_("Add an opportunity"),
    "solution": N_("Add a solution"),
    "assumption": N_("Add an assumption"),
}
CHILD_KIND = {"outcome": "opportunity", "opportunity": "solution", "solution": "assumption"}
METHODS = ("interview", "survey", "prototype", "fake_door", "concierge", "ab_test", "other")
METHOD_LABELS = {
    "interview": N_("Interviews"),
    "survey": N_("Survey"),
    "prototype": N_("Prototype test"),
    "fake_door": N_("Fake door"),
    "concierge": N_("Concierge"),
    "ab_test": N_("A/B test"),
    "other": N_("Other"),
}
OPERATORS = (">=", ">", "<=", "<", "=")
DECISIONS = ("persevere", "pivot", "stop")
DECISION_LABELS = {"persevere": N_("Persevere"), "pivot": N_("Pivot"), "stop": N_("Stop")}
HYPOTHESIS_FIELDS = ("capability", "people", "outcome", "signal")
VISION_FIELDS = ("vision", "target_group", "needs", "product", "business_goals")
PERSONA_TEXTS = ("role", "goals", "frustrations", "quote")
MAX_TITLE, MAX_TEXT, MAX_ITEMS = 200, 10_000, 20
TEST_FIRST = 0.5  # importance above, evidence below: test this assumption first


# --- the tree ----------------------------------------------------------------------------------


def parent_kind(kind: str) -> str | None:
    """The level a node of this kind hangs from (None for an outcome, the root)."""
    if kind not in KINDS:
        raise Invalid("Choose one of: {kinds}.", field="kind", kinds=KINDS)
    index = KINDS.index(kind)
    return KINDS[index - 1] if index else None


def check_parent(kind: str, parent: str | None) -> None:
    """A node's parent is of the level just above: opportunity under an outcome, and so on."""
    wanted = parent_kind(kind)
    if wanted is None and parent is not None:
        raise Invalid("A desired outcome is the root of its tree: it has no parent.",
                      field="parent_id")  # fmt: skip
    if wanted is not None and parent != wanted:
        raise Invalid(
            "A node of this level must hang from a node of the level above ({wanted}).",
            field="parent_id", wanted=wanted,
        )  # fmt: skip


def _ratio(raw: Any, name: str, problems: dict[str, str]) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= 1):
        problems[name] = Message("Give a number between 0 and 1.")
        return None
    return value


def clean_node(values: Mapping[str, Any]) -> dict[str, Any]:
    """Title, description and, for assumptions, importance and evidence (0..1)."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    if "title" in values:
        clean["title"] = " ".join(str(values["title"] or "").split())
        if not clean["title"]:
            problems["title"] = Message("Give the node a title.")
        elif len(clean["title"]) > MAX_TITLE:
            problems["title"] = Message("Keep it under {n} characters.", n=MAX_TITLE)
    if "description" in values:
        clean["description"] = str(values["description"] or "").strip()
        if len(clean["description"]) > MAX_TEXT:
            problems["description"] = Message("Keep it under {n} characters.", n=MAX_TEXT)
    for name in ("importance", "evidence"):
        if name in values:
            clean[name] = _ratio(values[name], name, problems)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


@dataclass
class Node:
    id: int
    parent_id: int | None
    kind: str
    title: str
    position: int
    children: list[Node] = field(default_factory=list)


def build_tree(rows: Sequence[Node]) -> list[Node]:
    """Roots (outcomes) with their children nested, siblings by position then id; a node
    whose parent is missing is shown as a root rather than lost."""
    by_id = {r.id: r for r in rows}
    roots: list[Node] = []
    for row in sorted(rows, key=lambda r: (r.position, r.id)):
        parent = by_id.get(row.parent_id) if row.parent_id is not None else None
        (parent.children if parent is not None else roots).append(row)
    return roots


def is_test_first(importance: float | None, evidence: float | None) -> bool:
    """An important assumption with little evidence: the riskiest, to test first."""
    if importance is None or evidence is None:
        return False
    return importance >= TEST_FIRST and evidence < TEST_FIRST


# --- hypotheses ------------------------------------------------------------------------------


def clean_hypothesis(values: Mapping[str, Any]) -> dict[str, str]:
    clean = {k: " ".join(str(values.get(k) or "").split()) for k in HYPOTHESIS_FIELDS}
    problems: dict[str, str] = {
        k: Message("Fill in this part of the hypothesis.") for k, v in clean.items() if not v
    }
    problems |= {
        k: Message("Keep it under {n} characters.", n=1000)
        for k, v in clean.items()
        if len(v) > 1000
    }
    if problems:
        raise Invalid("A hypothesis needs its four parts.", fields=problems)
    return clean


HYPOTHESIS_TEMPLATE = N_(
    "We believe {capability} for {people} will result in {outcome}. We will know when {signal}."
)


# --- experiments -----------------------------------------------------------------------------


def _number(raw: Any, name: str, problems: dict[str, str]) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        problems[name] = Message("{value!r} is not a number.", value=str(raw))
        return None
    return value


def _count(raw: Any, name: str, problems: dict[str, str]) -> int | None:
    value = _number(raw, name, problems)
    if value is not None and (value != int(value) or value < 0):
        problems[name] = Message("Give a whole number, 0 or more.")
        return None
    return int(value) if value is not None else None


def _day(raw: Any, name: str, problems: dict[str, str]) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[name] = Message("{value!r} is not a date: write it as YYYY-MM-DD.", value=text)
        return None


def _text(values: Mapping[str, Any], name: str, limit: int) -> str:
    return str(values.get(name) or "").strip()[:limit]


def clean_experiment(values: Mapping[str, Any]) -> dict[str, Any]:
    """The plan of an experiment: every problem at once, per field."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {
        "title": " ".join(str(values.get("title") or "").split()),
        "method": str(values.get("method") or "other"),
        "metric": _text(values, "metric", 200),
        "unit": _text(values, "unit", 20),
        "operator": str(values.get("operator") or ">="),
    }
    if not clean["title"] or len(clean["title"]) > MAX_TITLE:
        problems["title"] = Message("Give the experiment a title (under 200 characters).")
    if clean["method"] not in METHODS:
        problems["method"] = Message("Choose one of: {choices}.", choices=METHODS)
    if clean["operator"] not in OPERATORS:
        problems["operator"] = Message("Choose one of: {choices}.", choices=OPERATORS)
    clean["threshold"] = _number(values.get("threshold"), "threshold", problems)
    if clean["threshold"] is None and "threshold" not in problems:
        problems["threshold"] = Message("Give the success threshold as a number.")
    clean["alpha"] = _number(values.get("alpha") or 0.05, "alpha", problems)
    if clean["alpha"] is None or not 0 < clean["alpha"] < 1:
        problems.setdefault("alpha", Message("Give a value between 0 and 1, both excluded."))
    clean["starts_on"] = _day(values.get("starts_on"), "starts_on", problems)
    clean["ends_on"] = _day(values.get("ends_on"), "ends_on", problems)
    check_dates(clean["starts_on"], clean["ends_on"], problems)
    if clean["method"] != "ab_test" and not clean["metric"]:
        problems["metric"] = Message("Say what you will measure.")
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


def check_dates(starts: date | None, ends: date | None, problems: dict[str, str]) -> None:
    if starts is not None and ends is not None and ends < starts:
        problems["ends_on"] = Message("The experiment cannot end before it starts.")


AB_COUNTS = ("control_n", "control_conversions", "variant_n", "variant_conversions")


def clean_result(values: Mapping[str, Any]) -> dict[str, Any]:
    """A measured result (and its unit), or an A/B test's counts; blank stays unknown."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "result" in values:
        clean["result"] = _number(values.get("result"), "result", problems)
    if "result_unit" in values:
        clean["result_unit"] = _text(values, "result_unit", 20)
    for name in AB_COUNTS:
        if name in values:
            clean[name] = _count(values.get(name), name, problems)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


@dataclass(frozen=True, slots=True)
class Verdict:
    met: bool
    result: float  # the measured value (for an A/B test: the relative lift in percent)
    ab: stats.TestResult | None = None


def _compare(result: float, operator: str, threshold: float) -> bool:
    return {
        ">=": result >= threshold,
        ">": result > threshold,
        "<=": result <= threshold,
        "<": result < threshold,
        "=": math.isclose(result, threshold, rel_tol=1e-9, abs_tol=1e-9),
    }[operator]


def evaluate(e: Mapping[str, Any]) -> Verdict:
    """Did the experiment meet its threshold? Invalid, per field, when that cannot be told:
    no result, a result in another unit, dates the wrong way round, no numeric threshold."""
    problems: dict[str, str] = {}
    threshold: Any = e.get("threshold")
    if not isinstance(threshold, int | float) or not math.isfinite(threshold):
        problems["threshold"] = Message("The success threshold is not a number.")
    check_dates(e.get("starts_on"), e.get("ends_on"), problems)
    if e.get("method") == "ab_test":
        if any(e.get(k) is None for k in AB_COUNTS):
            problems |= {k: Message("Enter the count to evaluate the A/B test.")
                         for k in AB_COUNTS if e.get(k) is None}  # fmt: skip
    elif e.get("result") is None:
        problems["result"] = Message(
            "Enter the result before it can be compared with the threshold."
        )
    elif (e.get("result_unit") or "") != (e.get("unit") or ""):
        problems["result_unit"] = Message(
            "The result is in {got!r} but the threshold is in {want!r}.",
            got=e.get("result_unit") or "", want=e.get("unit") or "",
        )  # fmt: skip
    if problems:
        raise Invalid("This experiment cannot be evaluated yet.", fields=problems)
    if e.get("method") != "ab_test":
        result = float(e["result"])
        return Verdict(_compare(result, str(e.get("operator") or ">="), float(threshold)), result)
    return _evaluate_ab(e, float(threshold))


def _evaluate_ab(e: Mapping[str, Any], min_lift: float) -> Verdict:
    """Met when the variant's lift over the control is significant and at least
    `min_lift` percent."""
    found = stats.two_proportion_test(
        control_n=e["control_n"], control_conversions=e["control_conversions"],
        variant_n=e["variant_n"], variant_conversions=e["variant_conversions"],
        alpha=float(e.get("alpha") or 0.05),
    )  # fmt: skip
    if found.relative_lift is None:
        raise Invalid("No lift can be computed when the control converted nobody.",
                      field="control_conversions")  # fmt: skip
    lift = found.relative_lift * 100
    return Verdict(found.significant and lift >= min_lift, lift, found)


def clean_decision(values: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    """Decision, rationale, and the titles of backlog items to create (one per line)."""
    problems: dict[str, str] = {}
    decision = str(values.get("decision") or "")
    rationale = str(values.get("rationale") or "").strip()
    raw = values.get("items") or []
    titles = [" ".join(t.split()) for t in (raw.splitlines() if isinstance(raw, str) else raw)]
    titles = [t for t in titles if t]
    if decision not in DECISIONS:
        problems["decision"] = Message("Choose persevere, pivot or stop.")
    if not rationale:
        problems["rationale"] = Message("Say why: the rationale is what others will read.")
    elif len(rationale) > MAX_TEXT:
        problems["rationale"] = Message("Keep it under {n} characters.", n=MAX_TEXT)
    if len(titles) > MAX_ITEMS or any(len(t) > MAX_TITLE for t in titles):
        problems["items"] = Message(
            "At most {n} items, each title under 200 characters.", n=MAX_ITEMS
        )
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return decision, rationale, titles


# --- vision board and personas ---------------------------------------------------------------


def clean_vision(values: Mapping[str, Any]) -> dict[str, str]:
    clean = {k: str(values.get(k) or "").strip() for k in VISION_FIELDS if k in values}
    problems: dict[str, str] = {
        k: Message("Keep it under {n} characters.", n=MAX_TEXT)
        for k, v in clean.items() if len(v) > MAX_TEXT
    }  # fmt: skip
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


def clean_persona(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {"name": " ".join(str(values.get("name") or "").split())}
    problems: dict[str, str] = {}
    if not clean["name"] or len(clean["name"]) > 100:
        problems["name"] = Message("Give the persona a name (under 100 characters).")
    for k in PERSONA_TEXTS:
        clean[k] = str(values.get(k) or "").strip()
        if len(clean[k]) > (200 if k == "role" else MAX_TEXT):
            problems[k] = Message("This text is too long.")
    segment: Any = values.get("segment_id")
    clean["segment_id"] = int(segment) if str(segment or "").strip().isdigit() else None
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean
