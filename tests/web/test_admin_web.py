"""Administrators manage people: invitations, deactivation, admin rights."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from jalon.accounts import services as accounts
from jalon.accounts.models import User
from jalon.uow import Database
from tests.support.helpers import PASSWORD, actor, make_user, sign_in


def test_admin_invites_and_deactivates_people(client: TestClient, db: Database) -> None:
    make_user(db, "admin@example.org", admin=True)
    dev = make_user(db, "dev@example.org")
    _tok, raw = accounts.create_api_token(db.uow(), actor=actor(dev), name="ci")
    token = sign_in(client, "admin@example.org")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "dev@example.org" in page.text
    assert "created the account of dev" in page.text
    bad = client.post("/admin/users", data={"email": "dev@example.org", "csrf_token": token})
    assert bad.status_code == 409 and "already exists" in bad.text
    invited = client.post(
        "/admin/users", data={"email": "lea@example.org", "is_admin": "true", "csrf_token": token}
    )
    assert re.search(r'class="secret">http[^<]+/invite/', invited.text)
    with db.reader() as uow:
        lea = uow.session.scalar(select(User).where(User.email == "lea@example.org"))
    assert lea is not None and lea.is_admin and lea.password_hash is None

    with TestClient(client.app) as dev_browser:
        sign_in(dev_browser, "dev@example.org")
        assert dev_browser.get("/admin/users").status_code == 403
        client.post(f"/admin/users/{dev.id}/active", data={"active": "false", "csrf_token": token})
        assert dev_browser.get("/products", follow_redirects=False).status_code == 303
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/products", headers=bearer).status_code == 401
    with TestClient(client.app) as again:
        from tests.support.helpers import csrf

        refused = again.post(
            "/login",
            data={"email": "dev@example.org", "password": PASSWORD, "csrf_token": csrf(again)},
        )
        assert refused.status_code == 401
    client.post(f"/admin/users/{dev.id}/active", data={"active": "true", "csrf_token": token})
    with TestClient(client.app) as back:
        sign_in(back, "dev@example.org")


def test_the_last_admin_cannot_be_removed(client: TestClient, db: Database) -> None:
    admin = make_user(db, "admin@example.org", admin=True)
    token = sign_in(client, "admin@example.org")
    own = client.post(
        f"/admin/users/{admin.id}/active", data={"active": "false", "csrf_token": token}
    )
    assert own.status_code == 409 and "your own account" in own.text
    demote = client.post(
        f"/admin/users/{admin.id}/admin", data={"is_admin": "false", "csrf_token": token}
    )
    assert demote.status_code == 409 and "at least one active administrator" in demote.text
    other = make_user(db, "other@example.org")
    client.post(f"/admin/users/{other.id}/admin", data={"is_admin": "true", "csrf_token": token})
    ok = client.post(
        f"/admin/users/{admin.id}/admin",
        data={"is_admin": "false", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with db.reader() as uow:
        assert uow.session.get(User, admin.id).is_admin is False  # type: ignore[union-attr]
        assert uow.session.get(User, other.id).is_admin is True  # type: ignore[union-attr]


def test_admin_can_renew_a_lost_invitation(client: TestClient, db: Database) -> None:
    make_user(db, "admin@example.org", admin=True)
    token = sign_in(client, "admin@example.org")
    links = []
    for _ in range(2):
        page = client.post("/admin/users", data={"email": "lea@example.org", "csrf_token": token})
        found = re.search(r'class="secret">http[^<]+(/invite/[^<]+)<', page.text)
        assert page.status_code == 200 and found is not None
        links.append(found.group(1))
    assert links[0] != links[1]
    with TestClient(client.app) as lea:
        assert lea.get(links[0]).status_code == 404
        assert lea.get(links[1]).status_code == 200
    assert "sent lea@example.org a new invitation link" in client.get("/admin/users").text
