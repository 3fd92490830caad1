"""Forecasting rules with fixed seeds, against distributions known exactly."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest

from jalon.errors import Invalid
from jalon.forecasting import calibration, montecarlo, rules

TODAY = date(2026, 6, 1)


def history(counts: list[int], *, excluded: tuple[int, ...] = ()) -> rules.History:
    """A history ending yesterday whose days have these counts, oldest first."""
    start = TODAY - timedelta(days=len(counts))
    dates = [start + timedelta(days=i) for i, n in enumerate(counts) for _ in range(n)]
    skip = [start + timedelta(days=i) for i in excluded]
    return rules.build_history(dates, start=start, end=TODAY - timedelta(days=1), excluded=skip)


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def first_passage_cdf(values: list[int], remaining: int, days: int) -> list[float]:
    """P(done by day d) for d = 1..days, by dynamic programming over the items done so far."""
    p = np.bincount(values) / len(values)
    state = np.zeros(remaining)  # probability of having done k < remaining items, not yet done
    state[0] = 1.0
    cdf = []
    for _ in range(days):
        state = np.convolve(state, p)[:remaining]
        cdf.append(1.0 - state.sum())
    return cdf


# --- history ------------------------------------------------------------------------------


def test_history_counts_zero_days_and_leaves_out_excluded_days() -> None:
    h = history([0, 3, 0, 2, 5], excluded=(4,))
    assert [d.count for d in h.days] == [0, 3, 0, 2, 5]
    assert h.samples == [0, 3, 0, 2]
    assert (h.total, h.days_with_data, h.excluded) == (5, 2, 1)
    assert h.last(2).samples == [2]


# --- when ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("remaining", "days"), [(10, 5), (11, 6), (1000, 500), (1, 1)])
def test_constant_throughput_of_two_a_day_gives_exactly_half_n_days(
    remaining: int, days: int
) -> None:
    forecast = rules.forecast_when(history([2] * 84), remaining, today=TODAY, rng=rng())
    assert forecast.days == dict.fromkeys(rules.LEVELS, days)
    assert forecast.percentiles == dict.fromkeys(rules.LEVELS, TODAY + timedelta(days=days - 1))
    assert forecast.histogram == (rules.Bin(days, days, rules.DEFAULT_TRIALS),)


def test_when_matches_the_exact_first_passage_distribution() -> None:
    values = [1, 3] * 42  # half the days 1 item, half 3: jumps of 4, 16 and 64 days are used
    simulated = montecarlo.days_until(values, 200, trials=200_000, rng=rng(3), max_days=500)
    exact = first_passage_cdf(values, 200, 150)
    observed = [(simulated <= d).mean() for d in range(1, 151)]
    assert max(abs(a - b) for a, b in zip(observed, exact, strict=True)) < 0.006


def test_when_percentiles_follow_the_inverted_cdf() -> None:
    # 2 days in 3 finish one item: P(done by day 1) = 2/3, by day 2 = 8/9, by day 3 = 26/27
    forecast = rules.forecast_when(
        history([0, 1, 1] * 28), 1, today=TODAY, trials=100_000, rng=rng()
    )
    assert forecast.days == {50: 1, 70: 2, 85: 2, 95: 3}


def test_jumps_and_blocks_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    values = [0, 1, 2, 5, 0, 3, 1]
    whole = montecarlo.days_until(values, 300, trials=3000, rng=rng(9), max_days=3650)
    monkeypatch.setattr(montecarlo, "TRIAL_BLOCK", 64)
    monkeypatch.setattr(montecarlo, "BUDGET", 500)
    blocks = montecarlo.days_until(values, 300, trials=3000, rng=rng(9), max_days=3650)
    assert abs(np.median(whole) - np.median(blocks)) <= 2
    exact = first_passage_cdf(values, 300, 400)
    for sample in (whole, blocks):
        p85 = montecarlo.upper_quantile(sample, 0.85)
        assert exact[p85 - 3] < 0.85 < exact[p85 + 1]  # within a couple of days of the truth


def test_same_seed_same_result_and_another_seed_differs() -> None:
    h = history([0, 1, 4, 2, 0, 3, 1, 2, 6, 0, 1, 2] * 7)
    first = rules.forecast_when(h, 60, today=TODAY, rng=rng(42))
    again = rules.forecast_when(h, 60, today=TODAY, rng=rng(42))
    other = rules.forecast_when(h, 60, today=TODAY, rng=rng(43))
    assert first == again
    assert first.histogram != other.histogram
    assert sum(b.trials for b in first.histogram) == rules.DEFAULT_TRIALS


def test_a_pace_beyond_ten_years_gives_an_explanation() -> None:
    forecast = rules.forecast_when(history([1] * 10 + [0] * 74), 5000, today=TODAY, rng=rng())
    assert forecast.percentiles is None
    assert forecast.explanation is not None and "ten years" in forecast.explanation


# --- how many -----------------------------------------------------------------------------


def test_how_many_uses_the_lower_quantile_for_confidence() -> None:
    # a day finishes 0 or 1 item, evenly: ten days finish Binomial(10, 1/2) items
    forecast = rules.forecast_how_many(
        history([0, 1] * 42), TODAY + timedelta(days=9), today=TODAY, trials=100_000, rng=rng()
    )
    assert forecast.horizon == 10
    # 15th percentile: F(2) = 0.055 < 0.15 <= F(3) = 0.172, so 85% confidence is 3 items
    assert forecast.percentiles == {50: 5, 70: 4, 85: 3, 95: 2}


def test_how_many_with_constant_throughput_counts_today_to_the_date() -> None:
    forecast = rules.forecast_how_many(
        history([2] * 84), TODAY + timedelta(days=4), today=TODAY, rng=rng()
    )
    assert forecast.percentiles == dict.fromkeys(rules.LEVELS, 10)
    today_only = rules.forecast_how_many(history([2] * 84), TODAY, today=TODAY, rng=rng())
    assert today_only.percentiles == dict.fromkeys(rules.LEVELS, 2)


def test_how_many_counts_match_the_exact_distribution() -> None:
    values = [0, 0, 1, 3, 7]
    counts = montecarlo.counts_over(values, 3, trials=200_000, rng=rng(5))
    p = np.bincount(values) / len(values)
    exact = np.convolve(np.convolve(p, p), p)
    observed = np.bincount(counts, minlength=exact.size) / counts.size
    assert np.abs(observed - exact).max() < 0.004


# --- bad input and too little history -------------------------------------------------------


@pytest.mark.parametrize(("trials", "ok"), [(99, False), (100, True), (1_000_000, True),
                                            (1_000_001, False)])  # fmt: skip
def test_trials_must_be_between_100_and_a_million(trials: int, ok: bool) -> None:
    if ok:
        rules.check_options(trials=trials, window=84)
        return
    with pytest.raises(Invalid) as caught:
        rules.forecast_when(history([2] * 84), 10, today=TODAY, trials=trials, rng=rng())
    assert set(caught.value.fields) == {"trials"}


def test_bad_input_is_invalid_with_a_message_per_field() -> None:
    h = history([2] * 84)
    with pytest.raises(Invalid) as zero:
        rules.forecast_when(h, 0, today=TODAY, rng=rng())
    assert set(zero.value.fields) == {"items"}
    with pytest.raises(Invalid) as past:
        rules.forecast_how_many(h, TODAY - timedelta(days=1), today=TODAY, rng=rng())
    assert set(past.value.fields) == {"date"}
    with pytest.raises(Invalid) as both:
        rules.check_options(trials=5, window=3)
    assert set(both.value.fields) == {"trials", "window"}


def test_fewer_than_ten_days_with_data_gives_an_explanation_not_a_number() -> None:
    nine = history([0] * 75 + [3] * 9)
    for forecast in (
        rules.forecast_when(nine, 10, today=TODAY, rng=rng()),
        rules.forecast_how_many(nine, TODAY + timedelta(days=14), today=TODAY, rng=rng()),
    ):
        assert forecast.percentiles is None and forecast.histogram == ()
        assert forecast.explanation is not None and "9 days" in forecast.explanation
        assert forecast.hit_rate is None and not forecast.reliable
    ten = rules.forecast_when(history([0] * 74 + [3] * 10), 10, today=TODAY, rng=rng())
    assert ten.percentiles is not None and ten.explanation is None


def test_no_history_at_all_explains() -> None:
    forecast = rules.forecast_when(history([0] * 84), 3, today=TODAY, rng=rng())
    assert forecast.percentiles is None and "0 days" in str(forecast.explanation)


def test_excluded_days_do_not_count_as_days_with_data() -> None:
    h = history([0] * 70 + [2] * 14, excluded=tuple(range(74, 84)))
    forecast = rules.forecast_when(h, 10, today=TODAY, rng=rng())
    assert forecast.percentiles is None and "4 days" in str(forecast.explanation)


# --- calibration ----------------------------------------------------------------------------


def test_calibration_of_a_steady_team_holds_every_time() -> None:
    forecast = rules.forecast_how_many(
        history([2] * 700), TODAY + timedelta(days=13), today=TODAY, rng=rng()
    )
    assert forecast.calibration is not None
    assert forecast.hit_rate == (20, 20) and forecast.reliable
    starts = [w.start for w in forecast.calibration.windows]
    gaps = {(b - a).days for a, b in itertools.pairwise(starts) if a is not None and b is not None}
    assert gaps == {14}
    assert starts[-1] == TODAY - timedelta(days=14)


def test_a_team_that_slowed_down_is_flagged_unreliable() -> None:
    # a team that slows down steadily, from twelve items a day to two
    h = history([round(12 - 10 * i / 700) for i in range(700)])
    forecast = rules.forecast_how_many(h, TODAY + timedelta(days=13), today=TODAY, rng=rng())
    assert forecast.hit_rate is not None
    held, windows = forecast.hit_rate
    assert windows == 20 and held / windows < 0.65 and not forecast.reliable


def test_short_histories_overlap_their_windows_and_skip_origins_without_data() -> None:
    samples = [0] * 20 + [1] * 60
    found = calibration.origins(samples, window=84, horizon=14, count=20)
    assert len(found) == 20
    assert found[-1] == 80 - 14
    assert found[0] >= 30  # ten days with data before the first origin
    assert calibration.origins([1] * 15, window=84, horizon=14, count=20) == []


def test_calibration_counts_a_hit_when_the_actual_reaches_the_forecast() -> None:
    window = calibration.Window(start=None, forecast=5, actual=5)
    assert window.held and not calibration.Window(None, 5, 4).held
    result = calibration.Calibration(horizon=14, windows=(window,) * 13 + (
        calibration.Window(None, 5, 1),) * 7)  # fmt: skip
    assert result.hit_rate == (13, 20) and result.reliable  # 65% is not below 65%


def test_days_before_the_first_done_item_are_not_history() -> None:
    # a team that started 24 days ago at two a day: the 60 empty days before do not count
    forecast = rules.forecast_when(history([0] * 60 + [2] * 24), 10, today=TODAY, rng=rng())
    assert forecast.days == dict.fromkeys(rules.LEVELS, 5)
    assert len(forecast.history.days) == 24 and forecast.history.start == TODAY - timedelta(24)
    # zeros after the first done item are real: a pause of the team slows the forecast
    paused = rules.forecast_when(history([2] * 24 + [0] * 60), 10, today=TODAY, rng=rng())
    assert paused.days is not None and paused.days[50] > 5


def test_the_guide_table_sampler_gives_the_binary_searchs_answers() -> None:
    pmf = np.array([0.5, 0.0, 0.25, 0.125, 0.0, 0.125])
    cdf = np.cumsum(pmf)
    sampler = montecarlo.Sampler(cdf)
    drawn = sampler.draw(rng(4), 50_000)
    expected = np.searchsorted(cdf, rng(4).random(50_000), side="right")
    assert np.array_equal(drawn, expected)
    assert set(np.unique(drawn)) == {0, 2, 3, 5}  # never a value of probability 0


def test_huge_days_are_summed_day_by_day_with_the_same_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = [0, 0, 1, 3, 7]
    exact = montecarlo.counts_over(values, 6, trials=100_000, rng=rng(8))
    monkeypatch.setattr(montecarlo, "MAX_EXACT", 10)  # as if 7 a day were a huge day
    direct = montecarlo.counts_over(values, 6, trials=100_000, rng=rng(8))
    assert not np.array_equal(exact, direct)  # another path, so other draws
    assert abs(exact.mean() - direct.mean()) < 0.1 and abs(exact.std() - direct.std()) < 0.1
    when = montecarlo.days_until(values, 60, trials=20_000, rng=rng(2), max_days=3650)
    truth = first_passage_cdf(values, 60, 80)
    p85 = montecarlo.upper_quantile(when, 0.85)
    assert truth[p85 - 2] < 0.85 < truth[p85]  # no jump is used, still the right answer
