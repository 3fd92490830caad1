"""Pure import rules: file kinds, the hierarchy of one file, tags and types, and the Trello
and GitHub readers — no database."""

from __future__ import annotations

import pytest

from jalon.backlog.rules import default_workflow
from jalon.errors import Invalid, translate
from jalon.transfer import rules, sources
from jalon.transfer.csvmap import ParsedRow, RowError
from jalon.transfer.rules import Known, Plan

WORKFLOW = default_workflow()


def _row(
    line: int,
    key: str | None,
    kind: str = "story",
    parent: str | None = None,
    external_id: str | None = None,
) -> ParsedRow:
    return ParsedRow(
        line, f"Item {line}", kind, external_key=key, parent_key=parent, external_id=external_id
    )


def _problems(plan: Plan) -> list[tuple[int, str]]:
    return [(p.line, translate(p.message, str)) for p in plan.finish()[1]]


@pytest.mark.parametrize(
    ("head", "expected"),
    [(b'\xef\xbb\xbf  {"a"', True), (b"\n[1]", True), (b"Summary,Status", False), (b"", False)],
)
def test_json_is_recognised_by_its_first_byte(head: bytes, expected: bool) -> None:
    assert rules.looks_like_json(head) is expected


def test_workbooks_and_binary_files_are_not_read_as_csv() -> None:
    with pytest.raises(Invalid, match="spreadsheet workbook, not a CSV file"):
        rules.check_text(b"PK\x03\x04\x14\x00\x06\x00")
    with pytest.raises(Invalid, match="not a text file"):
        rules.check_text(b"\x89PNG\r\n\x1a\n\x00\x00")
    rules.check_text("Summary\n".encode("utf-16"))  # UTF-16 with its byte-order mark is text
    rules.check_text(b"Summary,Status\n")


def test_json_formats() -> None:
    assert rules.json_format({"format": "jalon", "version": 1}) == "jalon"
    assert rules.json_format({"name": "Board", "cards": []}) == "trello"
    assert rules.json_format([{"number": 1}, {"number": 2}]) == "github"
    assert rules.json_format([]) == "github"
    with pytest.raises(Invalid, match="neither a Jalon export"):
        rules.json_format([{"title": "no number"}])
    with pytest.raises(Invalid, match="Unknown format 'xml'; formats are csv, trello"):
        rules.check_format("xml")
    assert rules.check_format("auto") is None


def test_parents_resolve_in_the_file_by_key_or_jira_id_and_in_the_product() -> None:
    plan = Plan([Known(7, "OLD-1", "epic", None)], {"parent_key", "type"})
    for row in (
        _row(2, "S-1", parent="10001"),  # Jira's "Parent id" names the issue id
        _row(3, "F-1", "feature", parent="OLD-1", external_id="10001"),
        _row(4, None, "bug", parent="F-1"),
    ):
        assert plan.add(row) is None
    parents, problems = plan.finish()
    assert problems == []
    assert parents == {"S-1": "F-1", "F-1": "OLD-1", 4: "F-1"}
    assert plan.ids["OLD-1"] == 7


def test_a_key_used_twice_names_the_first_line() -> None:
    plan = Plan([], {"parent_key"})
    assert plan.add(_row(2, "A-1")) is None
    message = plan.add(_row(9, "A-1"))
    assert message == "The key A-1 is already used on line 2: each item appears once."


def test_loops_are_shown_as_written_before_types_are_checked() -> None:
    plan = Plan([], {"parent_key"})
    for row in (
        _row(2, "A", parent="B"),
        _row(3, "B", parent="C"),
        _row(4, "C", parent="A"),
        _row(5, "D", parent="D"),
        _row(6, "E", parent="NOPE"),
    ):
        plan.add(row)
    assert _problems(plan) == [
        (2, "These items make a loop of parents: A → B → C → A."),
        (5, "An item cannot be its own parent."),
        (6, "No item has the key NOPE, neither in this file nor in the product."),
    ]


def test_a_loop_through_an_item_already_in_the_product() -> None:
    # In the product: X (feature) under Y (epic). The file puts Y under X.
    known = [Known(1, "X", "feature", 2), Known(2, "Y", "epic", None)]
    plan = Plan(known, {"parent_key"})
    plan.add(_row(2, "Y", "epic", parent="X"))
    assert _problems(plan) == [(2, "These items make a loop of parents: Y → X → Y.")]


def test_parent_types_follow_the_hierarchy() -> None:
    plan = Plan([], {"parent_key", "type"})
    plan.add(_row(2, "E", "epic", parent="S"))
    plan.add(_row(3, "S", "story"))
    plan.add(_row(4, "F", "feature", parent="S"))
    assert _problems(plan) == [
        (2, "An epic sits at the top: it has no parent."),
        (4, "A Feature goes under Epic, not under a Story."),
    ]


def test_without_a_parent_column_nothing_is_checked() -> None:
    plan = Plan([], {"title"})
    plan.add(_row(2, "A", parent="A"))
    assert plan.finish() == ({}, [])


def test_tags_and_types_from_labels() -> None:
    assert rules.clean_tags([" Web", "web", "", "API "]) == ["api", "web"]
    with pytest.raises(Invalid, match="at most 30 tags"):
        rules.clean_tags([f"t{i}" for i in range(31)])
    assert rules.type_from_labels(["ux", "Bug"]) == "bug"
    assert rules.type_from_labels(["tech-debt"]) == "tech_debt"
    assert rules.type_from_labels(["enhancement"]) == "story"


def test_report_keeps_counting_past_the_listed_problems() -> None:
    report = rules.Report("csv", "f.csv", columns={"status": "Statut"})
    for line in range(rules.MAX_PROBLEMS + 5):
        report.problem(line, "status", "bad")
    assert report.problem_count == rules.MAX_PROBLEMS + 5
    assert len(report.problems) == rules.MAX_PROBLEMS and report.problems[0].column == "Statut"
    assert not report.ok and report.error().params["n"] == rules.MAX_PROBLEMS + 5


def test_trello_lists_map_to_statuses_and_archived_cards_are_skipped() -> None:
    board = {
        "lists": [
            {"id": "a", "name": "Backlog"},
            {"id": "b", "name": "Review"},
            {"id": "c", "name": "Old", "closed": True},
        ],
        "cards": [
            {"id": "1", "name": "One", "idList": "a", "shortLink": "s1"},
            {"id": "2", "name": "Two", "idList": "b", "shortLink": "s2"},
            {"id": "3", "name": "Three", "idList": "c"},
            {"id": "4", "name": "", "idList": "a", "shortLink": "s4"},
        ],
    }
    source = sources.trello_source(board, {"Review": "ready"}, WORKFLOW)
    rows = list(source.rows)
    assert source.skipped == 1 and sources.trello_lists(board) == ["Backlog", "Review"]
    assert [(r.external_key, r.status) for r in rows if isinstance(r, ParsedRow)] == [
        ("trello-s1", "new"),
        ("trello-s2", "ready"),
    ]
    assert isinstance(rows[2], RowError) and "title" in rows[2].errors


def test_github_issues_states_labels_and_pull_requests() -> None:
    issues = [
        {
            "number": 3,
            "title": "Closed as not planned",
            "state": "closed",
            "state_reason": "not_planned",
            "labels": ["epic"],
        },
        {"number": 4, "title": "A PR", "state": "open", "pull_request": {}},
        {"number": 5, "title": "Bad date", "state": "open", "created_at": "yesterday"},
    ]
    source = sources.github_source(issues, WORKFLOW)
    rows = list(source.rows)
    assert source.skipped == 1
    first = rows[0]
    assert isinstance(first, ParsedRow)
    assert (first.external_key, first.status, first.type) == ("#3", "rejected", "epic")
    assert isinstance(rows[1], RowError) and "created_at" in rows[1].errors
