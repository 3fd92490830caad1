"""The demo's feedback: about 120, from every channel, some linked, and a topic that grows
in the last three weeks."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from jalon.db import utcnow
from jalon.demo import _seed_backlog
from jalon.feedback.demo import EMERGING, seed_feedback
from jalon.feedback.models import Customer, Feedback, FeedbackLink
from jalon.permissions import CLI_ACTOR
from jalon.products import services as products
from jalon.uow import Database


def test_the_demo_feedback(db: Database) -> None:
    pid = products.create_product(db.uow(), actor=CLI_ACTOR, name="Covoit'Zone").id
    _seed_backlog(db, CLI_ACTOR, pid)  # the demo's backlog, which feedback is linked to
    made = seed_feedback(db, pid, po=CLI_ACTOR, today=utcnow().date())
    assert made == 120
    with db.reader() as uow:
        rows = list(uow.session.scalars(select(Feedback).where(Feedback.product_id == pid)))
        links = list(uow.session.scalars(select(FeedbackLink)))
        named = list(uow.session.scalars(select(Customer.name).where(Customer.product_id == pid)))
    assert len(rows) == 120 and len(named) >= 8
    assert set(Counter(f.source for f in rows)) == {"manual", "csv", "email", "intake"}
    assert len(links) >= 25 and {f.state for f in rows} >= {"new", "triaged", "archived"}
    assert any(any(c in f.text for c in "éèàç") for f in rows)  # French and English
    recent = utcnow() - timedelta(days=21)
    emerging = [f for f in rows if f.text in EMERGING]
    late = [f for f in emerging if f.received_at >= recent]
    assert len(late) >= 7 and len(emerging) - len(late) >= 1
    oldest = min(f.received_at for f in rows)
    assert utcnow() - oldest > timedelta(days=150)
