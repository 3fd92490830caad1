"""Pure rules of the Sprint Review and the Retrospective."""

from __future__ import annotations

from datetime import date

import pytest

from jalon.ceremonies import rules
from jalon.ceremonies.rules import ActionFacts
from jalon.errors import Conflict, Invalid


def test_each_format_has_its_columns() -> None:
    keys = {name: [c.key for c in cols] for name, cols in rules.FORMATS.items()}
    assert keys == {
        "start_stop_continue": ["start", "stop", "continue"],
        "four_ls": ["liked", "learned", "lacked", "longed_for"],
        "sailboat": ["wind", "anchors", "rocks", "island"],
    }
    assert set(rules.FORMAT_LABELS) == set(rules.FORMATS)


def test_an_unknown_format_names_the_known_ones() -> None:
    assert rules.parse_format(" sailboat ") == "sailboat"
    with pytest.raises(Invalid) as caught:
        rules.parse_format("starfish")
    assert set(caught.value.fields) == {"format"}
    assert "start_stop_continue, four_ls, sailboat" in str(caught.value)


def test_a_card_goes_only_in_a_column_of_its_format() -> None:
    assert rules.check_column("four_ls", "longed_for") == "longed_for"
    with pytest.raises(Invalid) as caught:
        rules.check_column("four_ls", "wind")
    assert set(caught.value.fields) == {"column"}
    assert "liked, learned, lacked, longed_for" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_card_is_refused(text: str | None) -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_text(text, field="text", limit=10, required="Write something.")
    assert caught.value.fields == {"text": "Write something."}


def test_text_is_trimmed_and_bounded() -> None:
    assert rules.clean_text("  ok ", field="text", limit=10, required="x") == "ok"
    with pytest.raises(Invalid, match="under 10"):
        rules.clean_text("x" * 11, field="text", limit=10, required="x")


def test_review_fields_are_checked_together() -> None:
    clean = rules.clean_review(
        {"goal_verdict": "partly", "progress_percent": "40%", "attendees": "Ana\nBo, ana\n\n"}
    )
    assert clean == {"goal_verdict": "partly", "progress_percent": 40, "attendees": ["Ana", "Bo"]}
    with pytest.raises(Invalid) as caught:
        rules.clean_review({"goal_verdict": "maybe", "progress_percent": "120"})
    assert set(caught.value.fields) == {"goal_verdict", "progress_percent"}


@pytest.mark.parametrize(("raw", "value"), [("", None), (None, None), ("0", 0), (100, 100)])
def test_progress_percentages(raw: object, value: int | None) -> None:
    assert rules.parse_percent(raw) == value


@pytest.mark.parametrize("raw", ["-1", "101", "12.5", "half"])
def test_bad_progress_percentages(raw: str) -> None:
    with pytest.raises(Invalid):
        rules.parse_percent(raw)


def test_action_statuses_and_dots() -> None:
    assert rules.parse_action_status("dropped") == "dropped"
    with pytest.raises(Invalid) as caught:
        rules.parse_action_status("closed")
    assert set(caught.value.fields) == {"status"}
    assert rules.parse_dots("5") == 5
    for bad in ("0", "21", "x"):
        with pytest.raises(Invalid):
            rules.parse_dots(bad)


def test_dots_run_out() -> None:
    rules.check_vote(budget=3, used=2)
    with pytest.raises(Conflict, match="3 dots"):
        rules.check_vote(budget=3, used=3)


def test_the_increment_counts_items_and_points() -> None:
    inc = rules.increment([("story", 3.0), ("bug", None), ("story", 5.0), ("spike", 0.5)])
    assert (inc.count, inc.points, inc.unestimated) == (4, 8.5, 1)
    assert inc.by_type == {"bug": 1, "spike": 1, "story": 2}
    assert rules.increment([]) == rules.Increment(0, 0.0, 0, {})


def test_feedback_becomes_a_title_and_a_description() -> None:
    assert rules.feedback_title("Export to PDF\nso that I can print it") == "Export to PDF"
    long = rules.feedback_title("word " * 100)
    assert len(long) <= 200 and long.endswith("…") and "  " not in long
    text = rules.feedback_description(who="Ana", what="Export to PDF ", sprint="Sprint 4")
    assert text == "Export to PDF\n\n— Ana (Sprint 4)"


def test_the_trend_skips_reviews_without_an_assessment() -> None:
    points = rules.trend([("S1", 10), ("S2", None), ("S3", 35), ("S4", 30)])
    assert [(p.label, p.percent, p.change) for p in points] == [
        ("S1", 10, None),
        ("S3", 35, 25),
        ("S4", 30, -5),
    ]


JAN, FEB, MAR = date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)
JAN_END, FEB_END, MAR_END = date(2026, 1, 16), date(2026, 2, 13), date(2026, 3, 13)


def test_open_action_items_carry_over_until_done_or_dropped() -> None:
    actions = [
        ActionFacts(1, origin_sprint_id=10, origin_start=JAN, status="open", closed_on=None),
        ActionFacts(2, origin_sprint_id=10, origin_start=JAN, status="done", closed_on=JAN),
        ActionFacts(3, origin_sprint_id=10, origin_start=JAN, status="dropped", closed_on=FEB),
        ActionFacts(4, origin_sprint_id=20, origin_start=FEB, status="open", closed_on=None),
        ActionFacts(5, origin_sprint_id=30, origin_start=MAR, status="open", closed_on=None),
    ]
    # Sprint 20's retro: #1 still open, #3 dropped during sprint 20; #4 is its own.
    assert rules.carried_over(actions, sprint_id=20, sprint_start=FEB, sprint_end=FEB_END) == [
        1,
        3,
    ]
    # Sprint 30's retro: #1 and #4 still open; #3 was closed before sprint 30 began.
    assert rules.carried_over(actions, sprint_id=30, sprint_start=MAR, sprint_end=MAR_END) == [
        1,
        4,
    ]
    # An earlier sprint's retro never shows later sprints' action items.
    assert rules.carried_over(actions, sprint_id=10, sprint_start=JAN, sprint_end=JAN_END) == []


def test_an_item_closed_after_a_sprint_does_not_show_in_its_retro() -> None:
    late = ActionFacts(8, origin_sprint_id=10, origin_start=JAN, status="done", closed_on=MAR)
    assert rules.carried_over([late], sprint_id=20, sprint_start=FEB, sprint_end=FEB_END) == []
    assert rules.carried_over([late], sprint_id=30, sprint_start=MAR, sprint_end=MAR_END) == [8]


def test_an_action_item_written_outside_a_retro_carries_from_the_day_it_was_written() -> None:
    loose = ActionFacts(7, origin_sprint_id=None, origin_start=FEB, status="open", closed_on=None)
    assert rules.carried_over([loose], sprint_id=20, sprint_start=FEB, sprint_end=FEB_END) == []
    assert rules.carried_over([loose], sprint_id=30, sprint_start=MAR, sprint_end=MAR_END) == [7]
