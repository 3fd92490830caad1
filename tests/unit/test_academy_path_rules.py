"""The learning path's pure rules: every exercise checker passes and fails on a sandbox
snapshot, module states and the path's completion, cohort and assignment input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jalon.academy.models import ASSIGNMENT_KINDS
from jalon.academy.path import exercises, rules
from jalon.academy.path.exercises import ItemSnap, NodeSnap, Workspace
from jalon.errors import Invalid

T = datetime(2027, 1, 1, tzinfo=UTC)


def _failed(module: str, workspace: Workspace) -> list[str]:
    return [c.code for c in exercises.check(module, workspace) if not c.passed]


def test_every_module_has_a_checker_and_a_lesson_key() -> None:
    assert set(exercises.CHECKERS) == set(rules.MODULE_KEYS)
    assert len(rules.MODULES) == 9
    for module in rules.MODULES:
        assert exercises.check(module.key, Workspace())  # at least one criterion
        assert not exercises.passed(exercises.check(module.key, Workspace()))


def test_product_vision_needs_a_measurable_goal() -> None:
    vision = "For small agencies billing by the hour, a tool that gets invoices paid " * 2
    vague = Workspace(vision=vision, target_users="Agency owners", product_goal="Grow a lot")
    assert _failed("product-vision", vague) == ["goal_measurable"]
    measured = Workspace(vision=vision, target_users="x", product_goal="Halve late payments soon")
    assert _failed("product-vision", measured) == ["goal_measurable"]  # no number
    ok = Workspace(vision=vision, target_users="x", product_goal="Cut late payments by 50%")
    assert _failed("product-vision", ok) == []
    assert _failed("product-vision", Workspace(vision="Too short")) == [
        "vision", "target_users", "goal", "goal_measurable"
    ]  # fmt: skip


def _scored(order: list[float]) -> list[ItemSnap]:
    return [ItemSnap(n, f"item {n}", rank=f"a{n:02d}", wsjf=w) for n, w in enumerate(order)]


def test_wsjf_order_uses_kendall_tau() -> None:
    assert exercises.wsjf_agreement(_scored([8, 7, 2.25, 2, 1.4, 1, 0.5])) == pytest.approx(1.0)
    tied = exercises.wsjf_agreement(_scored([8, 7, 2.25, 2, 2, 1.4, 1, 0.5]))  # the seeded ties
    assert tied is not None and tied >= exercises.MIN_TAU
    assert exercises.wsjf_agreement(_scored([0.5, 1, 2, 8])) == pytest.approx(-1.0)
    one_swap = _scored([8, 7, 2.25, 2, 1.4, 1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    one_swap[0], one_swap[1] = (
        ItemSnap(0, "a", rank="a01", wsjf=8), ItemSnap(1, "b", rank="a00", wsjf=7)
    )  # fmt: skip
    tau = exercises.wsjf_agreement(one_swap)
    assert tau is not None and 0.9 <= tau < 1
    comment = (0, "Retries first: each day of delay costs our customers real money today.")
    in_order = Workspace(items=_scored([8, 7, 2]), comments=[comment])
    assert _failed("needs-prioritisation", in_order) == []
    reversed_ = Workspace(items=_scored([2, 7, 8]), comments=[(0, "too short")])
    assert _failed("needs-prioritisation", reversed_) == ["wsjf_order", "trade_off"]
    unscored_comment = Workspace(
        items=[*_scored([8, 7]), ItemSnap(9, "x")], comments=[(9, comment[1])]
    )
    assert _failed("needs-prioritisation", unscored_comment) == ["trade_off"]


GOOD_STORY = dict(
    type="story",
    description="As an accountant I want to see failed payments so that I can call the client",
    acceptance_criteria="Given a failed payment, the list shows it within one minute",
)


def test_backlog_scrum_counts_only_own_stories_without_quality_hints() -> None:
    good = [ItemSnap(n, f"Failed payments list {n}", **GOOD_STORY) for n in range(3)]  # type: ignore[arg-type]
    assert _failed("backlog-scrum", Workspace(items=good)) == []
    seeded = [ItemSnap(n, "Seeded", seeded=True, **GOOD_STORY) for n in range(3)]  # type: ignore[arg-type]
    assert _failed("backlog-scrum", Workspace(items=seeded)) == ["stories", "quality"]
    vague = [*good[:2], ItemSnap(5, "Fast and intuitive export", type="story")]
    criteria = exercises.check("backlog-scrum", Workspace(items=vague))
    assert [c.code for c in criteria if not c.passed] == ["quality"]
    details = criteria[1].details
    assert details and all(title == "Fast and intuitive export" for title, _ in details)


def test_design_thinking_needs_a_tree_and_a_persona() -> None:
    tree = [
        NodeSnap(1, None, "outcome"), NodeSnap(2, 1, "opportunity"), NodeSnap(3, 1, "opportunity"),
        NodeSnap(4, 3, "solution"),
    ]  # fmt: skip
    persona = [("Camille", "Get paid on time", "Chasing clients by phone")]
    assert _failed("design-thinking", Workspace(nodes=tree, personas=persona)) == []
    assert _failed("design-thinking", Workspace(nodes=tree[:3], personas=[("C", "goal", "")])) == [
        "solution", "persona"
    ]  # fmt: skip
    lone = [NodeSnap(1, None, "outcome"), NodeSnap(2, 1, "opportunity"), NodeSnap(4, 2, "solution")]
    assert _failed("design-thinking", Workspace(nodes=lone, personas=persona)) == ["outcome"]


def test_market_watch_kpis_csr_stakeholders_and_facilitation() -> None:
    assert _failed("market-watch", Workspace(feeds=1, watchlist_keywords=[["a"], ["b", " "]])) == [
        "watchlist"
    ]  # fmt: skip
    assert _failed("market-watch", Workspace(feeds=1, watchlist_keywords=[["rgaa", "dsp2"]])) == []
    kpis = Workspace(hypothesis_signals=["30% of trials convert"], experiments=[("conversion", 30)])
    assert _failed("product-kpis", kpis) == []
    vague = Workspace(hypothesis_signals=["people like it"], experiments=[("", 1.0)])
    assert _failed("product-kpis", vague) == ["hypothesis", "experiment"]
    dod = ["Respecte le RGAA niveau AA", "Poids de page sous 1 Mo (RGESN)"]
    assert _failed("csr-ethics", Workspace(definition_of_done=dod)) == []
    assert _failed("csr-ethics", Workspace(definition_of_done=["Écran d'accessibilité"])) == [
        "eco_design"
    ]  # fmt: skip
    same = [(1, 10, 2), (2, 11, 2), (3, 12, 2)]
    assert _failed("stakeholders", Workspace(feedback_links=same)) == ["importance"]
    mixed = [(1, 10, 3), (2, 11, 2), (2, 12, 1)]
    assert _failed("stakeholders", Workspace(feedback_links=mixed)) == ["links"]
    retro = Workspace(retro_cards=[1, 3], retro_actions_owned=[False, True])
    assert _failed("facilitation", retro) == []
    assert _failed("facilitation", Workspace(retro_cards=[2], retro_actions_owned=[False])) == [
        "cards", "action"
    ]  # fmt: skip


def test_module_states_and_completion() -> None:
    done = {"product-vision": (T, T), "market-watch": (T, None)}
    states = rules.module_states(done, {"product-vision": 80.0, "market-watch": 100.0})
    by_key = {s.key: s for s in states}
    assert by_key["product-vision"].status == rules.COMPLETE
    assert by_key["market-watch"].status == rules.IN_PROGRESS
    assert by_key["facilitation"].status == rules.NOT_STARTED
    assert rules.percent_complete(states) == round(100 * 5 / 27)
    assert not rules.path_complete(states)
    almost = rules.module_states(
        {k: (T, T) for k in rules.MODULE_KEYS}, dict.fromkeys(rules.MODULE_KEYS, 79.9)
    )
    assert rules.modules_complete(almost) == 0
    every = rules.module_states(
        {k: (T, T) for k in rules.MODULE_KEYS}, dict.fromkeys(rules.MODULE_KEYS, 80.0)
    )
    assert rules.path_complete(every) and rules.percent_complete(every) == 100
    assert rules.completed_on(every) == T


def test_cohort_and_assignment_input() -> None:
    assert rules.ASSIGNMENT_KINDS == ASSIGNMENT_KINDS
    assert rules.check_cohort_name("  a   b ") == "a b"
    with pytest.raises(Invalid):
        rules.check_cohort_name(" ")
    assert rules.check_assignment("scenario", "saas", scenario_keys=["saas"]) == (
        "scenario",
        "saas",
    )
    assert rules.check_assignment("quiz", "mock", scenario_keys=[]) == ("quiz", "mock")
    for kind, ref in (("quiz", "final"), ("scenario", "saas"), ("homework", "x")):
        with pytest.raises(Invalid):
            rules.check_assignment(kind, ref, scenario_keys=[])
    with pytest.raises(Invalid) as bad:
        rules.parse_due("01/03/2027")
    assert "due_on" in bad.value.fields
    assert rules.assignment_done("quiz", "mock", modules_done=set(), scenarios_finished=set(),
                                 mocks_taken=1, practice_answers=0)  # fmt: skip
    assert not rules.assignment_done("module", "csr-ethics", modules_done={"market-watch"},
                                     scenarios_finished=set(), mocks_taken=0,
                                     practice_answers=0)  # fmt: skip
