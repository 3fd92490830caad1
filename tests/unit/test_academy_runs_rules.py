"""Pure rules of a run: how opportunities show as backlog items, and how a turn's form reads."""

from __future__ import annotations

import pytest

from jalon.academy.runs import rules
from jalon.errors import Invalid


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(1, 2, 2.0), (3, 5, 5.0), (4, 6, 5.0), (10, 16, 13.0), (0, 0, 0.5), (30, 50, 40.0)],
)
def test_points_are_the_deck_value_nearest_the_middle(
    low: float, high: float, expected: float
) -> None:
    assert rules.points(low, high) == expected


def test_the_value_hint_is_the_middle_of_the_visible_range() -> None:
    assert rules.value_hint(6, 12) == 9.0
    assert rules.value_hint(2.5, 2.5) == 2.5


def test_item_status_follows_the_engine_and_refinement() -> None:
    assert rules.item_status("backlog", refined=False) == "new"
    assert rules.item_status("backlog", refined=True) == "ready"
    assert rules.item_status("done", refined=True) == "done"
    assert rules.item_status("released", refined=False) == "done"
    assert rules.item_status("retired", refined=False) == "rejected"


def test_kinds_become_item_types() -> None:
    assert rules.item_type("tech-debt") == "tech_debt"
    assert rules.item_type("Story") == "story"


@pytest.mark.parametrize(("raw", "seed"), [("", None), (None, None), (" 42 ", 42), (0, 0)])
def test_seeds(raw: object, seed: int | None) -> None:
    assert rules.parse_seed(raw) == seed


@pytest.mark.parametrize("raw", ["-1", "abc", str(2**31), True, "1.5"])
def test_bad_seeds_name_the_field(raw: object) -> None:
    with pytest.raises(Invalid) as caught:
        rules.parse_seed(raw)
    assert set(caught.value.fields) == {"seed"}


def test_a_turn_form_reads_as_decisions() -> None:
    form = [
        ("csrf_token", "x"), ("refine", "a"), ("refine", "b"), ("refine", "a"), ("plan", "c"),
        ("goal", "  Ship the onboarding  "), ("pay_debt", "3"), ("answer.scope", "decline"),
        ("answer.empty", ""),
    ]  # fmt: skip
    assert rules.form_decisions(form) == {
        "refine": ["a", "b"], "plan": ["c"], "goal": "Ship the onboarding",
        "answers": {"scope": "decline"}, "pay_debt": 3,
    }  # fmt: skip


def test_points_of_debt_must_be_whole() -> None:
    with pytest.raises(Invalid) as caught:
        rules.form_decisions([("pay_debt", "two")])
    assert set(caught.value.fields) == {"pay_debt"}
    assert rules.form_decisions([("pay_debt", "")])["pay_debt"] == 0


def test_engine_problems_give_one_message_per_field() -> None:
    problems = [("goal", "Set a Sprint Goal."), ("plan", "Plan one."), ("goal", "Again.")]
    assert rules.field_errors(problems) == {"goal": "Set a Sprint Goal.", "plan": "Plan one."}
    assert rules.field_errors([("", "Something")]) == {"decisions": "Something"}


def test_an_order_puts_the_wanted_keys_on_top() -> None:
    assert rules.merged_order(["a", "b", "c", "d"], ["c", "zz", "a", "c"]) == ["c", "a", "b", "d"]
    assert rules.merged_order(["a", "b"], []) == ["a", "b"]


class _Text:
    en, fr = "Hello", "Bonjour"


def test_texts_in_a_language() -> None:
    assert rules.text_in(_Text(), "fr") == "Bonjour"
    assert rules.text_in(_Text(), "de") == "Hello"
    assert rules.text_in(None, "fr") == ""
