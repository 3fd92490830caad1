"""A/B statistics, pure: the two-proportion z-test and the sample-size planner.

Formulas (as in statsmodels' `proportions_ztest` and `NormalIndPower` for two proportions,
and in most textbooks):
- test: pooled rate p = (x1 + x2) / (n1 + n2), standard error sqrt(p(1-p)(1/n1 + 1/n2)),
  z = (p2 - p1) / se, two-sided p-value 2(1 - Φ(|z|));
- confidence interval of the difference p2 - p1 (Wald, unpooled): ± z(1-α/2) ·
  sqrt(p1(1-p1)/n1 + p2(1-p2)/n2); the relative lift's interval is that interval over p1;
- sample size per arm, for a baseline p1 and p2 = p1 + effect:
  n = (z(1-α/2) sqrt(2 p̄(1-p̄)) + z(1-β) sqrt(p1(1-p1) + p2(1-p2)))² / effect², p̄ = (p1+p2)/2,
  rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from jalon.errors import Invalid, Message

_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class TestResult:
    control_rate: float
    variant_rate: float
    difference: float  # variant - control, as a rate (0.03 = 3 points)
    ci_low: float
    ci_high: float
    relative_lift: float | None  # difference / control rate; None when the control is 0
    lift_low: float | None
    lift_high: float | None
    z: float
    p_value: float
    alpha: float
    significant: bool


@dataclass(frozen=True, slots=True)
class SampleSize:
    baseline: float
    target: float
    effect: float
    alpha: float
    power: float
    per_arm: int
    total: int


def _check_level(problems: dict[str, str], name: str, value: float, *, low: float) -> None:
    if not (math.isfinite(value) and low < value < 1):
        problems[name] = Message("Give a value between {low} and 1, both excluded.", low=low)


def _check_counts(problems: dict[str, str], prefix: str, n: int, x: int) -> None:
    if n <= 0:
        problems[f"{prefix}_n"] = Message("The number of trials must be at least 1.")
    if x < 0:
        problems[f"{prefix}_conversions"] = Message("Conversions cannot be negative.")
    elif n > 0 and x > n:
        problems[f"{prefix}_conversions"] = Message(
            "Conversions ({x}) cannot exceed the number of trials ({n}).", x=x, n=n
        )


def two_proportion_test(
    *, control_n: int, control_conversions: int, variant_n: int, variant_conversions: int,
    alpha: float = 0.05,
) -> TestResult:  # fmt: skip
    """The pooled two-sided z-test of variant against control, with Wald intervals."""
    problems: dict[str, str] = {}
    _check_counts(problems, "control", control_n, control_conversions)
    _check_counts(problems, "variant", variant_n, variant_conversions)
    _check_level(problems, "alpha", alpha, low=0)
    if problems:
        raise Invalid("Some figures of the test are not valid.", fields=problems)
    n1, n2 = control_n, variant_n
    p1, p2 = control_conversions / n1, variant_conversions / n2
    pooled = (control_conversions + variant_conversions) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    diff = p2 - p1
    z = diff / se if se > 0 else 0.0
    p_value = 2 * (1 - _NORMAL.cdf(abs(z)))
    margin = _NORMAL.inv_cdf(1 - alpha / 2) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    lift = diff / p1 if p1 > 0 else None
    return TestResult(
        p1, p2, diff, diff - margin, diff + margin, lift,
        (diff - margin) / p1 if p1 > 0 else None, (diff + margin) / p1 if p1 > 0 else None,
        z, p_value, alpha, p_value < alpha,
    )  # fmt: skip


def sample_size(
    *, baseline: float, effect: float, alpha: float = 0.05, power: float = 0.8
) -> SampleSize:
    """Visitors per arm to detect an absolute change `effect` of the `baseline` rate."""
    problems: dict[str, str] = {}
    _check_level(problems, "baseline", baseline, low=0)
    _check_level(problems, "alpha", alpha, low=0)
    _check_level(problems, "power", power, low=0)
    target = round(baseline + effect, 12)
    if not math.isfinite(effect) or effect == 0:
        problems["effect"] = Message("The minimum detectable effect cannot be zero.")
    elif "baseline" not in problems and not 0 < target < 1:
        problems["effect"] = Message(
            "Baseline plus effect must stay between 0 and 1 (it is {target})."
            , target=round(target, 4),
        )  # fmt: skip
    if problems:
        raise Invalid("Some figures of the plan are not valid.", fields=problems)
    mean = (baseline + target) / 2
    a = _NORMAL.inv_cdf(1 - alpha / 2) * math.sqrt(2 * mean * (1 - mean))
    b = _NORMAL.inv_cdf(power) * math.sqrt(baseline * (1 - baseline) + target * (1 - target))
    n = math.ceil((a + b) ** 2 / effect**2 - 1e-9)
    return SampleSize(baseline, target, effect, alpha, power, n, 2 * n)
