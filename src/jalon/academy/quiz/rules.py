"""PSPO I practice as pure rules: the topics, the guides' section names, the answer checks,
the spaced-repetition rating, the mock's spread and pass mark, and item statistics.

Nothing here touches a database, a web framework or the clock: time is passed in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from jalon.errors import N_

TOPICS: tuple[str, ...] = (
    "empiricism",
    "scrum-values",
    "scrum-team",
    "events",
    "artifacts",
    "definition-of-done",
    "self-managing-teams",
    "forecasting-release-planning",
    "product-vision",
    "product-value",
    "product-backlog-management",
    "business-strategy",
    "stakeholders-customers",
)
TOPIC_LABELS: dict[str, str] = {
    "empiricism": N_("Empiricism"),
    "scrum-values": N_("Scrum values"),
    "scrum-team": N_("Scrum Team"),
    "events": N_("Scrum events"),
    "artifacts": N_("Scrum artifacts"),
    "definition-of-done": N_("Definition of Done"),
    "self-managing-teams": N_("Self-managing teams"),
    "forecasting-release-planning": N_("Forecasting and release planning"),
    "product-vision": N_("Product vision"),
    "product-value": N_("Product value"),
    "product-backlog-management": N_("Product Backlog management"),
    "business-strategy": N_("Business strategy"),
    "stakeholders-customers": N_("Stakeholders and customers"),
}

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"
QUESTION_TYPES = (SINGLE, MULTIPLE, TRUE_FALSE)
DIFFICULTIES = (1, 2, 3)
LANGUAGES = ("en", "fr")
TRUE_FALSE_TEXTS = {"en": ("True", "False"), "fr": ("Vrai", "Faux")}

GUIDES: dict[str, str] = {"scrum": "The Scrum Guide 2020", "ebm": "Evidence-Based Management Guide"}
SECTIONS: dict[str, tuple[str, ...]] = {
    "scrum": (
        "Purpose of the Scrum Guide",
        "Scrum Definition",
        "Scrum Theory",
        "Transparency",
        "Inspection",
        "Adaptation",
        "Scrum Values",
        "Scrum Team",
        "Developers",
        "Product Owner",
        "Scrum Master",
        "Scrum Events",
        "The Sprint",
        "Sprint Planning",
        "Daily Scrum",
        "Sprint Review",
        "Sprint Retrospective",
        "Scrum Artifacts",
        "Product Backlog",
        "Commitment: Product Goal",
        "Sprint Backlog",
        "Commitment: Sprint Goal",
        "Increment",
        "Commitment: Definition of Done",
        "End Note",
    ),
    "ebm": (
        "Evidence-Based Management",
        "Empiricism",
        "Goals",
        "Strategic Goal",
        "Intermediate Goals",
        "Immediate Tactical Goals",
        "Experiment Loop",
        "Key Value Areas",
        "Current Value",
        "Unrealized Value",
        "Time-to-Market",
        "Ability to Innovate",
        "Key Value Measures",
        "Hypotheses",
    ),
}

# --- answers ------------------------------------------------------------------------------

PRACTICE, MOCK = "practice", "mock"
MODES = (PRACTICE, MOCK)
DEFAULT_PRACTICE_COUNT = 10
MAX_PRACTICE_COUNT = 80
MOCK_QUESTIONS = 80
MOCK_MINUTES = 60
PASS_PERCENT = 85.0
# A right answer slower than this is rated Hard rather than Good: the assessment allows
# 60 minutes for 80 questions, 45 seconds each on average (the research doc's recommendation).
SLOW_ANSWER_SECONDS = 45.0

AGAIN, HARD, GOOD = "again", "hard", "good"


def is_correct(chosen: Sequence[int], correct: Sequence[int]) -> bool:
    """All or nothing, as in the assessment: exactly the correct set, no more, no less."""
    return sorted(set(chosen)) == sorted(set(correct))


def rating(*, correct: bool, seconds: float, unsure: bool) -> str:
    """The FSRS rating of one practice answer: wrong → Again; slow or unsure → Hard; else Good."""
    if not correct:
        return AGAIN
    if unsure or seconds > SLOW_ANSWER_SECONDS:
        return HARD
    return GOOD


def percent(right: int, total: int) -> float:
    return round(100.0 * right / total, 1) if total else 0.0


def passed(right: int, total: int) -> bool:
    return total > 0 and 100.0 * right / total >= PASS_PERCENT


def spread(total: int, available: dict[str, int]) -> dict[str, int]:
    """How many questions of each topic a mock draws: as even as the bank allows.

    Topics are served in TOPICS order, one question at a time, skipping exhausted topics.
    """
    counts = {topic: 0 for topic in available}
    remaining = min(total, sum(available.values()))
    while remaining > 0:
        for topic, limit in available.items():
            if remaining and counts[topic] < limit:
                counts[topic] += 1
                remaining -= 1
    return {topic: n for topic, n in counts.items() if n}


# --- item statistics ----------------------------------------------------------------------

MIN_ANSWERS_FOR_FLAGS = 20
EASY_LIMIT, HARD_LIMIT, DISCRIMINATION_LIMIT = 0.95, 0.2, 0.1
FLAG_TOO_HARD, FLAG_TOO_EASY, FLAG_LOW_DISCRIMINATION = "too-hard", "too-easy", "low-discrimination"
FLAG_LABELS = {
    FLAG_TOO_HARD: N_("Too hard"),
    FLAG_TOO_EASY: N_("Too easy"),
    FLAG_LOW_DISCRIMINATION: N_("Low discrimination"),
}


@dataclass(frozen=True)
class ItemStats:
    answers: int
    difficulty: float | None  # p: share of correct answers
    discrimination: float | None  # point-biserial correlation with the rest-of-test score
    flags: tuple[str, ...]


def difficulty_index(item: Sequence[int]) -> float | None:
    return sum(item) / len(item) if item else None


def point_biserial(item: Sequence[int], rest: Sequence[float]) -> float | None:
    """Correlation between an item (0/1) and each attempt's score on the OTHER items.

    Using the rest score (corrected item-total correlation) keeps the item from correlating
    with itself. None when either side has no variance.
    """
    n = len(item)
    if n < 2 or n != len(rest):
        return None
    p = sum(item) / n
    mean = sum(rest) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rest) / n)
    if p in (0.0, 1.0) or sd == 0:
        return None
    mean_right = sum(r for i, r in zip(item, rest, strict=True) if i) / sum(item)
    return (mean_right - mean) / sd * math.sqrt(p / (1 - p))


def flags(answers: int, p: float | None, discrimination: float | None) -> tuple[str, ...]:
    if answers < MIN_ANSWERS_FOR_FLAGS or p is None:
        return ()
    found = []
    if p < HARD_LIMIT:
        found.append(FLAG_TOO_HARD)
    if p > EASY_LIMIT:
        found.append(FLAG_TOO_EASY)
    if discrimination is not None and discrimination < DISCRIMINATION_LIMIT:
        found.append(FLAG_LOW_DISCRIMINATION)
    return tuple(found)


def item_statistics(matrix: Sequence[dict[str, int]]) -> dict[str, ItemStats]:
    """Statistics of every question from finished attempts.

    `matrix` holds one dict per attempt: question id → 1 (right) or 0 (wrong). An attempt
    counts for the questions it contains; the rest score of an item is the attempt's share of
    right answers on its other questions (attempts differ in length).
    """
    columns: dict[str, tuple[list[int], list[float]]] = {}
    for attempt in matrix:
        total, right = len(attempt), sum(attempt.values())
        for qid, mark in attempt.items():
            others = total - 1
            rest = (right - mark) / others if others else 0.0
            items, rests = columns.setdefault(qid, ([], []))
            items.append(mark)
            rests.append(rest)
    result = {}
    for qid, (items, rests) in columns.items():
        p, d = difficulty_index(items), point_biserial(items, rests)
        result[qid] = ItemStats(len(items), p, d, flags(len(items), p, d))
    return result
