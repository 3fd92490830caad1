"""Pure history rules: change detection, cycle times, percentiles, carried-over days, the
figures of a sprint across re-estimation, added scope and spill-over, and throughput."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jalon.errors import Invalid
from jalon.history import rules
from jalon.history.rules import Change, SprintDay

D0 = date(2026, 3, 2)  # a Monday
CATEGORIES = {
    "new": "todo",
    "ready": "todo",
    "in_progress": "doing",
    "done": "done",
    "rejected": "rejected",
}


def day(n: int) -> date:
    return D0 + timedelta(n)


def test_a_count_says_exactly_when_items_are_gone() -> None:
    assert not rules.vanished(previous_items=10, appearing=0, current_items=10)
    assert not rules.vanished(previous_items=10, appearing=2, current_items=12)
    assert rules.vanished(previous_items=10, appearing=1, current_items=10)  # one in, one out
    assert rules.vanished(previous_items=10, appearing=0, current_items=9)


def test_a_run_in_progress_starts_when_the_item_enters_it_and_lasts_until_it_leaves() -> None:
    ready, doing = ("ready", 3.0, None, None, "story"), ("in_progress", 3.0, 7, None, "story")
    entering = Change(1, doing, False, ready)
    assert rules.doing_since(entering, CATEGORIES, day(4)) == day(4)
    staying = Change(1, ("in_progress", 5.0, 7, None, "story"), False, doing, day(2))
    assert rules.doing_since(staying, CATEGORIES, day(4)) == day(2)  # re-estimated, still going
    leaving = Change(1, ready, False, doing, day(2))
    assert rules.doing_since(leaving, CATEGORIES, day(4)) is None
    assert rules.doing_since(Change(1, doing, True, None), CATEGORIES, day(4)) is None


def test_an_item_done_started_on_the_first_day_of_its_run_in_progress() -> None:
    done = ("done", 3.0, 7, None, "story")
    from_doing = Change(1, done, False, ("in_progress", 3.0, 7, None, "story"), day(2))
    assert rules.started_on(from_doing, CATEGORIES, day(5)) == day(2)
    straight = Change(1, done, False, ("ready", 3.0, 7, None, "story"))
    assert rules.started_on(straight, CATEGORIES, day(5)) == day(5)  # never seen in progress
    assert rules.cycle_days(day(2), day(5)) == 4 and rules.cycle_days(day(3), day(3)) == 1


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 85, 9),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10),
        ([7], 95, 7),
        ([3, 1, 2], 50, 2),
        (list(range(1, 101)), 85, 85),
        (list(range(1, 21)), 95, 19),
    ],
)
def test_percentiles_are_nearest_rank(values: list[int], p: float, expected: int) -> None:
    assert rules.percentile(values, p) == expected


def test_percentiles_of_nothing_are_nothing() -> None:
    assert rules.percentile([], 85) is None and rules.percentiles([]) == {}
    with pytest.raises(ValueError):
        rules.percentile([1], 0)
    assert rules.percentiles([4, 1, 9, 2]) == {50: 2, 85: 9, 95: 9}


def test_days_without_a_snapshot_keep_the_latest_state_before_them() -> None:
    by_day = {day(0): {"new": (2, 5.0)}, day(3): {"done": (2, 5.0)}}
    filled = rules.carry_forward(by_day, day(1), day(4))
    assert filled == {
        day(1): {"new": (2, 5.0)},
        day(2): {"new": (2, 5.0)},
        day(3): {"done": (2, 5.0)},
        day(4): {"done": (2, 5.0)},
    }
    assert rules.carry_forward({day(3): {"new": (1, 0.0)}}, day(1), day(3)) == {
        day(3): {"new": (1, 0.0)}
    }  # nothing before the first snapshot


def test_a_sprint_keeps_re_estimation_added_scope_and_spill_over_visible() -> None:
    by_day = {
        day(-1): {"ready": (2, 8.0)},  # planning: 8 points
        day(0): {"ready": (1, 5.0), "done": (1, 3.0)},
        day(1): {"ready": (1, 8.0), "done": (1, 3.0), "new": (1, 2.0)},  # re-estimated, added
        day(2): {"ready": (1, 8.0), "done": (2, 5.0), "rejected": (1, 1.0)},
    }
    days = rules.sprint_days(by_day, CATEGORIES)
    assert [(d.scope_points, d.done_points) for d in days] == [(8, 0), (8, 3), (13, 3), (13, 5)]
    assert days[-1].remaining_points == 8 and days[-1].remaining_items == 1
    assert rules.scope_changes(days, points=True) == [(day(1), 5.0)]
    assert rules.scope_changes(days, points=False) == [(day(1), 1.0)]


def test_scope_that_leaves_the_sprint_shows_as_a_drop() -> None:
    days = [SprintDay(day(0), 10, 4, 3, 1), SprintDay(day(1), 6, 4, 2, 1)]
    assert rules.scope_changes(days, points=True) == [(day(1), -4.0)]


def test_throughput_counts_every_day_and_week_with_zeros() -> None:
    done = [day(0), day(0), day(2), day(8)]
    assert rules.throughput(done, day(0), day(3), weekly=False) == [
        (day(0), 2),
        (day(1), 0),
        (day(2), 1),
        (day(3), 0),
    ]
    assert rules.throughput(done, day(1), day(9), weekly=True) == [(day(0), 3), (day(7), 1)]


def test_spread_gives_mean_and_range() -> None:
    assert rules.spread([]) is None
    s = rules.spread([20, 25, 18, 30])
    assert s is not None and (s.mean, s.low, s.high) == (23.25, 18, 30)


def test_bad_ranges_and_snapshot_days_are_refused_with_their_field() -> None:
    with pytest.raises(Invalid) as backwards:
        rules.check_range(day(5), day(1), today=day(10))
    assert "end" in backwards.value.fields
    with pytest.raises(Invalid) as future:
        rules.check_range(day(11), day(12), today=day(10))
    assert "start" in future.value.fields
    with pytest.raises(Invalid):
        rules.check_range(day(0), day(0) + timedelta(days=4000), today=day(5000))
    with pytest.raises(Invalid) as ahead:
        rules.check_snapshot_day(day(11), today=day(10), latest=None)
    assert "date" in ahead.value.fields
    with pytest.raises(Invalid):
        rules.check_snapshot_day(day(3), today=day(10), latest=day(4))
    rules.check_snapshot_day(day(4), today=day(10), latest=day(4))  # the same day: idempotent
