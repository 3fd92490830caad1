"""Release use cases on both engines: planning, scope, readiness, releasing with the choice
recorded, release notes in English and French, the public changelog, the forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select, update

from jalon.activity import ActivityEntry
from jalon.backlog import services as backlog
from jalon.backlog.models import Item
from jalon.errors import Conflict, Forbidden, Invalid, NotFound
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.releases import queries, services
from jalon.releases.demo import seed_releases
from jalon.releases.models import Release, ReleaseItem
from jalon.releases.rules import Outlook
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _setup(db: Database) -> tuple[Actor, int, dict[str, Actor]]:
    po = actor(make_user(db, "po@example.org", name="Paula"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    people = {}
    for role in ("member", "viewer"):
        user = make_user(db, f"{role}@example.org", name=role.title())
        products.add_member(db.uow(), product_id=pid, actor=po, email=user.email, role=role)
        people[role] = actor(user)
    return po, pid, people


def _item(db: Database, po: Actor, pid: int, title: str, **values: Any) -> int:
    return backlog.create_item(
        db.uow(), actor=po, product_id=pid, values={"title": title, **values}
    ).id


def _release(db: Database, po: Actor, pid: int, name: str = "2.4", **values: Any) -> int:
    return services.create_release(
        db.uow(), actor=po, product_id=pid, values={"name": name, **values}
    ).id


def _page(db: Database, po: Actor, rid: int) -> queries.ReleasePage:
    return queries.release_page(db.reader(), actor=po, release_id=rid)


def _actions(db: Database, pid: int) -> list[str]:
    with db.reader() as uow:
        stmt = select(ActivityEntry.action).where(ActivityEntry.product_id == pid)
        return [str(a) for a in uow.session.scalars(stmt.order_by(ActivityEntry.id))]


def test_plan_a_release_with_the_default_checklist(db: Database) -> None:
    po, pid, _people = _setup(db)
    rid = _release(db, po, pid, target_date="2026-12-31", description="Winter")
    page = _page(db, po, rid)
    assert page.release.target_date == date(2026, 12, 31)
    assert page.release.state == "planned"
    assert [c["text"] for c in page.release.checklist][:2] == [
        "Release notes written", "Documentation updated",
    ]  # fmt: skip
    assert not any(c["done"] for c in page.release.checklist)
    assert _actions(db, pid)[-1] == "releases.release.created"


def test_bad_input_is_refused_per_field_and_writes_nothing(db: Database) -> None:
    po, pid, people = _setup(db)
    _release(db, po, pid, "2.4")
    with pytest.raises(Conflict) as caught:
        _release(db, po, pid, "2.4")
    assert "name" in caught.value.fields
    with pytest.raises(Invalid) as caught_date:
        _release(db, po, pid, "2.5", target_date="next friday")
    assert set(caught_date.value.fields) == {"target_date"}
    with pytest.raises(Forbidden):
        _release(db, people["member"], pid, "2.6")
    view = queries.list_releases(db.reader(), actor=po, product_id=pid)
    assert [row.release.name for row in view.rows] == ["2.4"]


def test_renaming_onto_another_release_is_refused(db: Database) -> None:
    po, pid, _people = _setup(db)
    _release(db, po, pid, "2.4")
    rid = _release(db, po, pid, "2.5")
    with pytest.raises(Conflict):
        services.update_release(db.uow(), actor=po, release_id=rid, values={"name": "2.4"})
    services.update_release(db.uow(), actor=po, release_id=rid, values={"name": "2.5.1"})
    assert _page(db, po, rid).release.name == "2.5.1"


def test_scope_counts_an_epic_through_its_children(db: Database) -> None:
    po, pid, people = _setup(db)
    epic = _item(db, po, pid, "Billing", type="epic", estimate=13)
    done = _item(db, po, pid, "Invoices", parent_id=epic, estimate=5, status="done")
    todo = _item(db, po, pid, "Refunds", parent_id=epic, estimate=3)
    bug = _item(db, po, pid, "Rounding", type="bug", estimate=1)
    rid = _release(db, po, pid)
    added = services.add_items(
        db.uow(), actor=people["member"], release_id=rid, item_ids=[epic], include_descendants=True
    )
    assert sorted(added) == sorted([epic, done, todo])
    services.add_items(db.uow(), actor=people["member"], release_id=rid, item_ids=[bug])
    page = _page(db, po, rid)
    assert (page.progress.items, page.progress.done_items) == (3, 1)
    assert (page.progress.points, page.progress.done_points) == (9, 5)
    assert [e.item.id for e in page.scope if not e.counted] == [epic]
    services.remove_item(db.uow(), actor=people["member"], release_id=rid, item_id=bug)
    assert _page(db, po, rid).progress.items == 2
    with pytest.raises(NotFound):
        services.remove_item(db.uow(), actor=po, release_id=rid, item_id=bug)


def test_an_item_belongs_to_one_unreleased_release(db: Database) -> None:
    po, pid, _people = _setup(db)
    epic = _item(db, po, pid, "Billing", type="epic")
    child = _item(db, po, pid, "Invoices", parent_id=epic)
    first, second = _release(db, po, pid, "2.4"), _release(db, po, pid, "2.5")
    services.add_items(db.uow(), actor=po, release_id=first, item_ids=[child])
    with pytest.raises(Conflict) as caught:
        services.add_items(db.uow(), actor=po, release_id=second, item_ids=[child])
    assert "item_ids" in caught.value.fields and "2.4" in str(caught.value)
    # asked through its epic, a child planned elsewhere is skipped, not stolen
    added = services.add_items(
        db.uow(), actor=po, release_id=second, item_ids=[epic], include_descendants=True
    )
    assert added == [epic]
    with db.reader() as uow:
        assert queries.scope_ids(uow, first) == {child}


def test_scope_refuses_unknown_items_and_items_of_another_product(db: Database) -> None:
    po, pid, people = _setup(db)
    other = products.create_product(db.uow(), actor=po, name="Borealis").id
    foreign = _item(db, po, other, "Elsewhere")
    mine = _item(db, po, pid, "Here")
    rid = _release(db, po, pid)
    for ids in ([mine, foreign], [mine, 99999], []):
        with pytest.raises(Invalid) as caught:
            services.add_items(db.uow(), actor=po, release_id=rid, item_ids=ids)
        assert "item_ids" in caught.value.fields
    with pytest.raises(Forbidden):
        services.add_items(db.uow(), actor=people["viewer"], release_id=rid, item_ids=[mine])
    assert _page(db, po, rid).scope == []


def test_releasing_warns_then_records_the_confirmed_choice(db: Database) -> None:
    po, pid, people = _setup(db)
    done = _item(db, po, pid, "Invoices", status="done")
    todo = _item(db, po, pid, "Refunds")
    rid = _release(db, po, pid)
    services.add_items(db.uow(), actor=po, release_id=rid, item_ids=[done, todo])
    entries = [c["text"] for c in _page(db, po, rid).release.checklist]
    services.set_checklist(db.uow(), actor=people["member"], release_id=rid, ticked=entries[:-1])
    with pytest.raises(Forbidden):
        services.mark_released(db.uow(), actor=people["member"], release_id=rid, confirm=True)
    with pytest.raises(Conflict) as caught:
        services.mark_released(db.uow(), actor=po, release_id=rid)
    assert "confirm" in caught.value.fields
    assert _page(db, po, rid).release.state == "planned"
    services.mark_released(db.uow(), actor=po, release_id=rid, confirm=True)
    page = _page(db, po, rid)
    assert page.release.state == "released" and page.release.released_by == "Paula"
    assert [e.item.id for e in page.scope] == [done]  # the unfinished item left
    recorded = [str(w) for w in page.recorded_warnings]
    assert recorded[0] == f"Readiness checklist not ticked: {entries[-1]}"
    assert "#" + str(todo) in recorded[1]
    with db.reader() as uow:
        entry = uow.session.scalars(
            select(ActivityEntry).where(ActivityEntry.action == "releases.release.released")
        ).one()
        assert entry.changes["state"] == ["planned", "released"] and entry.changes["warnings"]
        assert uow.session.scalar(select(ReleaseItem.open_item_id)) is None
    # the released scope is history; the unfinished item is free for the next release
    with pytest.raises(Conflict):
        services.add_items(db.uow(), actor=po, release_id=rid, item_ids=[todo])
    with pytest.raises(Conflict):
        services.mark_released(db.uow(), actor=po, release_id=rid, confirm=True)
    nxt = _release(db, po, pid, "2.5")
    assert services.add_items(db.uow(), actor=po, release_id=nxt, item_ids=[todo, done]) == [
        todo, done,
    ]  # fmt: skip


def test_a_ready_release_releases_without_confirmation(db: Database) -> None:
    po, pid, _people = _setup(db)
    services.update_settings(db.uow(), actor=po, product_id=pid, checklist=["Docs"])
    rid = _release(db, po, pid)
    services.set_checklist(db.uow(), actor=po, release_id=rid, ticked=["Docs"])
    services.mark_released(db.uow(), actor=po, release_id=rid)
    page = _page(db, po, rid)
    assert page.release.state == "released" and page.recorded_warnings == []


def _set_statuses(db: Database, ids: list[int], status: str) -> None:
    with db.uow() as uow:
        uow.session.execute(update(Item).where(Item.id.in_(ids)).values(status=status))
        uow.commit()


def test_release_notes_in_english_and_french_from_done_items(db: Database) -> None:
    po, pid, _people = _setup(db)
    story = _item(db, po, pid, "Export to CSV", status="done")
    bug = _item(db, po, pid, "Crash on <b>empty</b> title", type="bug", status="done")
    todo = _item(db, po, pid, "Not finished", type="feature")
    rid = _release(db, po, pid, target_date="2026-06-01")
    services.add_items(db.uow(), actor=po, release_id=rid, item_ids=[story, bug, todo])
    english = services.generate_notes(db.uow(), actor=po, release_id=rid, language="en").notes
    assert "## Improvements" in english and "## Bug fixes" in english
    assert "Not finished" not in english and "## New features" not in english
    assert r"\<b\>empty\</b\>" in english and "June 1, 2026" in english
    french = services.generate_notes(db.uow(), actor=po, release_id=rid, language="fr")
    assert french.notes_language == "fr"
    assert "## Corrections de bugs" in french.notes and "1 juin 2026" in french.notes
    with pytest.raises(Invalid):
        services.generate_notes(db.uow(), actor=po, release_id=rid, language="de")
    services.update_release(db.uow(), actor=po, release_id=rid, values={"notes": "# Edited"})
    assert _page(db, po, rid).release.notes == "# Edited"
    assert _actions(db, pid)[-1] == "releases.notes.edited"


def test_the_public_changelog_is_off_by_default_and_shows_released_versions(
    db: Database,
) -> None:
    po, pid, _people = _setup(db)
    with pytest.raises(NotFound):
        queries.public_changelog(db.reader(), product_id=pid)
    services.update_settings(db.uow(), actor=po, product_id=pid, checklist=[])
    with pytest.raises(NotFound):
        queries.public_changelog(db.reader(), product_id=pid)
    services.update_settings(db.uow(), actor=po, product_id=pid, public_changelog=True)
    shipped, _planned = _release(db, po, pid, "1.0"), _release(db, po, pid, "2.0")
    services.mark_released(db.uow(), actor=po, release_id=shipped)
    found = queries.public_changelog(db.reader(), product_id=pid)
    assert found.product_name == "Atlas" and [r.name for r in found.releases] == ["1.0"]
    with pytest.raises(NotFound):
        queries.public_changelog(db.reader(), product_id=pid + 1000)


def test_settings_are_the_product_owners(db: Database) -> None:
    po, pid, people = _setup(db)
    with pytest.raises(Forbidden):
        services.update_settings(db.uow(), actor=people["member"], product_id=pid, checklist=[])
    with pytest.raises(Invalid):
        services.update_settings(db.uow(), actor=po, product_id=pid, checklist=["x" * 300])
    services.update_settings(db.uow(), actor=po, product_id=pid, checklist=[" A ", "", "A", "B"])
    view = queries.get_settings(db.reader(), actor=people["viewer"], product_id=pid)
    assert view.settings.checklist == ["A", "B"] and not view.settings.public_changelog


def _history(db: Database, pid: int, today: date, per_day: int, days: int) -> None:
    """`per_day` items done on each of the `days` days before today (written in one go)."""
    rows = []
    for n in range(per_day * days):
        day = today - timedelta(days=1 + n // per_day)
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        rows.append(
            {"product_id": pid, "title": f"Done {n}", "status": "done", "type": "story",
             "rank": f"h{n:06d}", "version": 1, "checks": {}, "description": "",
             "acceptance_criteria": "", "created_at": at, "updated_at": at, "done_at": at}
        )  # fmt: skip
    with db.uow() as uow:
        uow.session.execute(insert(Item), rows)
        uow.commit()


def test_forecast_against_the_target(db: Database) -> None:
    _po, pid, _people = _setup(db)
    today = date(2026, 3, 1)
    unknown = queries.forecast_against_target(
        db.reader(), product_id=pid, items=20, remaining=4, target=today, seed=1, today=today
    )
    assert unknown.outlook is Outlook.UNKNOWN and unknown.explanation and unknown.p50 is None
    _history(db, pid, today, per_day=2, days=120)  # exactly 2 items a day
    found = queries.forecast_against_target(
        db.reader(), product_id=pid, items=20, remaining=10,
        target=today + timedelta(days=10), seed=1, today=today,
    )  # fmt: skip
    assert found.p50 == found.p85 == today + timedelta(days=4)  # 5 days, today is day 1
    assert found.outlook is Outlook.ON_TRACK
    late = queries.forecast_against_target(
        db.reader(), product_id=pid, items=20, remaining=10,
        target=today + timedelta(days=2), seed=1, today=today,
    )  # fmt: skip
    assert late.outlook is Outlook.LATE
    done = queries.forecast_against_target(
        db.reader(), product_id=pid, items=20, remaining=0, target=today, today=today
    )
    assert done.outlook is Outlook.DONE


def test_releases_list_unreleased_by_target_then_released(db: Database) -> None:
    po, pid, people = _setup(db)
    _release(db, po, pid, "late", target_date="2026-09-01")
    _release(db, po, pid, "soon", target_date="2026-04-01")
    _release(db, po, pid, "someday")
    shipped = _release(db, po, pid, "old")
    services.mark_released(db.uow(), actor=po, release_id=shipped, confirm=True)
    view = queries.list_releases(db.reader(), actor=people["viewer"], product_id=pid)
    assert [row.release.name for row in view.rows] == ["soon", "late", "someday", "old"]
    with db.reader() as uow:
        assert uow.session.scalar(select(Release.state).where(Release.id == shipped)) == "released"


def _statements(db: Database, pid: int, po: Actor) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        view = queries.list_releases(db.reader(), actor=po, product_id=pid)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert view.rows
    return len(seen)


def test_the_list_reads_a_bounded_number_of_statements(db: Database) -> None:
    po, pid, _people = _setup(db)
    first = _release(db, po, pid, "1.0")
    services.add_items(db.uow(), actor=po, release_id=first, item_ids=[_item(db, po, pid, "A")])
    few = _statements(db, pid, po)
    for n in range(6):
        rid = _release(db, po, pid, f"2.{n}")
        services.add_items(
            db.uow(), actor=po, release_id=rid, item_ids=[_item(db, po, pid, f"B{n}")]
        )
    assert _statements(db, pid, po) == few


def test_demo_releases_are_made_through_the_services(db: Database) -> None:
    po, pid, _people = _setup(db)
    shipped = _item(db, po, pid, "Shipped", status="done")
    planned = _item(db, po, pid, "Planned")
    first, second = seed_releases(db, po, pid, today=date(2026, 3, 1))
    changelog = queries.public_changelog(db.reader(), product_id=pid)
    assert [r.id for r in changelog.releases] == [first]
    assert "Shipped" in changelog.releases[0].notes
    page = _page(db, po, second)
    assert page.release.target_date == date(2026, 4, 12)
    assert [e.item.id for e in page.scope] == [planned]  # the done item shipped in 1.0
    assert [e.item.id for e in _page(db, po, first).scope] == [shipped]
