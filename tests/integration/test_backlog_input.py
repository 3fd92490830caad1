"""Bad item input gets a message for its field and writes nothing, on both engines."""

from __future__ import annotations

import pytest

from jalon.backlog import services
from jalon.backlog.models import Item
from jalon.errors import Invalid
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"business_value": "lots"}, "business_value", "Write a number"),
        ({"business_value": -3}, "business_value", "from 0 to"),
        ({"due_date": "31/03/2026"}, "due_date", "YYYY-MM-DD"),
        ({"estimate": 4}, "estimate", "nearest is 5"),
        ({"type": "saga"}, "type", "types are"),
        ({"title": "   "}, "title", "title"),
    ],
)
def test_bad_values_are_refused_per_field(
    db: Database, values: dict[str, object], field: str, words: str
) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    item = services.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Keep me"})
    with pytest.raises(Invalid) as caught:
        services.update_item(db.uow(), actor=po, item_id=item.id, values=values)
    assert field in caught.value.fields
    assert words in str(caught.value.fields[field])
    with db.reader() as uow:
        kept = uow.session.get(Item, item.id)
        assert kept is not None
        assert (kept.title, kept.version, kept.business_value, kept.due_date) == (
            "Keep me", 1, None, None,
        )  # fmt: skip


def test_blank_business_value_and_date_clear_them(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    values = {"title": "Dated", "business_value": "8", "due_date": "2026-03-31"}
    item = services.create_item(db.uow(), actor=po, product_id=pid, values=values)
    assert (item.business_value, str(item.due_date)) == (8.0, "2026-03-31")
    cleared = services.update_item(
        db.uow(), actor=po, item_id=item.id, values={"business_value": "", "due_date": ""}
    )
    assert (cleared.business_value, cleared.due_date) == (None, None)


def test_a_type_change_must_keep_the_hierarchy(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id

    def add(title: str, kind: str, parent: int | None = None) -> int:
        values = {"title": title, "type": kind, "parent_id": parent}
        return services.create_item(db.uow(), actor=po, product_id=pid, values=values).id

    feature = add("Search", "feature")
    story = add("Search by shift", "story", feature)
    with pytest.raises(Invalid) as caught:  # an epic has no parent
        services.update_item(db.uow(), actor=po, item_id=story, values={"type": "epic"})
    assert "parent_id" in caught.value.fields
    with pytest.raises(Invalid):  # a story cannot hold a story
        services.update_item(db.uow(), actor=po, item_id=feature, values={"type": "story"})
    with db.reader() as uow:
        assert [uow.session.get(Item, i).type for i in (feature, story)] == ["feature", "story"]  # type: ignore[union-attr]
    moved = services.update_item(  # type and parent together: checked as the new pair
        db.uow(), actor=po, item_id=story, values={"type": "feature", "parent_id": None}
    )
    assert (moved.type, moved.parent_id) == ("feature", None)
