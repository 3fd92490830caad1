"""Built-in prioritisation models, orders, rank agreement and swap suggestions: pure rules."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jalon.errors import Invalid
from jalon.prioritisation import formula as f
from jalon.prioritisation import rules

RICE_A = {"reach": 1000, "impact": 2, "confidence": 0.8, "effort": 2}  # 800
RICE_B = {"reach": 200, "impact": 1, "confidence": 0.5, "effort": 3}  # 33.3


def problems(model: str | f.Formula, inputs: dict[str, object]) -> dict[str, str]:
    with pytest.raises(Invalid) as info:
        rules.score(model, inputs)
    return {name: str(message) for name, message in info.value.fields.items()}


# --- the models ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "inputs", "value", "explanation"),
    [
        (
            "rice",
            {"reach": 8, "impact": 3, "confidence": 0.8, "effort": 5},
            3.84,
            "(8 × 3 × 0.8) / 5 = 3.84",
        ),
        ("ice", {"impact": 5, "confidence": 6, "ease": 7}, 210, "5 × 6 × 7 = 210"),
        (
            "wsjf",
            {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 4},
            4,
            "(8 + 5 + 3) / 4 = 4",
        ),
        ("value_effort", {"value": 10, "effort": 4}, 2.5, "10 / 4 = 2.5"),
        ("moscow", {"moscow": "should"}, 3, "should = 3"),
        ("kano", {"kano": "attractive"}, 2, "attractive = 2"),
    ],
)
def test_each_model_scores_and_explains(
    model: str, inputs: dict[str, object], value: float, explanation: str
) -> None:
    scored = rules.score(model, inputs)
    assert scored.value == pytest.approx(value)
    assert scored.explanation == explanation
    assert scored.formula_text == rules.MODELS[model].formula_text


def test_steps_end_with_the_score() -> None:
    scored = rules.score(
        "wsjf",
        {
            **dict.fromkeys(("business_value", "time_criticality"), 1),
            "risk_reduction": 2,
            "job_size": 2,
        },
    )
    assert [s.filled for s in scored.steps] == ["1 + 1", "1 + 1 + 2", "(1 + 1 + 2) / 2"]
    assert scored.steps[-1].value == scored.value == 2


@pytest.mark.parametrize(
    ("model", "code", "ordinal"),
    [
        *[("moscow", c, v) for c, v in (("must", 4), ("should", 3), ("could", 2), ("wont", 1))],
        ("moscow", "Won't", 1),
        ("moscow", " MUST ", 4),
        *[
            ("kano", c, v)
            for c, v in (
                ("must_be", 4),
                ("performance", 3),
                ("attractive", 2),
                ("indifferent", 1),
                ("reverse", 0),
            )
        ],
        ("kano", "Must-be", 4),
        ("kano", "must be", 4),
    ],
)
def test_categories_become_a_documented_ordinal(model: str, code: str, ordinal: float) -> None:
    assert rules.score(model, {model: code}).value == ordinal


def test_every_model_formula_reads_exactly_its_inputs() -> None:
    assert set(rules.MODELS) == {"rice", "ice", "wsjf", "value_effort", "moscow", "kano"}
    for key, spec in rules.MODELS.items():
        formula = f.parse(spec.formula_text, allowed_names={i.name for i in spec.inputs})
        assert f.variables(formula) == {i.name for i in spec.inputs}, key
        assert spec.label and all(i.label for i in spec.inputs)
        assert spec.key == key


def test_rice_impact_uses_the_intercom_scale() -> None:
    impact = rules.MODELS["rice"].inputs[1]
    assert [c.value for c in impact.choices] == [3, 2, 1, 0.5, 0.25]
    assert rules.score("rice", {**RICE_A, "impact": "0.25"}).value == 100


# --- bad inputs ------------------------------------------------------------------------------


def test_rice_inputs_are_checked_field_by_field() -> None:
    bad = {"reach": -1, "impact": 4, "confidence": 80, "effort": 0, "reahc": 5}
    assert problems("rice", bad) == {
        "reach": "Use a number of at least 0.",
        "impact": "Choose one of: 3, 2, 1, 0.5, 0.25.",
        "confidence": "Write a fraction from 0 to 1: 0.8 for 80%.",
        "effort": "Use a number above 0.",
        "reahc": "Not an input of this model; use reach, impact, confidence, effort.",
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "Required."),
        ("  ", "Required."),
        ("lots", "Enter a number."),
        (True, "Enter a number."),
        ("nan", "Enter a number."),
        (math.inf, "Enter a number."),
        ([3], "Enter a number."),
        (0, "Use a number from 1 to 10."),
        (10.5, "Use a number from 1 to 10."),
    ],
)
def test_ice_inputs(raw: object, message: str) -> None:
    assert problems("ice", {"impact": raw, "confidence": 5, "ease": 5}) == {"impact": message}


def test_numbers_may_be_text_with_a_decimal_comma() -> None:
    inputs = {"reach": " 8 ", "impact": "3", "confidence": "0,8", "effort": "5"}
    assert rules.score("rice", inputs).value == pytest.approx(3.84)


def test_categories_are_checked() -> None:
    assert problems("moscow", {"moscow": "maybe"}) == {
        "moscow": "Choose one of: must, should, could, wont."
    }


def test_messages_are_translated_with_their_labels() -> None:
    french = {
        "Choose one of: {choices}.": "Choisissez parmi : {choices}.",
        "Must have": "Indispensable",
        "Should have": "Important",
        "Could have": "Souhaitable",
        "Won't have this time": "Pas cette fois",
    }
    with pytest.raises(Invalid) as info:
        rules.score("moscow", {"moscow": "maybe"})
    fields = info.value.render_fields(lambda text: french.get(text, text))
    assert fields == {
        "moscow": "Choisissez parmi : Indispensable, Important, Souhaitable, Pas cette fois."
    }


def test_unknown_model() -> None:
    with pytest.raises(Invalid) as info:
        rules.score("rise", {})
    assert str(info.value).startswith("Unknown model 'rise'; models are rice, ice, wsjf")
    assert set(info.value.fields) == {"model"}


def test_custom_formulas_score_like_models() -> None:
    formula = f.parse("value / (effort - done)", allowed_names={"value", "effort", "done"})
    scored = rules.score(formula, {"value": 6, "effort": 5, "done": 2, "other": 1})
    assert (scored.value, scored.explanation) == (2, "6 / (5 - 2) = 2")
    assert problems(formula, {"value": 6, "effort": "x"}) == {
        "effort": "Enter a number.",
        "done": "Required.",
    }
    assert problems(formula, {"value": 6, "effort": 2, "done": 2}) == {
        "expression": "Division by zero: effort - done is 0 for this item."
    }


# --- orders and rank agreement ---------------------------------------------------------------


def test_apply_order_is_deterministic() -> None:
    scores = {5: 2.0, 3: None, 1: 2.0, 4: 9.5, 2: None, 6: -1.0, 7: math.nan}
    assert rules.apply_order(scores) == [4, 1, 5, 6, 2, 3, 7]
    assert rules.ranks(scores) == {4: 1, 1: 2, 5: 2, 6: 4, 2: 5, 3: 5, 7: 5}


def test_rank_differences_lists_the_largest_shifts_first() -> None:
    a = {1: 10.0, 2: 9.0, 3: 8.0, 4: 7.0, 5: 6.0}
    b = {1: 6.0, 2: 9.0, 3: 8.0, 4: 10.0, 5: None}
    shifts = rules.rank_differences(a, b, top=2)
    assert [(s.item_id, s.rank_a, s.rank_b, s.shift) for s in shifts] == [
        (1, 1, 4, 3),
        (4, 4, 1, -3),
    ]
    assert [s.item_id for s in rules.rank_differences(a, {**b, 2: 1.0})] == [4, 1, 2, 3]
    assert rules.rank_differences(a, a) == []


def brute_tau(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Kendall's tau-b straight from its definition, in O(n²)."""
    sign: Callable[[float], int] = lambda v: (v > 0) - (v < 0)  # noqa: E731
    pairs = list(itertools.combinations(range(len(xs)), 2))
    s = sum(sign(xs[i] - xs[j]) * sign(ys[i] - ys[j]) for i, j in pairs)
    untied_x = sum(1 for i, j in pairs if xs[i] != xs[j])
    untied_y = sum(1 for i, j in pairs if ys[i] != ys[j])
    return s / math.sqrt(untied_x * untied_y) if untied_x and untied_y else None


@pytest.mark.parametrize(
    ("xs", "ys", "tau"),
    [
        ([1, 2, 3, 4], [1, 2, 3, 4], 1.0),
        ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
        ([1, 2, 3, 4], [1, 3, 2, 4], 2 / 3),
        ([1, 1, 2], [1, 2, 2], 0.5),
        ([1, 2], [5, 5], None),
        ([1], [1], None),
        ([], [], None),
    ],
)
def test_kendall_tau_examples(xs: list[float], ys: list[float], tau: float | None) -> None:
    assert rules.kendall_tau(xs, ys) == (pytest.approx(tau) if tau is not None else None)


def test_kendall_tau_needs_paired_sequences() -> None:
    with pytest.raises(ValueError, match="same length"):
        rules.kendall_tau([1, 2], [1])


ties = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=40)


@given(ties)
def test_kendall_tau_matches_its_definition(pairs: list[tuple[int, int]]) -> None:
    xs, ys = [float(x) for x, _ in pairs], [float(y) for _, y in pairs]
    tau, expected = rules.kendall_tau(xs, ys), brute_tau(xs, ys)
    assert (tau is None) == (expected is None)
    if tau is not None:
        assert tau == pytest.approx(expected)
        assert -1 <= tau <= 1
        assert rules.kendall_tau(ys, xs) == pytest.approx(tau)  # symmetric
        assert rules.kendall_tau(xs, xs) == 1.0


def test_kendall_tau_matches_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")  # scipy is not a dependency

    @given(ties)
    def check(pairs: list[tuple[int, int]]) -> None:
        xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
        with warnings.catch_warnings():  # scipy warns about samples too small or constant
            warnings.simplefilter("ignore")
            expected = stats.kendalltau(xs, ys).statistic
        tau = rules.kendall_tau(xs, ys)
        assert tau == pytest.approx(expected) if tau is not None else math.isnan(expected)

    check()


def test_agreement_compares_items_scored_under_both_models() -> None:
    a = {1: 3.0, 2: 2.0, 3: 1.0, 4: None, 5: 7.0}
    b = {1: 30.0, 2: 20.0, 3: 10.0, 4: 5.0}
    assert rules.agreement(a, b) == 1.0
    assert rules.agreement(a, {1: 1.0, 2: 2.0, 3: 3.0}) == -1.0
    assert rules.agreement(a, {}) is None


# --- swaps -----------------------------------------------------------------------------------


def test_swap_suggestions_for_rice_read_well_and_are_minimal() -> None:
    swaps = {(s.item, s.input): s for s in rules.swap_analysis("rice", RICE_A, RICE_B)}
    reach = swaps["b", "reach"]
    assert str(reach.message()) == "Raise B's reach from 200 to 4801."
    assert reach.message(name_a="Login", name_b="Export").localise(str) == (
        "Raise Export's Reach from 200 to 4801."
    )
    assert rules.score("rice", {**RICE_B, "reach": 4800}).value == 800  # a tie is not enough
    assert str(swaps["a", "reach"].message()) == "Lower A's reach from 1000 to 41."
    assert str(swaps["a", "effort"].message()) == "Raise A's effort from 2 to 48.5."
    assert ("b", "impact") not in swaps  # even a massive impact (3) is not enough


def test_swap_suggestions_for_categories() -> None:
    swaps = rules.swap_analysis("moscow", {"moscow": "should"}, {"moscow": "could"})
    assert [str(s.message()) for s in swaps] == [
        "Lower A's moscow from should to wont.",
        "Raise B's moscow from could to must.",
    ]
    french = {"Won't have this time": "Pas cette fois", "Should have": "Important"}
    assert swaps[0].message().localise(lambda t: french.get(t, t)) == (
        "Lower A's MoSCoW from Important to Pas cette fois."
    )


def test_no_swap_is_needed_when_b_is_already_above() -> None:
    assert rules.swap_analysis("rice", RICE_B, RICE_A) == []


def _assert_swaps_apply(model: str | f.Formula, a: dict[str, float], b: dict[str, float]) -> None:
    swaps = rules.swap_analysis(model, a, b)
    for swap in swaps:
        changed = {**(a if swap.item == "a" else b), swap.input: swap.new}
        new_score = rules.score(model, changed).value  # the new value is a valid input
        other = rules.score(model, b if swap.item == "a" else a).value
        score_a, score_b = (new_score, other) if swap.item == "a" else (other, new_score)
        assert score_b > score_a
        assert (swap.score_a, swap.score_b) == (score_a, score_b)
        assert swap.up == (float(swap.new) > float(swap.old))


rice_inputs = st.fixed_dictionaries(
    {
        "reach": st.integers(0, 5000),
        "impact": st.sampled_from([0.25, 0.5, 1, 2, 3]),
        "confidence": st.sampled_from([0.5, 0.8, 1.0]),
        "effort": st.floats(0.5, 20).map(lambda v: round(v, 1)),
    }
)
wsjf_inputs = st.fixed_dictionaries(
    {
        "business_value": st.sampled_from([1, 2, 3, 5, 8, 13, 20]),
        "time_criticality": st.sampled_from([1, 2, 3, 5, 8, 13, 20]),
        "risk_reduction": st.sampled_from([0, 1, 2, 3, 5, 8]),
        "job_size": st.sampled_from([1, 2, 3, 5, 8, 13, 20]),
    }
)


@settings(max_examples=50)
@given(
    st.one_of(
        st.tuples(st.just("rice"), rice_inputs, rice_inputs),
        st.tuples(st.just("wsjf"), wsjf_inputs, wsjf_inputs),
    )
)
def test_every_swap_suggestion_really_swaps(case: tuple[str, dict[str, float], dict[str, float]]):
    model, a, b = case
    if rules.score(model, a).value < rules.score(model, b).value:
        a, b = b, a
    _assert_swaps_apply(model, a, b)


CUSTOM = f.parse(
    "value * 2 - log(effort + 1) ^ 2 + if(risk > 5, 10, 0)",
    allowed_names={"value", "effort", "risk"},
)
custom_inputs = st.fixed_dictionaries({n: st.integers(0, 100) for n in ("value", "effort", "risk")})


@settings(max_examples=50)
@given(custom_inputs, custom_inputs)
def test_swaps_of_a_custom_formula_really_swap(a: dict[str, float], b: dict[str, float]) -> None:
    if CUSTOM.evaluate(a) < CUSTOM.evaluate(b):
        a, b = b, a
    assume(CUSTOM.evaluate(a) > CUSTOM.evaluate(b))
    swaps = rules.swap_analysis(CUSTOM, a, b)
    assert {(s.item, s.input) for s in swaps} >= {("b", "value"), ("a", "value")}  # linear
    _assert_swaps_apply(CUSTOM, a, b)


def test_a_rounded_suggestion_is_checked_again() -> None:
    """B swaps only for 10.12 < x < 10.14: rounding the crossing up to 10.2 would miss it."""
    window = f.parse("if(x > 10.12, if(x < 10.14, 1, 0), 0)", allowed_names={"x"})
    swaps = rules.swap_analysis(window, {"x": 0}, {"x": 10.03})
    assert [str(s.message()) for s in swaps] == ["Raise B's x from 10.03 to 10.121."]
