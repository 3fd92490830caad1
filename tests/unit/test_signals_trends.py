"""The trend test of themes, checked against values computed by hand and by scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import betainc
from scipy.stats import false_discovery_control, nbinom, norm, poisson

from jalon.signals import trends


def test_emerging_p_is_the_negative_binomial_tail_of_the_baseline() -> None:
    # Baseline of 6 weeks with 15 feedback; 2 recent weeks with 11. With φ = 1 the recent
    # total is NB(size = 15 + ½, p = 6 / 8), and the p-value is P(X ≥ 11).
    baseline, recent = [2, 3, 1, 4, 2, 3], [5, 6]
    assert trends.dispersion(baseline) == 1.0
    assert trends.emerging_p(baseline, recent) == pytest.approx(nbinom.sf(10, 15.5, 0.75))


def test_a_new_theme_is_tested_by_hand() -> None:
    # No feedback in 23 weeks, then 2 in the last 3: size ½, p = 23/26.
    # P(X ≥ 2) = 1 − p^½ − ½·p^½·(1 − p), computed by hand.
    p = 23 / 26
    by_hand = 1 - math.sqrt(p) - 0.5 * math.sqrt(p) * (1 - p)
    assert trends.emerging_p([0] * 23, [0, 1, 1]) == pytest.approx(by_hand)
    assert by_hand == pytest.approx(0.0052, abs=1e-4)


def test_overdispersion_is_the_variance_over_the_mean() -> None:
    counts = [0, 8, 1, 0, 12, 2, 0, 9]
    mean, var = np.mean(counts), np.var(counts, ddof=1)
    assert trends.dispersion(counts) == pytest.approx(var / mean)
    assert trends.dispersion([3, 3, 3, 3]) == 1.0  # less than Poisson: no correction
    assert trends.dispersion([1, 2]) == 1.0  # too few weeks to estimate it


def test_dispersion_scales_the_counts_of_the_test() -> None:
    baseline, recent = [0, 8, 1, 0, 12, 2, 0, 9, 1, 7], [9, 0, 10]
    phi = trends.dispersion(baseline)
    size, share = sum(baseline) / phi + 0.5, 3 / 13
    # The continuous NB tail equals the regularised incomplete beta I_share(x/φ, size).
    assert trends.emerging_p(baseline, recent) == pytest.approx(betainc(19 / phi, size, share))
    # Without the correction the same weeks would look far more surprising.
    assert trends.emerging_p(baseline, recent) > 5 * poisson.sf(18, sum(baseline) / 10 * 3)


def test_the_irls_fit_is_the_poisson_maximum_likelihood() -> None:
    counts = [1, 1, 2, 1, 2, 1, 1, 2, 1, 2, 1, 2, 1, 1, 2, 2, 1, 2, 3, 4, 6, 8, 11, 15, 20, 27]
    x = trends._design(len(counts), len(counts) - trends.GROWTH)
    fitted = trends.poisson_fit(counts, x)
    assert fitted is not None
    beta, cov = fitted
    y = np.asarray(counts, dtype=float)

    def nll(b: np.ndarray) -> float:
        eta = x @ b
        return float(np.sum(np.exp(eta) - y * eta))

    reference = minimize(nll, np.zeros(3), method="BFGS", options={"gtol": 1e-10}).x
    assert beta == pytest.approx(reference, abs=1e-4)
    # The covariance is the inverse Fisher information at the optimum.
    mu = np.exp(x @ beta)
    assert cov == pytest.approx(np.linalg.inv(x.T @ (x * mu[:, None])))


def test_acceleration_is_a_one_sided_wald_test_of_the_hinge() -> None:
    counts = [1, 1, 2, 1, 2, 1, 1, 2, 1, 2, 1, 2, 1, 1, 2, 2, 1, 2, 3, 4, 6, 8, 11, 15, 20, 27]
    p, before, after = trends.acceleration(counts)
    x = trends._design(len(counts), len(counts) - trends.GROWTH)
    beta, cov = trends.poisson_fit(counts, x)  # type: ignore[misc]
    mu = np.exp(x @ beta)
    phi = max(1.0, float(np.sum((np.asarray(counts) - mu) ** 2 / mu)) / (len(counts) - 3))
    assert p == pytest.approx(norm.sf(beta[2] / math.sqrt(phi * cov[2, 2])))
    assert p < 1e-4
    assert after > 0.3 > before  # +40 %/week after the hinge, a few % before


def test_benjamini_hochberg_matches_scipy_and_a_hand_example() -> None:
    assert trends.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.02, 0.04, 0.04, 0.02]
    )
    ps = [0.001, 0.2, 0.03, 0.5, 0.012, 0.04, 0.9]
    assert trends.benjamini_hochberg(ps) == pytest.approx(list(false_discovery_control(ps)))
    assert trends.benjamini_hochberg([]) == []


def test_a_flat_series_flags_nothing() -> None:
    assessed = trends.assess({1: [3] * 26, 2: [0] * 26, 3: [5, 6] * 13})
    assert not any(t.emerging or t.accelerating for t in assessed.values())
    assert assessed[2].p_emerging == 1.0  # nothing at all: nothing to test


def test_a_step_up_is_emerging() -> None:
    rng = np.random.default_rng(7)
    quiet = {k: list(rng.poisson(2, 26)) for k in range(2, 12)}
    step = [int(c) for c in rng.poisson(2, 23)] + [8, 9, 10]
    assessed = trends.assess({1: step, **quiet})
    assert assessed[1].emerging
    assert assessed[1].recent == 27 and assessed[1].ratio is not None and assessed[1].ratio > 3
    assert not any(assessed[k].emerging for k in quiet)


def test_a_new_theme_with_a_burst_is_emerging_but_a_lone_message_is_not() -> None:
    assessed = trends.assess({1: [0] * 23 + [2, 3, 4], 2: [0] * 25 + [1], 3: [2] * 26})
    assert assessed[1].emerging and assessed[1].is_new
    assert not assessed[2].emerging
    assert not assessed[1].accelerating  # a new theme has no growth rate to compare with


def test_a_rising_growth_rate_is_accelerating() -> None:
    steady = [4] * 26
    growing = [2] * 18 + [3, 4, 6, 8, 11, 15, 20, 27]
    assessed = trends.assess({1: steady, 2: growing})
    assert assessed[2].accelerating and not assessed[1].accelerating


def test_an_over_dispersed_noisy_series_does_not_false_alarm() -> None:
    bursty = [0, 9, 1, 0, 12, 2, 0, 10, 1, 0, 11, 0, 1, 9, 0, 2, 13, 0, 1, 8, 0, 1, 12, 0, 10, 1]
    alone = trends.measure(bursty)
    assert alone.dispersion > 4
    assert alone.p_emerging > 0.05 and alone.p_accelerating > 0.05
    # 200 themes of pure negative-binomial noise (mean 4, variance 24): after the
    # Benjamini–Hochberg adjustment almost none is flagged.
    rng = np.random.default_rng(2026)
    noise = {k: list(rng.negative_binomial(0.8, 0.8 / 4.8, 26)) for k in range(200)}
    assessed = trends.assess(noise)
    assert sum(t.emerging for t in assessed.values()) <= 2
    assert sum(t.accelerating for t in assessed.values()) <= 2


def test_a_burst_well_above_a_bursty_baseline_still_shows() -> None:
    bursty = [0, 9, 1, 0, 12, 2, 0, 10, 1, 0, 11, 0, 1, 9, 0, 2, 13, 0, 1, 8, 0, 1, 12]
    assessed = trends.assess({1: [*bursty, 60, 70, 80], 2: [4] * 26})
    assert assessed[1].emerging
