"""Release rules: fields, progress without double counting, outlook against the target,
readiness warnings, and release notes grouped by type in the notes' language."""

from __future__ import annotations

from datetime import date

import pytest

from jalon.errors import Conflict, Invalid
from jalon.releases import rules
from jalon.releases.rules import NoteItem, Outlook, ScopeRow

D = date(2026, 6, 1)


def test_clean_fields_reports_every_problem_per_field() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_fields({"name": "  ", "target_date": "31/12/2026", "description": "x"})
    assert set(caught.value.fields) == {"name", "target_date"}
    assert "YYYY-MM-DD" in caught.value.fields["target_date"]


def test_clean_fields_keeps_only_the_fields_given() -> None:
    assert rules.clean_fields({"target_date": "2026-12-31"}) == {"target_date": date(2026, 12, 31)}
    assert rules.clean_fields({"name": " 2.4 ", "target_date": ""}) == {
        "name": "2.4",
        "target_date": None,
    }
    with pytest.raises(Invalid) as caught:
        rules.clean_fields({"name": "v" * 101})
    assert "name" in caught.value.fields


def test_tick_sets_exactly_the_entries_given_and_refuses_unknown_ones() -> None:
    checklist = rules.copy_checklist(["Docs", "Rollback"])
    ticked = rules.tick(checklist, ["Rollback"])
    assert ticked == [{"text": "Docs", "done": False}, {"text": "Rollback", "done": True}]
    assert rules.unticked(ticked) == ["Docs"]
    assert rules.unticked(rules.tick(ticked, [])) == ["Docs", "Rollback"]
    with pytest.raises(Invalid) as caught:
        rules.tick(checklist, ["Champagne"])
    assert "ticked" in caught.value.fields


def test_progress_counts_a_parent_through_its_children_in_the_scope() -> None:
    rows = [
        ScopeRow(1, None, 40, False),  # epic, its estimate is the children's sum
        ScopeRow(2, 1, 5, True),
        ScopeRow(3, 1, 3, False),
        ScopeRow(4, None, 2, True),  # a bug on its own
        ScopeRow(5, None, None, False),  # unestimated
    ]
    found = rules.progress(rows)
    assert (found.items, found.done_items, found.remaining) == (4, 2, 2)
    assert (found.points, found.done_points) == (10, 7)
    assert found.percent == 50
    assert rules.progress([ScopeRow(1, None, 8, False)]).points == 8  # alone, an epic counts
    assert rules.progress([]).percent == 0


@pytest.mark.parametrize(
    ("p50", "p85", "target", "expected"),
    [
        (date(2026, 5, 1), date(2026, 5, 20), D, Outlook.ON_TRACK),
        (date(2026, 5, 1), D, D, Outlook.ON_TRACK),  # the target day itself holds
        (date(2026, 5, 1), date(2026, 6, 2), D, Outlook.AT_RISK),
        (D, date(2026, 7, 1), D, Outlook.AT_RISK),
        (date(2026, 6, 2), date(2026, 7, 1), D, Outlook.LATE),
        (date(2026, 5, 1), date(2026, 5, 20), None, Outlook.NO_TARGET),
        (None, None, D, Outlook.UNKNOWN),
    ],
)
def test_outlook_against_the_target(
    p50: date | None, p85: date | None, target: date | None, expected: Outlook
) -> None:
    assert rules.outlook(items=5, remaining=3, target=target, p50=p50, p85=p85) is expected


def test_nothing_left_is_done_and_nothing_planned_is_empty() -> None:
    assert rules.outlook(items=2, remaining=0, target=D, p50=None, p85=None) is Outlook.DONE
    assert rules.outlook(items=0, remaining=0, target=D, p50=None, p85=None) is Outlook.EMPTY


def test_release_warnings_name_unticked_entries_and_unfinished_items() -> None:
    checklist = rules.tick(rules.copy_checklist(["Docs", "Rollback"]), ["Docs"])
    warnings = rules.release_warnings(checklist, [(7, "Export"), (9, "Import")])
    assert [w.template for w in warnings] == [
        "Readiness checklist not ticked: {entry}",
        "Not done, so leaving the release: {items}",
    ]
    assert "Rollback" in warnings[0]
    assert "#7 Export, #9 Import" in warnings[1]
    assert rules.release_warnings(rules.tick(checklist, ["Docs", "Rollback"]), []) == []


def test_a_released_release_no_longer_changes() -> None:
    rules.check_can_change("planned")
    with pytest.raises(Conflict):
        rules.check_can_change("released")


ITEMS = [
    NoteItem(1, "story", "Export to CSV"),
    NoteItem(2, "bug", "Crash on *empty* title"),
    NoteItem(3, "feature", "Dark mode"),
    NoteItem(4, "tech_debt", "Upgrade the database driver"),
    NoteItem(5, "story", "Keyboard moves"),
    NoteItem(6, "spike", "Try a new chart library"),
]


def test_notes_group_done_items_by_type_in_a_fixed_order() -> None:
    groups = rules.group_for_notes(ITEMS)
    assert [key for key, _title, _items in groups] == [
        "features", "improvements", "fixes", "tech_debt", "research",
    ]  # fmt: skip
    assert [i.id for i in groups[1][2]] == [1, 5]  # backlog order kept
    assert rules.group_for_notes([NoteItem(1, "bug", "x")])[0][0] == "fixes"  # empty ones out


def test_notes_markdown_in_the_language_of_the_translator() -> None:
    french = {"Improvements": "Améliorations", "Bug fixes": "Corrections"}
    text = rules.notes_markdown(
        name="2.4", day="1 juin 2026", items=ITEMS[:2], gettext=lambda m: french.get(m, m)
    )
    assert text.splitlines() == [
        "# 2.4",
        "",
        "*1 juin 2026*",
        "",
        "## Améliorations",
        "",
        "- Export to CSV (#1)",
        "",
        "## Corrections",
        "",
        r"- Crash on \*empty\* title (#2)",
    ]


def test_notes_escape_markdown_in_titles() -> None:
    assert rules.md_escape("<script>alert(1)</script> [x](y)") == (
        r"\<script\>alert\(1\)\</script\> \[x\]\(y\)"
    )


def test_notes_without_done_items_say_so() -> None:
    text = rules.notes_markdown(name="3.0", day="", items=[], gettext=str)
    assert "No change is done in this release yet." in text
    assert "##" not in text


def test_notes_languages() -> None:
    assert rules.check_language(" FR ") == "fr"
    with pytest.raises(Invalid) as caught:
        rules.check_language("de")
    assert "language" in caught.value.fields
