"""Accounts through the browser-facing pages, in process: setup, sign-in, CSRF, sessions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jalon.accounts.models import User, UserSession
from jalon.products.models import Product
from jalon.uow import Database
from tests.support.helpers import PASSWORD, csrf, make_user, sign_in


def _count(db: Database, model: type) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_first_run_redirects_to_setup_and_creates_the_admin(
    client: TestClient, db: Database
) -> None:
    assert client.get("/products", follow_redirects=False).headers["location"] == "/setup"
    token = csrf(client)
    bad = client.post("/setup", data={"email": "nope", "password": "short", "csrf_token": token})
    assert bad.status_code == 422
    assert "Enter a valid e-mail address" in bad.text
    assert "Use at least 10 characters." in bad.text
    assert _count(db, User) == 0
    ok = client.post(
        "/setup",
        data={
            "email": "po@example.org",
            "name": "Camille",
            "password": PASSWORD,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/products/new"
    assert client.get("/products/new").status_code == 200
    with db.reader() as uow:
        admin = uow.session.scalar(select(User))
    assert admin is not None and admin.is_admin and admin.password_hash.startswith("$argon2id$")
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/login"
    again = client.post(
        "/setup", data={"email": "x@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert again.status_code == 409
    assert _count(db, User) == 1


def test_sign_in_wrong_password_then_right(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = csrf(client)
    wrong = client.post(
        "/login",
        data={"email": "po@example.org", "password": "nope nope nope", "csrf_token": token},
    )
    assert wrong.status_code == 401
    assert "Wrong e-mail or password." in wrong.text
    unknown = client.post(
        "/login", data={"email": "who@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert unknown.status_code == 401
    sign_in(client, "po@example.org")
    assert client.get("/products").status_code == 200


def test_session_cookie_flags_and_security_headers(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = csrf(client)
    response = client.post(
        "/login",
        data={"email": "po@example.org", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "jalon_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/products")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_login_is_throttled_after_repeated_failures(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = csrf(client)
    for _ in range(5):
        r = client.post(
            "/login",
            data={"email": "po@example.org", "password": "bad password!", "csrf_token": token},
        )
        assert r.status_code == 401
    blocked = client.post(
        "/login", data={"email": "po@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts" in blocked.text
    with db.reader() as uow:
        assert uow.session.scalar(select(func.count(UserSession.id))) == 0


def test_forms_without_a_valid_csrf_token_are_refused(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = sign_in(client, "po@example.org")
    altered = token[:-1] + ("1" if token.endswith("0") else "0")
    for sent in ({}, {"csrf_token": "forged"}, {"csrf_token": altered}):
        r = client.post("/products/new", data={"name": "Sneaky", **sent})
        assert r.status_code == 403, sent
    api = client.post("/api/v1/products", json={"name": "Sneaky"})
    assert api.status_code == 403
    assert _count(db, Product) == 0
    assert (
        client.post(
            "/products/new", data={"name": "Fine", "csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    assert _count(db, Product) == 1


def test_sign_out_revokes_the_server_side_session(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = sign_in(client, "po@example.org")
    cookie = client.cookies.get("jalon_session")
    assert cookie
    client.post("/logout", data={"csrf_token": token})
    client.cookies.set("jalon_session", cookie)  # a stolen copy of the cookie is now useless
    r = client.get("/products", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_password_change_signs_out_other_sessions(app, db: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(db, "po@example.org")
    with TestClient(app) as laptop, TestClient(app) as tablet:
        token = sign_in(laptop, "po@example.org")
        sign_in(tablet, "po@example.org")
        bad = laptop.post(
            "/account/password",
            data={
                "current_password": "wrong wrong wrong",
                "new_password": "another passphrase",
                "csrf_token": token,
            },
        )
        assert bad.status_code == 422 and "current password is not correct" in bad.text
        ok = laptop.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "another passphrase",
                "csrf_token": token,
            },
        )
        assert ok.status_code == 200 and "Password changed" in ok.text
        assert laptop.get("/account").status_code == 200
        assert tablet.get("/account", follow_redirects=False).status_code == 303
    with TestClient(app) as again:
        sign_in(again, "po@example.org", "another passphrase")


def test_api_token_from_account_page_is_shown_once_and_revocable(
    client: TestClient, db: Database
) -> None:
    make_user(db, "po@example.org")
    token = sign_in(client, "po@example.org")
    page = client.post("/account/tokens", data={"name": "reporting", "csrf_token": token})
    raw = re.search(r'id="new-token">([^<]+)<', page.text)
    assert raw is not None
    bearer = {"Authorization": f"Bearer {raw.group(1)}"}
    assert raw.group(1) not in client.get("/account").text
    api = TestClient(client.app)
    assert api.get("/api/v1/me", headers=bearer).json()["email"] == "po@example.org"
    created = api.post("/api/v1/products", json={"name": "Via token"}, headers=bearer)
    assert created.status_code == 201  # no CSRF token needed with a bearer token
    token_id = re.search(r"/account/tokens/(\d+)/revoke", client.get("/account").text)
    assert token_id is not None
    client.post(f"/account/tokens/{token_id.group(1)}/revoke", data={"csrf_token": token})
    refused = api.get("/api/v1/products", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"


def test_a_session_can_be_revoked_from_the_account_page(app, db: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(db, "po@example.org")
    with TestClient(app) as mine, TestClient(app, headers={"user-agent": "OldTablet"}) as old:
        token = sign_in(mine, "po@example.org")
        sign_in(old, "po@example.org")
        page = mine.get("/account").text
        rows = re.findall(
            r'<td>([^<]*)</td>\s*<td>[^<]*</td>\s*<td><form method="post" '
            r'action="/account/sessions/(\d+)/revoke"',
            page,
        )
        ids = re.findall(r"/account/sessions/(\d+)/revoke", page)
        assert len(ids) == 2, rows
        with db.reader() as uow:
            old_id = uow.session.scalar(
                select(UserSession.id).where(UserSession.user_agent == "OldTablet")
            )
        mine.post(f"/account/sessions/{old_id}/revoke", data={"csrf_token": token})
        assert old.get("/account", follow_redirects=False).status_code == 303
        assert mine.get("/account").status_code == 200


def test_one_address_guessing_many_accounts_is_throttled(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = csrf(client)
    for i in range(50):  # login_max_failures (5) x 10, spread over many e-mails
        r = client.post(
            "/login",
            data={"email": f"user{i}@example.org", "password": "guess it", "csrf_token": token},
        )
        assert r.status_code == 401
    blocked = client.post(
        "/login", data={"email": "po@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
