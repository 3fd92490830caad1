"""Import and export of a backlog, on SQLite and PostgreSQL: dry runs write nothing,
re-imports update by key, whole imports undo, bad files are refused with precise messages
and write nothing, and a product's JSON export imports back identically."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from jalon.backlog import services as backlog
from jalon.backlog.models import Comment, ImportBatch, Item, ItemTag, StatusChange
from jalon.errors import Conflict, Forbidden, Invalid, translate
from jalon.products import services as products
from jalon.transfer import queries, services
from jalon.uow import Database
from tests.support.helpers import actor, make_user

JIRA = (
    "Issue key,Summary,Issue Type,Status,Priority,Story Points,Parent,Labels,Labels,Created\n"
    "PAY-1,Payments,Epic,To Do,High,,,payments,,12/Mar/24 10:15 AM\n"
    "PAY-2,Card payments,Feature,In Progress,High,,PAY-1,payments,web,13/Mar/24 9:00 AM\n"
    "PAY-3,Pay by card,Story,Done,Medium,5,PAY-2,web,,2024-03-14\n"
    "PAY-4,Refund a payment,Bug,To Do,Low,3,PAY-2,,,2024-03-15\n"
)


def _setup(db: Database) -> tuple[Any, int]:
    po = make_user(db, "po@example.org")
    product = products.create_product(db.uow(), actor=actor(po), name="Atlas")
    return actor(po), product.id


def _import(db: Database, who: Any, pid: int, data: str | bytes, **kw: Any) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    uow = db.reader() if kw.get("dry_run") else db.uow()
    return services.import_file(
        uow, actor=who, product_id=pid, stream=io.BytesIO(raw), filename="jira.csv", **kw
    )


def _items(db: Database, pid: int) -> dict[str, Item]:
    with db.reader() as uow:
        rows = uow.session.scalars(select(Item).where(Item.product_id == pid).order_by(Item.rank))
        return {i.external_key or i.title: i for i in rows}


def _counts(db: Database) -> tuple[int, ...]:
    with db.reader() as uow:
        return tuple(
            int(uow.session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Item, ImportBatch, ItemTag, StatusChange)
        )


def test_dry_run_reads_every_row_and_writes_nothing(db: Database) -> None:
    who, pid = _setup(db)
    before = _counts(db)
    report = _import(db, who, pid, JIRA, dry_run=True)
    assert report.ok and report.rows == 4 and report.created == 4 and report.batch_id is None
    assert [(p.line, p.action, p.key, p.type, p.status) for p in report.preview] == [
        (2, "create", "PAY-1", "epic", "new"),
        (3, "create", "PAY-2", "feature", "in_progress"),
        (4, "create", "PAY-3", "story", "done"),
        (5, "create", "PAY-4", "bug", "new"),
    ]
    assert report.preview[1].tags == ["payments", "web"]
    assert _counts(db) == before


def test_import_builds_the_hierarchy_after_the_existing_items(db: Database) -> None:
    who, pid = _setup(db)
    first = backlog.create_item(db.uow(), actor=who, product_id=pid, values={"title": "Before"})
    report = _import(db, who, pid, JIRA)
    assert (report.created, report.updated, report.batch_id is not None) == (4, 0, True)
    items = _items(db, pid)
    assert list(items) == ["Before", "PAY-1", "PAY-2", "PAY-3", "PAY-4"]  # appended in order
    assert items["PAY-1"].rank > first.rank
    assert items["PAY-2"].parent_id == items["PAY-1"].id
    assert items["PAY-3"].parent_id == items["PAY-4"].parent_id == items["PAY-2"].id
    assert items["PAY-3"].estimate == 5 and items["PAY-3"].done_at is not None
    assert items["PAY-1"].created_at.isoformat() == "2024-03-12T10:15:00+00:00"
    with db.reader() as uow:
        tags = set(uow.session.execute(select(ItemTag.item_id, ItemTag.tag)))
        history = uow.session.scalar(
            select(func.count()).where(StatusChange.item_id == items["PAY-3"].id)
        )
    assert (items["PAY-2"].id, "web") in tags and history == 1


def test_parents_after_their_children_and_already_in_the_product(db: Database) -> None:
    who, pid = _setup(db)
    _import(db, who, pid, "Issue key,Summary,Issue Type\nOLD-1,Old epic,Epic\n")
    data = (
        "Issue key,Summary,Issue Type,Epic Link\n"
        "NEW-2,Child story,Story,NEW-1\n"
        "NEW-1,Feature later in the file,Feature,OLD-1\n"
    )
    _import(db, who, pid, data)
    items = _items(db, pid)
    assert items["NEW-2"].parent_id == items["NEW-1"].id
    assert items["NEW-1"].parent_id == items["OLD-1"].id


def test_reimport_updates_by_key_instead_of_duplicating(db: Database) -> None:
    who, pid = _setup(db)
    _import(db, who, pid, JIRA)
    again = _import(db, who, pid, JIRA)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    changed = JIRA.replace("Pay by card,Story,Done", "Pay by card or wallet,Story,To Do")
    report = _import(db, who, pid, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    items = _items(db, pid)
    assert len(items) == 4
    assert items["PAY-3"].title == "Pay by card or wallet" and items["PAY-3"].status == "new"
    assert items["PAY-3"].done_at is None and items["PAY-3"].version == 2


def test_undo_removes_created_items_and_restores_updated_ones(db: Database) -> None:
    who, pid = _setup(db)
    first = _import(db, who, pid, JIRA)
    changed = JIRA.replace("Refund a payment,Bug,To Do,Low,3", "Refund,Bug,In Progress,Low,8")
    second = _import(db, who, pid, changed + "PAY-5,New one,Story,To Do,,,,,,\n")
    with pytest.raises(Conflict, match=f"later import #{second.batch_id}"):
        services.undo_import(db.uow(), actor=who, batch_id=first.batch_id)
    services.undo_import(db.uow(), actor=who, batch_id=second.batch_id)
    items = _items(db, pid)
    assert "PAY-5" not in items
    refund = items["PAY-4"]
    assert (refund.title, refund.status, refund.estimate) == ("Refund a payment", "new", 3)
    assert refund.version == 3  # a new version, so stale If-Match fail
    with pytest.raises(Conflict):
        services.undo_import(db.uow(), actor=who, batch_id=second.batch_id)
    services.undo_import(db.uow(), actor=who, batch_id=first.batch_id)
    assert _items(db, pid) == {}
    rows = queries.list_imports(db.reader(), actor=who, product_id=pid)
    assert [r.undone_at is not None for r in rows] == [True, True]


BAD_FILES = [
    (
        "malformed",
        'Summary,Status\n"Never closed,To Do\n',
        "Line 2: a quoted field is never closed",
    ),
    (
        "mixed encodings",
        "Summary\nCréer\n".encode() + b"x" * 70_000 + b"\nD\xe9j\xe0\n",
        "mixes text encodings",
    ),
    ("no title column", "Issue key,Status\nA-1,To Do\n", "Choose the column that holds the title"),
    (
        "cycle",
        "Issue key,Summary,Issue Type,Parent\nA-1,One,Story,A-2\nA-2,Two,Story,A-3\n"
        "A-3,Three,Story,A-1\n",
        "These items make a loop of parents: A-1 → A-2 → A-3 → A-1.",
    ),
    ("own parent", "Issue key,Summary,Parent\nA-1,One,A-1\n", "An item cannot be its own parent"),
    (
        "unknown parent",
        "Issue key,Summary,Parent\nA-1,One,ZZ-9\n",
        "No item has the key ZZ-9, neither in this file nor in the product.",
    ),
    (
        "unknown type",
        "Summary,Issue Type\nA,Saga\n",
        "Unknown item type 'Saga'; types are epic, feature, story, bug, tech_debt, spike.",
    ),
    (
        "unknown status",
        "Summary,Status\nA,Parked\n",
        "Unknown status 'Parked'; this product's statuses are new, ready, in_progress, done, "
        "rejected.",
    ),
    (
        "repeated key",
        "Issue key,Summary\nA-1,One\nA-1,Two\n",
        "The key A-1 is already used on line 2",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_get_a_precise_message_and_write_nothing(
    db: Database, data: str | bytes, message: str
) -> None:
    who, pid = _setup(db)
    before = _counts(db)
    with pytest.raises(Invalid) as error:
        _import(db, who, pid, data)
    text = error.value.render() + " " + " ".join(error.value.render_fields().values())
    assert message in text
    assert _counts(db) == before


def test_parents_of_the_wrong_type_are_refused_per_row(db: Database) -> None:
    who, pid = _setup(db)
    data = (
        "Issue key,Summary,Issue Type,Parent\n"
        "S-1,Story one,Story,F-1\nF-1,Feature one,Feature,F-2\nF-2,Feature two,Feature,\n"
    )
    report = _import(db, who, pid, data, dry_run=True)
    assert [(p.line, p.column, translate(p.message, str)) for p in report.problems] == [
        (3, "Parent", "A Feature goes under Epic, not under a Feature.")
    ]


def test_dry_run_reports_each_bad_row_with_its_line_and_column(db: Database) -> None:
    who, pid = _setup(db)
    data = "Summary,Status,Story Points\nGood,To Do,3\nBad status,Nowhere,5\nBad points,To Do,4\n"
    report = _import(db, who, pid, data, dry_run=True)
    assert not report.ok and report.problem_count == 2
    assert [(p.line, p.column) for p in report.problems] == [(3, "Status"), (4, "Story Points")]
    assert translate(report.problems[1].message, str).startswith(
        "4 is not on the Fibonacci scale (0, 0.5, 1, 2, 3, 5, 8, 13, 20, 40, 100)"
    )


def test_only_product_owners_and_admins_import(db: Database) -> None:
    who, pid = _setup(db)
    member = make_user(db, "dev@example.org")
    products.add_member(db.uow(), product_id=pid, actor=who, email=member.email, role="member")
    with pytest.raises(Forbidden):
        _import(db, actor(member), pid, JIRA)
    assert _counts(db)[0] == 0


# --- Trello and GitHub ------------------------------------------------------------------------

TRELLO = {
    "name": "Roadmap",
    "lists": [
        {"id": "l1", "name": "To Do", "closed": False},
        {"id": "l2", "name": "Doing", "closed": False},
        {"id": "l3", "name": "Shipped", "closed": False},
        {"id": "l4", "name": "Old", "closed": True},
    ],
    "cards": [
        {
            "id": "65f0a1b2c3d4e5f601234567",
            "shortLink": "abc",
            "name": "Sign up",
            "desc": "As a",
            "idList": "l1",
            "closed": False,
            "labels": [{"name": "ux", "color": "green"}],
        },
        {
            "id": "65f0a1b2c3d4e5f601234568",
            "shortLink": "def",
            "name": "Crash on login",
            "desc": "",
            "idList": "l3",
            "closed": False,
            "labels": [{"name": "Bug", "color": "red"}],
            "due": "2024-05-01T10:00:00.000Z",
            "dateLastActivity": "2024-04-02T08:00:00.000Z",
        },
        {"id": "x3", "shortLink": "ghi", "name": "Archived", "idList": "l1", "closed": True},
        {"id": "x4", "shortLink": "jkl", "name": "In an archived list", "idList": "l4"},
    ],
    "checklists": [
        {
            "id": "c1",
            "idCard": "65f0a1b2c3d4e5f601234567",
            "name": "Done when",
            "checkItems": [
                {"name": "E-mail sent", "state": "complete", "pos": 1},
                {"name": "Welcome page", "state": "incomplete", "pos": 2},
            ],
        },
    ],
}

GITHUB = [
    {
        "number": 12,
        "title": "Export to PDF",
        "body": "Users ask for it",
        "state": "open",
        "labels": [{"name": "enhancement"}],
        "assignee": {"login": "dev"},
        "created_at": "2024-01-02T03:04:05Z",
        "closed_at": None,
    },
    {
        "number": 13,
        "title": "Broken link",
        "body": None,
        "state": "closed",
        "state_reason": "completed",
        "labels": [{"name": "bug"}],
        "assignee": {"login": "ghost"},
        "created_at": "2024-01-03T00:00:00Z",
        "closed_at": "2024-01-05T00:00:00Z",
    },
    {"number": 14, "title": "A pull request", "state": "open", "pull_request": {"url": "x"}},
]


def test_trello_board_cards_lists_labels_and_checklists(db: Database) -> None:
    who, pid = _setup(db)
    data = json.dumps(TRELLO)
    dry = _import(db, who, pid, data, dry_run=True, mapping={"Shipped": "done"})
    assert dry.format == "trello" and dry.created == 2 and dry.skipped == 2
    unmapped = _import(db, who, pid, data, dry_run=True)
    assert unmapped.problems[0].column == "list" and "Shipped" in unmapped.problems[0].message
    _import(db, who, pid, data, mapping={"Shipped": "done"})
    items = _items(db, pid)
    signup, crash = items["trello-abc"], items["trello-def"]
    assert (signup.status, signup.type, crash.status, crash.type) == ("new", "story", "done", "bug")
    assert "- [x] E-mail sent" in signup.acceptance_criteria
    assert "- [ ] Welcome page" in signup.acceptance_criteria
    assert crash.due_date is not None and crash.due_date.isoformat() == "2024-05-01"
    assert signup.created_at.year == 2024  # from the Trello id


def test_github_issues_with_known_assignees_only(db: Database) -> None:
    who, pid = _setup(db)
    dev = make_user(db, "dev@example.org")
    report = _import(db, who, pid, json.dumps(GITHUB))
    assert (report.format, report.created, report.skipped) == ("github", 2, 1)
    items = _items(db, pid)
    assert items["#12"].assignee_id == dev.id and items["#12"].status == "new"
    assert items["#13"].assignee_id is None and items["#13"].status == "done"
    assert items["#13"].type == "bug" and items["#13"].done_at.isoformat().startswith("2024-01-05")
    with pytest.raises(Invalid) as error:
        _import(db, who, pid, json.dumps(GITHUB), file_format="trello")
    assert error.value.render() == (
        "This file is a GitHub issues (JSON), not a Trello board (JSON)."
    )


def test_a_json_file_of_another_kind_is_refused(db: Database) -> None:
    who, pid = _setup(db)
    with pytest.raises(Invalid, match="neither a Jalon export"):
        _import(db, who, pid, '{"hello": 1}')
    with pytest.raises(Invalid, match="line 1, column 2"):
        _import(db, who, pid, "{oops")


# --- the lossless JSON export ------------------------------------------------------------------


def _rich_product(db: Database, who: Any, pid: int) -> None:
    """Items on three levels with tags, comments, history, scores, links, formulas, views."""
    from datetime import UTC, date, datetime

    from jalon.backlog.models import BacklogSettings, ItemLink, SavedView
    from jalon.prioritisation.models import Formula, ItemScore

    at = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    with db.uow() as uow:
        uow.add(
            BacklogSettings(
                product_id=pid,
                statuses=[
                    {"key": "todo", "label": "À faire", "category": "todo"},
                    {"key": "shipped", "label": "Livré", "category": "done"},
                ],
                scale="tshirt",
                definition_of_ready=["Estimated"],
                definition_of_done=["Tested"],
            )
        )
        epic = Item(
            product_id=pid,
            type="epic",
            title="Paiement",
            rank="a0",
            status="todo",
            external_key="PAY-1",
            created_at=at,
            updated_at=at,
            checks={},
        )
        uow.add(epic)
        uow.flush()
        feature = Item(
            product_id=pid,
            type="feature",
            title="Carte",
            rank="a1",
            status="todo",
            parent_id=epic.id,
            created_at=at,
            updated_at=at,
            checks={"ready": ["x"]},
            description="**Carte** bancaire",
            estimate=5.0,
            business_value=8.0,
            due_date=date(2024, 9, 1),
            version=4,
        )
        uow.add(feature)
        uow.flush()
        story = Item(
            product_id=pid,
            type="story",
            title="Payer « vite »",
            rank="a0V",
            status="shipped",
            parent_id=feature.id,
            created_at=at,
            updated_at=at,
            done_at=at,
            acceptance_criteria="Given a card\nWhen I pay\nThen it works",
            checks={},
        )
        uow.add(story)
        uow.flush()
        uow.add(ItemTag(item_id=story.id, tag="mobile"))
        uow.add(ItemTag(item_id=story.id, tag="web"))
        uow.add(
            Comment(
                item_id=story.id,
                author_id=who.id,
                author_label="PO",
                body="@dev look",
                created_at=at,
            )
        )
        uow.add(
            StatusChange(
                item_id=story.id,
                from_status=None,
                to_status="todo",
                actor_id=who.id,
                actor_label="PO",
                at=at,
            )
        )
        uow.add(
            StatusChange(
                item_id=story.id,
                from_status="todo",
                to_status="shipped",
                actor_id=None,
                actor_label="command line",
                at=at,
            )
        )
        uow.add(
            ItemScore(
                item_id=story.id,
                model="rice",
                value=12.5,
                error="",
                updated_at=at,
                inputs={"reach": 100, "impact": 1, "confidence": 0.5, "effort": 4},
            )
        )
        uow.add(ItemLink(from_id=story.id, to_id=epic.id, kind="relates"))
        uow.add(
            Formula(
                product_id=pid,
                key="value",
                name="Value",
                expression="reach * 2",
                created_at=at,
                updated_at=at,
            )
        )
        uow.add(
            SavedView(
                product_id=pid, user_id=None, name="Shared", query={"tag": "web"}, created_at=at
            )
        )
        uow.add(
            SavedView(
                product_id=pid, user_id=who.id, name="Mine", query={"type": ["bug"]}, created_at=at
            )
        )
        uow.commit()


def _export(db: Database, who: Any, pid: int, fmt: str = "json") -> str:
    name, chunks = queries.export_product(db.reader(), actor=who, product_id=pid, export_format=fmt)
    assert name.endswith(f"-{pid}.{fmt}")
    return "".join(chunks)


def _comparable(text: str) -> Any:
    document = json.loads(text)
    del document["exported_at"]
    for item in document["items"]:
        del item["id"]  # the only thing that must differ
    return document


def test_json_export_imports_back_identically_into_a_new_product(db: Database) -> None:
    who, pid = _setup(db)
    _rich_product(db, who, pid)
    first = _export(db, who, pid)
    assert len(first.splitlines()) > 5  # one line per item: streamed, not one big line
    copy = products.create_product(db.uow(), actor=who, name="Copy").id
    dry = services.import_file(
        db.reader(),
        actor=who,
        product_id=copy,
        dry_run=True,
        stream=io.BytesIO(first.encode()),
        filename="atlas.json",
    )
    assert dry.format == "jalon" and dry.ok and dry.created == 3
    assert _items(db, copy) == {}
    report = services.import_file(
        db.uow(),
        actor=who,
        product_id=copy,
        stream=io.BytesIO(first.encode()),
        filename="atlas.json",
    )
    assert report.created == 3
    second = _export(db, who, copy)
    assert _comparable(second) == _comparable(first)
    with pytest.raises(Invalid, match="new, empty product"):
        services.import_file(
            db.uow(),
            actor=who,
            product_id=copy,
            stream=io.BytesIO(first.encode()),
            filename="atlas.json",
        )
    services.undo_import(db.uow(), actor=who, batch_id=report.batch_id)
    emptied = _comparable(_export(db, who, copy))
    assert emptied["items"] == [] and emptied["formulas"] == [] and emptied["saved_views"] == []
    assert emptied["product"]["name"] == "Copy"


def test_csv_export_has_jira_columns_and_imports_elsewhere(db: Database) -> None:
    who, pid = _setup(db)
    _import(db, who, pid, JIRA)
    text = _export(db, who, pid, "csv")
    lines = text.splitlines()
    assert lines[0].startswith("Issue key,Summary,Issue Type,Status,Story Points,Parent,Labels")
    assert lines[3].startswith("PAY-3,Pay by card,Story,Done,5,PAY-2,web,")
    other = products.create_product(db.uow(), actor=who, name="Other").id
    report = _import(db, who, other, text)
    assert report.created == 4
    items = _items(db, other)
    assert items["PAY-3"].parent_id == items["PAY-2"].id and items["PAY-3"].status == "done"


def test_readers_export_csv_but_only_owners_the_full_json(db: Database) -> None:
    who, pid = _setup(db)
    viewer = make_user(db, "viewer@example.org")
    products.add_member(db.uow(), product_id=pid, actor=who, email=viewer.email, role="viewer")
    assert _export(db, actor(viewer), pid, "csv").startswith("Issue key")
    with pytest.raises(Forbidden):
        _export(db, actor(viewer), pid, "json")
