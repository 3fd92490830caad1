"""The simulated calendar of a run: sprint dates, and when each item was worked."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from jalon.academy.runs import calendar

STARTED = date(2026, 11, 26)  # a Thursday
DONE = [("a", 5.0), ("b", 3.0), ("c", None), ("d", 8.0), ("e", 2.0)]


@pytest.mark.parametrize(("working", "days"), [(10, 14), (5, 7), (12, 16), (15, 21)])
def test_a_sprint_lasts_its_working_days_in_whole_weeks(working: int, days: int) -> None:
    assert calendar.sprint_length(working) == days


def test_the_sprints_follow_each_other_and_end_the_day_before_the_run() -> None:
    spans = [calendar.sprint_span(STARTED, sprint=k, sprints=10, length=14) for k in range(1, 11)]
    assert spans[-1].ends_on == STARTED - timedelta(days=1)
    assert spans[0].starts_on == STARTED - timedelta(days=140)
    for before, after in itertools.pairwise(spans):
        assert after.starts_on == before.ends_on + timedelta(days=1)
    assert all((s.ends_on - s.starts_on).days == 13 for s in spans)
    days = spans[2].days()
    assert days[0] == spans[2].starts_on - timedelta(days=1) and days[-1] == spans[2].ends_on
    assert len(spans[2].working_days()) == 10
    assert calendar.calendar_start(STARTED, sprints=10, length=14) == spans[0].days()[0]


def test_work_is_done_in_order_within_the_sprint_after_its_first_day() -> None:
    span = calendar.sprint_span(STARTED, sprint=3, sprints=10, length=14)
    work = calendar.schedule(span, done=DONE, partial=("f", 5.0), seed=7)
    assert [w.key for w in work] == ["a", "b", "c", "d", "e", "f"]
    working = span.working_days()
    finished = [w.done for w in work if w.done is not None]
    assert len(finished) == 5 and finished == sorted(finished)
    assert all(working[0] < d.date() <= span.ends_on and d.weekday() < 5 for d in finished)
    for earlier, later in itertools.pairwise(work):
        assert earlier.done is not None and later.started.date() == earlier.done.date()
    assert all(w.done is None or w.started < w.done for w in work)
    assert work[0].started.date() == working[0]
    assert work[-1].done is None, "the partial item is started, not finished"


def test_the_seed_decides_the_dates() -> None:
    span = calendar.sprint_span(STARTED, sprint=2, sprints=10, length=14)

    def dates(seed: int) -> list[object]:
        return [(w.started, w.done) for w in calendar.schedule(span, done=DONE, partial=None,
                                                               seed=seed)]  # fmt: skip

    assert dates(3) == dates(3), "a replay gives the same dates"
    assert len({tuple(dates(seed)) for seed in range(8)}) > 1
    assert calendar.schedule(span, done=[], partial=None, seed=3) == []
