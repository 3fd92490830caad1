"""Lifecycle rules: pure, instant."""

from __future__ import annotations

import pytest

from jalon.errors import Conflict, Invalid
from jalon.products import rules
from jalon.products.rules import Stage


def test_stages_are_in_lifecycle_order() -> None:
    assert [s.value for s in rules.STAGE_ORDER] == [
        "idea",
        "discovery",
        "delivery",
        "launched",
        "mature",
        "sunsetting",
        "retired",
    ]


@pytest.mark.parametrize("current", [s for s in Stage if s != Stage.RETIRED])
def test_every_live_stage_can_start_sunsetting_and_move_on(current: Stage) -> None:
    allowed = rules.allowed_transitions(current)
    if current != Stage.SUNSETTING:
        assert Stage.SUNSETTING in allowed
    index = rules.STAGE_ORDER.index(current)
    assert rules.STAGE_ORDER[index + 1] in allowed


def test_retired_is_terminal() -> None:
    assert rules.allowed_transitions(Stage.RETIRED) == ()
    for target in Stage:
        with pytest.raises(Conflict) as exc:
            rules.check_transition(Stage.RETIRED, target, "because")
        assert str(exc.value) == "This product is retired; retirement is final."


def test_refused_transition_names_the_allowed_ones() -> None:
    with pytest.raises(Conflict) as exc:
        rules.check_transition(Stage.IDEA, Stage.LAUNCHED, "")
    assert str(exc.value) == (
        "A product cannot move from idea to launched; allowed: discovery, sunsetting."
    )
    assert exc.value.fields == {"stage": str(exc.value)}


def test_sunsetting_requires_a_reason() -> None:
    with pytest.raises(Invalid) as exc:
        rules.check_transition(Stage.MATURE, Stage.SUNSETTING, "  \n ")
    assert set(exc.value.fields) == {"reason"}
    assert rules.check_transition(Stage.MATURE, Stage.SUNSETTING, " Superseded ") == "Superseded"


def test_other_transitions_take_an_optional_reason() -> None:
    assert rules.check_transition(Stage.IDEA, Stage.DISCOVERY, "") == ""
    assert rules.check_transition(Stage.SUNSETTING, Stage.MATURE, "Reprieve") == "Reprieve"


def test_overlong_reason_is_refused() -> None:
    with pytest.raises(Invalid):
        rules.check_transition(Stage.IDEA, Stage.DISCOVERY, "x" * (rules.MAX_REASON + 1))


def test_unknown_stage_lists_the_stages() -> None:
    with pytest.raises(Invalid) as exc:
        rules.parse_stage("shipped")
    assert "idea, discovery" in str(exc.value)
    assert rules.parse_stage("mature") is Stage.MATURE


def test_product_field_problems() -> None:
    assert rules.product_field_problems({"name": "Atlas", "vision": "v"}) == {}
    problems = rules.product_field_problems({"name": "  ", "vision": "x" * 5001})
    assert set(problems) == {"name", "vision"}
    assert problems["vision"] == "Use at most 5000 characters."
    assert rules.product_field_problems({"vision": "only vision"}) == {}
