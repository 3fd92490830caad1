"""Pure pieces around the prioritisation rules: partial inputs, the order a model gives,
what a custom formula may read, and the value/effort chart's geometry."""

from __future__ import annotations

import pytest

from jalon.errors import Invalid
from jalon.prioritisation import chart, rules, vocabulary
from jalon.prioritisation.models import TYPED_COLUMNS, TYPED_INPUTS
from jalon.prioritisation.ranking import ordered_by_score


def test_partial_inputs_keep_what_is_filled_and_name_what_is_missing() -> None:
    values, missing = rules.validate_some("rice", {"reach": "120", "impact": "", "effort": "2,5"})
    assert values == {"reach": 120.0, "effort": 2.5}
    assert missing == ("impact", "confidence")
    assert (
        rules.validate_some("rice", {"reach": 1, "impact": 1, "confidence": 1, "effort": 1})[1]
        == ()
    )
    with pytest.raises(Invalid) as caught:
        rules.validate_some("rice", {"reach": "-3", "confidence": "80", "budget": 1})
    assert set(caught.value.fields) == {"reach", "confidence", "budget"}


def test_a_model_order_keeps_ties_and_unscored_items_in_their_current_order() -> None:
    current = [(1, None), (2, 5.0), (3, 9.0), (4, 5.0), (5, None), (6, float("nan"))]
    assert ordered_by_score(current) == [3, 2, 4, 1, 5, 6]
    assert ordered_by_score([]) == []


def test_formula_names_are_model_scores_and_prefixed_inputs() -> None:
    assert {"rice", "wsjf", "rice_reach", "wsjf_job_size", "value_effort_value"} <= set(
        vocabulary.NAMES
    )
    assert "moscow_moscow" not in vocabulary.NAMES  # categories read as their score
    scores = {"rice": ({"reach": 800.0, "effort": 4.0}, 320.0), "wsjf": ({}, None)}
    names = frozenset({"rice", "rice_reach", "wsjf", "ice"})
    assert vocabulary.values_of(names, scores) == {"rice": 320.0, "rice_reach": 800.0}
    assert vocabulary.models_read(names) == {"rice", "wsjf", "ice"}


@pytest.mark.parametrize(
    ("name", "key"),
    [("Weighted value (2026)", "weighted_value_2026"), ("Été 2026", "ete_2026"), ("42", "f_42")],
)
def test_formula_keys_come_from_names(name: str, key: str) -> None:
    assert vocabulary.make_key(name) == key
    assert vocabulary.check_key(key) == key


def test_keys_that_could_be_confused_are_refused() -> None:
    for bad in ("rice", "Has Space", "", "9lives", "x" * 41):
        with pytest.raises(Invalid):
            vocabulary.check_key(bad)


def test_quadrants_split_at_the_medians() -> None:
    layout = chart.layout(
        [(1, "cheap gem", 9, 1), (2, "costly gem", 9, 9), (3, "cheap dud", 1, 1), (4, "dud", 1, 9)]
    )
    assert [p.quadrant for p in layout.points] == ["quick_win", "big_bet", "fill_in", "time_sink"]
    assert layout.counts == {"quick_win": 1, "big_bet": 1, "fill_in": 1, "time_sink": 1}
    gem, costly = layout.points[0], layout.points[1]
    assert gem.x < layout.split_x < costly.x and gem.y < layout.split_y  # up is valuable
    assert [label for _x, label in layout.x_ticks] == ["0", "2.5", "5", "7.5", "10"]
    assert costly.anchor == "end" and gem.anchor == "start"  # labels stay inside the chart


def test_an_empty_chart_has_no_points() -> None:
    layout = chart.layout([])
    assert layout.points == [] and layout.counts["quick_win"] == 0


def test_typed_input_columns_follow_each_models_numeric_inputs() -> None:
    """`item_scores.input_<n>` (migration 0022) holds the n-th numeric input of each built-in
    model: if a model's inputs change, this fails until a migration follows."""
    expected = {
        key: tuple(i.name for i in spec.inputs if not i.categorical)
        for key, spec in rules.MODELS.items()
    }
    assert {key: names for key, names in expected.items() if names} == TYPED_INPUTS
    assert max(len(names) for names in TYPED_INPUTS.values()) == len(TYPED_COLUMNS)
    for name, source in vocabulary.NAMES.items():
        if source.input is not None:
            assert source.input in TYPED_INPUTS[source.model], name
