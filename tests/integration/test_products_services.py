"""Product use cases on both engines: creation, lifecycle, members, activity, atomicity."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jalon.activity import ActivityEntry
from jalon.errors import Conflict, Forbidden, Invalid, NotFound
from jalon.products import queries, services
from jalon.products.models import Membership, Product, StageTransition
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _count(db: Database, model: type) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_create_product_makes_creator_owner_and_logs_it(db: Database) -> None:
    po = make_user(db, "po@example.org")
    product = services.create_product(
        db.uow(), actor=actor(po), name="  Atlas ", vision="Maps for all", product_goal="Ship v1"
    )
    view = queries.product_view(db.reader(), product_id=product.id, actor=actor(po))
    assert view.product.name == "Atlas"
    assert [(m.user.email, m.role) for m in view.members] == [("po@example.org", "owner")]
    assert [(t.from_stage, t.to_stage) for t in view.transitions] == [(None, "idea")]
    assert view.activity[0].action == "products.product.created"
    assert view.activity[0].changes["name"] == [None, "Atlas"]
    assert view.activity[0].actor_id == po.id


def test_stage_transition_rules_are_enforced(db: Database) -> None:
    po = make_user(db, "po@example.org")
    product = services.create_product(db.uow(), actor=actor(po), name="Atlas")
    with pytest.raises(Conflict) as exc:
        services.change_stage(db.uow(), product_id=product.id, actor=actor(po), stage="launched")
    assert "discovery" in str(exc.value)
    for stage in ("discovery", "delivery", "launched"):
        services.change_stage(db.uow(), product_id=product.id, actor=actor(po), stage=stage)
    with pytest.raises(Invalid) as missing:
        services.change_stage(
            db.uow(), product_id=product.id, actor=actor(po), stage="sunsetting", reason="   "
        )
    assert "reason" in missing.value.fields
    services.change_stage(
        db.uow(),
        product_id=product.id,
        actor=actor(po),
        stage="sunsetting",
        reason="Replaced by Atlas 2",
    )
    services.change_stage(db.uow(), product_id=product.id, actor=actor(po), stage="retired")
    with pytest.raises(Conflict):
        services.change_stage(db.uow(), product_id=product.id, actor=actor(po), stage="mature")
    view = queries.product_view(db.reader(), product_id=product.id, actor=actor(po))
    assert view.product.stage == "retired"
    assert [t.to_stage for t in view.transitions] == [
        "idea",
        "discovery",
        "delivery",
        "launched",
        "sunsetting",
        "retired",
    ]
    assert view.transitions[4].reason == "Replaced by Atlas 2"
    assert view.transitions[4].actor_label == po.label


def test_refused_transition_writes_nothing(db: Database) -> None:
    po = make_user(db, "po@example.org")
    product = services.create_product(db.uow(), actor=actor(po), name="Atlas")
    before = (_count(db, StageTransition), _count(db, ActivityEntry))
    with pytest.raises(Invalid):
        services.change_stage(db.uow(), product_id=product.id, actor=actor(po), stage="sunsetting")
    assert (_count(db, StageTransition), _count(db, ActivityEntry)) == before


def test_failure_mid_use_case_rolls_everything_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = make_user(db, "po@example.org")
    before = (_count(db, Product), _count(db, Membership), _count(db, ActivityEntry))

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("jalon.products.services.activity.record", boom)
    with pytest.raises(RuntimeError):
        services.create_product(db.uow(), actor=actor(po), name="Half-written")
    assert (_count(db, Product), _count(db, Membership), _count(db, ActivityEntry)) == before


def test_members_roles_and_permissions(db: Database) -> None:
    po = make_user(db, "po@example.org")
    dev = make_user(db, "dev@example.org")
    outsider = make_user(db, "out@example.org")
    product = services.create_product(db.uow(), actor=actor(po), name="Atlas")
    services.add_member(
        db.uow(), product_id=product.id, actor=actor(po), email="DEV@example.org ", role="member"
    )
    with pytest.raises(Conflict):
        services.add_member(
            db.uow(), product_id=product.id, actor=actor(po), email="dev@example.org", role="viewer"
        )
    with pytest.raises(Forbidden):
        services.change_stage(db.uow(), product_id=product.id, actor=actor(dev), stage="discovery")
    with pytest.raises(NotFound):
        queries.get_product(db.reader(), product_id=product.id, actor=actor(outsider))
    with pytest.raises(Conflict):
        services.change_member_role(
            db.uow(), product_id=product.id, actor=actor(po), user_id=po.id, role="member"
        )
    with pytest.raises(Invalid):
        services.add_member(
            db.uow(), product_id=product.id, actor=actor(po), email="x@example.org", role="boss"
        )
    assert [r.product.name for r in queries.list_products(db.reader(), actor=actor(dev))] == [
        "Atlas"
    ]
    assert queries.list_products(db.reader(), actor=actor(outsider)) == []


def test_inviting_an_unknown_email_creates_an_invitation(db: Database) -> None:
    po = make_user(db, "po@example.org")
    product = services.create_product(db.uow(), actor=actor(po), name="Atlas")
    result = services.add_member(
        db.uow(),
        product_id=product.id,
        actor=actor(po),
        email="new@example.org",
        role="stakeholder",
    )
    assert result.invitation_token
    assert result.user.password_hash is None
    from jalon.accounts import services as accounts

    accounts.accept_invitation(
        db.uow(), token=result.invitation_token, name="Nina", password="a long passphrase"
    )
    with pytest.raises(NotFound):
        accounts.accept_invitation(
            db.uow(), token=result.invitation_token, name="Nina", password="a long passphrase"
        )


def test_adding_a_not_yet_joined_person_renews_their_invitation(db: Database) -> None:
    from jalon.accounts import services as accounts

    po = make_user(db, "po@example.org")
    first = services.create_product(db.uow(), actor=actor(po), name="Atlas")
    second = services.create_product(db.uow(), actor=actor(po), name="Boreal")
    old = services.add_member(
        db.uow(), product_id=first.id, actor=actor(po), email="new@example.org", role="viewer"
    )
    new = services.add_member(
        db.uow(), product_id=second.id, actor=actor(po), email="new@example.org", role="member"
    )
    assert old.invitation_token and new.invitation_token
    assert old.invitation_token != new.invitation_token
    with pytest.raises(NotFound):
        accounts.accept_invitation(
            db.uow(), token=old.invitation_token, name="Nina", password="a long passphrase"
        )
    accounts.accept_invitation(
        db.uow(), token=new.invitation_token, name="Nina", password="a long passphrase"
    )
    names = [r.product.name for r in queries.list_products(db.reader(), actor=actor(new.user))]
    assert names == ["Atlas", "Boreal"]
