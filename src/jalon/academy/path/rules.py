"""The learning path as pure rules: its nine modules, what completes one, and the checks of
cohort and assignment input. Values in, values out (no database, no web)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from jalon.errors import N_, Invalid

QUIZ_PASS_PERCENT = 80.0
QUIZ_QUESTIONS = 5
MAX_COHORT_NAME = 120


@dataclass(frozen=True)
class Module:
    key: str
    title: str  # N_-marked
    summary: str  # N_-marked
    topics: tuple[str, ...]  # the quiz topics of its module quiz
    exercise: str  # N_-marked: what to do in the sandbox
    where: str  # the sandbox page where it is done, "{product}" is the sandbox's id


MODULES: tuple[Module, ...] = (
    Module(
        "product-vision", N_("Product culture and vision"),
        N_("Why a product exists, for whom, and a Product Goal you can measure."),
        ("product-vision", "product-value"),
        N_("Write the sandbox's vision, its target users and a measurable Product Goal."),
        "/products/{product}/edit",
    ),
    Module(
        "needs-prioritisation", N_("Needs analysis and prioritisation"),
        N_("Cost of delay, WSJF and explaining a trade-off."),
        ("product-backlog-management", "product-value", "business-strategy"),
        N_("Order the seeded backlog by WSJF and explain one trade-off in a comment."),
        "/products/{product}/prioritisation",
    ),
    Module(
        "backlog-scrum", N_("Backlog management and Scrum"),
        N_("The Scrum accountabilities, events and artifacts, and stories worth refining."),
        ("scrum-team", "events", "artifacts", "product-backlog-management", "empiricism"),
        N_("Write three user stories whose quality hints all pass."),
        "/products/{product}/backlog",
    ),
    Module(
        "design-thinking", N_("Design thinking"),
        N_("Understanding people before solutions: personas and opportunity solution trees."),
        ("product-value", "empiricism", "stakeholders-customers"),
        N_("Build an opportunity solution tree (an outcome, two opportunities, a solution) "
           "and a persona."),
        "/products/{product}/discovery/tree",
    ),
    Module(
        "market-watch", N_("Market watch"),
        N_("Following the market without drowning: feeds, watchlists, weak signals."),
        ("business-strategy", "stakeholders-customers"),
        N_("Follow a feed and create a watchlist with at least two keywords."),
        "/products/{product}/watch",
    ),
    Module(
        "product-kpis", N_("Product KPIs"),
        N_("Outcomes over output: hypotheses, experiments and thresholds decided in advance."),
        ("product-value", "forecasting-release-planning", "empiricism"),
        N_("Write a hypothesis with a measurable \"we will know when\" and an experiment "
           "with a metric and a threshold."),
        "/products/{product}/discovery/tree",
    ),
    Module(
        "csr-ethics", N_("CSR and ethics"),
        N_("Accessibility, eco-design and ethics as part of Done, not as an afterthought."),
        ("definition-of-done", "scrum-values"),
        N_("Add Definition of Done entries covering accessibility and eco-design."),
        "/products/{product}/backlog-settings",
    ),
    Module(
        "stakeholders", N_("Stakeholder management"),
        N_("Listening to customers and stakeholders, and showing them what you did with it."),
        ("stakeholders-customers", "business-strategy"),
        N_("Link three feedback items to backlog items, with importances that tell them apart."),
        "/products/{product}/feedback",
    ),
    Module(
        "facilitation", N_("Workshop facilitation and communication"),
        N_("Running events people want to attend, and leaving with owned actions."),
        ("events", "self-managing-teams", "scrum-values"),
        N_("Run the sprint's retrospective: three cards and an action item with an owner."),
        "/products/{product}/sprints/{sprint}/retro",
    ),
)  # fmt: skip
MODULE_KEYS = tuple(m.key for m in MODULES)
BY_KEY = {m.key: m for m in MODULES}

# A module's status on the path page, from nothing done to complete.
NOT_STARTED, IN_PROGRESS, COMPLETE = "not_started", "in_progress", "complete"
STATUS_LABELS = {
    NOT_STARTED: N_("Not started"),
    IN_PROGRESS: N_("In progress"),
    COMPLETE: N_("Complete"),
}
ASSIGNMENT_KINDS = ("scenario", "quiz", "module")  # as academy.models.ASSIGNMENT_KINDS
ASSIGNMENT_KIND_LABELS = {
    "scenario": N_("Scenario"),
    "quiz": N_("Quiz"),
    "module": N_("Module"),
}
QUIZ_REFS = ("mock", "practice")


@dataclass(frozen=True)
class ModuleState:
    key: str
    lesson_read_at: datetime | None
    exercise_passed_at: datetime | None
    best_quiz: float | None

    @property
    def lesson_read(self) -> bool:
        return self.lesson_read_at is not None

    @property
    def exercise_passed(self) -> bool:
        return self.exercise_passed_at is not None

    @property
    def quiz_passed(self) -> bool:
        return self.best_quiz is not None and self.best_quiz >= QUIZ_PASS_PERCENT

    @property
    def parts_done(self) -> int:
        return int(self.lesson_read) + int(self.exercise_passed) + int(self.quiz_passed)

    @property
    def status(self) -> str:
        if self.parts_done == 3:
            return COMPLETE
        return IN_PROGRESS if self.parts_done else NOT_STARTED


def module_states(
    done: Mapping[str, tuple[datetime | None, datetime | None]],
    quiz_scores: Mapping[str, float],
) -> list[ModuleState]:
    """Every module's state, in path order: `done` maps a module to (lesson read, exercise
    passed) times, `quiz_scores` to the best percent of its module quizzes."""
    return [
        ModuleState(m.key, *done.get(m.key, (None, None)), best_quiz=quiz_scores.get(m.key))
        for m in MODULES
    ]


def percent_complete(states: Iterable[ModuleState]) -> int:
    """The share of the path's parts (three per module) done, in whole percent."""
    listed = list(states)
    if not listed:
        return 0
    return round(100 * sum(s.parts_done for s in listed) / (3 * len(listed)))


def modules_complete(states: Iterable[ModuleState]) -> int:
    return sum(1 for s in states if s.status == COMPLETE)


def path_complete(states: Iterable[ModuleState]) -> bool:
    listed = list(states)
    return len(listed) == len(MODULES) and all(s.status == COMPLETE for s in listed)


def completed_on(states: Iterable[ModuleState]) -> datetime | None:
    """When the path was completed as far as Jalon knows: the last lesson or exercise time."""
    times = [t for s in states for t in (s.lesson_read_at, s.exercise_passed_at) if t]
    return max(times) if times else None


def check_module(key: str) -> str:
    if key not in BY_KEY:
        raise Invalid(N_("There is no module {key}."), field="module", key=key)
    return key


def check_cohort_name(raw: object) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise Invalid(N_("Give the cohort a name."), field="name")
    if len(name) > MAX_COHORT_NAME:
        raise Invalid(N_("Keep the name under {n} characters."), field="name", n=MAX_COHORT_NAME)
    return name


def parse_due(raw: object) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(N_("Give the due date as YYYY-MM-DD."), field="due_on") from None


def check_assignment(kind: object, ref: object, *, scenario_keys: Iterable[str]) -> tuple[str, str]:
    """A valid (kind, ref) pair: a known scenario, "mock"/"practice", or a module key."""
    clean_kind, clean_ref = str(kind or "").strip(), str(ref or "").strip()
    if clean_kind not in ASSIGNMENT_KINDS:
        raise Invalid(N_("Choose a scenario, a quiz or a module."), field="kind")
    allowed = {
        "scenario": tuple(scenario_keys),
        "quiz": QUIZ_REFS,
        "module": MODULE_KEYS,
    }[clean_kind]
    if clean_ref not in allowed:
        raise Invalid(
            N_("Choose one of: {choices}."), field="ref", choices=tuple(allowed) or ("-",)
        )
    return clean_kind, clean_ref


def assignment_done(
    kind: str, ref: str, *, modules_done: set[str], scenarios_finished: set[str],
    mocks_taken: int, practice_answers: int,
) -> bool:  # fmt: skip
    """Has a learner done what this assignment asks?"""
    if kind == "module":
        return ref in modules_done
    if kind == "scenario":
        return ref in scenarios_finished
    return mocks_taken > 0 if ref == "mock" else practice_answers > 0
