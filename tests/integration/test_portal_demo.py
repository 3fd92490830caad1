"""The demo's portal: seeded through the services, it shows every part of the area."""

from __future__ import annotations

from jalon.backlog import services as backlog
from jalon.portal import queries, views
from jalon.portal.demo import IDEAS, PENDING, seed_portal
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def test_the_demo_portal_is_open_with_ideas_votes_and_a_queue(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Covoit'Zone").id
    backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Recurring rides"})
    ids = seed_portal(db, po, pid)

    public = queries.public_portal(db.reader(), slug="covoitzone")
    assert public.rows[0].idea.id == ids[0]  # most voted, with the merged votes
    assert len(public.rows) == len(IDEAS)
    top = public.rows[0]
    assert top.votes == IDEAS[0][3] + 3 and top.comments == len(IDEAS[0][5]) + 1
    assert {r.status for r in public.rows} >= {"under_review", "planned", "shipped", "declined"}
    queue = views.moderation_queue(db.reader(), actor=po, product_id=pid)
    assert [i.title for i in queue.ideas] == [p[0] for p in PENDING]
