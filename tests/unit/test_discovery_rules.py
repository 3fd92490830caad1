"""Discovery rules: the tree's levels, hypotheses, experiments and their evaluation, and the
A/B statistics checked against known values (scipy.stats as the reference)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats as sp

from jalon.discovery import rules, stats
from jalon.errors import Invalid


@pytest.mark.parametrize(
    ("kind", "parent", "ok"),
    [
        ("outcome", None, True),
        ("opportunity", "outcome", True),
        ("solution", "opportunity", True),
        ("assumption", "solution", True),
        ("outcome", "outcome", False),
        ("opportunity", None, False),
        ("solution", "outcome", False),
        ("assumption", "opportunity", False),
        ("opportunity", "solution", False),
    ],
)
def test_a_parent_is_of_the_level_above(kind: str, parent: str | None, ok: bool) -> None:
    if ok:
        rules.check_parent(kind, parent)
    else:
        with pytest.raises(Invalid) as caught:
            rules.check_parent(kind, parent)
        assert "parent_id" in caught.value.fields


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        rules.parent_kind("epic")
    assert "kind" in caught.value.fields


def test_build_tree_nests_and_orders_siblings() -> None:
    rows = [
        rules.Node(4, 2, "solution", "S", 1),
        rules.Node(1, None, "outcome", "O", 1),
        rules.Node(3, 1, "opportunity", "B", 2),
        rules.Node(2, 1, "opportunity", "A", 1),
        rules.Node(9, 77, "solution", "orphan", 1),
    ]
    roots = rules.build_tree(rows)
    assert [r.id for r in roots] == [1, 9]  # an orphan is shown, not lost
    assert [c.id for c in roots[0].children] == [2, 3]
    assert [c.id for c in roots[0].children[0].children] == [4]


def test_node_fields_are_checked_together() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_node({"title": "  ", "importance": "1.5", "evidence": "x"})
    assert set(caught.value.fields) == {"title", "importance", "evidence"}
    clean = rules.clean_node({"title": " Fewer  steps ", "importance": "0.8", "evidence": ""})
    assert clean == {"title": "Fewer steps", "importance": 0.8, "evidence": None}


def test_test_first_is_important_with_little_evidence() -> None:
    assert rules.is_test_first(0.9, 0.1)
    assert not rules.is_test_first(0.9, 0.7)
    assert not rules.is_test_first(0.2, 0.1)
    assert not rules.is_test_first(None, 0.1)


def test_a_hypothesis_needs_its_four_parts() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_hypothesis({"capability": "one-click export", "people": " "})
    assert set(caught.value.fields) == {"people", "outcome", "signal"}
    clean = rules.clean_hypothesis(
        {"capability": "a", "people": "b", "outcome": "c", "signal": "d"}
    )
    assert rules.HYPOTHESIS_TEMPLATE.format(**clean) == (
        "We believe a for b will result in c. We will know when d."
    )


PLAN = {
    "title": "Pricing page test",
    "method": "survey",
    "metric": "sign-ups",
    "unit": "%",
    "operator": ">=",
    "threshold": "12.5",
}


def test_an_experiment_plan_is_cleaned() -> None:
    clean = rules.clean_experiment({**PLAN, "threshold": "12,5", "starts_on": "2026-01-05"})
    assert clean["threshold"] == 12.5
    assert clean["starts_on"] == date(2026, 1, 5)
    assert clean["alpha"] == 0.05


def test_a_bad_plan_gets_a_message_per_field() -> None:
    bad = {
        **PLAN,
        "threshold": "a lot",
        "operator": "~",
        "method": "guess",
        "starts_on": "2026-02-10",
        "ends_on": "2026-02-01",
        "title": "",
    }
    with pytest.raises(Invalid) as caught:
        rules.clean_experiment(bad)
    assert set(caught.value.fields) == {"threshold", "operator", "method", "ends_on", "title"}


def _plan(**extra: object) -> dict[str, object]:
    return {**rules.clean_experiment(PLAN), "result_unit": "%", **extra}


@pytest.mark.parametrize(
    ("operator", "result", "met"),
    [
        (">=", 12.5, True),
        (">=", 12.4, False),
        (">", 12.5, False),
        ("<", 3, True),
        ("<=", 12.5, True),
        ("=", 12.5, True),
        ("=", 12.6, False),
    ],
)
def test_a_result_is_judged_against_the_threshold(operator: str, result: float, met: bool) -> None:
    verdict = rules.evaluate(_plan(operator=operator, result=result))
    assert verdict.met is met
    assert verdict.result == result


def test_an_experiment_that_cannot_be_evaluated_says_why_per_field() -> None:
    with pytest.raises(Invalid) as caught:
        rules.evaluate(_plan(result=None))
    assert set(caught.value.fields) == {"result"}
    with pytest.raises(Invalid) as caught:
        rules.evaluate(_plan(result=14.0, result_unit="users"))
    assert set(caught.value.fields) == {"result_unit"}
    assert "'users'" in caught.value.fields["result_unit"]
    dates = {"starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 1)}
    with pytest.raises(Invalid) as caught:
        rules.evaluate(_plan(result=14.0, threshold=math.nan, **dates))
    assert set(caught.value.fields) == {"threshold", "ends_on"}


def test_an_ab_experiment_needs_significance_and_the_minimum_lift() -> None:
    ab = {**_plan(), "method": "ab_test", "threshold": 20.0}
    counts = {"control_n": 1000, "control_conversions": 100, "variant_n": 1000}
    assert rules.evaluate({**ab, **counts, "variant_conversions": 130}).met  # +30 %, p 0.035
    assert not rules.evaluate({**ab, **counts, "variant_conversions": 115}).met  # p 0.28
    strict = {**ab, "threshold": 40.0, **counts, "variant_conversions": 130}
    verdict = rules.evaluate(strict)
    assert not verdict.met and verdict.result == pytest.approx(30.0)
    with pytest.raises(Invalid) as caught:
        rules.evaluate({**ab, "control_n": 1000})
    assert set(caught.value.fields) == {"control_conversions", "variant_n", "variant_conversions"}


def test_a_decision_needs_a_choice_and_a_rationale() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_decision({"decision": "maybe", "rationale": " "})
    assert set(caught.value.fields) == {"decision", "rationale"}
    assert rules.clean_decision(
        {"decision": "pivot", "rationale": "Too few", "items": "Try a wizard\n\n  Survey  again "}
    ) == ("pivot", "Too few", ["Try a wizard", "Survey again"])


# --- A/B statistics against known values -----------------------------------------------------


def test_two_proportion_test_matches_the_textbook() -> None:
    found = stats.two_proportion_test(
        control_n=1000, control_conversions=100, variant_n=1000, variant_conversions=130
    )
    pooled = 230 / 2000
    z = 0.03 / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert found.z == pytest.approx(z, rel=1e-12)
    assert found.z == pytest.approx(2.1027, abs=1e-4)
    assert found.p_value == pytest.approx(2 * sp.norm.sf(z), rel=1e-9)
    assert found.p_value == pytest.approx(0.03549, abs=1e-5)
    se = math.sqrt(0.1 * 0.9 / 1000 + 0.13 * 0.87 / 1000)
    margin = sp.norm.ppf(0.975) * se
    assert (found.ci_low, found.ci_high) == pytest.approx((0.03 - margin, 0.03 + margin))
    assert found.relative_lift == pytest.approx(0.3)
    assert found.significant


def test_two_proportion_test_is_symmetric_and_respects_alpha() -> None:
    a = stats.two_proportion_test(
        control_n=500, control_conversions=60, variant_n=520, variant_conversions=48
    )
    b = stats.two_proportion_test(
        control_n=520, control_conversions=48, variant_n=500, variant_conversions=60
    )
    assert a.z == pytest.approx(-b.z) and a.p_value == pytest.approx(b.p_value)
    strict = stats.two_proportion_test(
        control_n=1000,
        control_conversions=100,
        variant_n=1000,
        variant_conversions=130,
        alpha=0.01,
    )
    assert not strict.significant
    assert strict.ci_low < 0 < strict.ci_high  # the 99 % interval crosses zero


def test_sample_size_matches_the_classic_formula() -> None:
    # 10 % → 12 %, alpha 0.05 two-sided, power 0.8: 3,841 per arm (Fleiss, no correction).
    plan = stats.sample_size(baseline=0.10, effect=0.02, alpha=0.05, power=0.8)
    assert plan.per_arm == 3841 and plan.total == 7682
    za, zb = sp.norm.ppf(0.975), sp.norm.ppf(0.9)
    p1, p2 = 0.2, 0.25
    expected = za * math.sqrt(2 * 0.225 * 0.775) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    assert stats.sample_size(baseline=0.2, effect=0.05, power=0.9).per_arm == math.ceil(
        expected**2 / 0.05**2
    )
    assert stats.sample_size(baseline=0.2, effect=-0.05).per_arm > 0  # a drop is detectable too


@pytest.mark.parametrize(
    ("counts", "fields"),
    [
        ((0, 0, 10, 1), {"control_n"}),
        ((10, 11, 10, 1), {"control_conversions"}),
        ((10, 1, 10, -1), {"variant_conversions"}),
        ((-5, 1, 0, 0), {"control_n", "variant_n"}),
    ],
)
def test_bad_ab_counts_are_refused_per_field(counts: tuple[int, ...], fields: set[str]) -> None:
    n1, x1, n2, x2 = counts
    with pytest.raises(Invalid) as caught:
        stats.two_proportion_test(
            control_n=n1, control_conversions=x1, variant_n=n2, variant_conversions=x2
        )
    assert set(caught.value.fields) == fields


def test_bad_plans_are_refused_per_field() -> None:
    with pytest.raises(Invalid) as caught:
        stats.sample_size(baseline=1.2, effect=0, alpha=0, power=1)
    assert set(caught.value.fields) == {"baseline", "effect", "alpha", "power"}
    with pytest.raises(Invalid) as caught:
        stats.sample_size(baseline=0.95, effect=0.1)
    assert set(caught.value.fields) == {"effect"}
