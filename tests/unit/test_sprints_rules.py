"""Pure sprint rules: dates, overlaps, working days, capacity and commitment, WIP limits."""

from __future__ import annotations

from datetime import date

import pytest

from jalon.errors import Conflict, Invalid
from jalon.sprints import rules
from jalon.sprints.rules import Member, Past, Span

MONDAY = date(2026, 3, 2)


def test_the_default_end_is_the_last_day_inclusive() -> None:
    assert rules.default_end(MONDAY, 14) == date(2026, 3, 15)
    assert rules.default_end(MONDAY, 1) == MONDAY


def test_a_sprint_may_not_end_before_it_starts() -> None:
    rules.check_dates(MONDAY, MONDAY)
    with pytest.raises(Invalid) as caught:
        rules.check_dates(MONDAY, date(2026, 3, 1))
    assert "2026-03-01" in caught.value.fields["ends_on"]
    with pytest.raises(Invalid):
        rules.check_dates(MONDAY, date(2026, 6, 1))  # longer than the maximum


@pytest.mark.parametrize(
    ("start", "end", "hit"),
    [
        (date(2026, 3, 16), date(2026, 3, 29), None),  # the day after: no overlap
        (date(2026, 2, 16), date(2026, 3, 1), None),  # the day before
        (date(2026, 3, 15), date(2026, 3, 20), 1),  # shares the last day
        (date(2026, 2, 1), date(2026, 4, 1), 1),  # covers it
        (date(2026, 3, 5), date(2026, 3, 6), 1),  # inside
    ],
)
def test_overlaps_share_at_least_one_day(start: date, end: date, hit: int | None) -> None:
    others = [Span(1, "Sprint 1", MONDAY, date(2026, 3, 15))]
    found = rules.overlapping(start, end, others)
    assert (found.id if found else None) == hit


def test_an_overlap_names_the_other_sprint() -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_no_overlap(MONDAY, MONDAY, [Span(4, "Sprint 4", MONDAY, MONDAY)])
    assert "Sprint 4" in caught.value.fields["starts_on"]


def test_working_days_skip_weekends() -> None:
    assert rules.working_days(MONDAY, date(2026, 3, 15)) == 10
    assert rules.working_days(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert rules.working_days(date(2026, 3, 6), date(2026, 3, 9)) == 2  # Friday to Monday
    assert rules.working_days(MONDAY, date(2026, 3, 1)) == 0


def test_capacity_from_availability_focus_and_history() -> None:
    members = [Member(1.0, days_off=2), Member(0.5)]
    assert rules.person_days(members, 10) == 8 + 5
    history = [Past(done=26, person_days=13), Past(done=13, person_days=13)]
    cap = rules.capacity(members, 10, history=history, committed=30)
    assert cap.person_days == 13
    assert cap.expected == pytest.approx(19.5)  # 1.5 points per person-day
    assert cap.usual == rules.Usual(mean=19.5, low=13, high=26, sprints=2)
    assert cap.over_usual and cap.over_capacity and cap.percent == 100


def test_without_history_capacity_is_person_days_only() -> None:
    cap = rules.capacity([Member(1.0)], 10, history=[], committed=8)
    assert (cap.person_days, cap.expected, cap.usual) == (10, None, None)
    assert not cap.over_usual and not cap.over_capacity


def test_commitment_in_points_or_items() -> None:
    assert rules.commitment([3, None, 5], "points") == 8
    assert rules.commitment([3, None, 5], "items") == 3


def test_starting_needs_a_planned_sprint_a_goal_and_no_other_active_one() -> None:
    rules.check_can_start("planned", "Pay by card", active_name=None)
    with pytest.raises(Invalid) as no_goal:
        rules.check_can_start("planned", "  ", active_name=None)
    assert "goal" in no_goal.value.fields
    with pytest.raises(Conflict, match="Sprint 3"):
        rules.check_can_start("planned", "Goal", active_name="Sprint 3")
    with pytest.raises(Conflict):
        rules.check_can_start("closed", "Goal", active_name=None)


def test_focus_factor_and_days_off_bounds() -> None:
    assert rules.check_focus("0,8") == 0.8
    for bad in ("0", "1.2", "-1", "lots"):
        with pytest.raises(Invalid):
            rules.check_focus(bad)
    assert rules.check_days_off("", 10) == 0
    with pytest.raises(Invalid):
        rules.check_days_off("11", 10)


def test_wip_limits_are_whole_numbers_not_below_zero() -> None:
    statuses = ["new", "in_progress", "done"]
    assert rules.check_wip_limits({"in_progress": "3", "new": ""}, statuses) == {"in_progress": 3}
    with pytest.raises(Invalid) as negative:
        rules.check_wip_limits({"in_progress": -1}, statuses)
    assert negative.value.fields == {"wip_limits.in_progress": "A WIP limit cannot be below zero."}
    with pytest.raises(Invalid):
        rules.check_wip_limits({"nope": 1}, statuses)
    assert rules.over_limits({"in_progress": 4, "new": 9}, {"in_progress": 3}) == {"in_progress": 3}


def test_the_next_sprint_name_counts_on() -> None:
    assert rules.next_name("Sprint 7") == "Sprint 8"
    assert rules.next_name("Kick-off") == "Kick-off 2"
