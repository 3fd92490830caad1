"""The trend test of themes: which are emerging, which are accelerating (pure statistics).

Each theme is judged against its own history, never against a fixed threshold:

- **Emerging**: the last `recent` weeks hold more feedback than the theme's baseline (the
  weeks before) can explain. The baseline rate gets a Jeffreys prior (Gamma(S + ½, B)), so a
  brand-new theme is tested too; the count of the recent weeks is then negative-binomial
  (the predictive of a Poisson rate known from B weeks), and its upper tail is the p-value.
  Over-dispersion (bursty themes) is allowed for quasi-Poisson style: counts are divided by
  the baseline's dispersion φ = max(1, variance / mean) before the test.
- **Accelerating**: the weekly growth rate has risen. A Poisson log-linear regression with a
  hinge, log μ(t) = a + b·t + c·max(0, t − t₀), fitted by IRLS; the growth rate is exp(b) − 1
  per week before t₀ and exp(b + c) − 1 after; c > 0 is tested one-sided with a Wald test
  whose variance is scaled by the Pearson dispersion of the fit.

Both families of p-values are adjusted with Benjamini–Hochberg over all themes of a product,
and a theme is flagged when its adjusted value (q) is at most `fdr`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import betainc, ndtr

WEEKS = 26  # the history read for each theme
RECENT = 3  # weeks compared with the baseline (emerging)
GROWTH = 8  # weeks after the hinge (accelerating)
FDR = 0.05  # false discovery rate of each family of tests
PRIOR = 0.5  # Jeffreys prior on the baseline rate
MIN_BASELINE = 4  # fewer baseline weeks: no test
MAX_ITERATIONS = 50


@dataclass(frozen=True)
class Trend:
    """One theme's weekly volume and what the tests say about it."""

    counts: tuple[int, ...]  # weekly counts, oldest first, the last week ends now
    recent: int  # feedback in the last RECENT weeks
    expected: float  # what the baseline rate predicts for those weeks
    baseline_rate: float  # per week, before the recent weeks
    dispersion: float  # φ of the baseline (1 = Poisson)
    p_emerging: float
    p_accelerating: float
    growth_before: float | None  # weekly growth rate before the hinge (0.1 = +10 %/week)
    growth_after: float | None
    q_emerging: float = 1.0
    q_accelerating: float = 1.0
    emerging: bool = False
    accelerating: bool = False

    @property
    def is_new(self) -> bool:
        """No feedback at all before the recent weeks."""
        return self.baseline_rate == 0 and self.recent > 0

    @property
    def ratio(self) -> float | None:
        """Recent volume over the baseline's (None for a new theme)."""
        return self.recent / self.expected if self.expected > 0 else None


def dispersion(counts: Sequence[int]) -> float:
    """Variance over mean of the counts (1 when too few, or when they vary less)."""
    if len(counts) < MIN_BASELINE:
        return 1.0
    values = np.asarray(counts, dtype=float)
    mean = float(values.mean())
    if mean <= 0:
        return 1.0
    return max(1.0, float(values.var(ddof=1)) / mean)


def emerging_p(baseline: Sequence[int], recent: Sequence[int]) -> float:
    """P(recent total ≥ observed) under the theme's own baseline (see the module docstring)."""
    weeks_before, weeks_after = len(baseline), len(recent)
    observed = sum(recent)
    if weeks_before < MIN_BASELINE or weeks_after == 0 or observed <= 0:
        return 1.0
    phi = dispersion(baseline)
    size = sum(baseline) / phi + PRIOR
    share = weeks_after / (weeks_before + weeks_after)
    # P(X >= x) for X ~ NB(size, p = B/(B+k)) is the regularised I_{1-p}(x, size).
    return float(betainc(observed / phi, size, share))


def _design(n: int, hinge: int) -> np.ndarray:
    t = np.arange(n, dtype=float)
    centre = (n - 1) / 2
    return np.column_stack([np.ones(n), t - centre, np.maximum(0.0, t - hinge)])


def poisson_fit(y: Sequence[int], x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Maximum-likelihood Poisson regression (log link) by IRLS: (coefficients, covariance),
    or None when it does not converge."""
    counts = np.asarray(y, dtype=float)
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(max(counts.mean(), 1e-3))
    for _ in range(MAX_ITERATIONS):
        mu = np.exp(np.clip(x @ beta, -30, 30))
        information = x.T @ (x * mu[:, None]) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(information, x.T @ (counts - mu))
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-9:
            mu = np.exp(np.clip(x @ beta, -30, 30))
            cov = np.linalg.inv(x.T @ (x * mu[:, None]))
            return beta, cov
    return None


def acceleration(counts: Sequence[int], *, growth: int = GROWTH) -> tuple[float, float, float]:
    """(p-value that the growth rate rose, growth before, growth after) of the weekly counts.

    No test (p = 1) when either side of the hinge has no feedback: a theme that is new has no
    growth rate to compare with; the emerging test covers it.
    """
    n, hinge = len(counts), len(counts) - growth
    if hinge < MIN_BASELINE or sum(counts[:hinge]) == 0 or sum(counts[hinge:]) == 0:
        return 1.0, math.nan, math.nan
    x = _design(n, hinge)
    fitted = poisson_fit(counts, x)
    if fitted is None:
        return 1.0, math.nan, math.nan
    beta, cov = fitted
    mu = np.exp(x @ beta)
    pearson = float(np.sum((np.asarray(counts) - mu) ** 2 / mu)) / max(n - x.shape[1], 1)
    se = math.sqrt(max(pearson, 1.0) * float(cov[2, 2]))
    p = float(ndtr(-beta[2] / se)) if se > 0 else 1.0  # the normal's upper tail
    return p, math.expm1(beta[1]), math.expm1(beta[1] + beta[2])


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Adjusted p-values (q-values) controlling the false discovery rate, in input order."""
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(running, 1.0)
    return adjusted


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def measure(counts: Sequence[int], *, recent: int = RECENT, growth: int = GROWTH) -> Trend:
    """One theme's statistics before the adjustment over all themes."""
    counts = [int(c) for c in counts]
    baseline, last = list(counts[:-recent]), list(counts[-recent:])
    rate = sum(baseline) / len(baseline) if baseline else 0.0
    p_acc, before, after = acceleration(counts, growth=growth)
    return Trend(
        counts=tuple(counts),
        recent=sum(last),
        expected=rate * len(last),
        baseline_rate=rate,
        dispersion=dispersion(baseline),
        p_emerging=emerging_p(baseline, last),
        p_accelerating=p_acc,
        growth_before=_finite(before),
        growth_after=_finite(after),
    )


def assess(
    series: Mapping[int, Sequence[int]],
    *,
    recent: int = RECENT,
    growth: int = GROWTH,
    fdr: float = FDR,
) -> dict[int, Trend]:
    """Every theme's trend, flagged emerging / accelerating after Benjamini–Hochberg."""
    keys = list(series)
    measured = [measure(series[k], recent=recent, growth=growth) for k in keys]
    q_em = benjamini_hochberg([t.p_emerging for t in measured])
    q_acc = benjamini_hochberg([t.p_accelerating for t in measured])
    out: dict[int, Trend] = {}
    for key, trend, qe, qa in zip(keys, measured, q_em, q_acc, strict=True):
        out[key] = replace(
            trend,
            q_emerging=qe,
            q_accelerating=qa,
            emerging=qe <= fdr and trend.recent > trend.expected,
            accelerating=qa <= fdr,
        )
    return out
