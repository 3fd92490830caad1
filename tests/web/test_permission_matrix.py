"""Every route against every role: who may do what, checked with real requests.

`ROWS` below is the permission matrix, the one source of truth:
- `test_every_route_is_in_the_matrix` fails when the app has a route the matrix does not list
  (or the matrix lists a route that is gone), so nobody adds a route without deciding who may
  call it;
- `test_route_permissions` sends, for each route, one real request per role (browser pages with
  a signed-in session cookie and a CSRF token, the API with a bearer token) and checks the
  answer; a refused call must have written nothing, an accepted write must have done its job;
- `test_the_documentation_shows_the_matrix` keeps the table of docs/permissions.md in step.
  After changing the matrix, rewrite that table with `python -m tests.web.test_permission_matrix`.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from jalon import web
from jalon.accounts import queries as account_queries
from jalon.accounts import services as account_services
from jalon.accounts.models import User
from jalon.app import create_app
from jalon.backlog import services as backlog_services
from jalon.backlog.models import Comment, Item, ItemLink, Notification, SavedView
from jalon.backlog.queries import Filters
from jalon.collaboration import queries as collaboration_queries
from jalon.listing import services as listing_services
from jalon.models import Base
from jalon.permissions import Actor
from jalon.prioritisation import services as prioritisation_services
from jalon.prioritisation.models import Formula, ItemScore, OrderSnapshot
from jalon.products import services as product_services
from jalon.products.models import Product
from jalon.refinement import queries as refinement_queries
from jalon.refinement import services as refinement_services
from jalon.settings import load_settings
from jalon.uow import Database
from tests.support.helpers import PASSWORD, actor, csrf, make_user

ROLES = ("anonymous", "outsider", "viewer", "stakeholder", "member", "owner", "admin")
TITLES = (
    "Anonymous",
    "Outsider",
    "Viewer",
    "Stakeholder",
    "Team member",
    "Product Owner",
    "Administrator",
)
READERS = frozenset({"viewer", "stakeholder", "member", "owner", "admin"})
OUTCOMES = ("ok", "login", "403", "404", "409")
NOT_ROUTES = ("/static", "/api/v1/openapi.json", "/api/v1/docs")  # files and API docs
DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
START, END = "<!-- permission-matrix:start -->", "<!-- permission-matrix:end -->"
VOLATILE = {"api_tokens": {"last_used_at"}}  # a bearer lookup may note when it was used
COOKIE_DOMAIN = "testserver.local"  # where the test client keeps the cookies of testserver
NEW_PASSWORD = "a brand new passphrase"


@dataclass(frozen=True)
class Call:
    """One request of a route, and what success looks like."""

    url: str
    form: dict[str, str] | None = None
    json: dict[str, Any] | None = None
    status: int = 200  # the status of success
    location: str | None = None  # where a successful redirect leads (a prefix)
    done: Callable[[Response], bool] | None = None  # did the intended change happen?
    files: dict[str, Any] | None = None  # multipart uploads (imports)


# --- the world each route is tried in -------------------------------------------------------


class World:
    """Users of every role, their browsers and API tokens, products to act on."""

    def __init__(self, app: FastAPI, db: Database, api_client: TestClient) -> None:
        self.app, self.db, self.api_client = app, db, api_client
        self.users = {r: make_user(db, f"{r}@example.org", admin=r == "admin") for r in ROLES[1:]}
        self.users["other"] = make_user(db, "other@example.org")  # someone else
        self._browsers: dict[str, tuple[TestClient, str]] = {}
        self._bearers: dict[str, dict[str, str]] = {}
        self._serial = itertools.count()
        self._product: tuple[int, str] | None = None
        self._item: int | None = None
        self._open = ExitStack()
        self._csrf: tuple[str, str] | None = None  # the cookie's nonce, and its token

    def actor(self, role: str) -> Actor:
        return actor(self.users[role])

    def uid(self, role: str) -> int:
        return self.users[role].id

    def serial(self) -> int:
        return next(self._serial)

    def browser(self, role: str) -> tuple[TestClient, str]:
        """A browser of the role with a session cookie, and its CSRF token.

        All browsers share one CSRF cookie, so one page view gives the token; sessions are
        opened by the sign-in service (the sign-in form itself is a row of the matrix).
        """
        if role not in self._browsers:
            browser = self._open.enter_context(TestClient(self.app, base_url="http://testserver"))
            if self._csrf is None:
                token = csrf(browser)
                self._csrf = browser.cookies[web.CSRF_COOKIE], token
            cookies = {web.CSRF_COOKIE: self._csrf[0]}
            if role != "anonymous":
                cookies[web.SESSION_COOKIE] = self.session(role)[1]
            for name, value in cookies.items():
                browser.cookies.set(name, value, domain=COOKIE_DOMAIN)
            self._browsers[role] = browser, self._csrf[1]
        return self._browsers[role]

    def bearer(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        if role not in self._bearers:
            _token, raw = account_services.create_api_token(
                self.db.uow(), actor=self.actor(role), name="matrix"
            )
            self._bearers[role] = {"Authorization": f"Bearer {raw}"}
        return self._bearers[role]

    def product(self) -> tuple[int, str]:
        """A product with an owner, a viewer, a stakeholder, a member and `other` (viewer).

        The same product until a call writes something (see `spoil`), then a new one.
        """
        if self._product is not None:
            return self._product
        name = f"Atlas {self.serial()}"
        pid = product_services.create_product(
            self.db.uow(), actor=self.actor("owner"), name=name
        ).id
        for role in ("viewer", "stakeholder", "member", "other"):
            email, as_role = self.users[role].email, "viewer" if role == "other" else role
            product_services.add_member(
                self.db.uow(), product_id=pid, actor=self.actor("owner"), email=email, role=as_role
            )
        self._product = pid, name
        return pid, name

    def spoil(self) -> None:
        """A call wrote: the next call gets fresh data."""
        self._product = None
        self._item = None

    def item(self) -> tuple[int, int]:
        """An item (and its product's id) in the current product, made by the owner."""
        pid, _name = self.product()
        if self._item is None:
            made = backlog_services.create_item(
                self.db.uow(),
                actor=self.actor("owner"),
                product_id=pid,
                values={"title": f"Item {self.serial()}"},
            )
            self._item = made.id
        return self._item, pid

    def get_item(self, item_id: int) -> Item:
        with self.db.reader() as uow:
            found = uow.session.get(Item, item_id)
        assert found is not None
        return found

    def items_titled(self, pid: int, title: str) -> int:
        with self.db.reader() as uow:
            stmt = select(Item.id).where(Item.product_id == pid, Item.title == title)
            return len(list(uow.session.scalars(stmt)))

    def comments_on(self, item_id: int) -> int:
        with self.db.reader() as uow:
            stmt = select(Comment.id).where(Comment.item_id == item_id)
            return len(list(uow.session.scalars(stmt)))

    def invitation(self) -> tuple[str, str]:
        """A fresh invitation token, and the invited e-mail."""
        email = f"invitee{self.serial()}@example.org"
        result = product_services.add_member(
            self.db.uow(),
            product_id=self.product()[0],
            actor=self.actor("owner"),
            email=email,
            role="viewer",
        )
        assert result.invitation_token
        return result.invitation_token, email

    def new_user(self) -> User:
        return make_user(self.db, f"person{self.serial()}@example.org")

    def api_token(self, owner: str) -> tuple[int, str]:
        token, raw = account_services.create_api_token(
            self.db.uow(), actor=self.actor(owner), name="target"
        )
        return token.id, raw

    def session(self, owner: str) -> tuple[int, str]:
        _user, raw = account_services.sign_in(
            self.db.uow(),
            email=self.users[owner].email,
            password=PASSWORD,
            settings=self.app.state.settings,
        )
        found = account_queries.user_for_session(self.db.reader(), raw)
        assert found is not None
        return found[1].id, raw

    # reads used to check effects
    def get_user(self, email: str) -> User | None:
        return account_queries.get_user_by_email(self.db.reader(), email)

    def get_product(self, pid: int) -> Product:
        with self.db.reader() as uow:
            product = uow.session.get(Product, pid)
        assert product is not None
        return product

    def products_named(self, name: str) -> int:
        with self.db.reader() as uow:
            return len(list(uow.session.scalars(select(Product.id).where(Product.name == name))))

    def role_on(self, pid: int, user_id: int) -> str | None:
        with self.db.reader() as uow:
            role = product_services.role_of(uow, product_id=pid, user_id=user_id)
        return role.value if role else None

    def member_of(self, pid: int, email: str) -> bool:
        user = self.get_user(email)
        return user is not None and self.role_on(pid, user.id) is not None

    def sessions_of(self, role: str) -> int:
        return len(account_queries.list_sessions(self.db.reader(), self.uid(role)))

    def tokens_of(self, role: str) -> int:
        return len(account_queries.list_tokens(self.db.reader(), self.uid(role)))

    def close(self) -> None:
        self._open.close()


EVERY_ROW = [
    (
        table.name,
        select(*[c for c in table.columns if c.name not in VOLATILE.get(table.name, ())]).order_by(
            *table.primary_key.columns
        ),
    )
    for table in Base.metadata.sorted_tables
]


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that a refused call wrote nothing."""
    with db.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(query)] for name, query in EVERY_ROW}


# --- how to call each route ----------------------------------------------------------------
# A builder gets the world and the role, prepares what the call needs and says what success
# looks like. After a call that wrote, `World.product()` gives a new product, so a success
# (say, the owner's rename) never changes what the next role is tried on.


def _me(role: str) -> str:
    """The role's own user; anonymous callers act on `other`'s things."""
    return "other" if role == "anonymous" else role


def home(w: World, role: str) -> Call:
    return Call("/", status=303, location="/products")


def setup_form(w: World, role: str) -> Call:
    return Call("/setup")


def setup(w: World, role: str) -> Call:
    return Call("/setup", form={"email": "new@example.org", "name": "New", "password": PASSWORD})


def login_form(w: World, role: str) -> Call:
    if role == "anonymous":
        return Call("/login", done=lambda r: 'name="password"' in r.text)
    return Call("/login", status=303, location="/products")


def login(w: World, role: str) -> Call:
    me = _me(role)
    before = w.sessions_of(me)
    form = {"email": w.users[me].email, "password": PASSWORD, "next": "/products"}
    return Call(
        "/login", form=form, status=303, location="/products",
        done=lambda r: w.sessions_of(me) == before + 1,
    )  # fmt: skip


def logout(w: World, role: str) -> Call:
    cookie = w.browser(role)[0].cookies.get(web.SESSION_COOKIE)

    def signed_out(_r: Response) -> bool:
        return cookie is None or account_queries.user_for_session(w.db.reader(), cookie) is None

    return Call("/logout", status=303, location="/login", done=signed_out)


def language(w: World, role: str) -> Call:
    def saved(r: Response) -> bool:
        if role == "anonymous":
            return f"{web.LANG_COOKIE}=fr" in r.headers.get("set-cookie", "")
        user = w.get_user(w.users[role].email)
        return user is not None and user.language == "fr"

    form = {"language": "fr", "next": "/products"}
    return Call("/language", form=form, status=303, location="/products", done=saved)


def invitation_form(w: World, role: str) -> Call:
    token, email = w.invitation()
    return Call(f"/invite/{token}", done=lambda r: email in r.text)


def accept_invitation(w: World, role: str) -> Call:
    token, email = w.invitation()

    def joined(_r: Response) -> bool:
        user = w.get_user(email)
        return user is not None and user.password_hash is not None and user.name == "Invitee"

    form = {"name": "Invitee", "password": "another long passphrase"}
    return Call(f"/invite/{token}", form=form, status=303, location="/products", done=joined)


def account(w: World, role: str) -> Call:
    return Call("/account", done=lambda r: w.users[_me(role)].email in r.text)


def change_password(w: World, role: str) -> Call:
    me = _me(role)
    old = w.users[me].password_hash

    def changed(_r: Response) -> bool:
        user = w.get_user(w.users[me].email)
        return user is not None and user.password_hash not in (None, old)

    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    return Call("/account/password", form=form, done=changed)


def create_token(w: World, role: str) -> Call:
    me = _me(role)
    before = w.tokens_of(me)
    return Call(
        "/account/tokens", form={"name": "laptop"}, done=lambda r: w.tokens_of(me) == before + 1
    )


def _revoke_token(w: World, owner: str) -> Call:
    token_id, raw = w.api_token(owner)
    return Call(
        f"/account/tokens/{token_id}/revoke", status=303, location="/account",
        done=lambda r: account_queries.user_for_api_token(w.db.reader(), raw) is None,
    )  # fmt: skip


def revoke_own_token(w: World, role: str) -> Call:
    return _revoke_token(w, _me(role))


def revoke_others_token(w: World, role: str) -> Call:
    return _revoke_token(w, "other")


def _revoke_session(w: World, owner: str) -> Call:
    session_id, raw = w.session(owner)
    return Call(
        f"/account/sessions/{session_id}/revoke", status=303, location="/account",
        done=lambda r: account_queries.user_for_session(w.db.reader(), raw) is None,
    )  # fmt: skip


def revoke_own_session(w: World, role: str) -> Call:
    return _revoke_session(w, _me(role))


def revoke_others_session(w: World, role: str) -> Call:
    return _revoke_session(w, "other")


def admin_users(w: World, role: str) -> Call:
    return Call("/admin/users", done=lambda r: "other@example.org" in r.text)


def admin_invite(w: World, role: str) -> Call:
    email = f"newcomer{w.serial()}@example.org"
    return Call("/admin/users", form={"email": email}, done=lambda r: w.get_user(email) is not None)


def admin_set_active(w: World, role: str) -> Call:
    target = w.new_user()

    def deactivated(_r: Response) -> bool:
        user = w.get_user(target.email)
        return user is not None and not user.is_active

    return Call(
        f"/admin/users/{target.id}/active", form={"active": "false"}, status=303,
        location="/admin/users", done=deactivated,
    )  # fmt: skip


def admin_set_admin(w: World, role: str) -> Call:
    target = w.new_user()

    def promoted(_r: Response) -> bool:
        user = w.get_user(target.email)
        return user is not None and user.is_admin

    return Call(
        f"/admin/users/{target.id}/admin", form={"is_admin": "true"}, status=303,
        location="/admin/users", done=promoted,
    )  # fmt: skip


def me_api(w: World, role: str) -> Call:
    return Call("/api/v1/me", done=lambda r: r.json()["email"] == w.users[_me(role)].email)


def healthz(w: World, role: str) -> Call:
    return Call("/healthz", done=lambda r: r.json() == {"status": "ok"})


# product pages


def list_page(w: World, role: str) -> Call:
    _pid, name = w.product()
    return Call("/products", done=lambda r: (name in r.text) == (role in READERS))


def new_page(w: World, role: str) -> Call:
    return Call("/products/new", done=lambda r: 'name="name"' in r.text)


def create_page(w: World, role: str) -> Call:
    name = f"Borealis {w.serial()}"
    return Call(
        "/products/new", form={"name": name}, status=303, location="/products/",
        done=lambda r: w.products_named(name) == 1,
    )  # fmt: skip


def show_page(w: World, role: str) -> Call:
    pid, name = w.product()
    return Call(f"/products/{pid}", done=lambda r: name in r.text)


def edit_page(w: World, role: str) -> Call:
    pid, name = w.product()
    return Call(f"/products/{pid}/edit", done=lambda r: f'value="{name}"' in r.text)


FORM = {"name": "Renamed", "vision": "New vision", "target_users": "", "product_goal": ""}


def update_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/edit", form=FORM, status=303, location=f"/products/{pid}",
        done=lambda r: w.get_product(pid).name == "Renamed",
    )  # fmt: skip


def stage_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/stage", form={"stage": "discovery", "reason": "go"}, status=303,
        location=f"/products/{pid}", done=lambda r: w.get_product(pid).stage == "discovery",
    )  # fmt: skip


def add_member_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    form = {"email": "newcomer@example.org", "role": "viewer"}
    return Call(
        f"/products/{pid}/members", form=form,
        done=lambda r: w.member_of(pid, "newcomer@example.org"),
    )  # fmt: skip


def member_role_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    other = w.uid("other")
    return Call(
        f"/products/{pid}/members/{other}/role", form={"role": "member"}, status=303,
        location=f"/products/{pid}", done=lambda r: w.role_on(pid, other) == "member",
    )  # fmt: skip


def remove_member_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    other = w.uid("other")
    return Call(
        f"/products/{pid}/members/{other}/remove", status=303, location=f"/products/{pid}",
        done=lambda r: w.role_on(pid, other) is None,
    )  # fmt: skip


def activity_page(w: World, role: str) -> Call:
    pid, name = w.product()
    return Call(f"/products/{pid}/activity", done=lambda r: name in r.text)


# product API


def list_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        "/api/v1/products", done=lambda r: (pid in [p["id"] for p in r.json()]) == (role in READERS)
    )


def create_api(w: World, role: str) -> Call:
    name = f"Borealis {w.serial()}"
    return Call(
        "/api/v1/products", json={"name": name}, status=201,
        done=lambda r: r.json()["role"] == "owner" and w.products_named(name) == 1,
    )  # fmt: skip


def get_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    own_role = None if role == "admin" else role
    return Call(
        f"/api/v1/products/{pid}",
        done=lambda r: r.json()["id"] == pid and r.json()["role"] == own_role,
    )


def update_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}", json={"name": "Renamed"},
        done=lambda r: w.get_product(pid).name == "Renamed",
    )  # fmt: skip


def stage_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/stage", json={"stage": "discovery", "reason": "go"},
        done=lambda r: w.get_product(pid).stage == "discovery",
    )  # fmt: skip


def stages_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/api/v1/products/{pid}/stages", done=lambda r: r.json()[0]["to_stage"] == "idea")


def members_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    owner = w.users["owner"].email
    return Call(
        f"/api/v1/products/{pid}/members",
        done=lambda r: owner in [m["email"] for m in r.json()] and len(r.json()) == 5,
    )


def add_member_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    body = {"email": "newcomer@example.org", "role": "viewer"}
    return Call(
        f"/api/v1/products/{pid}/members", json=body, status=201,
        done=lambda r: w.member_of(pid, "newcomer@example.org"),
    )  # fmt: skip


def member_role_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    other = w.uid("other")
    return Call(
        f"/api/v1/products/{pid}/members/{other}", json={"role": "member"},
        done=lambda r: w.role_on(pid, other) == "member",
    )  # fmt: skip


def remove_member_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    other = w.uid("other")
    return Call(
        f"/api/v1/products/{pid}/members/{other}", status=204,
        done=lambda r: w.role_on(pid, other) is None,
    )  # fmt: skip


def activity_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/activity",
        done=lambda r: r.json()[-1]["action"] == "products.product.created",
    )


# --- the matrix ------------------------------------------------------------------------------


def backlog_page(w: World, role: str) -> Call:
    item_id, pid = w.item()
    title = w.get_item(item_id).title
    return Call(f"/products/{pid}/backlog", done=lambda r: title in r.text)


def add_item_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    title = f"New item {w.serial()}"
    return Call(
        f"/products/{pid}/backlog", form={"title": title, "type": "story"}, status=303,
        location=f"/products/{pid}/backlog", done=lambda r: w.items_titled(pid, title) == 1,
    )  # fmt: skip


def _below(w: World, pid: int) -> None:
    """One more item at the bottom, so that moving the world's item to the bottom moves it."""
    backlog_services.create_item(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, values={"title": f"B {w.serial()}"}
    )


def move_page(w: World, role: str) -> Call:
    item_id, pid = w.item()
    _below(w, pid)
    before = w.get_item(item_id).rank
    return Call(
        f"/items/{item_id}/move", form={"to": "bottom"}, status=303,
        location=f"/products/{pid}/backlog", done=lambda r: w.get_item(item_id).rank != before,
    )  # fmt: skip


def item_page(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    title = w.get_item(item_id).title
    return Call(f"/items/{item_id}", done=lambda r: title in r.text)


def edit_item_page(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    form = {"title": "Renamed item", "type": "story", "status": "new", "version": "1"}
    return Call(
        f"/items/{item_id}/edit", form=form, status=303, location=f"/items/{item_id}",
        done=lambda r: w.get_item(item_id).title == "Renamed item",
    )  # fmt: skip


def comment_page(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(
        f"/items/{item_id}/comments", form={"body": "Looks good"}, status=303,
        location=f"/items/{item_id}", done=lambda r: w.comments_on(item_id) == 1,
    )  # fmt: skip


def items_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    return Call(
        f"/api/v1/products/{pid}/items",
        done=lambda r: [i["id"] for i in r.json()["items"]] == [item_id],
    )


def add_item_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    title = f"API item {w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/items", json={"title": title}, status=201,
        done=lambda r: w.items_titled(pid, title) == 1,
    )  # fmt: skip


def item_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(f"/api/v1/items/{item_id}", done=lambda r: r.json()["id"] == item_id)


def patch_item_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(
        f"/api/v1/items/{item_id}", json={"title": "Renamed item"},
        done=lambda r: w.get_item(item_id).title == "Renamed item",
    )  # fmt: skip


def move_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    _below(w, pid)
    before = w.get_item(item_id).rank
    return Call(
        f"/api/v1/items/{item_id}/move", json={"to": "bottom"},
        done=lambda r: w.get_item(item_id).rank != before,
    )  # fmt: skip


def comment_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(
        f"/api/v1/items/{item_id}/comments", json={"body": "Looks good"}, status=201,
        done=lambda r: w.comments_on(item_id) == 1,
    )  # fmt: skip


def comments_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(f"/api/v1/items/{item_id}/comments", done=lambda r: r.json() == [])


def _shared_view(w: World) -> tuple[int, int]:
    pid, _name = w.product()
    view = listing_services.save_view(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, name=f"Shared {w.serial()}",
        filters=Filters(types=["bug"]), shared=True,
    )  # fmt: skip
    return view.id, pid


def _views_named(w: World, pid: int, name: str) -> int:
    with w.db.reader() as uow:
        stmt = select(SavedView.id).where(SavedView.product_id == pid, SavedView.name == name)
        return len(list(uow.session.scalars(stmt)))


def _view_gone(w: World, view_id: int) -> bool:
    with w.db.reader() as uow:
        return uow.session.get(SavedView, view_id) is None


def bulk_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    return Call(
        f"/api/v1/products/{pid}/items/bulk", json={"item_ids": [item_id], "status": "ready"},
        done=lambda r: w.get_item(item_id).status == "ready" and r.json()["updated"] == [item_id],
    )  # fmt: skip


def bulk_page(w: World, role: str) -> Call:
    item_id, pid = w.item()
    return Call(
        f"/products/{pid}/backlog/bulk", form={"item": str(item_id), "status": "ready"},
        status=303, location=f"/products/{pid}/backlog",
        done=lambda r: w.get_item(item_id).status == "ready",
    )  # fmt: skip


def views_api(w: World, role: str) -> Call:
    view_id, pid = _shared_view(w)
    return Call(
        f"/api/v1/products/{pid}/views", done=lambda r: view_id in [v["id"] for v in r.json()]
    )


def save_view_api(w: World, role: str, *, shared: bool = False) -> Call:
    pid, _name = w.product()
    name = f"View {w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/views", json={"name": name, "shared": shared}, status=201,
        done=lambda r: _views_named(w, pid, name) == 1 and r.json()["shared"] is shared,
    )  # fmt: skip


def save_shared_view_api(w: World, role: str) -> Call:
    return save_view_api(w, role, shared=True)


def save_view_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"View {w.serial()}"
    return Call(
        f"/products/{pid}/views", form={"name": name, "back": "type=bug"}, status=303,
        location=f"/products/{pid}/backlog?type=bug",
        done=lambda r: _views_named(w, pid, name) == 1,
    )  # fmt: skip


def delete_shared_view_api(w: World, role: str) -> Call:
    view_id, _pid = _shared_view(w)
    return Call(f"/api/v1/views/{view_id}", status=204, done=lambda r: _view_gone(w, view_id))


def delete_own_view_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    owner = role if role in READERS else "other"
    view = listing_services.save_view(
        w.db.uow(), actor=w.actor(owner), product_id=pid, name=f"Mine {w.serial()}",
        filters=Filters(), shared=False,
    )  # fmt: skip
    return Call(f"/api/v1/views/{view.id}", status=204, done=lambda r: _view_gone(w, view.id))


def delete_view_page(w: World, role: str) -> Call:
    view_id, pid = _shared_view(w)
    return Call(
        f"/views/{view_id}/delete", form={"back": ""}, status=303,
        location=f"/products/{pid}/backlog", done=lambda r: _view_gone(w, view_id),
    )  # fmt: skip


# --- builders: search (add yours above this line) ---


PRIO_RICE = {"reach": 800, "impact": 2, "confidence": 0.8, "effort": 4}


def _prio_score_of(w: World, item_id: int, model: str) -> float | None:
    with w.db.reader() as uow:
        row = uow.session.get(ItemScore, (item_id, model))
        return row.value if row is not None else None


def _prio_scored_item(w: World) -> tuple[int, int]:
    """The current item, scored with RICE by the owner (a write: call before the snapshot)."""
    item_id, pid = w.item()
    if _prio_score_of(w, item_id, "rice") is None:
        prioritisation_services.set_score(
            w.db.uow(), actor=w.actor("owner"), item_id=item_id, model="rice", inputs=PRIO_RICE
        )
    return item_id, pid


def _prio_formula(w: World) -> tuple[str, int]:
    _item_id, pid = _prio_scored_item(w)
    key = f"f{w.serial()}"
    prioritisation_services.create_formula(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, name=key, expression="rice / 2", key=key
    )
    return key, pid


def _prio_formula_expression(w: World, pid: int, key: str) -> str | None:
    with w.db.reader() as uow:
        stmt = select(Formula.expression).where(Formula.product_id == pid, Formula.key == key)
        return uow.session.scalar(stmt)


def _prio_reorderable(w: World) -> tuple[int, int]:
    """A second item that RICE puts above the current one: applying RICE's order moves it."""
    _item_id, pid = _prio_scored_item(w)
    made = backlog_services.create_item(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, values={"title": f"Top {w.serial()}"}
    )
    prioritisation_services.set_score(
        w.db.uow(), actor=w.actor("owner"), item_id=made.id, model="rice",
        inputs={**PRIO_RICE, "reach": 10_000},
    )  # fmt: skip
    return made.id, pid


def _prio_snapshot(w: World) -> tuple[int, int]:
    _item_id, pid = _prio_scored_item(w)
    applied = prioritisation_services.apply_order(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, model="rice"
    )
    return applied.snapshot.id, pid


def _prio_undone(w: World, snapshot_id: int) -> bool:
    with w.db.reader() as uow:
        found = uow.session.get(OrderSnapshot, snapshot_id)
        return found is not None and found.undone_at is not None


def prio_grid_page(w: World, role: str) -> Call:
    item_id, pid = _prio_scored_item(w)
    return Call(f"/products/{pid}/prioritisation", done=lambda r: f"s-{item_id}-reach" in r.text)


def prio_save_grid(w: World, role: str) -> Call:
    item_id, pid = w.item()
    form = {"model": "ice", "items": str(item_id)}
    form |= {f"s-{item_id}-{name}": "5" for name in ("impact", "confidence", "ease")}
    return Call(
        f"/products/{pid}/prioritisation/scores", form=form, status=303,
        location=f"/products/{pid}/prioritisation",
        done=lambda r: _prio_score_of(w, item_id, "ice") == 125,
    )  # fmt: skip


def prio_formulas_page(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(f"/products/{pid}/prioritisation/formulas", done=lambda r: key in r.text)


def prio_preview_page(w: World, role: str) -> Call:
    _item_id, pid = _prio_scored_item(w)
    return Call(
        f"/products/{pid}/prioritisation/formulas/preview?expression=rice*2",
        done=lambda r: "640" in r.text,
    )


def prio_create_formula_page(w: World, role: str) -> Call:
    _item_id, pid = _prio_scored_item(w)
    return Call(
        f"/products/{pid}/prioritisation/formulas", form={"name": "Twice", "expression": "rice*2"},
        status=303, location=f"/products/{pid}/prioritisation/formulas",
        done=lambda r: _prio_formula_expression(w, pid, "twice") == "rice*2",
    )  # fmt: skip


def prio_update_formula_page(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(
        f"/products/{pid}/prioritisation/formulas/{key}",
        form={"name": "Renamed", "expression": "rice * 3"}, status=303,
        location=f"/products/{pid}/prioritisation/formulas",
        done=lambda r: _prio_formula_expression(w, pid, key) == "rice * 3",
    )  # fmt: skip


def prio_delete_formula_page(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(
        f"/products/{pid}/prioritisation/formulas/{key}/delete", status=303,
        location=f"/products/{pid}/prioritisation/formulas",
        done=lambda r: _prio_formula_expression(w, pid, key) is None,
    )  # fmt: skip


def prio_compare_page(w: World, role: str) -> Call:
    item_id, pid = _prio_scored_item(w)
    title = w.get_item(item_id).title
    return Call(
        f"/products/{pid}/prioritisation/compare?models=rice&models=ice",
        done=lambda r: title in r.text,
    )


def prio_chart_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/prioritisation/chart", done=lambda r: "value/effort" in r.text)


def prio_order_page(w: World, role: str) -> Call:
    item_id, pid = _prio_scored_item(w)
    title = w.get_item(item_id).title
    return Call(f"/products/{pid}/prioritisation/order?model=rice", done=lambda r: title in r.text)


def prio_apply_page(w: World, role: str) -> Call:
    item_id, pid = _prio_reorderable(w)
    before = w.get_item(item_id).rank
    return Call(
        f"/products/{pid}/prioritisation/order", form={"model": "rice"}, status=303,
        location=f"/products/{pid}/prioritisation/order",
        done=lambda r: w.get_item(item_id).rank != before,
    )  # fmt: skip


def prio_undo_page(w: World, role: str) -> Call:
    snapshot_id, pid = _prio_snapshot(w)
    return Call(
        f"/products/{pid}/prioritisation/order/{snapshot_id}/undo", status=303,
        location=f"/products/{pid}/prioritisation/order",
        done=lambda r: _prio_undone(w, snapshot_id),
    )  # fmt: skip


def prio_item_scores_page(w: World, role: str) -> Call:
    item_id, _pid = _prio_scored_item(w)
    return Call(f"/items/{item_id}/scores", done=lambda r: "<details>" in r.text)


def prio_put_score_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(
        f"/api/v1/items/{item_id}/scores/rice", json=PRIO_RICE,
        done=lambda r: r.json()["value"] == 320 and _prio_score_of(w, item_id, "rice") == 320,
    )  # fmt: skip


def prio_scores_api(w: World, role: str) -> Call:
    item_id, _pid = _prio_scored_item(w)
    return Call(
        f"/api/v1/items/{item_id}/scores",
        done=lambda r: r.json()["scores"][0]["explanation"] == "(800 × 2 × 0.8) / 4 = 320",
    )


def prio_bulk_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    body = {"model": "rice", "items": [{"item_id": item_id, "inputs": PRIO_RICE}]}
    return Call(
        f"/api/v1/products/{pid}/scores", json=body,
        done=lambda r: _prio_score_of(w, item_id, "rice") == 320,
    )  # fmt: skip


def prio_ranking_api(w: World, role: str) -> Call:
    item_id, pid = _prio_scored_item(w)
    return Call(
        f"/api/v1/products/{pid}/ranking?model=rice",
        done=lambda r: r.json()["items"][0]["item_id"] == item_id,
    )


def prio_formulas_api(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(
        f"/api/v1/products/{pid}/formulas", done=lambda r: key in [f["key"] for f in r.json()]
    )


def prio_create_formula_api(w: World, role: str) -> Call:
    _item_id, pid = _prio_scored_item(w)
    return Call(
        f"/api/v1/products/{pid}/formulas", json={"name": "Twice", "expression": "rice*2"},
        status=201, done=lambda r: r.json()["scored"] == 1,
    )  # fmt: skip


def prio_formula_api(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(
        f"/api/v1/products/{pid}/formulas/{key}",
        done=lambda r: r.json()["expression"] == "rice / 2",
    )


def prio_update_formula_api(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(
        f"/api/v1/products/{pid}/formulas/{key}", json={"expression": "rice * 3"},
        done=lambda r: _prio_formula_expression(w, pid, key) == "rice * 3",
    )  # fmt: skip


def prio_delete_formula_api(w: World, role: str) -> Call:
    key, pid = _prio_formula(w)
    return Call(
        f"/api/v1/products/{pid}/formulas/{key}", status=204,
        done=lambda r: _prio_formula_expression(w, pid, key) is None,
    )  # fmt: skip


def prio_compare_api(w: World, role: str) -> Call:
    item_id, pid = _prio_scored_item(w)
    return Call(
        f"/api/v1/products/{pid}/compare?models=rice,ice",
        done=lambda r: r.json()["items"][0]["item_id"] == item_id,
    )


def prio_apply_api(w: World, role: str) -> Call:
    item_id, pid = _prio_reorderable(w)
    before = w.get_item(item_id).rank
    return Call(
        f"/api/v1/products/{pid}/apply-order", json={"model": "rice"}, status=201,
        done=lambda r: w.get_item(item_id).rank != before,
    )  # fmt: skip


def prio_undo_api(w: World, role: str) -> Call:
    snapshot_id, pid = _prio_snapshot(w)
    return Call(
        f"/api/v1/products/{pid}/apply-order/{snapshot_id}/undo",
        done=lambda r: _prio_undone(w, snapshot_id),
    )


# --- builders: prioritisation (add yours above this line) ---


def _csv_file() -> dict[str, Any]:
    return {"file": ("jira.csv", b"Issue key,Summary\nMX-1,Imported item\n", "text/csv")}


def _staged(w: World, pid: int) -> str:
    from jalon.transfer import staging

    kept = staging.save(
        w.app.state.settings.data_dir, product_id=pid, filename="jira.csv", file_format=None,
        stream=io.BytesIO(_csv_file()["file"][1]),
    )  # fmt: skip
    return kept.token


def _imported(w: World) -> tuple[int, int]:
    """An import batch (and its product) made by the owner."""
    from jalon.transfer import services as transfer_services

    pid, _name = w.product()
    report = transfer_services.import_file(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, filename="jira.csv",
        stream=io.BytesIO(_csv_file()["file"][1]),
    )  # fmt: skip
    assert report.batch_id is not None
    return report.batch_id, pid


def _undone(w: World, batch_id: int) -> bool:
    from jalon.backlog.models import ImportBatch

    with w.db.reader() as uow:
        batch = uow.session.get(ImportBatch, batch_id)
        return batch is not None and batch.undone_at is not None


def transfer_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/transfer", done=lambda r: "Past imports" in r.text)


def upload_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/import", form={"format": ""}, files=_csv_file(), status=303,
        location=f"/products/{pid}/import/",
    )  # fmt: skip


def mapping_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    token = _staged(w, pid)
    return Call(f"/products/{pid}/import/{token}", done=lambda r: 'value="Summary"' in r.text)


def check_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    token = _staged(w, pid)
    return Call(
        f"/products/{pid}/import/{token}/check", form={},
        done=lambda r: "Imported item" in r.text and w.items_titled(pid, "Imported item") == 0,
    )  # fmt: skip


def run_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    token = _staged(w, pid)
    return Call(
        f"/products/{pid}/import/{token}/run", form={}, status=303,
        location=f"/products/{pid}/transfer?imported=",
        done=lambda r: w.items_titled(pid, "Imported item") == 1,
    )  # fmt: skip


def undo_page(w: World, role: str) -> Call:
    batch_id, pid = _imported(w)
    return Call(
        f"/imports/{batch_id}/undo", status=303, location=f"/products/{pid}/transfer",
        done=lambda r: _undone(w, batch_id),
    )  # fmt: skip


def export_csv_page(w: World, role: str) -> Call:
    item_id, pid = w.item()
    title = w.get_item(item_id).title
    return Call(f"/products/{pid}/export?format=csv", done=lambda r: title in r.text)


def export_json_page(w: World, role: str) -> Call:
    item_id, pid = w.item()
    title = w.get_item(item_id).title
    return Call(
        f"/products/{pid}/export?format=json",
        done=lambda r: r.json()["items"][0]["title"] == title,
    )


def import_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/imports", files=_csv_file(), status=201,
        done=lambda r: w.items_titled(pid, "Imported item") == 1,
    )  # fmt: skip


def imports_api(w: World, role: str) -> Call:
    batch_id, pid = _imported(w)
    return Call(f"/api/v1/products/{pid}/imports", done=lambda r: r.json()[0]["id"] == batch_id)


def undo_api(w: World, role: str) -> Call:
    batch_id, _pid = _imported(w)
    return Call(f"/api/v1/imports/{batch_id}/undo", done=lambda r: _undone(w, batch_id))


def export_csv_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    title = w.get_item(item_id).title
    return Call(f"/api/v1/products/{pid}/export?format=csv", done=lambda r: title in r.text)


def export_json_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    title = w.get_item(item_id).title
    return Call(
        f"/api/v1/products/{pid}/export?format=json",
        done=lambda r: r.json()["items"][0]["title"] == title,
    )


# --- builders: transfer (add yours above this line) ---


# refinement and collaboration


def _settings_of(w: World, pid: int) -> Any:
    view = refinement_queries.get_settings(w.db.reader(), actor=w.actor("owner"), product_id=pid)
    return view.settings


def _second_item(w: World, pid: int) -> int:
    made = backlog_services.create_item(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, values={"title": f"B {w.serial()}"}
    )
    return made.id


def _link(w: World) -> tuple[int, int]:
    """A link from the current item to a second one; (item id, link id)."""
    item_id, pid = w.item()
    link = refinement_services.add_link(
        w.db.uow(), actor=w.actor("owner"), item_id=item_id, kind="blocks",
        to_id=_second_item(w, pid),
    )  # fmt: skip
    return item_id, link.id


def _links_of(w: World, item_id: int) -> int:
    with w.db.reader() as uow:
        stmt = select(ItemLink.id).where(
            (ItemLink.from_id == item_id) | (ItemLink.to_id == item_id)
        )
        return len(list(uow.session.scalars(stmt)))


def _notification(w: World, owner: str) -> int:
    item_id, _pid = w.item()
    with w.db.uow() as uow:
        note = Notification(user_id=w.uid(owner), item_id=item_id, kind="mention", text="Someone")
        uow.add(note)
        uow.commit()
        return note.id


def _is_read(w: World, note_id: int) -> bool:
    with w.db.reader() as uow:
        note = uow.session.get(Notification, note_id)
        return note is not None and note.read_at is not None


def _link_exists(w: World, link_id: int) -> bool:
    with w.db.reader() as uow:
        return uow.session.get(ItemLink, link_id) is not None


def _unread(w: World, owner: str) -> int:
    return collaboration_queries.count_unread(w.db.reader(), user_id=w.uid(owner))


SETTINGS_FORM: dict[str, Any] = {
    "status_key": ["new", "done", ""], "status_label": ["New", "Done", ""],
    "status_category": ["todo", "done", "doing"], "scale": "tshirt",
    "ready": ["Estimated", ""], "done": ["Tested", ""], "op": "save",
}  # fmt: skip
SETTINGS_JSON: dict[str, Any] = {
    "statuses": [
        {"key": "new", "label": "New", "category": "todo"},
        {"key": "done", "label": "Done", "category": "done"},
    ],
    "scale": "tshirt", "definition_of_ready": ["Estimated"], "definition_of_done": ["Tested"],
}  # fmt: skip


def settings_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/backlog-settings", done=lambda r: "Definition of Ready" in r.text)


def save_settings_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/backlog-settings", form=SETTINGS_FORM, status=303,
        location=f"/products/{pid}/backlog-settings",
        done=lambda r: _settings_of(w, pid).scale == "tshirt",
    )  # fmt: skip


def tick_page(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(
        f"/items/{item_id}/checks", form={"checklist": "ready", "ticked": []}, status=303,
        location=f"/items/{item_id}", done=lambda r: w.get_item(item_id).checks == {"ready": []},
    )  # fmt: skip


def link_page(w: World, role: str) -> Call:
    item_id, pid = w.item()
    other = _second_item(w, pid)
    return Call(
        f"/items/{item_id}/links", form={"kind": "relates", "to": f"#{other}"}, status=303,
        location=f"/items/{item_id}", done=lambda r: _links_of(w, item_id) == 1,
    )  # fmt: skip


def unlink_page(w: World, role: str) -> Call:
    item_id, link_id = _link(w)
    return Call(
        f"/items/{item_id}/links/{link_id}/remove", status=303, location=f"/items/{item_id}",
        done=lambda r: not _link_exists(w, link_id),
    )  # fmt: skip


def notifications_page(w: World, role: str) -> Call:
    return Call("/notifications", done=lambda r: "Notifications" in r.text)


def read_all_page(w: World, role: str) -> Call:
    me = _me(role)
    _notification(w, me)
    return Call(
        "/notifications/read-all", status=303, location="/notifications",
        done=lambda r: _unread(w, me) == 0,
    )  # fmt: skip


def read_own_page(w: World, role: str) -> Call:
    me = _me(role)
    note = _notification(w, me)
    return Call(
        f"/notifications/{note}/read", status=303, location="/notifications",
        done=lambda r: _is_read(w, note),
    )  # fmt: skip


def read_others_page(w: World, role: str) -> Call:
    return Call(f"/notifications/{_notification(w, 'other')}/read")


def settings_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/backlog-settings", done=lambda r: r.json()["scale"] == "fibonacci"
    )


def put_settings_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/backlog-settings", json=SETTINGS_JSON,
        done=lambda r: _settings_of(w, pid).scale == "tshirt",
    )  # fmt: skip


def checks_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(f"/api/v1/items/{item_id}/checks", done=lambda r: r.json()["item_id"] == item_id)


def put_checks_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(
        f"/api/v1/items/{item_id}/checks", json={"ready": []},
        done=lambda r: r.json()["ready"]["met"] is True,
    )  # fmt: skip


def links_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    return Call(f"/api/v1/items/{item_id}/links", done=lambda r: r.json() == [])


def link_api(w: World, role: str) -> Call:
    item_id, pid = w.item()
    other = _second_item(w, pid)
    return Call(
        f"/api/v1/items/{item_id}/links", json={"kind": "relates", "to_id": other}, status=201,
        done=lambda r: _links_of(w, item_id) == 1,
    )  # fmt: skip


def unlink_api(w: World, role: str) -> Call:
    item_id, link_id = _link(w)
    return Call(
        f"/api/v1/items/{item_id}/links/{link_id}", status=204,
        done=lambda r: not _link_exists(w, link_id),
    )  # fmt: skip


def notifications_api(w: World, role: str) -> Call:
    note = _notification(w, _me(role))
    return Call("/api/v1/notifications", done=lambda r: [n["id"] for n in r.json()] == [note])


def read_all_api(w: World, role: str) -> Call:
    me = _me(role)
    _notification(w, me)
    return Call(
        "/api/v1/notifications/read-all",
        done=lambda r: r.json()["marked"] >= 1 and _unread(w, me) == 0,
    )


def read_own_api(w: World, role: str) -> Call:
    note = _notification(w, _me(role))
    return Call(f"/api/v1/notifications/{note}/read", done=lambda r: _is_read(w, note))


# --- builders: refinement (add yours above this line) ---


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    what: str
    cells: str  # one outcome per role, in the order of ROLES
    build: Callable[[World, str], Call] = field(repr=False)
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.variant})" if self.variant else "")

    @property
    def expected(self) -> dict[str, str]:
        return dict(zip(ROLES, self.cells.split(), strict=True))

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


# Outcomes: ok = the action succeeds; login = pages redirect to /login (303), the API answers
# 401; 403 = the caller may see the product but their role may not do this; 404 = the caller
# may not see the product (or the thing is not theirs), exactly as if it did not exist;
# 409 = not possible any more (the first-run setup is closed once a user exists).
# Cells, in order: anonymous outsider viewer stakeholder member owner admin.
ROWS = (
    Row("GET", "/", "Home (goes to the product list)", "login ok ok ok ok ok ok", home),
    Row("GET", "/setup", "First-run setup form (closed: goes to sign-in)",
        "login login login login login login login", setup_form),
    Row("POST", "/setup", "First-run setup", "409 409 409 409 409 409 409", setup),
    Row("GET", "/login", "Sign-in form", "ok ok ok ok ok ok ok", login_form),
    Row("POST", "/login", "Sign in", "ok ok ok ok ok ok ok", login),
    Row("POST", "/logout", "Sign out", "ok ok ok ok ok ok ok", logout),
    Row("POST", "/language", "Choose the language", "ok ok ok ok ok ok ok", language),
    Row("GET", "/invite/{token}", "Invitation form (with its link)",
        "ok ok ok ok ok ok ok", invitation_form),
    Row("POST", "/invite/{token}", "Accept an invitation (with its link)",
        "ok ok ok ok ok ok ok", accept_invitation),
    Row("GET", "/account", "Own account page", "login ok ok ok ok ok ok", account),
    Row("POST", "/account/password", "Change own password",
        "login ok ok ok ok ok ok", change_password),
    Row("POST", "/account/tokens", "Create an API token for oneself",
        "login ok ok ok ok ok ok", create_token),
    Row("POST", "/account/tokens/{token_id}/revoke", "Revoke an API token",
        "login ok ok ok ok ok ok", revoke_own_token, "own"),
    Row("POST", "/account/tokens/{token_id}/revoke", "Revoke an API token",
        "login 404 404 404 404 404 ok", revoke_others_token, "someone else's"),
    Row("POST", "/account/sessions/{session_id}/revoke", "Sign out a session",
        "login ok ok ok ok ok ok", revoke_own_session, "own"),
    Row("POST", "/account/sessions/{session_id}/revoke", "Sign out a session",
        "login 404 404 404 404 404 ok", revoke_others_session, "someone else's"),
    Row("GET", "/admin/users", "People page", "login 403 403 403 403 403 ok", admin_users),
    Row("POST", "/admin/users", "Invite a person", "login 403 403 403 403 403 ok", admin_invite),
    Row("POST", "/admin/users/{user_id}/active", "Deactivate or reactivate a person",
        "login 403 403 403 403 403 ok", admin_set_active),
    Row("POST", "/admin/users/{user_id}/admin", "Grant or withdraw administration",
        "login 403 403 403 403 403 ok", admin_set_admin),
    Row("GET", "/healthz", "Health check", "ok ok ok ok ok ok ok", healthz),
    Row("GET", "/products", "Product list (only products one may see)",
        "login ok ok ok ok ok ok", list_page),
    Row("GET", "/products/new", "New product form", "login ok ok ok ok ok ok", new_page),
    Row("POST", "/products/new", "Create a product (one becomes its owner)",
        "login ok ok ok ok ok ok", create_page),
    Row("GET", "/products/{product_id}", "Product page", "login 404 ok ok ok ok ok", show_page),
    Row("GET", "/products/{product_id}/edit", "Edit form",
        "login 404 403 403 403 ok ok", edit_page),
    Row("POST", "/products/{product_id}/edit", "Edit name, vision, users, goal",
        "login 404 403 403 403 ok ok", update_page),
    Row("POST", "/products/{product_id}/stage", "Change the lifecycle stage",
        "login 404 403 403 403 ok ok", stage_page),
    Row("POST", "/products/{product_id}/members", "Add a member or invite someone",
        "login 404 403 403 403 ok ok", add_member_page),
    Row("POST", "/products/{product_id}/members/{user_id}/role", "Change a member's role",
        "login 404 403 403 403 ok ok", member_role_page),
    Row("POST", "/products/{product_id}/members/{user_id}/remove", "Remove a member",
        "login 404 403 403 403 ok ok", remove_member_page),
    Row("GET", "/products/{product_id}/activity", "Activity log",
        "login 404 ok ok ok ok ok", activity_page),
    Row("GET", "/api/v1/me", "The authenticated user", "login ok ok ok ok ok ok", me_api),
    Row("GET", "/api/v1/products", "Products one may see", "login ok ok ok ok ok ok", list_api),
    Row("POST", "/api/v1/products", "Create a product (one becomes its owner)",
        "login ok ok ok ok ok ok", create_api),
    Row("GET", "/api/v1/products/{product_id}", "Read a product",
        "login 404 ok ok ok ok ok", get_api),
    Row("PATCH", "/api/v1/products/{product_id}", "Edit a product",
        "login 404 403 403 403 ok ok", update_api),
    Row("POST", "/api/v1/products/{product_id}/stage", "Change the lifecycle stage",
        "login 404 403 403 403 ok ok", stage_api),
    Row("GET", "/api/v1/products/{product_id}/stages", "Stage history",
        "login 404 ok ok ok ok ok", stages_api),
    Row("GET", "/api/v1/products/{product_id}/members", "List members",
        "login 404 ok ok ok ok ok", members_api),
    Row("POST", "/api/v1/products/{product_id}/members", "Add a member or invite someone",
        "login 404 403 403 403 ok ok", add_member_api),
    Row("PATCH", "/api/v1/products/{product_id}/members/{user_id}", "Change a member's role",
        "login 404 403 403 403 ok ok", member_role_api),
    Row("DELETE", "/api/v1/products/{product_id}/members/{user_id}", "Remove a member",
        "login 404 403 403 403 ok ok", remove_member_api),
    Row("GET", "/api/v1/products/{product_id}/activity", "Activity log",
        "login 404 ok ok ok ok ok", activity_api),
    Row("GET", "/products/{product_id}/backlog", "Backlog page",
        "login 404 ok ok ok ok ok", backlog_page),
    Row("POST", "/products/{product_id}/backlog", "Add an item",
        "login 404 403 403 ok ok ok", add_item_page),
    Row("POST", "/items/{item_id}/move", "Move an item (keyboard buttons)",
        "login 404 403 403 ok ok ok", move_page),
    Row("GET", "/items/{item_id}", "Item page", "login 404 ok ok ok ok ok", item_page),
    Row("POST", "/items/{item_id}/edit", "Edit an item",
        "login 404 403 403 ok ok ok", edit_item_page),
    Row("POST", "/items/{item_id}/comments", "Comment on an item",
        "login 404 403 ok ok ok ok", comment_page),
    Row("GET", "/api/v1/products/{product_id}/items", "The backlog, a page at a time",
        "login 404 ok ok ok ok ok", items_api),
    Row("POST", "/api/v1/products/{product_id}/items", "Add an item",
        "login 404 403 403 ok ok ok", add_item_api),
    Row("GET", "/api/v1/items/{item_id}", "Read an item", "login 404 ok ok ok ok ok", item_api),
    Row("PATCH", "/api/v1/items/{item_id}", "Edit an item",
        "login 404 403 403 ok ok ok", patch_item_api),
    Row("POST", "/api/v1/items/{item_id}/move", "Move an item",
        "login 404 403 403 ok ok ok", move_api),
    Row("POST", "/api/v1/items/{item_id}/comments", "Comment on an item",
        "login 404 403 ok ok ok ok", comment_api),
    Row("GET", "/api/v1/items/{item_id}/comments", "Read an item's comments",
        "login 404 ok ok ok ok ok", comments_api),
    Row("POST", "/products/{product_id}/backlog/bulk", "Bulk-edit selected items (page)",
        "login 404 403 403 ok ok ok", bulk_page),
    Row("POST", "/products/{product_id}/views", "Save the filters as a personal view (page)",
        "login 404 ok ok ok ok ok", save_view_page),
    Row("POST", "/views/{view_id}/delete", "Delete a shared view (page)",
        "login 404 403 403 ok ok ok", delete_view_page),
    Row("POST", "/api/v1/products/{product_id}/items/bulk", "Bulk-edit items: all or nothing",
        "login 404 403 403 ok ok ok", bulk_api),
    Row("GET", "/api/v1/products/{product_id}/views", "List saved views (own and shared)",
        "login 404 ok ok ok ok ok", views_api),
    Row("POST", "/api/v1/products/{product_id}/views", "Save a personal view",
        "login 404 ok ok ok ok ok", save_view_api, "personal"),
    Row("POST", "/api/v1/products/{product_id}/views", "Save a view shared with the product",
        "login 404 403 403 ok ok ok", save_shared_view_api, "shared"),
    Row("DELETE", "/api/v1/views/{view_id}", "Delete one's own personal view",
        "login 404 ok ok ok ok ok", delete_own_view_api, "personal"),
    Row("DELETE", "/api/v1/views/{view_id}", "Delete a shared view",
        "login 404 403 403 ok ok ok", delete_shared_view_api, "shared"),
    # --- rows: search (add yours above this line) ---
    Row("GET", "/products/{product_id}/prioritisation", "Prioritisation: the scoring grid",
        "login 404 ok ok ok ok ok", prio_grid_page),
    Row("POST", "/products/{product_id}/prioritisation/scores", "Save scores from the grid",
        "login 404 403 403 ok ok ok", prio_save_grid),
    Row("GET", "/products/{product_id}/prioritisation/formulas", "Custom formulas page",
        "login 404 ok ok ok ok ok", prio_formulas_page),
    Row("GET", "/products/{product_id}/prioritisation/formulas/preview",
        "Preview a formula (writes nothing)", "login 404 ok ok ok ok ok", prio_preview_page),
    Row("POST", "/products/{product_id}/prioritisation/formulas", "Create a formula",
        "login 404 403 403 403 ok ok", prio_create_formula_page),
    Row("POST", "/products/{product_id}/prioritisation/formulas/{key}", "Edit a formula",
        "login 404 403 403 403 ok ok", prio_update_formula_page),
    Row("POST", "/products/{product_id}/prioritisation/formulas/{key}/delete",
        "Delete a formula", "login 404 403 403 403 ok ok", prio_delete_formula_page),
    Row("GET", "/products/{product_id}/prioritisation/compare", "Compare models",
        "login 404 ok ok ok ok ok", prio_compare_page),
    Row("GET", "/products/{product_id}/prioritisation/chart", "Value/effort chart",
        "login 404 ok ok ok ok ok", prio_chart_page),
    Row("GET", "/products/{product_id}/prioritisation/order", "Apply order: preview",
        "login 404 ok ok ok ok ok", prio_order_page),
    Row("POST", "/products/{product_id}/prioritisation/order", "Apply a model's order",
        "login 404 403 403 403 ok ok", prio_apply_page),
    Row("POST", "/products/{product_id}/prioritisation/order/{snapshot_id}/undo",
        "Undo applying an order", "login 404 403 403 403 ok ok", prio_undo_page),
    Row("GET", "/items/{item_id}/scores", "An item's scores, explained",
        "login 404 ok ok ok ok ok", prio_item_scores_page),
    Row("PUT", "/api/v1/items/{item_id}/scores/{model}", "Score an item under a model",
        "login 404 403 403 ok ok ok", prio_put_score_api),
    Row("GET", "/api/v1/items/{item_id}/scores", "An item's scores, explained",
        "login 404 ok ok ok ok ok", prio_scores_api),
    Row("POST", "/api/v1/products/{product_id}/scores", "Score many items at once",
        "login 404 403 403 ok ok ok", prio_bulk_api),
    Row("GET", "/api/v1/products/{product_id}/ranking", "The backlog in a model's order",
        "login 404 ok ok ok ok ok", prio_ranking_api),
    Row("GET", "/api/v1/products/{product_id}/formulas", "List formulas",
        "login 404 ok ok ok ok ok", prio_formulas_api),
    Row("POST", "/api/v1/products/{product_id}/formulas", "Create a formula",
        "login 404 403 403 403 ok ok", prio_create_formula_api),
    Row("GET", "/api/v1/products/{product_id}/formulas/{key}", "Read a formula",
        "login 404 ok ok ok ok ok", prio_formula_api),
    Row("PATCH", "/api/v1/products/{product_id}/formulas/{key}", "Edit a formula",
        "login 404 403 403 403 ok ok", prio_update_formula_api),
    Row("DELETE", "/api/v1/products/{product_id}/formulas/{key}", "Delete a formula",
        "login 404 403 403 403 ok ok", prio_delete_formula_api),
    Row("GET", "/api/v1/products/{product_id}/compare", "Compare models",
        "login 404 ok ok ok ok ok", prio_compare_api),
    Row("POST", "/api/v1/products/{product_id}/apply-order", "Apply a model's order",
        "login 404 403 403 403 ok ok", prio_apply_api),
    Row("POST", "/api/v1/products/{product_id}/apply-order/{snapshot_id}/undo",
        "Undo applying an order", "login 404 403 403 403 ok ok", prio_undo_api),
    # --- rows: prioritisation (add yours above this line) ---
    Row("GET", "/products/{product_id}/transfer", "Import and export page",
        "login 404 ok ok ok ok ok", transfer_page),
    Row("POST", "/products/{product_id}/import", "Upload a file to import",
        "login 404 403 403 403 ok ok", upload_page),
    Row("GET", "/products/{product_id}/import/{token}", "Map an upload's columns",
        "login 404 403 403 403 ok ok", mapping_page),
    Row("POST", "/products/{product_id}/import/{token}/check", "Dry run of an import",
        "login 404 403 403 403 ok ok", check_page),
    Row("POST", "/products/{product_id}/import/{token}/run", "Import an upload",
        "login 404 403 403 403 ok ok", run_page),
    Row("POST", "/imports/{import_id}/undo", "Undo an import",
        "login 404 403 403 403 ok ok", undo_page),
    Row("GET", "/products/{product_id}/export", "Export the backlog as CSV",
        "login 404 ok ok ok ok ok", export_csv_page, "csv"),
    Row("GET", "/products/{product_id}/export", "Export the whole product as JSON",
        "login 404 403 403 403 ok ok", export_json_page, "json"),
    Row("POST", "/api/v1/products/{product_id}/imports", "Import a file (or dry-run it)",
        "login 404 403 403 403 ok ok", import_api),
    Row("GET", "/api/v1/products/{product_id}/imports", "List imports",
        "login 404 ok ok ok ok ok", imports_api),
    Row("POST", "/api/v1/imports/{import_id}/undo", "Undo an import",
        "login 404 403 403 403 ok ok", undo_api),
    Row("GET", "/api/v1/products/{product_id}/export", "Export the backlog as CSV",
        "login 404 ok ok ok ok ok", export_csv_api, "csv"),
    Row("GET", "/api/v1/products/{product_id}/export", "Export the whole product as JSON",
        "login 404 403 403 403 ok ok", export_json_api, "json"),
    # --- rows: transfer (add yours above this line) ---
    Row("GET", "/products/{product_id}/backlog-settings", "Backlog settings page",
        "login 404 ok ok ok ok ok", settings_page),
    Row("POST", "/products/{product_id}/backlog-settings",
        "Change the workflow, scale, Definition of Ready and of Done",
        "login 404 403 403 403 ok ok", save_settings_page),
    Row("POST", "/items/{item_id}/checks", "Tick an item's Definition of Ready or Done",
        "login 404 403 403 ok ok ok", tick_page),
    Row("POST", "/items/{item_id}/links", "Link two items",
        "login 404 403 403 ok ok ok", link_page),
    Row("POST", "/items/{item_id}/links/{link_id}/remove", "Remove a link",
        "login 404 403 403 ok ok ok", unlink_page),
    Row("GET", "/notifications", "Own notifications", "login ok ok ok ok ok ok",
        notifications_page),
    Row("POST", "/notifications/read-all", "Mark all own notifications read",
        "login ok ok ok ok ok ok", read_all_page),
    Row("POST", "/notifications/{notification_id}/read", "Mark a notification read",
        "login ok ok ok ok ok ok", read_own_page, "own"),
    Row("POST", "/notifications/{notification_id}/read", "Mark a notification read",
        "login 404 404 404 404 404 404", read_others_page, "someone else's"),
    Row("GET", "/api/v1/products/{product_id}/backlog-settings", "Read the backlog settings",
        "login 404 ok ok ok ok ok", settings_api),
    Row("PUT", "/api/v1/products/{product_id}/backlog-settings", "Replace the backlog settings",
        "login 404 403 403 403 ok ok", put_settings_api),
    Row("GET", "/api/v1/items/{item_id}/checks", "Read an item's DoR and DoD ticks",
        "login 404 ok ok ok ok ok", checks_api),
    Row("PUT", "/api/v1/items/{item_id}/checks", "Tick an item's DoR or DoD",
        "login 404 403 403 ok ok ok", put_checks_api),
    Row("GET", "/api/v1/items/{item_id}/links", "Read an item's links",
        "login 404 ok ok ok ok ok", links_api),
    Row("POST", "/api/v1/items/{item_id}/links", "Link two items",
        "login 404 403 403 ok ok ok", link_api),
    Row("DELETE", "/api/v1/items/{item_id}/links/{link_id}", "Remove a link",
        "login 404 403 403 ok ok ok", unlink_api),
    Row("GET", "/api/v1/notifications", "Own notifications", "login ok ok ok ok ok ok",
        notifications_api),
    Row("POST", "/api/v1/notifications/read-all", "Mark all own notifications read",
        "login ok ok ok ok ok ok", read_all_api),
    Row("POST", "/api/v1/notifications/{notification_id}/read", "Mark a notification read",
        "login ok ok ok ok ok ok", read_own_api),
    # --- rows: refinement (add yours above this line) ---
)  # fmt: skip


# --- the tests -------------------------------------------------------------------------------


def _app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route, included routers flattened (FastAPI >= 0.165 nests them)."""
    flatten = getattr(routing, "iter_route_contexts", None)
    found: set[tuple[str, str]] = set()
    for route in flatten(app.routes) if flatten else app.routes:
        path = str(getattr(route, "path", "") or "")
        if path in NOT_ROUTES:
            continue
        methods = set(getattr(route, "methods", None) or {"ANY"})
        if "GET" in methods:
            methods.discard("HEAD")  # answered with GET
        found.update((method, path) for method in methods)
    return found


def test_every_route_is_in_the_matrix(tmp_path: Path) -> None:
    app = create_app(load_settings({}, overrides={"data_dir": tmp_path, "secret_key": "matrix"}))
    routes = _app_routes(app)
    listed = {(row.method, row.path) for row in ROWS}
    assert len(routes) > 30, "the walk over app.routes found too few routes"
    missing = sorted(routes - listed)
    assert not missing, f"routes whose permissions nobody decided (add them to ROWS): {missing}"
    assert not sorted(listed - routes), (
        f"the matrix lists routes that do not exist: {listed - routes}"
    )


def test_the_matrix_is_well_formed() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS), "a route is listed twice"
    for row in ROWS:
        assert set(row.expected.values()) <= set(OUTCOMES), row.id


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions do not depend on the cost of argon2; a cheap one keeps 80 tests fast."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(account_services, "_hasher", lambda: hasher)


@pytest.fixture
def world(cheap_hashing: None, app: FastAPI, db: Database, client: TestClient) -> Iterator[World]:
    w = World(app, db, client)
    yield w
    w.close()


def _send(w: World, row: Row, role: str, call: Call, *, with_csrf: bool = True) -> Response:
    if row.api:
        return w.api_client.request(
            row.method, call.url, json=call.json, headers=w.bearer(role), follow_redirects=False,
            files=call.files,
        )  # fmt: skip
    browser, token = w.browser(role)
    form = call.form
    if row.method != "GET" and with_csrf:
        form = {**(form or {}), "csrf_token": token}
    return browser.request(
        row.method, call.url, data=form, files=call.files, follow_redirects=False
    )


def _outcome_matches(row: Row, call: Call, expected: str, r: Response) -> bool:
    location = r.headers.get("location", "")
    if expected == "ok":
        return r.status_code == call.status and location.startswith(call.location or "")
    if expected == "login":
        if row.api:
            return r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
        return r.status_code == 303 and location.startswith("/login")
    return r.status_code == int(expected)


def _changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _try(w: World, row: Row, role: str) -> str | None:
    """Call the route as the role; what went wrong, or None."""
    if row.api:  # sign in before the snapshot: signing in writes
        w.bearer(role)
    else:
        w.browser(role)
    call = row.build(w, role)
    expected = row.expected[role]
    writes = row.method != "GET"  # pages and API read with GET only
    before = snapshot(w.db) if writes else {}
    r = _send(w, row, role, call)
    written = _changed_tables(before, snapshot(w.db)) if writes else []
    if written:
        w.spoil()
    if not _outcome_matches(row, call, expected, r):
        body = r.text[:300] if row.api else ""  # an HTML page says little in a line
        got = f"{r.status_code} {r.headers.get('location', '')} {body}".rstrip()
        return f"expected {expected}, got {got}"
    if expected == "ok" and call.done is not None and not call.done(r):
        return "answered as expected but did not do its job"
    if written and expected != "ok":
        return f"answered {r.status_code} but wrote to {written}"
    return None


def _refused_without_csrf(w: World, row: Row) -> str | None:
    """A browser (session cookie, no bearer) without the CSRF token is refused, writing nothing."""
    role = "admin" if row.expected["admin"] == "ok" else "anonymous"
    browser, _token = w.browser(role)
    call = row.build(w, role)
    before = snapshot(w.db)
    r = browser.request(
        row.method, call.url, data=call.form, json=call.json, follow_redirects=False
    )
    if written := _changed_tables(before, snapshot(w.db)):
        w.spoil()
    if written or r.status_code != 403:
        return f"without a CSRF token, as {role}: {r.status_code}, wrote to {written}"
    return None


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_route_permissions(world: World, row: Row) -> None:
    failures = []
    if row.method != "GET" and (problem := _refused_without_csrf(world, row)):
        failures.append(f"{row.id}: {problem}")
    failures += [f"{row.id} as {role}: {p}" for role in ROLES if (p := _try(world, row, role))]
    assert not failures, "\n".join(failures)


def test_hidden_products_look_exactly_like_missing_ones(world: World) -> None:
    """The 404 of a product one may not see says nothing a missing product would not say."""
    pid, name = world.product()
    missing = pid + 1000
    for url in ("/api/v1/products/{}", "/api/v1/products/{}/members"):
        hidden = world.api_client.get(url.format(pid), headers=world.bearer("outsider"))
        absent = world.api_client.get(url.format(missing), headers=world.bearer("outsider"))
        assert hidden.status_code == absent.status_code == 404
        assert re.sub(r"\d+", "N", hidden.text) == re.sub(r"\d+", "N", absent.text)
    browser, _token = world.browser("outsider")
    hidden_page, absent_page = browser.get(f"/products/{pid}"), browser.get(f"/products/{missing}")
    assert hidden_page.status_code == absent_page.status_code == 404
    assert name not in hidden_page.text
    assert re.sub(r"\d+", "N", hidden_page.text) == re.sub(r"\d+", "N", absent_page.text)


# --- the documented table --------------------------------------------------------------------

SYMBOLS = {"ok": "✅", "login": "sign in", "403": "403", "404": "404", "409": "409"}
SECTIONS = (
    ("Sign-in, account and administration pages", lambda p: not p.startswith(("/api", "/prod"))),
    ("Product pages", lambda p: p.startswith("/products")),
    ("JSON API (`Authorization: Bearer <token>`)", lambda p: p.startswith("/api/")),
)


def render_table() -> str:
    lines: list[str] = []
    for title, belongs in SECTIONS:
        lines += [f"### {title}", "", "| Action | Route | " + " | ".join(TITLES) + " |"]
        lines.append("|---|---|" + "---|" * len(ROLES))
        for row in (r for r in ROWS if belongs(r.path)):
            variant = f" ({row.variant})" if row.variant else ""
            cells = " | ".join(SYMBOLS[row.expected[role]] for role in ROLES)
            lines.append(f"| {row.what}{variant} | `{row.method} {row.path}` | {cells} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def _documented_table(text: str) -> str:
    match = re.search(f"{re.escape(START)}\n(.*?)\n{re.escape(END)}", text, re.DOTALL)
    assert match, f"{DOC} has no {START} ... {END} block"
    return match.group(1)


def test_the_documentation_shows_the_matrix() -> None:
    assert _documented_table(DOC.read_text(encoding="utf-8")) == render_table(), (
        "docs/permissions.md is out of date: run `python -m tests.web.test_permission_matrix`"
    )


if __name__ == "__main__":  # rewrite the table of docs/permissions.md from the matrix
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    DOC.write_text(f"{text[:start]}\n{render_table()}\n{text[end:]}", encoding="utf-8")
    print(f"updated {DOC}")
