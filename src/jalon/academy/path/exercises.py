"""The exercises' checkers: pure rules over a snapshot of the learner's sandbox.

`queries.workspace()` reads the sandbox into a `Workspace`; `check(module, workspace)` gives
each criterion of the module's exercise, passed or not, with a hint saying what to do. The
checks reuse the areas' own rules: WSJF scores and Kendall's tau from prioritisation, story
quality hints from the backlog.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jalon.backlog.quality import fold, quality_hints
from jalon.errors import N_
from jalon.prioritisation.ranking import kendall_tau

MIN_VISION_WORDS = 15
MIN_TRADE_OFF_WORDS = 10
MIN_TAU = 0.9
STORIES_NEEDED = 3
RETRO_CARDS_NEEDED = 3
FEEDBACK_LINKS_NEEDED = 3
ACCESSIBILITY_WORDS = (
    "accessib", "a11y", "rgaa", "wcag", "screen reader", "lecteur d'ecran", "contrast",
    "keyboard", "clavier",
)  # fmt: skip
ECO_WORDS = (
    "eco-design", "ecodesign", "eco-conception", "ecoconception", "rgesn", "energy", "energie",
    "carbon", "carbone", "sobriety", "sobriete", "page weight", "poids",
)  # fmt: skip
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class ItemSnap:
    id: int
    title: str
    type: str = "story"
    description: str = ""
    acceptance_criteria: str = ""
    estimate: float | None = None
    rank: str = ""
    seeded: bool = False
    wsjf: float | None = None


@dataclass(frozen=True)
class NodeSnap:
    id: int
    parent_id: int | None
    kind: str


@dataclass(frozen=True)
class Workspace:
    """What the checkers look at in a learner's sandbox product."""

    vision: str = ""
    target_users: str = ""
    product_goal: str = ""
    items: Sequence[ItemSnap] = ()
    comments: Sequence[tuple[int, str]] = ()  # (item id, body) written by the learner
    nodes: Sequence[NodeSnap] = ()
    hypothesis_signals: Sequence[str] = ()
    experiments: Sequence[tuple[str, float | None]] = ()  # (metric, threshold)
    personas: Sequence[tuple[str, str, str]] = ()  # (name, goals, frustrations)
    feeds: int = 0
    watchlist_keywords: Sequence[Sequence[str]] = ()
    definition_of_done: Sequence[str] = ()
    feedback_links: Sequence[tuple[int, int, int]] = ()  # (feedback id, item id, importance)
    retro_cards: Sequence[int] = ()  # cards per retrospective
    retro_actions_owned: Sequence[bool] = ()  # per action item written in a retro
    typical_estimate: float | None = None


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str  # N_-marked: what is checked
    passed: bool
    hint: str = ""  # N_-marked: what to do when it fails
    # Specifics, as (what, message) pairs: a story's title and its quality hint (a Message).
    details: tuple[tuple[str, str], ...] = field(default=())


def _words(text: str) -> int:
    return len(text.split())


def _product_vision(w: Workspace) -> list[Criterion]:
    goal = w.product_goal.strip()
    return [
        Criterion("vision", N_("A vision of at least 15 words"),
                  _words(w.vision) >= MIN_VISION_WORDS,
                  N_("Say for whom the product exists, the need it meets and how it differs.")),
        Criterion("target_users", N_("Target users named"), bool(w.target_users.strip()),
                  N_("Name the people the product serves in Target users.")),
        Criterion("goal", N_("A Product Goal"), bool(goal),
                  N_("Write the Product Goal: the next outcome the product aims for.")),
        Criterion("goal_measurable", N_("The Product Goal is measurable"),
                  bool(_NUMBER.search(goal)),
                  N_("Put a number in the goal (a rate, a count, a date) so you know when "
                     "it is met.")),
    ]  # fmt: skip


def wsjf_agreement(items: Sequence[ItemSnap]) -> float | None:
    """Kendall's tau between the backlog order and the WSJF order of the scored items."""
    scored = sorted((i for i in items if i.wsjf is not None), key=lambda i: i.rank)
    if len(scored) < 2:
        return None
    return kendall_tau([-n for n in range(len(scored))], [i.wsjf or 0.0 for i in scored])


def _needs_prioritisation(w: Workspace) -> list[Criterion]:
    tau = wsjf_agreement(w.items)
    scored = {i.id for i in w.items if i.wsjf is not None}
    explained = any(i in scored and _words(b) >= MIN_TRADE_OFF_WORDS for i, b in w.comments)
    return [
        Criterion("wsjf_order", N_("The backlog follows the WSJF order (Kendall's tau ≥ 0.9)"),
                  tau is not None and tau >= MIN_TAU,
                  N_("Open Prioritisation, choose WSJF and apply its order, or move the items "
                     "yourself."), (("tau", f"{tau:.2f}" if tau is not None else "-"),)),
        Criterion("trade_off", N_("A trade-off explained in a comment on a scored item"),
                  explained,
                  N_("Comment on one item (10 words or more): what you put after it, and why.")),
    ]  # fmt: skip


def _backlog_scrum(w: Workspace) -> list[Criterion]:
    mine = [i for i in w.items if i.type == "story" and not i.seeded]
    good, notes = 0, list[tuple[str, str]]()
    for item in mine:
        hints = quality_hints(
            item.title, description=item.description,
            acceptance_criteria=item.acceptance_criteria, estimate=item.estimate,
            typical_estimate=w.typical_estimate,
        )  # fmt: skip
        good += not hints
        notes += [(item.title, h.message) for h in hints]
    return [
        Criterion("stories", N_("Three stories of your own"), len(mine) >= STORIES_NEEDED,
                  N_("Add stories to the sandbox's backlog.")),
        Criterion("quality", N_("Three stories whose quality hints all pass"),
                  good >= STORIES_NEEDED,
                  N_("Each story says who, what and why (\"so that\"), has acceptance criteria "
                     "and no vague words."), tuple(notes[:6])),
    ]  # fmt: skip


def _children(nodes: Sequence[NodeSnap], parent: int, kind: str) -> list[NodeSnap]:
    return [n for n in nodes if n.parent_id == parent and n.kind == kind]


def _design_thinking(w: Workspace) -> list[Criterion]:
    outcomes = [n for n in w.nodes if n.kind == "outcome"]
    opportunities = {o.id: _children(w.nodes, o.id, "opportunity") for o in outcomes}
    tree = any(len(found) >= 2 for found in opportunities.values())
    solution = any(
        _children(w.nodes, opp.id, "solution") for found in opportunities.values() for opp in found
    )
    persona = any(goals.strip() and frustrations.strip() for _, goals, frustrations in w.personas)
    return [
        Criterion("outcome", N_("A desired outcome with at least two opportunities"), tree,
                  N_("In the opportunity solution tree, add an outcome, then two opportunities "
                     "under it.")),
        Criterion("solution", N_("A solution under one of its opportunities"), solution,
                  N_("Add a solution to the opportunity you would explore first.")),
        Criterion("persona", N_("A persona with goals and frustrations"), bool(persona),
                  N_("On the vision board, add a persona and fill in goals and frustrations.")),
    ]  # fmt: skip


def _market_watch(w: Workspace) -> list[Criterion]:
    keywords = max((len([k for k in ks if k.strip()]) for ks in w.watchlist_keywords), default=0)
    return [
        Criterion("feed", N_("A feed followed"), w.feeds >= 1,
                  N_("Follow the RSS or Atom feed of a competitor, a regulator or a blog.")),
        Criterion("watchlist", N_("A watchlist with at least two keywords"), keywords >= 2,
                  N_("Create a watchlist with the words that would matter if they appeared.")),
    ]  # fmt: skip


def _product_kpis(w: Workspace) -> list[Criterion]:
    measurable = any(_NUMBER.search(s) for s in w.hypothesis_signals)
    experiment = any(metric.strip() and t is not None for metric, t in w.experiments)
    return [
        Criterion("hypothesis", N_("A hypothesis with a measurable \"we will know when\""),
                  measurable,
                  N_("On a solution, write a hypothesis whose signal has a number "
                     "(\"30% of trials convert\").")),
        Criterion("experiment", N_("An experiment with a metric and a threshold"), experiment,
                  N_("Plan an experiment on an assumption: the metric and the threshold that "
                     "decides, before you run it.")),
    ]  # fmt: skip


def _mentions(entries: Sequence[str], words: Sequence[str]) -> bool:
    folded = [fold(e) for e in entries]
    return any(word in entry for entry in folded for word in words)


def _csr_ethics(w: Workspace) -> list[Criterion]:
    return [
        Criterion("accessibility", N_("The Definition of Done covers accessibility"),
                  _mentions(w.definition_of_done, ACCESSIBILITY_WORDS),
                  N_("Add an entry such as \"Meets RGAA / WCAG AA: keyboard, contrast, "
                     "screen reader\".")),
        Criterion("eco_design", N_("The Definition of Done covers eco-design"),
                  _mentions(w.definition_of_done, ECO_WORDS),
                  N_("Add an entry such as \"Page weight under 1 MB, checked against "
                     "RGESN\".")),
    ]  # fmt: skip


def _stakeholders(w: Workspace) -> list[Criterion]:
    linked = {f for f, _, _ in w.feedback_links}
    weights = {importance for _, _, importance in w.feedback_links}
    return [
        Criterion("links", N_("Three feedback items linked to backlog items"),
                  len(linked) >= FEEDBACK_LINKS_NEEDED,
                  N_("In the feedback inbox, link each piece of feedback to the item it "
                     "supports.")),
        Criterion("importance", N_("Importances that tell the feedback apart"),
                  len(weights) >= 2,
                  N_("Not all feedback weighs the same: mark what is critical and what is "
                     "nice to have.")),
    ]  # fmt: skip


def _facilitation(w: Workspace) -> list[Criterion]:
    return [
        Criterion("cards", N_("A retrospective with at least three cards"),
                  any(n >= RETRO_CARDS_NEEDED for n in w.retro_cards),
                  N_("Open the sprint's retrospective and write what went well and what did "
                     "not.")),
        Criterion("action", N_("An action item with an owner"), any(w.retro_actions_owned),
                  N_("Turn the most voted card into an action item and give it an owner.")),
    ]  # fmt: skip


CHECKERS: dict[str, Callable[[Workspace], list[Criterion]]] = {
    "product-vision": _product_vision,
    "needs-prioritisation": _needs_prioritisation,
    "backlog-scrum": _backlog_scrum,
    "design-thinking": _design_thinking,
    "market-watch": _market_watch,
    "product-kpis": _product_kpis,
    "csr-ethics": _csr_ethics,
    "stakeholders": _stakeholders,
    "facilitation": _facilitation,
}


def check(module: str, workspace: Workspace) -> list[Criterion]:
    """Every criterion of the module's exercise on this sandbox."""
    return CHECKERS[module](workspace)


def passed(criteria: Sequence[Criterion]) -> bool:
    return bool(criteria) and all(c.passed for c in criteria)
