"""Small helpers shared by the tests: users, sign-in, CSRF tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from jalon.accounts import services
from jalon.accounts.models import User
from jalon.permissions import Actor
from jalon.uow import Database

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def make_user(db: Database, email: str, *, admin: bool = False, name: str = "") -> User:
    return services.create_user(
        db.uow(),
        email=email,
        name=name or email.split("@", maxsplit=1)[0],
        password=PASSWORD,
        is_admin=admin,
    )


def actor(user: User) -> Actor:
    return Actor(user.id, user.label, is_admin=user.is_admin)


def csrf(client: TestClient) -> str:
    """The CSRF token of the client's cookie, read from any page."""
    match = CSRF_RE.search(client.get("/login").text)
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    token = csrf(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return token
