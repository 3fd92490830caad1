"""Forecasting rules with fixed seeds, against distributions known exactly."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
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


def weeks_of(values: list[int]) -> npt.NDArray[np.int64]:
    """Every run of 7 consecutive days (fewer for a shorter history), as prefix sums."""
    k = min(7, len(values))
    return np.lib.stride_tricks.sliding_window_view(np.array(values), k).cumsum(axis=1)


def first_passage_cdf(values: list[int], remaining: int, days: int) -> list[float]:
    """P(done by day d) for d = 1..days when a future is a sequence of runs of 7 days of the
    history drawn at random: dynamic programming over the items done at each week's start."""
    runs = weeks_of(values)
    k = runs.shape[1]
    state = np.zeros(remaining)  # probability of having done c < remaining items, not yet done
    state[0] = 1.0
    arrived = np.zeros(days + k)
    done = np.arange(remaining)
    for week in range(-(-days // k)):
        after = np.zeros(remaining)
        for run in runs:
            share = state / len(runs)
            day = (done[:, None] + run[None, :] < remaining).sum(axis=1)  # k: not this week
            np.add.at(arrived, week * k + day[day < k], share[day < k])
            np.add.at(after, done[day == k] + run[-1], share[day == k])
        state = after
    return np.cumsum(arrived)[:days].tolist()


def total_pmf(values: list[int], days: int) -> npt.NDArray[np.float64]:
    """The exact distribution of the items done over `days` simulated days, by enumerating
    every sequence of weeks (whole weeks, then the first days of one more)."""
    runs = weeks_of(values)
    whole, rest = divmod(days, runs.shape[1])
    parts = [runs[:, -1]] * whole + ([runs[:, rest - 1]] if rest else [])
    totals = [sum(combo) for combo in itertools.product(*parts)]
    return np.bincount(totals) / len(totals)


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
    values = [0, 2, 1, 0, 5, 3, 1, 0, 0, 4, 2, 1] * 7  # jumps of 16, 8, 4 and 2 weeks are used
    simulated = montecarlo.days_until(values, 300, trials=200_000, rng=rng(3), max_days=500)
    exact = first_passage_cdf(values, 300, 260)
    observed = [(simulated <= d).mean() for d in range(1, 261)]
    assert max(abs(a - b) for a, b in zip(observed, exact, strict=True)) < 0.006


def test_when_percentiles_follow_the_inverted_cdf() -> None:
    # 2 days in 3 finish one item, in that rhythm; a drawn week starts on a 0 one time in 3
    # and then finishes on day 2: P(done by day 1) = 2/3 and by day 2 = 1
    forecast = rules.forecast_when(
        history([0, 1, 1] * 28), 1, today=TODAY, trials=100_000, rng=rng()
    )
    assert forecast.days == {50: 1, 70: 2, 85: 2, 95: 2}


def test_jumps_and_blocks_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    values = [0, 1, 2, 5, 0, 3, 1, 4, 0, 0, 2]
    whole = montecarlo.days_until(values, 300, trials=3000, rng=rng(9), max_days=3650)
    monkeypatch.setattr(montecarlo, "TRIAL_BLOCK", 64)
    monkeypatch.setattr(montecarlo, "BUDGET", 50)
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
    # a day finishes 0 or 1 item in turn: a drawn week finishes 3 or 4, evenly, and the first
    # 3 days of one 1 or 2, so ten days finish 4, 5 or 6 items with chances 1/4, 1/2, 1/4
    forecast = rules.forecast_how_many(
        history([0, 1] * 42), TODAY + timedelta(days=9), today=TODAY, trials=100_000, rng=rng()
    )
    assert forecast.horizon == 10
    # 15th percentile: F(4) = 0.25 >= 0.15, so 85% confidence is 4 items; F(4) < 0.3: P70 is 5
    assert forecast.percentiles == {50: 5, 70: 5, 85: 4, 95: 4}


def test_how_many_with_constant_throughput_counts_today_to_the_date() -> None:
    forecast = rules.forecast_how_many(
        history([2] * 84), TODAY + timedelta(days=4), today=TODAY, rng=rng()
    )
    assert forecast.percentiles == dict.fromkeys(rules.LEVELS, 10)
    today_only = rules.forecast_how_many(history([2] * 84), TODAY, today=TODAY, rng=rng())
    assert today_only.percentiles == dict.fromkeys(rules.LEVELS, 2)


def test_how_many_counts_match_the_exact_distribution() -> None:
    values = [0, 0, 1, 3, 7, 2, 0, 1, 4, 0]
    for days in (3, 10, 17):  # part of a week, a week and 3 days, two weeks and 3 days
        counts = montecarlo.counts_over(values, days, trials=200_000, rng=rng(5))
        exact = total_pmf(values, days)
        observed = np.bincount(counts, minlength=exact.size) / counts.size
        assert observed.size == exact.size
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


def test_a_team_whose_pace_keeps_falling_below_its_history_is_flagged_unreliable() -> None:
    # 1% fewer items every day: each fortnight falls below anything its window has seen, so
    # even lowering every level to the window's worst cannot make the forecast hold
    h = history([round(2400 * 0.99**i) for i in range(476)])
    forecast = rules.forecast_how_many(h, TODAY + timedelta(days=13), today=TODAY, rng=rng())
    assert forecast.hit_rate == (0, 20) and not forecast.reliable
    assert forecast.calibration is not None and forecast.calibration.lower_tail(85) == 0.0
    assert forecast.percentiles is not None
    assert forecast.percentiles[85] == forecast.percentiles[50]  # the window's worst fortnight


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


def test_huge_days_are_summed_week_by_week_with_the_same_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = [0, 0, 1, 3, 7, 2, 0, 1, 4, 0]
    exact = montecarlo.counts_over(values, 10, trials=100_000, rng=rng(8))
    monkeypatch.setattr(montecarlo, "MAX_EXACT", 10)  # as if 7 a day were a huge day
    direct = montecarlo.counts_over(values, 10, trials=100_000, rng=rng(8))
    assert not np.array_equal(exact, direct)  # another path, so other draws
    truth = total_pmf(values, 10)
    observed = np.bincount(direct, minlength=truth.size) / direct.size
    assert np.abs(observed - truth).max() < 0.005
    when = montecarlo.days_until(values, 60, trials=20_000, rng=rng(2), max_days=3650)
    cdf = first_passage_cdf(values, 60, 80)
    p85 = montecarlo.upper_quantile(when, 0.85)  # no jump is used, still the right answer:
    assert cdf[p85 - 2] < 0.86 and cdf[p85 - 1] > 0.84  # P(done by P85) is 85%, give or take


# --- weeks, not days, and recalibration on the team's own past -------------------------------


def test_alternating_weeks_keep_their_spread_where_independent_days_would_average_out() -> None:
    # a week of nothing, then a week of 10 a day, six times: a drawn run of 7 days holds
    # 0 to 7 busy days, so a fortnight can finish anything from 0 to 140 items
    values = ([0] * 7 + [10] * 7) * 6
    counts = montecarlo.counts_over(values, 14, trials=200_000, rng=rng(6))
    exact = total_pmf(values, 14)
    assert np.abs(np.bincount(counts, minlength=exact.size) / counts.size - exact).max() < 0.004
    weeks = weeks_of(values)[:, -1]
    assert exact[0] == pytest.approx((np.count_nonzero(weeks == 0) / weeks.size) ** 2)
    # independent days would give 10 x Binomial(14, 1/2): its 15th percentile is 50 items;
    # weeks keep the quiet fortnights, and the 85% answer is more cautious: F(30) = 0.131,
    # F(40) = 0.212, so 40 items
    assert montecarlo.upper_quantile(counts, 0.15) == 40
    assert np.cumsum(exact)[30] < 0.15 <= np.cumsum(exact)[40]
    days = montecarlo.days_until(values, 70, trials=200_000, rng=rng(7), max_days=400)
    cdf = first_passage_cdf(values, 70, 40)
    assert max(abs((days <= d).mean() - cdf[d - 1]) for d in range(1, 41)) < 0.006


def test_the_risk_is_lowered_to_the_conformal_rank_of_past_positions() -> None:
    assert calibration.lower_tail([0.01] * 7, 85) == pytest.approx(0.15)  # fewer than 8: as is
    positions = [0.5] * 15 + [0.02, 0.04, 0.06, 0.08, 0.1]
    # floor(21 x 0.15) = 3: the third smallest; floor(21 x 0.05) = 1: the smallest
    assert calibration.lower_tail(positions, 85) == 0.06
    assert calibration.lower_tail(positions, 95) == 0.02
    assert calibration.lower_tail(positions, 50) == 0.5  # the 10th smallest, 0.5: as nominal
    assert calibration.lower_tail(positions, 85, bolder=True) == 0.06  # lowering needs no leave


def test_the_risk_is_raised_only_when_allowed_and_from_twenty_windows() -> None:
    positions = [0.9] * 17 + [0.3, 0.4, 0.5]  # held more often than promised
    assert calibration.lower_tail(positions, 85) == pytest.approx(0.15)  # not allowed: as is
    assert calibration.lower_tail(positions, 85, bolder=True) == 0.5  # the third smallest
    assert calibration.lower_tail(positions, 95, bolder=True) == 0.3
    assert calibration.lower_tail(positions[1:], 85, bolder=True) == pytest.approx(0.15)  # 19


def test_windows_are_apart_when_they_share_no_day() -> None:
    assert calibration.apart([0, 14, 28], 14) and calibration.apart([5], 14)
    assert not calibration.apart([0, 14, 27], 14)


def test_only_windows_that_share_no_day_may_make_a_forecast_bolder() -> None:
    steady = [2, 3, 1, 2, 4, 2, 1] * 60  # 420 days: 20 windows of 14 days apart, and more
    long = calibration.backtest(steady, window=84, horizon=14, rng=rng(), count=20)
    assert long.may_be_bolder and len(long.positions) == calibration.PAST_WINDOWS
    short = calibration.backtest(steady[:150], window=84, horizon=14, rng=rng(), count=20)
    assert len(short.positions) >= 8 and not short.may_be_bolder  # origins 3 days apart


def test_a_team_that_held_more_often_gets_a_bolder_how_many_but_never_a_bolder_when() -> None:
    # a week of nothing, then a week of 10 a day, over and over: any real fortnight holds 70,
    # but a resampled one is two runs of 7 days drawn apart, anything from 0 to 140
    counts = ([0] * 7 + [10] * 7) * 30
    h = history(counts)
    how_many = rules.forecast_how_many(h, TODAY + timedelta(days=13), today=TODAY, rng=rng())
    assert how_many.calibration is not None and how_many.calibration.bolder
    assert not how_many.calibration.adjusted
    assert {w.actual for w in how_many.calibration.windows} == {70}
    sim, _check = rng().spawn(2)
    counts_now = montecarlo.counts_over(h.last(84).samples, 14, trials=10_000, rng=sim)
    risk = how_many.calibration.lower_tail(85)
    assert risk > 0.15 and how_many.percentiles is not None
    assert how_many.percentiles[85] == montecarlo.upper_quantile(counts_now, risk)
    assert montecarlo.upper_quantile(counts_now, 0.15) < how_many.percentiles[85] <= 70
    when = rules.forecast_when(h, 60, today=TODAY, rng=rng())
    assert when.calibration is not None and not when.calibration.bolder
    assert when.calibration.lower_tail(85) <= 0.15


def test_the_check_shown_follows_the_rule_its_forecast_uses() -> None:
    # the same alternating weeks: checked bolder, the 85% windows ask for more items than
    # checked cautious-only, which is what a "when" forecast's check shows
    counts = ([0] * 7 + [10] * 7) * 30
    bold, cautious = (
        calibration.backtest(counts, window=84, horizon=14, rng=rng(), bolder=b)
        for b in (True, False)
    )
    assert bold.may_be_bolder and not cautious.may_be_bolder
    assert sum(w.forecast for w in bold.windows) > sum(w.forecast for w in cautious.windows)
    assert all(
        w.forecast <= b.forecast for w, b in zip(cautious.windows, bold.windows, strict=True)
    )


def test_each_checked_window_uses_only_the_windows_before_it() -> None:
    base = [3, 0, 5, 1, 0, 0, 2, 4, 1, 0, 6, 2, 0, 1] * 40
    changed = base[:-14] + [40] * 14  # only the last window's actual differs
    first, second = (
        calibration.backtest(s, window=84, horizon=14, rng=rng(), count=20) for s in (base, changed)
    )
    assert [w.forecast for w in first.windows] == [w.forecast for w in second.windows]
    assert first.windows[-1].actual != second.windows[-1].actual
    assert first.positions != second.positions  # the forecast made today learns from it


def test_a_team_whose_windows_fell_low_gets_a_more_cautious_forecast() -> None:
    # ten weeks at 3 a day, then a fortnight's freeze, over and over: a window that meets a
    # freeze falls far below what its 12 weeks suggested, more often than 15% of the time
    counts = ([3] * 70 + [0] * 14) * 9
    h = history(counts)
    forecast = rules.forecast_how_many(h, TODAY + timedelta(days=13), today=TODAY, rng=rng())
    assert forecast.calibration is not None and forecast.calibration.adjusted
    risk = forecast.calibration.lower_tail(85)
    assert 0 < risk < 0.15
    sim, _check = rng().spawn(2)
    counts_now = montecarlo.counts_over(h.last(84).samples, 14, trials=10_000, rng=sim)
    assert forecast.percentiles is not None
    assert forecast.percentiles[85] == montecarlo.upper_quantile(counts_now, risk)
    assert forecast.percentiles[85] < montecarlo.upper_quantile(counts_now, 0.15)
