"""Pure refinement rules: settings drafts, ticks, links, and two versions side by side."""

from __future__ import annotations

import pytest

from jalon.errors import Invalid
from jalon.refinement import rules

WORKFLOW = [
    {"key": "new", "label": "New", "category": "todo"},
    {"key": "done", "label": "Done", "category": "done"},
]


def test_status_keys_come_from_labels_and_stay_unique() -> None:
    assert rules.status_key("En revue", set()) == "en_revue"
    assert rules.status_key("En revue", {"en_revue"}) == "en_revue_2"
    assert rules.status_key("En revue", {"en_revue", "en_revue_2"}) == "en_revue_3"
    assert rules.status_key("1st check", set()) == "status_1st_check"
    assert rules.status_key("!!!", set()) == "status"
    long = rules.status_key("x" * 60, {"x" * 30})
    assert len(long) <= 30 and long.endswith("_2")


def test_buttons_move_and_remove_rows() -> None:
    draft = rules.Draft(statuses=list(WORKFLOW), ready=["a", "b", "c"], done=["x"])
    assert rules.apply_op(draft, "ready:up:2").ready == ["a", "c", "b"]
    assert rules.apply_op(draft, "ready:down:0").ready == ["b", "a", "c"]
    assert rules.apply_op(draft, "ready:up:0").ready == ["a", "b", "c"]  # already first
    assert rules.apply_op(draft, "done:remove:0").done == []
    assert [s["key"] for s in rules.apply_op(draft, "statuses:down:0").statuses] == [
        "done",
        "new",
    ]
    assert rules.apply_op(draft, "ready:remove:9") == draft  # out of range: nothing
    assert rules.apply_op(draft, "save") == draft
    assert rules.apply_op(draft, "ready:explode:1") == draft
    assert draft.ready == ["a", "b", "c"]  # the draft itself is never changed


def test_settings_are_checked_field_by_field() -> None:
    draft = rules.Draft(
        statuses=[*WORKFLOW, {"key": "", "label": "En revue", "category": "doing"}, {}],
        scale="tshirt",
        ready=["  Estimated ", "Estimated", ""],
        done=["Tested"],
    )
    clean = rules.check_settings(draft)
    assert [s["key"] for s in clean.statuses] == ["new", "done", "en_revue"]
    assert clean.scale == "tshirt"
    assert clean.definition_of_ready == ["Estimated"]
    bad = rules.Draft(
        statuses=[{"key": "new", "label": "New", "category": "todo"}],
        scale="dice",
        ready=["x" * 300],
    )
    with pytest.raises(Invalid) as caught:
        rules.check_settings(bad)
    assert set(caught.value.fields) == {"statuses", "scale", "definition_of_ready"}
    assert "done category" in caught.value.fields["statuses"]


def test_removed_statuses_keep_their_order() -> None:
    new = [{"key": "done", "label": "Done", "category": "done"}]
    assert rules.removed_statuses([*WORKFLOW, {"key": "x", "label": "X"}], new) == ["new", "x"]


def test_ticks_follow_the_checklist() -> None:
    checklist = ["Estimated", "Has criteria", "Small enough"]
    checks = rules.with_ticks(
        {"done": ["Tested"]}, "ready", ["Small enough", "Estimated"], checklist
    )
    assert checks == {"done": ["Tested"], "ready": ["Estimated", "Small enough"]}
    assert rules.ticked(checks, "ready") == ["Estimated", "Small enough"]
    assert rules.ticked(None, "ready") == [] and rules.ticked({"ready": "oops"}, "ready") == []
    with pytest.raises(Invalid) as caught:
        rules.with_ticks({}, "ready", ["Made up"], checklist)
    assert caught.value.fields["ticked"] == "'Made up' is not an entry of this checklist."
    with pytest.raises(Invalid):
        rules.with_ticks({}, "someday", [], checklist)


def test_link_kinds_read_both_ways() -> None:
    assert rules.parse_link_kind("blocks") == ("blocks", False)
    assert rules.parse_link_kind("blocked by") == ("blocks", True)
    assert rules.parse_link_kind("Relates to") == ("relates", False)
    assert rules.parse_link_kind("duplicated_by") == ("duplicates", True)
    with pytest.raises(Invalid):
        rules.parse_link_kind("causes")


@pytest.mark.parametrize(
    ("from_id", "to_id", "kind", "same", "existing", "message"),
    [
        (1, 1, "relates", True, set(), "itself"),
        (1, 2, "relates", False, set(), "same product"),
        (1, 2, "blocks", True, {(1, 2, "blocks")}, "already linked"),
        (1, 2, "relates", True, {(2, 1, "relates")}, "already linked"),
        (1, 2, "blocks", True, {(2, 1, "blocks")}, "cannot block each other"),
    ],
)
def test_bad_links_are_refused(
    from_id: int,
    to_id: int,
    kind: str,
    same: bool,
    existing: set[tuple[int, int, str]],
    message: str,
) -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_link(
            from_id=from_id, to_id=to_id, kind=kind, same_product=same, existing=existing
        )
    assert message in str(caught.value)


def test_good_links_pass() -> None:
    rules.check_link(from_id=1, to_id=2, kind="duplicates", same_product=True, existing=set())
    rules.check_link(
        from_id=1, to_id=2, kind="relates", same_product=True, existing={(1, 2, "blocks")}
    )


def test_item_references() -> None:
    assert rules.parse_item_ref(" #42 ") == 42
    for bad in ("", "abc", "#", "4 2"):
        with pytest.raises(Invalid):
            rules.parse_item_ref(bad)


def test_two_versions_side_by_side() -> None:
    theirs = {"title": "Export", "description": "one\ntwo\nthree", "tags": "a, b"}
    mine = {"title": "Export ", "description": "one\n2\nthree\nfour", "tags": "a"}
    diffs = {d.name: d for d in rules.compare(theirs, mine)}
    assert not diffs["title"].differs  # trailing spaces are no difference
    assert diffs["tags"].differs and diffs["tags"].lines == []
    assert diffs["description"].lines == [
        ("same", "one"),
        ("theirs", "two"),
        ("mine", "2"),
        ("same", "three"),
        ("mine", "four"),
    ]
    assert [d.name for d in rules.compare(theirs, mine)] == ["title", "description", "tags"]
