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
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from jalon import web
from jalon.accounts import queries as account_queries
from jalon.accounts import services as account_services
from jalon.accounts.models import User
from jalon.app import create_app
from jalon.backlog import services as backlog_services
from jalon.backlog.models import Comment, Item, ItemLink, Notification, SavedView
from jalon.backlog.queries import Filters
from jalon.ceremonies import services as ceremonies_services
from jalon.ceremonies.models import (
    ActionItem,
    RetroCard,
    Retrospective,
    RetroVote,
    ReviewFeedback,
    SprintReview,
)
from jalon.collaboration import queries as collaboration_queries
from jalon.db import utcnow
from jalon.discovery.models import TreeNode
from jalon.feedback import customers as feedback_customers
from jalon.feedback import services as feedback_services
from jalon.feedback.models import Customer, Feedback, FeedbackLink, IntakeToken, Segment
from jalon.forecasting import queries as forecast_queries
from jalon.forecasting import services as forecast_services
from jalon.history import queries as history_queries
from jalon.history import services as history_services
from jalon.listing import services as listing_services
from jalon.models import Base
from jalon.permissions import Actor
from jalon.portal import rules as portal_rules
from jalon.portal import services as portal_services
from jalon.portal.models import Idea, IdeaComment, IdeaVote, PortalSettings
from jalon.portal.visitor import pages as portal_public
from jalon.portal.visitor import services as portal_visitor
from jalon.prioritisation import services as prioritisation_services
from jalon.prioritisation.models import Formula, ItemScore, OrderSnapshot
from jalon.products import services as product_services
from jalon.products.models import Product
from jalon.refinement import queries as refinement_queries
from jalon.refinement import services as refinement_services
from jalon.releases import queries as release_queries
from jalon.releases import services as release_services
from jalon.releases.models import Release
from jalon.settings import load_settings
from jalon.signals import feeds as signals_feeds
from jalon.signals import services as signals_services
from jalon.signals.models import Feed, MarketSignal, Watchlist
from jalon.sprints import services as sprint_services
from jalon.sprints.models import DaysOff, Sprint, SprintSettings, Team, TeamMember
from jalon.themes import placement as themes_placement
from jalon.themes import runs as themes_runs
from jalon.themes.models import ClusteringRun, Theme, ThemeMember
from jalon.uow import Database
from tests.support.helpers import PASSWORD, actor, csrf, make_user

ROLES = (
    "anonymous", "outsider", "viewer", "stakeholder", "member", "owner", "admin",
    "trainee", "trainer",
)  # fmt: skip
TITLES = (
    "Anonymous",
    "Outsider",
    "Viewer",
    "Stakeholder",
    "Team member",
    "Product Owner",
    "Administrator",
    "Trainee",
    "Trainer",
)
PRODUCT_ROLES = 7  # the first seven; the Academy's trainee and trainer follow
ACADEMY_ROLE_OF = {"trainee": "trainee", "trainer": "trainer"}
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


def _give_academy_roles(db: Database, users: dict[str, User]) -> None:
    with db.uow() as uow:
        for role, academy_role in ACADEMY_ROLE_OF.items():
            uow.session.get_one(User, users[role].id).academy_role = academy_role
        uow.commit()


class World:
    """Users of every role, their browsers and API tokens, products to act on."""

    def __init__(self, app: FastAPI, db: Database, api_client: TestClient) -> None:
        self.app, self.db, self.api_client = app, db, api_client
        self.users = {r: make_user(db, f"{r}@example.org", admin=r == "admin") for r in ROLES[1:]}
        _give_academy_roles(db, self.users)
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


@cache
def _every_row_sql(dialect_name: str) -> list[tuple[str, str]]:
    dialect = postgresql.dialect() if dialect_name == "postgresql" else sqlite.dialect()  # type: ignore[no-untyped-call]
    return [(name, str(query.compile(dialect=dialect))) for name, query in EVERY_ROW]


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that a refused call wrote nothing. The hundred
    queries go straight to the driver, precompiled, and PostgreSQL gets them in one
    pipeline: one round trip instead of a hundred, eighteen snapshots per route."""
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        statements = _every_row_sql(conn.dialect.name)
        if conn.dialect.name != "postgresql":
            return {name: raw.execute(sql).fetchall() for name, sql in statements}
        with raw.pipeline():
            cursors = [(name, raw.execute(sql)) for name, sql in statements]
        return {name: cursor.fetchall() for name, cursor in cursors}


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


# releases


def _rel(w: World, *, public: bool = False) -> tuple[int, int]:
    """A fresh release (and its product's id) in the current product, made by the owner."""
    pid, _name = w.product()
    owner = w.actor("owner")
    if public:
        release_services.update_settings(w.db.uow(), actor=owner, product_id=pid,
                                         public_changelog=True)  # fmt: skip
    made = release_services.create_release(
        w.db.uow(), actor=owner, product_id=pid, values={"name": f"R{w.serial()}"}
    )
    return made.id, pid


def _rel_row(w: World, rid: int) -> Release:
    with w.db.reader() as uow:
        found = uow.session.get(Release, rid)
    assert found is not None
    return found


def _rel_scope(w: World, rid: int) -> set[int]:
    with w.db.reader() as uow:
        return release_queries.scope_ids(uow, rid)


def _rel_with_item(w: World) -> tuple[int, int]:
    rid, pid = _rel(w)
    item = _second_item(w, pid)
    release_services.add_items(w.db.uow(), actor=w.actor("owner"), release_id=rid,
                               item_ids=[item])  # fmt: skip
    return rid, item


def _releases_named(w: World, pid: int, name: str) -> int:
    view = release_queries.list_releases(w.db.reader(), actor=w.actor("owner"), product_id=pid)
    return sum(1 for row in view.rows if row.release.name == name)


def releases_page(w: World, role: str) -> Call:
    rid, pid = _rel(w)
    name = _rel_row(w, rid).name
    return Call(f"/products/{pid}/releases", done=lambda r: name in r.text)


def create_release_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"V{w.serial()}"
    return Call(
        f"/products/{pid}/releases", form={"name": name}, status=303, location="/releases/",
        done=lambda r: _releases_named(w, pid, name) == 1,
    )  # fmt: skip


def release_page(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    name = _rel_row(w, rid).name
    return Call(f"/releases/{rid}", done=lambda r: name in r.text and "Readiness" in r.text)


def edit_release_page(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(
        f"/releases/{rid}/edit", form={"name": "Renamed", "target_date": "2026-12-31"},
        status=303, location=f"/releases/{rid}", done=lambda r: _rel_row(w, rid).name == "Renamed",
    )  # fmt: skip


def release_scope_page(w: World, role: str) -> Call:
    rid, pid = _rel(w)
    item = _second_item(w, pid)
    return Call(f"/releases/{rid}/scope", done=lambda r: f"#{item}" in r.text)


def release_add_page(w: World, role: str) -> Call:
    rid, pid = _rel(w)
    item = _second_item(w, pid)
    return Call(
        f"/releases/{rid}/items", form={"item_id": str(item)}, status=303,
        location=f"/releases/{rid}/scope", done=lambda r: _rel_scope(w, rid) == {item},
    )  # fmt: skip


def release_remove_page(w: World, role: str) -> Call:
    rid, item = _rel_with_item(w)
    return Call(
        f"/releases/{rid}/items/{item}/remove", status=303, location=f"/releases/{rid}/scope",
        done=lambda r: _rel_scope(w, rid) == set(),
    )  # fmt: skip


def release_tick_page(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    first = _rel_row(w, rid).checklist[0]["text"]
    return Call(
        f"/releases/{rid}/checklist", form={"ticked": first}, status=303,
        location=f"/releases/{rid}", done=lambda r: _rel_row(w, rid).checklist[0]["done"],
    )  # fmt: skip


def release_notes_page(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(
        f"/releases/{rid}/notes", form={"op": "save", "text": "# Notes"}, status=303,
        location=f"/releases/{rid}", done=lambda r: _rel_row(w, rid).notes == "# Notes",
    )  # fmt: skip


def release_now_page(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(
        f"/releases/{rid}/release", form={"confirm": "yes"}, status=303,
        location=f"/releases/{rid}", done=lambda r: _rel_row(w, rid).state == "released",
    )  # fmt: skip


def _rel_with_notes(w: World) -> int:
    rid, _pid = _rel(w)
    release_services.update_release(w.db.uow(), actor=w.actor("owner"), release_id=rid,
                                    values={"notes": "# Shipped **well**"})  # fmt: skip
    return rid


def release_md_page(w: World, role: str) -> Call:
    rid = _rel_with_notes(w)
    return Call(f"/releases/{rid}/notes.md", done=lambda r: r.text == "# Shipped **well**")


def release_html_page(w: World, role: str) -> Call:
    rid = _rel_with_notes(w)
    return Call(f"/releases/{rid}/notes.html", done=lambda r: "<strong>well</strong>" in r.text)


def release_settings_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/release-settings", done=lambda r: "Rollback plan" in r.text)


def _public(w: World, pid: int) -> bool:
    view = release_queries.get_settings(w.db.reader(), actor=w.actor("owner"), product_id=pid)
    return view.settings.public_changelog


def save_release_settings_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/release-settings", form={"checklist": "Docs", "public_changelog": "yes"},
        status=303, location=f"/products/{pid}/release-settings", done=lambda r: _public(w, pid),
    )  # fmt: skip


def changelog_page(w: World, role: str) -> Call:
    rid, pid = _rel(w, public=True)
    release_services.mark_released(w.db.uow(), actor=w.actor("owner"), release_id=rid, confirm=True)
    name = _rel_row(w, rid).name
    return Call(f"/changelog/{pid}", done=lambda r: name in r.text)


def changelog_off_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/changelog/{pid}")


def releases_api(w: World, role: str) -> Call:
    rid, pid = _rel(w)
    return Call(
        f"/api/v1/products/{pid}/releases", done=lambda r: rid in [x["id"] for x in r.json()]
    )


def create_release_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"V{w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/releases", json={"name": name}, status=201,
        done=lambda r: _releases_named(w, pid, name) == 1,
    )  # fmt: skip


def release_api(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(f"/api/v1/releases/{rid}", done=lambda r: r.json()["id"] == rid)


def patch_release_api(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(
        f"/api/v1/releases/{rid}", json={"description": "Winter"},
        done=lambda r: _rel_row(w, rid).description == "Winter",
    )  # fmt: skip


def release_add_api(w: World, role: str) -> Call:
    rid, pid = _rel(w)
    item = _second_item(w, pid)
    return Call(
        f"/api/v1/releases/{rid}/items", json={"item_ids": [item]},
        done=lambda r: _rel_scope(w, rid) == {item},
    )  # fmt: skip


def release_remove_api(w: World, role: str) -> Call:
    rid, item = _rel_with_item(w)
    return Call(
        f"/api/v1/releases/{rid}/items/{item}", status=204,
        done=lambda r: _rel_scope(w, rid) == set(),
    )  # fmt: skip


def release_tick_api(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    first = _rel_row(w, rid).checklist[0]["text"]
    return Call(
        f"/api/v1/releases/{rid}/checklist", json={"ticked": [first]},
        done=lambda r: _rel_row(w, rid).checklist[0]["done"],
    )  # fmt: skip


def release_notes_api(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(
        f"/api/v1/releases/{rid}/notes", json={"language": "en"},
        done=lambda r: _rel_row(w, rid).notes.startswith("# R"),
    )  # fmt: skip


def release_now_api(w: World, role: str) -> Call:
    rid, _pid = _rel(w)
    return Call(
        f"/api/v1/releases/{rid}/release", json={"confirm": True},
        done=lambda r: _rel_row(w, rid).state == "released",
    )  # fmt: skip


def release_settings_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/release-settings",
        done=lambda r: r.json()["public_changelog"] is False,
    )


def patch_release_settings_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/release-settings", json={"public_changelog": True},
        done=lambda r: _public(w, pid),
    )  # fmt: skip


# --- builders: releases (add yours above this line) ---


def _sp_team(w: World, *, members: bool = True) -> tuple[int, int]:
    """A new team (with the member at focus 0.5) in the current product: (team id, product)."""
    pid, _name = w.product()
    owner = w.actor("owner")
    team = sprint_services.create_team(
        w.db.uow(), actor=owner, product_id=pid, name=f"Team {w.serial()}",
        members={w.uid("member"): 0.5} if members else None,
    )  # fmt: skip
    return team.id, pid


def _sp_sprint(w: World, *, goal: str = "Pay by card", items: int = 0, start: bool = False) -> Any:
    """A sprint of a new team, with new items planned in it: (sprint id, product, item ids)."""
    team_id, pid = _sp_team(w)
    owner = w.actor("owner")
    sprint = sprint_services.create_sprint(
        w.db.uow(), actor=owner, product_id=pid,
        values={"name": f"Sprint {w.serial()}", "team_id": team_id, "starts_on": "2026-03-02",
                "goal": goal},
    )  # fmt: skip
    ids = [
        backlog_services.create_item(
            w.db.uow(), actor=owner, product_id=pid, values={"title": f"S {w.serial()}"}
        ).id
        for _ in range(items)
    ]
    if ids:
        sprint_services.add_items(w.db.uow(), actor=owner, sprint_id=sprint.id, item_ids=ids)
    if start:
        sprint_services.start_sprint(w.db.uow(), actor=owner, sprint_id=sprint.id)
    return sprint.id, pid, ids


def _sp_row(w: World, model: Any, ident: Any) -> Any:
    with w.db.reader() as uow:
        return uow.session.get(model, ident)


def _sp_count(w: World, stmt: Any) -> int:
    with w.db.reader() as uow:
        return len(list(uow.session.scalars(stmt)))


def _sp_fresh_item(w: World, pid: int) -> int:
    return backlog_services.create_item(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, values={"title": f"N {w.serial()}"}
    ).id


def sprints_page(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    name = _sp_row(w, Team, team_id).name
    return Call(f"/products/{pid}/sprints", done=lambda r: name in r.text)


def create_sprint_page(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    name = f"Sprint {w.serial()}"
    form = {"name": name, "team_id": str(team_id), "starts_on": "2026-03-02", "goal": ""}
    return Call(
        f"/products/{pid}/sprints", form=form, status=303, location=f"/products/{pid}/sprints/",
        done=lambda r: _sp_count(w, select(Sprint.id).where(Sprint.name == name)) == 1,
    )  # fmt: skip


def sprint_settings_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    form = {"length_days": "10", "capacity_unit": "items"}
    return Call(
        f"/products/{pid}/sprint-settings", form=form, status=303,
        location=f"/products/{pid}/sprints",
        done=lambda r: getattr(_sp_row(w, SprintSettings, pid), "length_days", 0) == 10,
    )  # fmt: skip


def create_team_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"Team {w.serial()}"
    return Call(
        f"/products/{pid}/teams", form={"name": name}, status=303,
        location=f"/products/{pid}/sprints",
        done=lambda r: _sp_count(w, select(Team.id).where(Team.name == name)) == 1,
    )  # fmt: skip


def rename_team_page(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    name = f"Renamed {w.serial()}"
    return Call(
        f"/teams/{team_id}/rename", form={"name": name}, status=303,
        location=f"/products/{pid}/sprints", done=lambda r: _sp_row(w, Team, team_id).name == name,
    )  # fmt: skip


def delete_team_page(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    return Call(
        f"/teams/{team_id}/delete", status=303, location=f"/products/{pid}/sprints",
        done=lambda r: _sp_row(w, Team, team_id) is None,
    )  # fmt: skip


def team_member_page(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w, members=False)
    uid = w.uid("member")
    return Call(
        f"/teams/{team_id}/members", form={"user_id": str(uid), "focus_factor": "0.8"},
        status=303, location=f"/products/{pid}/sprints",
        done=lambda r: getattr(_sp_row(w, TeamMember, (team_id, uid)), "focus_factor", 0) == 0.8,
    )  # fmt: skip


def remove_team_member_page(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    uid = w.uid("member")
    return Call(
        f"/teams/{team_id}/members/{uid}/remove", status=303,
        location=f"/products/{pid}/sprints",
        done=lambda r: _sp_row(w, TeamMember, (team_id, uid)) is None,
    )  # fmt: skip


def plan_page(w: World, role: str) -> Call:
    sid, pid, ids = _sp_sprint(w, items=1)
    return Call(
        f"/products/{pid}/sprints/{sid}/plan", done=lambda r: f'id="item-{ids[0]}"' in r.text
    )


def edit_sprint_page(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w)
    form = {"name": "Renamed", "starts_on": "2026-03-02", "ends_on": "", "goal": "New goal"}
    return Call(
        f"/products/{pid}/sprints/{sid}/edit", form=form, status=303,
        location=f"/products/{pid}/sprints/{sid}/plan",
        done=lambda r: _sp_row(w, Sprint, sid).goal == "New goal",
    )  # fmt: skip


def plan_item_page(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w)
    item_id = _sp_fresh_item(w, pid)
    return Call(
        f"/products/{pid}/sprints/{sid}/items", form={"item_id": str(item_id)}, status=303,
        location=f"/products/{pid}/sprints/{sid}/plan",
        done=lambda r: w.get_item(item_id).sprint_id == sid,
    )  # fmt: skip


def unplan_item_page(w: World, role: str) -> Call:
    sid, pid, ids = _sp_sprint(w, items=1)
    return Call(
        f"/products/{pid}/sprints/{sid}/items/{ids[0]}/remove", status=303,
        location=f"/products/{pid}/sprints/{sid}/plan",
        done=lambda r: w.get_item(ids[0]).sprint_id is None,
    )  # fmt: skip


def days_off_page(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w)
    uid = w.uid("member")
    return Call(
        f"/products/{pid}/sprints/{sid}/days-off", form={"user_id": str(uid), "days": "2"},
        status=303, location=f"/products/{pid}/sprints/{sid}/plan",
        done=lambda r: getattr(_sp_row(w, DaysOff, (sid, uid)), "days", 0) == 2,
    )  # fmt: skip


def start_sprint_page(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/start", status=303,
        location=f"/products/{pid}/sprints/{sid}/plan",
        done=lambda r: _sp_row(w, Sprint, sid).state == "active",
    )  # fmt: skip


def board_page(w: World, role: str) -> Call:
    sid, pid, ids = _sp_sprint(w, items=1, start=True)
    return Call(
        f"/products/{pid}/sprints/{sid}/board", done=lambda r: f'id="card-{ids[0]}"' in r.text
    )


def move_card_page(w: World, role: str) -> Call:
    sid, pid, ids = _sp_sprint(w, items=1, start=True)
    return Call(
        f"/products/{pid}/sprints/{sid}/board/{ids[0]}", form={"status": "in_progress"},
        status=303, location=f"/products/{pid}/sprints/{sid}/board",
        done=lambda r: w.get_item(ids[0]).status == "in_progress",
    )  # fmt: skip


def close_form_page(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w, items=1, start=True)
    return Call(f"/products/{pid}/sprints/{sid}/close", done=lambda r: 'id="h-close"' in r.text)


def close_sprint_page(w: World, role: str) -> Call:
    sid, pid, ids = _sp_sprint(w, items=1, start=True)
    return Call(
        f"/products/{pid}/sprints/{sid}/close", form={"unfinished": "backlog"}, status=303,
        location=f"/products/{pid}/sprints/{sid}/board",
        done=lambda r: _sp_row(w, Sprint, sid).state == "closed"
        and w.get_item(ids[0]).sprint_id is None,
    )  # fmt: skip


def sprints_api(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w)
    return Call(
        f"/api/v1/products/{pid}/sprints", done=lambda r: sid in [s["id"] for s in r.json()]
    )


def create_sprint_api(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    name = f"Sprint {w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/sprints", status=201,
        json={"name": name, "team_id": team_id, "starts_on": "2026-03-02"},
        done=lambda r: _sp_count(w, select(Sprint.id).where(Sprint.name == name)) == 1,
    )  # fmt: skip


def sprint_api(w: World, role: str) -> Call:
    sid, _pid, ids = _sp_sprint(w, items=1)
    return Call(f"/api/v1/sprints/{sid}", done=lambda r: r.json()["item_ids"] == ids)


def patch_sprint_api(w: World, role: str) -> Call:
    sid, _pid, _ids = _sp_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}", json={"goal": "Another goal"},
        done=lambda r: _sp_row(w, Sprint, sid).goal == "Another goal",
    )  # fmt: skip


def plan_items_api(w: World, role: str) -> Call:
    sid, pid, _ids = _sp_sprint(w)
    item_id = _sp_fresh_item(w, pid)
    return Call(
        f"/api/v1/sprints/{sid}/items", json={"item_ids": [item_id]},
        done=lambda r: w.get_item(item_id).sprint_id == sid,
    )  # fmt: skip


def unplan_item_api(w: World, role: str) -> Call:
    sid, _pid, ids = _sp_sprint(w, items=1)
    return Call(
        f"/api/v1/sprints/{sid}/items/{ids[0]}", done=lambda r: w.get_item(ids[0]).sprint_id is None
    )


def start_sprint_api(w: World, role: str) -> Call:
    sid, _pid, _ids = _sp_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}/start", done=lambda r: _sp_row(w, Sprint, sid).state == "active"
    )


def close_sprint_api(w: World, role: str) -> Call:
    sid, _pid, ids = _sp_sprint(w, items=1, start=True)
    return Call(
        f"/api/v1/sprints/{sid}/close", json={"unfinished": "next"},
        done=lambda r: r.json()["created_next"] and w.get_item(ids[0]).sprint_id != sid,
    )  # fmt: skip


def teams_api(w: World, role: str) -> Call:
    team_id, pid = _sp_team(w)
    return Call(
        f"/api/v1/products/{pid}/teams", done=lambda r: team_id in [t["id"] for t in r.json()]
    )


def create_team_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"Team {w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/teams", json={"name": name}, status=201,
        done=lambda r: _sp_count(w, select(Team.id).where(Team.name == name)) == 1,
    )  # fmt: skip


def sprint_settings_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/sprint-settings", done=lambda r: r.json()["length_days"] == 14
    )


def patch_sprint_settings_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/sprint-settings", json={"wip_limits": {"in_progress": 3}},
        done=lambda r: getattr(_sp_row(w, SprintSettings, pid), "wip_limits", {})
        == {"in_progress": 3},
    )  # fmt: skip


# --- builders: sprints (add yours above this line) ---


def _ce_sprint(w: World) -> tuple[int, int]:
    """A sprint of a new team in the current product, written directly: (sprint id, product)."""
    pid, _name = w.product()
    with w.db.uow() as uow:
        team = Team(product_id=pid, name=f"Crew {w.serial()}")
        uow.add(team)
        uow.flush()
        sprint = Sprint(
            product_id=pid, team_id=team.id, name=f"Sprint {w.serial()}", goal="Pay by card",
            starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 15), state="active",
        )  # fmt: skip
        uow.add(sprint)
        uow.commit()
    return sprint.id, pid


def _ce_get(w: World, model: Any, **where: Any) -> Any:
    with w.db.reader() as uow:
        stmt = select(model).filter_by(**where)
        return uow.session.scalars(stmt).first()


def _ce_feedback(w: World) -> tuple[int, int, int]:
    sid, pid = _ce_sprint(w)
    entry = ceremonies_services.add_feedback(
        w.db.uow(), actor=w.actor("owner"), sprint_id=sid, who="Ana", what="PDF export"
    )
    return entry.id, sid, pid


def _ce_card(w: World, *, voted_by: str | None = None) -> tuple[int, int, int]:
    sid, pid = _ce_sprint(w)
    card = ceremonies_services.add_card(
        w.db.uow(), actor=w.actor("owner"), sprint_id=sid, column="start", text="Pairing"
    )
    if voted_by in ("member", "owner", "admin"):
        ceremonies_services.vote(w.db.uow(), actor=w.actor(voted_by), card_id=card.id)
    return card.id, sid, pid


def _ce_action(w: World) -> tuple[int, int]:
    sid, pid = _ce_sprint(w)
    made = ceremonies_services.add_action(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, sprint_id=sid,
        values={"text": "Automate releases", "owner_id": w.uid("member")},
    )  # fmt: skip
    return made.id, pid


def _ce_votes(w: World, card_id: int) -> int:
    with w.db.reader() as uow:
        return len(list(uow.session.scalars(select(RetroVote.id).filter_by(card_id=card_id))))


def review_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    return Call(f"/products/{pid}/sprints/{sid}/review", done=lambda r: "Pay by card" in r.text)


def save_review_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/review", form={"goal_verdict": "met"}, status=303,
        location=f"/products/{pid}/sprints/{sid}/review",
        done=lambda r: _ce_get(w, SprintReview, sprint_id=sid).goal_verdict == "met",
    )  # fmt: skip


def feedback_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/review/feedback", form={"who": "Ana", "what": "Dark mode"},
        status=303, location=f"/products/{pid}/sprints/{sid}/review",
        done=lambda r: _ce_get(w, ReviewFeedback, what="Dark mode") is not None,
    )  # fmt: skip


def feedback_to_item_page(w: World, role: str) -> Call:
    fid, sid, pid = _ce_feedback(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/review/feedback/{fid}/to-item", status=303,
        location=f"/products/{pid}/sprints/{sid}/review",
        done=lambda r: _ce_get(w, ReviewFeedback, id=fid).item_id is not None,
    )  # fmt: skip


def delete_feedback_page(w: World, role: str) -> Call:
    fid, sid, pid = _ce_feedback(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/review/feedback/{fid}/delete", status=303,
        location=f"/products/{pid}/sprints/{sid}/review",
        done=lambda r: _ce_get(w, ReviewFeedback, id=fid) is None,
    )  # fmt: skip


def retro_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    return Call(f"/products/{pid}/sprints/{sid}/retro", done=lambda r: "Continue" in r.text)


def set_up_retro_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/retro", form={"format": "sailboat", "dots": "5"},
        status=303, location=f"/products/{pid}/sprints/{sid}/retro",
        done=lambda r: _ce_get(w, Retrospective, sprint_id=sid).format == "sailboat",
    )  # fmt: skip


def add_card_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/retro/cards", form={"column": "stop", "text": "Silos"},
        status=303, location=f"/products/{pid}/sprints/{sid}/retro#card-",
        done=lambda r: _ce_get(w, RetroCard, text="Silos") is not None,
    )  # fmt: skip


def edit_card_page(w: World, role: str) -> Call:
    cid, sid, pid = _ce_card(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/retro/cards/{cid}", form={"text": "Mob programming"},
        status=303, location=f"/products/{pid}/sprints/{sid}/retro#card-{cid}",
        done=lambda r: _ce_get(w, RetroCard, id=cid).text == "Mob programming",
    )  # fmt: skip


def delete_card_page(w: World, role: str) -> Call:
    cid, sid, pid = _ce_card(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/retro/cards/{cid}/delete", status=303,
        location=f"/products/{pid}/sprints/{sid}/retro",
        done=lambda r: _ce_get(w, RetroCard, id=cid) is None,
    )  # fmt: skip


def vote_page(w: World, role: str) -> Call:
    cid, sid, pid = _ce_card(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/retro/cards/{cid}/vote", form={"op": "up"}, status=303,
        location=f"/products/{pid}/sprints/{sid}/retro#card-{cid}",
        done=lambda r: _ce_votes(w, cid) == 1,
    )  # fmt: skip


def retro_action_page(w: World, role: str) -> Call:
    sid, pid = _ce_sprint(w)
    form = {"text": "Shorter stand-ups", "owner_id": str(w.uid("member"))}
    return Call(
        f"/products/{pid}/sprints/{sid}/retro/actions", form=form, status=303,
        location=f"/products/{pid}/sprints/{sid}/retro#actions",
        done=lambda r: _ce_get(w, ActionItem, text="Shorter stand-ups") is not None,
    )  # fmt: skip


def actions_page(w: World, role: str) -> Call:
    aid, pid = _ce_action(w)
    return Call(f"/products/{pid}/actions", done=lambda r: f'id="action-{aid}"' in r.text)


def add_action_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    form = {"text": "Visit a customer", "owner_id": str(w.uid("owner"))}
    return Call(
        f"/products/{pid}/actions", form=form, status=303, location=f"/products/{pid}/actions",
        done=lambda r: _ce_get(w, ActionItem, text="Visit a customer") is not None,
    )  # fmt: skip


def update_action_page(w: World, role: str) -> Call:
    aid, pid = _ce_action(w)
    return Call(
        f"/products/{pid}/actions/{aid}", form={"status": "done"}, status=303,
        location=f"/products/{pid}/actions#action-{aid}",
        done=lambda r: _ce_get(w, ActionItem, id=aid).status == "done",
    )  # fmt: skip


def review_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(f"/api/v1/sprints/{sid}/review", done=lambda r: r.json()["sprint_id"] == sid)


def put_review_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}/review", json={"goal_verdict": "partly"},
        done=lambda r: _ce_get(w, SprintReview, sprint_id=sid).goal_verdict == "partly",
    )  # fmt: skip


def put_progress_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}/review", json={"progress_percent": 60},
        done=lambda r: _ce_get(w, SprintReview, sprint_id=sid).progress_percent == 60,
    )  # fmt: skip


def feedback_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}/review/feedback", json={"who": "Bo", "what": "Offline mode"},
        status=201, done=lambda r: _ce_get(w, ReviewFeedback, what="Offline mode") is not None,
    )  # fmt: skip


def feedback_to_item_api(w: World, role: str) -> Call:
    fid, _sid, _pid = _ce_feedback(w)
    return Call(
        f"/api/v1/review-feedback/{fid}/to-item", json={}, status=201,
        done=lambda r: _ce_get(w, ReviewFeedback, id=fid).item_id == r.json()["item"]["id"],
    )  # fmt: skip


def retro_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(f"/api/v1/sprints/{sid}/retro", done=lambda r: r.json()["sprint_id"] == sid)


def put_retro_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}/retro", json={"format": "four_ls"},
        done=lambda r: _ce_get(w, Retrospective, sprint_id=sid).format == "four_ls",
    )  # fmt: skip


def add_card_api(w: World, role: str) -> Call:
    sid, _pid = _ce_sprint(w)
    return Call(
        f"/api/v1/sprints/{sid}/retro/cards", json={"column": "start", "text": "Demos"},
        status=201, done=lambda r: _ce_get(w, RetroCard, id=r.json()["id"]) is not None,
    )  # fmt: skip


def edit_card_api(w: World, role: str) -> Call:
    cid, _sid, _pid = _ce_card(w)
    return Call(
        f"/api/v1/retro-cards/{cid}", json={"text": "Live demos"},
        done=lambda r: _ce_get(w, RetroCard, id=cid).text == "Live demos",
    )  # fmt: skip


def delete_card_api(w: World, role: str) -> Call:
    cid, _sid, _pid = _ce_card(w)
    return Call(
        f"/api/v1/retro-cards/{cid}", status=204,
        done=lambda r: _ce_get(w, RetroCard, id=cid) is None,
    )  # fmt: skip


def vote_api(w: World, role: str) -> Call:
    cid, _sid, _pid = _ce_card(w)
    return Call(
        f"/api/v1/retro-cards/{cid}/votes", status=201, done=lambda r: _ce_votes(w, cid) == 1
    )


def unvote_api(w: World, role: str) -> Call:
    cid, _sid, _pid = _ce_card(w, voted_by=role)
    return Call(f"/api/v1/retro-cards/{cid}/votes", done=lambda r: _ce_votes(w, cid) == 0)


def actions_api(w: World, role: str) -> Call:
    aid, pid = _ce_action(w)
    return Call(
        f"/api/v1/products/{pid}/actions", done=lambda r: aid in [a["id"] for a in r.json()]
    )


def add_action_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/actions", json={"text": "Pair", "owner_id": w.uid("member")},
        status=201, done=lambda r: _ce_get(w, ActionItem, id=r.json()["id"]) is not None,
    )  # fmt: skip


def patch_action_api(w: World, role: str) -> Call:
    aid, _pid = _ce_action(w)
    return Call(
        f"/api/v1/actions/{aid}", json={"status": "dropped"},
        done=lambda r: _ce_get(w, ActionItem, id=aid).status == "dropped",
    )  # fmt: skip


# --- builders: ceremonies (add yours above this line) ---


def _fc_excluded(w: World, pid: int) -> set[date]:
    with w.db.reader() as uow:
        return {row.day for row in forecast_queries.excluded_rows(uow, pid)}


def _fc_with_day(w: World) -> tuple[int, date]:
    """The current product with 2026-05-01 left out of its history (by its owner)."""
    pid, _name = w.product()
    day = date(2026, 5, 1)
    forecast_services.exclude_days(w.db.uow(), actor=w.actor("owner"), product_id=pid, first=day)
    return pid, day


def forecast_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/forecast", done=lambda r: "forecast-throughput" in r.text)


def forecast_chart(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/forecast/throughput.svg?window=84",
                done=lambda r: r.headers["content-type"].startswith("image/svg+xml"))  # fmt: skip


def exclude_days_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    form = {"first": "2026-04-01", "last": "2026-04-03", "reason": "Easter"}
    return Call(
        f"/products/{pid}/forecast/excluded-days", form=form, status=303,
        location=f"/products/{pid}/forecast",
        done=lambda r: date(2026, 4, 2) in _fc_excluded(w, pid),
    )  # fmt: skip


def include_day_page(w: World, role: str) -> Call:
    pid, day = _fc_with_day(w)
    return Call(
        f"/products/{pid}/forecast/excluded-days/{day.isoformat()}/delete", status=303,
        location=f"/products/{pid}/forecast", done=lambda r: day not in _fc_excluded(w, pid),
    )  # fmt: skip


def forecast_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/forecast", json={"mode": "when", "items": 5},
        done=lambda r: r.json()["percentiles"] is None and bool(r.json()["explanation"]),
    )  # fmt: skip


def excluded_days_api(w: World, role: str) -> Call:
    pid, day = _fc_with_day(w)
    return Call(
        f"/api/v1/products/{pid}/forecast/excluded-days",
        done=lambda r: r.json() == [{"day": day.isoformat(), "reason": ""}],
    )


def exclude_days_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/forecast/excluded-days", json={"first": "2026-04-01"},
        status=201, done=lambda r: _fc_excluded(w, pid) == {date(2026, 4, 1)},
    )  # fmt: skip


def include_day_api(w: World, role: str) -> Call:
    pid, day = _fc_with_day(w)
    return Call(
        f"/api/v1/products/{pid}/forecast/excluded-days/{day.isoformat()}", status=204,
        done=lambda r: day not in _fc_excluded(w, pid),
    )  # fmt: skip


# --- builders: forecasting (add yours above this line) ---


def _hi_sprint(w: World) -> tuple[int, int]:
    """A sprint in the current product, with one of its items, snapshotted once."""
    pid, _name = w.product()
    item_id, _pid = w.item()
    today = history_queries.today_utc()
    with w.db.uow() as uow:
        team = Team(product_id=pid, name=f"History crew {w.serial()}")
        uow.add(team)
        uow.flush()
        sprint = Sprint(
            product_id=pid,
            team_id=team.id,
            name=f"Sprint {w.serial()}",
            goal="Chart it",
            starts_on=today - timedelta(3),
            ends_on=today + timedelta(10),
            state="active",
        )
        uow.add(sprint)
        uow.flush()
        item = uow.session.get(Item, item_id)
        assert item is not None
        item.sprint_id = sprint.id
        uow.commit()
    if history_queries.last_snapshot_day(w.db.reader(), product_id=pid) is None:
        history_services.take_snapshot(
            w.db.uow(),
            actor=w.actor("admin"),
            product_id=pid,
            day=today - timedelta(1),
            today=today,
        )
    return sprint.id, pid


def reports_page(w: World, role: str) -> Call:
    sid, pid = _hi_sprint(w)
    return Call(
        f"/products/{pid}/reports",
        done=lambda r: (
            'aria-labelledby="cumulative-flow-title"' in r.text
            and f"/sprints/{sid}/charts" in r.text
        ),
    )


def report_svg(w: World, role: str) -> Call:
    _sid, pid = _hi_sprint(w)
    return Call(
        f"/products/{pid}/reports/cumulative-flow.svg",
        done=lambda r: r.text.startswith("<svg") and "Cumulative flow" in r.text,
    )


def report_png(w: World, role: str) -> Call:
    _sid, pid = _hi_sprint(w)
    return Call(
        f"/products/{pid}/reports/throughput.png", done=lambda r: r.content.startswith(b"\x89PNG")
    )


def sprint_charts_page(w: World, role: str) -> Call:
    sid, pid = _hi_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/charts",
        done=lambda r: f'aria-labelledby="burndown-{sid}-title"' in r.text,
    )


def sprint_chart_svg(w: World, role: str) -> Call:
    sid, pid = _hi_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/charts/burnup.svg",
        done=lambda r: r.text.startswith("<svg") and "Burnup" in r.text,
    )


def sprint_chart_png(w: World, role: str) -> Call:
    sid, pid = _hi_sprint(w)
    return Call(
        f"/products/{pid}/sprints/{sid}/charts/burndown.png",
        done=lambda r: r.content.startswith(b"\x89PNG"),
    )


def chart_api(w: World, role: str) -> Call:
    sid, pid = _hi_sprint(w)
    return Call(
        f"/api/v1/products/{pid}/charts/burndown?sprint_id={sid}",
        done=lambda r: r.json()["series"][0]["key"] == "remaining",
    )


def snapshots_api(w: World, role: str) -> Call:
    _sid, pid = _hi_sprint(w)
    return Call(
        f"/api/v1/products/{pid}/snapshots",
        done=lambda r: len(r.json()) == 1 and r.json()[0]["changed"] >= 1,
    )


def item_history_api(w: World, role: str) -> Call:
    _sid, _pid = _hi_sprint(w)
    item_id, _p = w.item()
    return Call(
        f"/api/v1/items/{item_id}/history", done=lambda r: r.json()[-1]["sprint_id"] is not None
    )


# --- builders: history (add yours above this line) ---


def _fb(w: World, text: str = "") -> tuple[int, int]:
    """A new feedback in the current product: (feedback id, product id)."""
    pid, _name = w.product()
    made = feedback_services.create_feedback(
        w.db.uow(), actor=w.actor("owner"), product_id=pid,
        values={"text": text or f"Feedback {w.serial()}"},
    )  # fmt: skip
    return made.id, pid


def _fb_row(w: World, fid: int) -> Feedback | None:
    with w.db.reader() as uow:
        return uow.session.get(Feedback, fid)


def _fb_count(w: World, pid: int) -> int:
    with w.db.reader() as uow:
        stmt = select(Feedback.id).where(Feedback.product_id == pid)
        return len(list(uow.session.scalars(stmt)))


def _fb_links(w: World, fid: int) -> list[FeedbackLink]:
    with w.db.reader() as uow:
        return list(
            uow.session.scalars(select(FeedbackLink).where(FeedbackLink.feedback_id == fid))
        )


def _fb_linked(w: World) -> tuple[int, int, int]:
    """A feedback linked (critical) to the current item: (feedback, link, item)."""
    item_id, _pid = w.item()
    fid, _pid = _fb(w)
    link = feedback_services.link_feedback(
        w.db.uow(), actor=w.actor("owner"), feedback_id=fid, item_id=item_id, importance=3
    )
    return fid, link.id, item_id


def _fb_customers(w: World, pid: int) -> list[str]:
    with w.db.reader() as uow:
        stmt = select(Customer.name).where(Customer.product_id == pid)
        return list(uow.session.scalars(stmt))


def _fb_segments(w: World, pid: int) -> list[str]:
    with w.db.reader() as uow:
        return list(uow.session.scalars(select(Segment.name).where(Segment.product_id == pid)))


def _fb_has_token(w: World, pid: int) -> bool:
    with w.db.reader() as uow:
        stmt = select(IntakeToken.id).where(IntakeToken.product_id == pid)
        return uow.session.scalar(stmt) is not None


FB_CSV = b"Text,Date,Key\nThe app is slow at night,2026-10-01,T-1\n"


def _fb_staged(w: World, pid: int) -> str:
    from jalon.transfer import staging

    kept = staging.save(
        w.app.state.settings.data_dir, product_id=pid, filename="tickets.csv",
        file_format="feedback-csv", stream=io.BytesIO(FB_CSV),
    )  # fmt: skip
    return kept.token


def fb_inbox_page(w: World, role: str) -> Call:
    _fid, pid = _fb(w, "Night shuttle please")
    return Call(f"/products/{pid}/feedback", done=lambda r: "Night shuttle please" in r.text)


def fb_new_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/feedback/new", done=lambda r: "hx-get" in r.text)


def fb_create_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/feedback", form={"text": "Entered in the browser"}, status=303,
        location="/feedback/", done=lambda r: _fb_count(w, pid) == 1,
    )  # fmt: skip


def fb_similar_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/feedback/similar?text=ride", done=lambda r: "<p" in r.text)


def fb_page(w: World, role: str) -> Call:
    fid, _pid = _fb(w, "Dark mode would be nice")
    return Call(f"/feedback/{fid}", done=lambda r: "Dark mode would be nice" in r.text)


def fb_edit_page(w: World, role: str) -> Call:
    fid, _pid = _fb(w)
    return Call(
        f"/feedback/{fid}/edit", form={"text": "Edited text", "rating": "4"}, status=303,
        location=f"/feedback/{fid}", done=lambda r: _fb_row(w, fid).text == "Edited text",  # type: ignore[union-attr]
    )  # fmt: skip


def fb_state_page(w: World, role: str) -> Call:
    fid, _pid = _fb(w)
    return Call(
        f"/feedback/{fid}/state", form={"state": "triaged"}, status=303,
        location=f"/feedback/{fid}", done=lambda r: _fb_row(w, fid).state == "triaged",  # type: ignore[union-attr]
    )  # fmt: skip


def fb_delete_page(w: World, role: str) -> Call:
    fid, pid = _fb(w)
    return Call(
        f"/feedback/{fid}/delete", status=303, location=f"/products/{pid}/feedback",
        done=lambda r: _fb_row(w, fid) is None,
    )  # fmt: skip


def fb_link_page(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    fid, _pid = _fb(w)
    return Call(
        f"/feedback/{fid}/links", form={"target": f"item:{item_id}", "importance": "3"},
        status=303, location=f"/feedback/{fid}",
        done=lambda r: [lk.item_id for lk in _fb_links(w, fid)] == [item_id],
    )  # fmt: skip


def fb_unlink_page(w: World, role: str) -> Call:
    fid, link_id, _item = _fb_linked(w)
    return Call(
        f"/feedback/{fid}/links/{link_id}/remove", status=303, location=f"/feedback/{fid}",
        done=lambda r: _fb_links(w, fid) == [],
    )  # fmt: skip


def fb_evidence_page(w: World, role: str) -> Call:
    _fid, _link, item_id = _fb_linked(w)
    return Call(
        f"/items/{item_id}/evidence",
        done=lambda r: "linked feedback" in _plain(r.text) and "weighted demand" in r.text,
    )


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def fb_reach_page(w: World, role: str) -> Call:
    _fid, _link, item_id = _fb_linked(w)

    def reach_set(r: Response) -> bool:
        with w.db.reader() as uow:
            score = uow.session.get(ItemScore, (item_id, "rice"))
            stmt = select(FeedbackLink.id).where(FeedbackLink.item_id == item_id)
            links = len(list(uow.session.scalars(stmt)))  # earlier roles' calls added some
            return score is not None and score.inputs.get("reach") == 3 * links

    return Call(
        f"/items/{item_id}/evidence/reach", status=303, location=f"/items/{item_id}",
        done=reach_set,
    )  # fmt: skip


def fb_customers_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/customers", done=lambda r: "Customers" in r.text)


def fb_save_customer_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/customers", form={"name": "Sanofi", "weight": "2"}, status=303,
        location=f"/products/{pid}/customers", done=lambda r: _fb_customers(w, pid) == ["Sanofi"],
    )  # fmt: skip


def fb_delete_customer_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"Renault {w.serial()}"
    made = feedback_customers.save_customer(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, values={"name": name}
    )
    return Call(
        f"/products/{pid}/customers/{made.id}/delete", status=303,
        location=f"/products/{pid}/customers", done=lambda r: name not in _fb_customers(w, pid),
    )  # fmt: skip


def fb_save_segment_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/segments", form={"name": "Enterprise", "weight": "3"}, status=303,
        location=f"/products/{pid}/customers",
        done=lambda r: _fb_segments(w, pid) == ["Enterprise"],
    )  # fmt: skip


def fb_delete_segment_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"SMB {w.serial()}"
    made = feedback_customers.save_segment(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, values={"name": name}
    )
    return Call(
        f"/products/{pid}/segments/{made.id}/delete", status=303,
        location=f"/products/{pid}/customers", done=lambda r: name not in _fb_segments(w, pid),
    )  # fmt: skip


def fb_import_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/feedback/import", done=lambda r: 'type="file"' in r.text)


def fb_upload_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/feedback/import", files={"file": ("t.csv", FB_CSV, "text/csv")},
        status=303, location=f"/products/{pid}/feedback/import/",
    )  # fmt: skip


def fb_dry_run_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    token = _fb_staged(w, pid)
    return Call(
        f"/products/{pid}/feedback/import/{token}",
        done=lambda r: "The app is slow at night" in r.text,
    )


def fb_run_import_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    token = _fb_staged(w, pid)
    form = {"map_text": "Text", "map_received_at": "Date", "map_external_key": "Key"}
    return Call(
        f"/products/{pid}/feedback/import/{token}", form=form, status=303,
        location=f"/products/{pid}/feedback", done=lambda r: _fb_count(w, pid) == 1,
    )  # fmt: skip


def fb_intake_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/feedback/intake", done=lambda r: "/intake" in r.text)


def fb_create_token_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/feedback/intake",
        done=lambda r: "jif_" in r.text and _fb_has_token(w, pid),
    )


def fb_revoke_token_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    feedback_services.create_intake_token(w.db.uow(), actor=w.actor("owner"), product_id=pid)
    return Call(
        f"/products/{pid}/feedback/intake/revoke", status=303,
        location=f"/products/{pid}/feedback/intake", done=lambda r: not _fb_has_token(w, pid),
    )  # fmt: skip


def fb_list_api(w: World, role: str) -> Call:
    fid, pid = _fb(w)
    return Call(
        f"/api/v1/products/{pid}/feedback", done=lambda r: r.json()["items"][0]["id"] == fid
    )


def fb_create_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/feedback", json={"text": "Sent by API"}, status=201,
        done=lambda r: _fb_count(w, pid) == 1,
    )  # fmt: skip


def fb_get_api(w: World, role: str) -> Call:
    fid, _pid = _fb(w)
    return Call(f"/api/v1/feedback/{fid}", done=lambda r: r.json()["id"] == fid)


def fb_patch_api(w: World, role: str) -> Call:
    fid, _pid = _fb(w)
    return Call(
        f"/api/v1/feedback/{fid}", json={"state": "archived"},
        done=lambda r: _fb_row(w, fid).state == "archived",  # type: ignore[union-attr]
    )  # fmt: skip


def fb_delete_api(w: World, role: str) -> Call:
    fid, _pid = _fb(w)
    return Call(f"/api/v1/feedback/{fid}", status=204, done=lambda r: _fb_row(w, fid) is None)


def fb_link_api(w: World, role: str) -> Call:
    item_id, _pid = w.item()
    fid, _pid = _fb(w)
    return Call(
        f"/api/v1/feedback/{fid}/links", json={"item_id": item_id}, status=201,
        done=lambda r: [lk.importance for lk in _fb_links(w, fid)] == [2],
    )  # fmt: skip


def fb_unlink_api(w: World, role: str) -> Call:
    fid, link_id, _item = _fb_linked(w)
    return Call(
        f"/api/v1/feedback/{fid}/links/{link_id}", status=204,
        done=lambda r: _fb_links(w, fid) == [],
    )  # fmt: skip


def fb_intake_api(w: World, role: str) -> Call:
    """With a person's API token (the intake token has its own tests)."""
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/intake", json=[{"text": "From a form"}], status=201,
        done=lambda r: _fb_count(w, pid) == 1 and len(r.json()["created"]) == 1,
    )  # fmt: skip


# --- builders: feedback (add yours above this line) ---


def _po_portal(w: World) -> tuple[int, str]:
    """The current product with its portal open (slug p<id>)."""
    pid, _name = w.product()
    slug = f"p{pid}"
    portal_services.update_settings(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, enabled=True, slug=slug
    )
    return pid, slug


def _po_idea(w: World, *, approve: bool = True) -> tuple[int, int, str]:
    """A new idea on the current product's portal (published unless told): (idea, product, slug)."""
    pid, slug = _po_portal(w)
    idea = portal_visitor.submit_idea(
        w.db.uow(), slug=slug, title=f"Idea {w.serial()}", client=f"matrix{w.serial()}"
    )
    assert idea is not None
    if approve:
        portal_services.moderate(
            w.db.uow(), actor=w.actor("owner"), product_id=pid, idea_ids=[idea.id],
            decision="approve",
        )  # fmt: skip
    return idea.id, pid, slug


def _po_read(w: World, model: Any, ident: int) -> Any:
    with w.db.reader() as uow:
        return uow.session.get(model, ident)


def _po_count(w: World, model: Any, *where: Any) -> int:
    with w.db.reader() as uow:
        return len(list(uow.session.scalars(select(model.id).where(*where))))


def portal_overview_page(w: World, role: str) -> Call:
    idea_id, pid, _slug = _po_idea(w)
    title = _po_read(w, Idea, idea_id).title
    return Call(f"/products/{pid}/portal", done=lambda r: title in r.text)


def portal_settings_page(w: World, role: str) -> Call:
    pid, slug = _po_portal(w)
    return Call(f"/products/{pid}/portal/settings", done=lambda r: f'value="{slug}"' in r.text)


def save_portal_settings_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    slug = f"open-{pid}"
    return Call(
        f"/products/{pid}/portal/settings", status=303,
        form={"options": "enabled", "slug": slug, "shown_statuses": "planned"},
        location=f"/products/{pid}/portal/settings",
        done=lambda r: _po_read(w, PortalSettings, pid).slug == slug,
    )  # fmt: skip


def portal_moderation_page(w: World, role: str) -> Call:
    idea_id, pid, _slug = _po_idea(w, approve=False)
    title = _po_read(w, Idea, idea_id).title
    return Call(f"/products/{pid}/portal/moderation", done=lambda r: title in r.text)


def portal_moderate_page(w: World, role: str) -> Call:
    idea_id, pid, _slug = _po_idea(w, approve=False)
    return Call(
        f"/products/{pid}/portal/moderation", form={"idea_id": str(idea_id), "decision": "approve"},
        status=303, location=f"/products/{pid}/portal/moderation",
        done=lambda r: _po_read(w, Idea, idea_id).state == "published",
    )  # fmt: skip


def portal_idea_page(w: World, role: str) -> Call:
    idea_id, _pid, _slug = _po_idea(w)
    title = _po_read(w, Idea, idea_id).title
    return Call(f"/ideas/{idea_id}", done=lambda r: title in r.text)


def idea_status_page(w: World, role: str) -> Call:
    idea_id, _pid, _slug = _po_idea(w)
    return Call(
        f"/ideas/{idea_id}/status", form={"status": "planned"}, status=303,
        location=f"/ideas/{idea_id}",
        done=lambda r: _po_read(w, Idea, idea_id).status == "planned",
    )  # fmt: skip


def idea_link_page(w: World, role: str) -> Call:
    idea_id, _pid, _slug = _po_idea(w)
    item_id, _p = w.item()
    return Call(
        f"/ideas/{idea_id}/link", form={"item_id": str(item_id)}, status=303,
        location=f"/ideas/{idea_id}",
        done=lambda r: _po_read(w, Idea, idea_id).item_id == item_id,
    )  # fmt: skip


def idea_merge_page(w: World, role: str) -> Call:
    keep, _pid, _slug = _po_idea(w)
    dupe, _pid, _slug = _po_idea(w)
    return Call(
        f"/ideas/{dupe}/merge", form={"into_id": str(keep)}, status=303,
        location=f"/ideas/{keep}",
        done=lambda r: _po_read(w, Idea, dupe).merged_into_id == keep,
    )  # fmt: skip


def idea_reply_page(w: World, role: str) -> Call:
    idea_id, _pid, _slug = _po_idea(w)
    return Call(
        f"/ideas/{idea_id}/reply", form={"body": "Thanks, we are on it"}, status=303,
        location=f"/ideas/{idea_id}",
        done=lambda r: _po_count(w, IdeaComment, IdeaComment.idea_id == idea_id) == 1,
    )  # fmt: skip


def hide_idea_comment_page(w: World, role: str) -> Call:
    idea_id, _pid, slug = _po_idea(w)
    comment = portal_visitor.add_comment(
        w.db.uow(), slug=slug, idea_id=idea_id, body="Buy cheap watches", client="matrix"
    )
    assert comment is not None
    return Call(
        f"/idea-comments/{comment.id}/hide", form={"hidden": "yes"}, status=303,
        location=f"/ideas/{idea_id}",
        done=lambda r: _po_read(w, IdeaComment, comment.id).hidden is True,
    )  # fmt: skip


def public_portal_page(w: World, role: str) -> Call:
    idea_id, _pid, slug = _po_idea(w)
    title = _po_read(w, Idea, idea_id).title
    return Call(f"/portal/{slug}", done=lambda r: title in r.text)


def closed_portal_page(w: World, role: str) -> Call:
    pid, slug = _po_portal(w)
    portal_services.update_settings(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, enabled=False, slug=slug
    )
    return Call(f"/portal/{slug}")


def similar_ideas_page(w: World, role: str) -> Call:
    _pid, slug = _po_portal(w)
    return Call(f"/portal/{slug}/similar?title=dark+mode")


def submit_idea_page(w: World, role: str) -> Call:
    _pid, slug = _po_portal(w)
    title = f"Submitted {w.serial()}"
    return Call(
        f"/portal/{slug}/ideas", form={"title": title}, status=303,
        location=f"/portal/{slug}?submitted=1",
        done=lambda r: _po_count(w, Idea, Idea.title == title, Idea.state == "pending") == 1,
    )  # fmt: skip


def public_idea_page(w: World, role: str) -> Call:
    idea_id, _pid, slug = _po_idea(w)
    title = _po_read(w, Idea, idea_id).title
    return Call(f"/portal/{slug}/ideas/{idea_id}", done=lambda r: title in r.text)


def portal_vote_page(w: World, role: str) -> Call:
    idea_id, _pid, slug = _po_idea(w)
    return Call(
        f"/portal/{slug}/ideas/{idea_id}/vote", form={}, status=303,
        location=f"/portal/{slug}/ideas/{idea_id}",
        done=lambda r: _po_count(w, IdeaVote, IdeaVote.idea_id == idea_id) == 1,
    )  # fmt: skip


def portal_unvote_page(w: World, role: str) -> Call:
    idea_id, _pid, slug = _po_idea(w)
    voter = f"matrix-{role}-{w.serial()}"
    portal_visitor.vote(w.db.uow(), slug=slug, idea_id=idea_id, voter=voter)
    browser, _token = w.browser(role)
    secret = w.app.state.settings.secret_key
    browser.cookies.set(
        portal_public.VOTER_COOKIE, portal_rules.sign_voter(voter, secret), domain=COOKIE_DOMAIN
    )
    return Call(
        f"/portal/{slug}/ideas/{idea_id}/unvote", form={}, status=303,
        location=f"/portal/{slug}/ideas/{idea_id}",
        done=lambda r: _po_count(w, IdeaVote, IdeaVote.idea_id == idea_id) == 0,
    )  # fmt: skip


def portal_idea_comment_page(w: World, role: str) -> Call:
    idea_id, _pid, slug = _po_idea(w)
    return Call(
        f"/portal/{slug}/ideas/{idea_id}/comments", form={"body": "Yes please"}, status=303,
        location=f"/portal/{slug}/ideas/{idea_id}",
        done=lambda r: _po_count(w, IdeaComment, IdeaComment.idea_id == idea_id) == 1,
    )  # fmt: skip


def ideas_api(w: World, role: str) -> Call:
    idea_id, pid, _slug = _po_idea(w)
    return Call(
        f"/api/v1/products/{pid}/ideas", done=lambda r: idea_id in [i["id"] for i in r.json()]
    )


def add_idea_api(w: World, role: str) -> Call:
    pid, _slug = _po_portal(w)
    title = f"Heard on a call {w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/ideas", json={"title": title}, status=201,
        done=lambda r: _po_count(w, Idea, Idea.title == title, Idea.state == "published") == 1,
    )  # fmt: skip


def patch_idea_api(w: World, role: str) -> Call:
    idea_id, _pid, _slug = _po_idea(w)
    return Call(
        f"/api/v1/ideas/{idea_id}", json={"status": "shipped"},
        done=lambda r: _po_read(w, Idea, idea_id).status == "shipped",
    )  # fmt: skip


# --- builders: portal (add yours above this line) ---


def _th(w: World) -> tuple[int, int, int, list[int]]:
    """Two themes in the current product with two feedback each, made directly:
    (product id, theme a, theme b, the four feedback ids)."""
    pid, _name = w.product()
    n = w.serial()
    with w.db.uow() as uow:
        texts = ("Export to Excel", "CSV export please", "Login crashes", "Cannot sign in")
        found = [Feedback(product_id=pid, text=f"{t} ({n})") for t in texts]
        uow.session.add_all(found)
        uow.flush()
        ids = [f.id for f in found]
        themes_placement.place_feedback(uow, pid, ids)
        # placing may have joined them to the themes of earlier calls: these two only
        uow.session.execute(delete(ThemeMember).where(ThemeMember.feedback_id.in_(ids)))
        a, b = (
            Theme(product_id=pid, label=f"Exports {n}"),
            Theme(product_id=pid, label=f"Login {n}"),
        )
        uow.session.add_all([a, b])
        uow.flush()
        uow.session.add_all(
            [ThemeMember(feedback_id=f, theme_id=(a if i < 2 else b).id) for i, f in enumerate(ids)]
        )
        uow.commit()
        return pid, a.id, b.id, ids


def _th_row(w: World, theme_id: int) -> Theme:
    with w.db.reader() as uow:
        found = uow.session.get(Theme, theme_id)
    assert found is not None
    return found


def _th_of(w: World, feedback_id: int) -> int | None:
    with w.db.reader() as uow:
        member = uow.session.get(ThemeMember, feedback_id)
    return member.theme_id if member else None


def _th_run_done(w: World, pid: int) -> bool:
    themes_runs.join_all()
    with w.db.reader() as uow:
        found = uow.session.scalars(select(ClusteringRun).where(ClusteringRun.product_id == pid))
        return [r.state for r in found] == ["done"]


def th_list_page(w: World, role: str) -> Call:
    pid, _a, _b, _ids = _th(w)
    return Call(f"/products/{pid}/themes", done=lambda r: "themes-table" in r.text)


def th_recluster_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/products/{pid}/themes/recluster", form={}, status=303,
        location=f"/products/{pid}/themes", done=lambda r: _th_run_done(w, pid),
    )  # fmt: skip


def _th_run(w: World) -> int:
    pid, _name = w.product()
    with w.db.uow() as uow:
        run = ClusteringRun(product_id=pid, state="running", progress=0.4, step="clustering")
        uow.add(run)
        uow.commit()
        return run.id


def th_progress_page(w: World, role: str) -> Call:
    run_id = _th_run(w)
    return Call(f"/clustering-runs/{run_id}/progress", done=lambda r: 'value="40"' in r.text)


def th_theme_page(w: World, role: str) -> Call:
    _pid, a, _b, ids = _th(w)
    return Call(f"/themes/{a}", done=lambda r: f"/feedback/{ids[0]}" in r.text)


def th_rename_page(w: World, role: str) -> Call:
    _pid, a, _b, _ids = _th(w)
    return Call(
        f"/themes/{a}/rename", form={"label": "Spreadsheets"}, status=303,
        location=f"/themes/{a}", done=lambda r: _th_row(w, a).label_locked,
    )  # fmt: skip


def th_merge_page(w: World, role: str) -> Call:
    _pid, a, b, _ids = _th(w)
    return Call(
        f"/themes/{a}/merge", form={"into": str(b)}, status=303, location=f"/themes/{b}",
        done=lambda r: _th_row(w, a).merged_into_id == b,
    )  # fmt: skip


def th_split_page(w: World, role: str) -> Call:
    _pid, a, _b, ids = _th(w)
    return Call(
        f"/themes/{a}/split", form={"feedback_ids": str(ids[0]), "split_label": "Excel"},
        status=303, location="/themes/", done=lambda r: _th_of(w, ids[0]) not in (None, a),
    )  # fmt: skip


def th_move_page(w: World, role: str) -> Call:
    _pid, a, b, ids = _th(w)
    return Call(
        f"/themes/{a}/move", form={"feedback_ids": str(ids[0]), "to": str(b)}, status=303,
        location=f"/themes/{a}", done=lambda r: _th_of(w, ids[0]) == b,
    )  # fmt: skip


def th_similar_page(w: World, role: str) -> Call:
    _pid, _a, _b, ids = _th(w)
    return Call(f"/feedback/{ids[0]}/similar", done=lambda r: "similar-feedback" in r.text)


def th_merge_duplicate_page(w: World, role: str) -> Call:
    _pid, _a, _b, ids = _th(w)
    return Call(
        f"/feedback/{ids[1]}/merge-duplicate", form={"survivor": str(ids[0])}, status=303,
        location=f"/feedback/{ids[0]}",
        done=lambda r: _fb_row(w, ids[1]).state == "archived",  # type: ignore[union-attr]
    )  # fmt: skip


def th_list_api(w: World, role: str) -> Call:
    pid, a, _b, _ids = _th(w)
    return Call(
        f"/api/v1/products/{pid}/themes", done=lambda r: a in [t["id"] for t in r.json()["themes"]]
    )


def th_recluster_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(
        f"/api/v1/products/{pid}/themes/recluster", json={}, status=202,
        done=lambda r: _th_run_done(w, pid),
    )  # fmt: skip


def th_run_api(w: World, role: str) -> Call:
    run_id = _th_run(w)
    return Call(f"/api/v1/clustering-runs/{run_id}", done=lambda r: r.json()["progress"] == 0.4)


def th_theme_api(w: World, role: str) -> Call:
    _pid, a, _b, ids = _th(w)
    return Call(
        f"/api/v1/themes/{a}", done=lambda r: [m["feedback_id"] for m in r.json()["members"]]
        == ids[:2],
    )  # fmt: skip


def th_rename_api(w: World, role: str) -> Call:
    _pid, a, _b, _ids = _th(w)
    return Call(
        f"/api/v1/themes/{a}", json={"label": "Spreadsheets"},
        done=lambda r: _th_row(w, a).label == "Spreadsheets",
    )  # fmt: skip


def th_merge_api(w: World, role: str) -> Call:
    _pid, a, b, _ids = _th(w)
    return Call(
        f"/api/v1/themes/{a}/merge", json={"into": b},
        done=lambda r: r.json()["id"] == b and _th_row(w, a).state == "merged",
    )  # fmt: skip


def th_split_api(w: World, role: str) -> Call:
    _pid, a, _b, ids = _th(w)
    return Call(
        f"/api/v1/themes/{a}/split", json={"feedback_ids": [ids[0]]}, status=201,
        done=lambda r: _th_of(w, ids[0]) == r.json()["id"] != a,
    )  # fmt: skip


def th_move_api(w: World, role: str) -> Call:
    _pid, _a, b, ids = _th(w)
    return Call(
        f"/api/v1/themes/{b}/members", json={"feedback_ids": [ids[0]]},
        done=lambda r: _th_of(w, ids[0]) == b,
    )  # fmt: skip


def th_similar_api(w: World, role: str) -> Call:
    _pid, _a, _b, ids = _th(w)
    return Call(
        f"/api/v1/feedback/{ids[0]}/similar",
        done=lambda r: ids[0] not in [s["feedback_id"] for s in r.json()],
    )


def th_merge_duplicate_api(w: World, role: str) -> Call:
    _pid, _a, _b, ids = _th(w)
    return Call(
        f"/api/v1/feedback/{ids[1]}/merge", json={"survivor_id": ids[0]},
        done=lambda r: _fb_row(w, ids[1]).state == "archived",  # type: ignore[union-attr]
    )  # fmt: skip


# --- builders: themes (add yours above this line) ---


def _sig_feed(w: World, *, url: str = "") -> tuple[int, int]:
    """A new feed in the current product: (feed id, product id)."""
    pid, _name = w.product()
    n = w.serial()
    values = {"name": f"Feed {n}", "url": url or f"https://feeds.example.org/{n}.xml"}
    owner = w.actor("owner")
    feed = signals_services.create_feed(w.db.uow(), actor=owner, product_id=pid, values=values)
    return feed.id, pid


def _sig_list(w: World) -> tuple[int, int]:
    """A new watchlist in the current product: (watchlist id, product id)."""
    pid, _name = w.product()
    made = signals_services.create_watchlist(
        w.db.uow(), actor=w.actor("owner"), product_id=pid, name=f"List {w.serial()}",
        keywords="open banking",
    )  # fmt: skip
    return made.id, pid


def _sig_signal(w: World) -> tuple[int, int]:
    """A new market signal in the current product, as if a feed had been fetched."""
    feed_id, pid = _sig_feed(w)
    _sig_list(w)
    n = w.serial()
    entry = signals_feeds.Entry(
        key=f"guid-{n}", title=f"Open banking news {n}", link="", summary="", published_at=None
    )
    signals_services.record_fetch(
        w.db.uow(), feed_id=feed_id, fetched=signals_feeds.Fetched(entries=(entry,)),
        now=utcnow(),
    )  # fmt: skip
    with w.db.reader() as uow:
        found = uow.session.scalars(
            select(MarketSignal)
            .where(MarketSignal.product_id == pid)
            .order_by(MarketSignal.id.desc())
        ).first()
    assert found is not None
    return found.id, pid


def _sig_row(w: World, signal_id: int) -> MarketSignal:
    with w.db.reader() as uow:
        found = uow.session.get(MarketSignal, signal_id)
    assert found is not None
    return found


def _sig_opportunity(w: World, pid: int) -> int:
    with w.db.uow() as uow:
        node = TreeNode(product_id=pid, kind="opportunity", title=f"Opportunity {w.serial()}")
        uow.add(node)
        uow.commit()
        return node.id


def _sig_exists(w: World, model: Any, **where: Any) -> bool:
    with w.db.reader() as uow:
        stmt = select(model.id).filter_by(**where)
        return uow.session.scalars(stmt).first() is not None


def signals_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/signals", done=lambda r: "Market signals" in r.text)


def signal_state_page(w: World, role: str) -> Call:
    sid, pid = _sig_signal(w)
    return Call(
        f"/signals/{sid}/state", form={"state": "watching"}, status=303,
        location=f"/products/{pid}/signals", done=lambda r: _sig_row(w, sid).state == "watching",
    )  # fmt: skip


def signal_link_page(w: World, role: str) -> Call:
    sid, pid = _sig_signal(w)
    node = _sig_opportunity(w, pid)
    return Call(
        f"/signals/{sid}/link", form={"opportunity_id": str(node)}, status=303,
        location=f"/products/{pid}/signals",
        done=lambda r: _sig_row(w, sid).opportunity_id == node,
    )  # fmt: skip


def signal_item_page(w: World, role: str) -> Call:
    sid, _pid = _sig_signal(w)
    return Call(
        f"/signals/{sid}/item", form={}, status=303, location="/items/",
        done=lambda r: _sig_row(w, sid).item_id is not None,
    )  # fmt: skip


def watch_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/watch", done=lambda r: "Watchlists" in r.text)


def add_feed_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    url = f"https://feeds.example.org/new-{w.serial()}.xml"
    return Call(
        f"/products/{pid}/feeds", form={"name": "News", "url": url, "kind": "regulator"},
        status=303, location=f"/products/{pid}/watch",
        done=lambda r: _sig_exists(w, Feed, product_id=pid, url=url),
    )  # fmt: skip


def edit_feed_page(w: World, role: str) -> Call:
    feed_id, pid = _sig_feed(w)

    def paused(r: Response) -> bool:
        with w.db.reader() as uow:
            feed = uow.session.get(Feed, feed_id)
            return feed is not None and not feed.active

    return Call(
        f"/feeds/{feed_id}/edit", form={"active": "false"}, status=303,
        location=f"/products/{pid}/watch", done=paused,
    )  # fmt: skip


def delete_feed_page(w: World, role: str) -> Call:
    feed_id, pid = _sig_feed(w)
    return Call(
        f"/feeds/{feed_id}/delete", form={}, status=303, location=f"/products/{pid}/watch",
        done=lambda r: not _sig_exists(w, Feed, id=feed_id),
    )  # fmt: skip


def fetch_feeds_page(w: World, role: str) -> Call:
    pid, _name = w.product()  # no feed: nothing goes to the network
    return Call(
        f"/products/{pid}/watch/fetch", form={}, status=303,
        location=f"/products/{pid}/watch?done=fetched",
    )  # fmt: skip


def add_watchlist_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"Rules {w.serial()}"
    return Call(
        f"/products/{pid}/watchlists", form={"name": name, "keywords": "DSP3\nopen banking"},
        status=303, location=f"/products/{pid}/watch",
        done=lambda r: _sig_exists(w, Watchlist, product_id=pid, name=name),
    )  # fmt: skip


def edit_watchlist_page(w: World, role: str) -> Call:
    list_id, pid = _sig_list(w)

    def changed(r: Response) -> bool:
        with w.db.reader() as uow:
            found = uow.session.get(Watchlist, list_id)
            return found is not None and found.keywords == ["crypto"]

    return Call(
        f"/watchlists/{list_id}/edit", form={"name": "Renamed", "keywords": "crypto"},
        status=303, location=f"/products/{pid}/watch", done=changed,
    )  # fmt: skip


def delete_watchlist_page(w: World, role: str) -> Call:
    list_id, pid = _sig_list(w)
    return Call(
        f"/watchlists/{list_id}/delete", form={}, status=303, location=f"/products/{pid}/watch",
        done=lambda r: not _sig_exists(w, Watchlist, id=list_id),
    )  # fmt: skip


def signals_api(w: World, role: str) -> Call:
    sid, pid = _sig_signal(w)
    return Call(
        f"/api/v1/products/{pid}/signals",
        done=lambda r: sid in [s["id"] for s in r.json()["market"]],
    )


def patch_signal_api(w: World, role: str) -> Call:
    sid, _pid = _sig_signal(w)
    return Call(
        f"/api/v1/signals/{sid}", json={"state": "dismissed"},
        done=lambda r: _sig_row(w, sid).state == "dismissed",
    )  # fmt: skip


def feeds_api(w: World, role: str) -> Call:
    feed_id, pid = _sig_feed(w)
    return Call(
        f"/api/v1/products/{pid}/feeds", done=lambda r: feed_id in [f["id"] for f in r.json()]
    )


def create_feed_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    url = f"https://feeds.example.org/api-{w.serial()}.xml"
    return Call(
        f"/api/v1/products/{pid}/feeds", json={"name": "News", "url": url}, status=201,
        done=lambda r: _sig_exists(w, Feed, product_id=pid, url=url),
    )  # fmt: skip


def delete_feed_api(w: World, role: str) -> Call:
    feed_id, _pid = _sig_feed(w)
    return Call(
        f"/api/v1/feeds/{feed_id}", status=204, done=lambda r: not _sig_exists(w, Feed, id=feed_id)
    )


def watchlists_api(w: World, role: str) -> Call:
    list_id, pid = _sig_list(w)
    return Call(
        f"/api/v1/products/{pid}/watchlists", done=lambda r: list_id in [x["id"] for x in r.json()]
    )


def create_watchlist_api(w: World, role: str) -> Call:
    pid, _name = w.product()
    name = f"Rules {w.serial()}"
    return Call(
        f"/api/v1/products/{pid}/watchlists", json={"name": name, "keywords": ["DSP3"]},
        status=201, done=lambda r: _sig_exists(w, Watchlist, product_id=pid, name=name),
    )  # fmt: skip


def delete_watchlist_api(w: World, role: str) -> Call:
    list_id, _pid = _sig_list(w)
    return Call(
        f"/api/v1/watchlists/{list_id}", status=204,
        done=lambda r: not _sig_exists(w, Watchlist, id=list_id),
    )  # fmt: skip


# --- builders: signals (add yours above this line) ---


def _dz_tree(w: World) -> dict[str, int]:
    """outcome → opportunity → solution → assumption (+ an experiment, a persona) in the
    current product, made by the owner."""
    from jalon.discovery import services as dz
    from jalon.discovery.board import services as dz_board

    pid, _name = w.product()
    po, ids = w.actor("owner"), {"product": pid}
    parent = None
    for kind in ("outcome", "opportunity", "solution", "assumption"):
        parent = ids[kind] = dz.create_node(
            w.db.uow(), actor=po, product_id=pid, kind=kind, parent_id=parent,
            values={"title": f"{kind} {w.serial()}", "importance": 0.9, "evidence": 0.1},
        ).id  # fmt: skip
    ids["experiment"] = dz.create_experiment(
        w.db.uow(), actor=po, assumption_id=ids["assumption"],
        values={"title": "Ask", "metric": "yes", "unit": "%", "threshold": 50},
    ).id  # fmt: skip
    ids["persona"] = dz_board.create_persona(
        w.db.uow(), actor=po, product_id=pid, values={"name": f"Nadia {w.serial()}"}
    ).id
    return ids


def _dz_get(w: World, model_name: str, ident: int) -> Any:
    from jalon.discovery import models as dz_models

    with w.db.reader() as uow:
        return uow.session.get(getattr(dz_models, model_name), ident)


def _dz_nodes(w: World, pid: int, title: str) -> int:
    from jalon.discovery.models import TreeNode as DzNode

    with w.db.reader() as uow:
        stmt = select(DzNode.id).where(DzNode.product_id == pid, DzNode.title == title)
        return len(list(uow.session.scalars(stmt)))


def dz_tree_page(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    return Call(f"/products/{ids['product']}/discovery/tree",
                done=lambda r: f'id="node-{ids["solution"]}"' in r.text)  # fmt: skip


def dz_add_node_page(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    pid, title = ids["product"], f"Opportunity {w.serial()}"
    form = {"kind": "opportunity", "parent_id": str(ids["outcome"]), "title": title}
    return Call(f"/products/{pid}/discovery/tree/nodes", form=form, status=303,
                location=f"/products/{pid}/discovery/tree",
                done=lambda r: _dz_nodes(w, pid, title) == 1)  # fmt: skip


def dz_node_page(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    return Call(f"/discovery/nodes/{ids['assumption']}", done=lambda r: "Ask" in r.text)


def dz_edit_node_page(w: World, role: str) -> Call:
    nid = _dz_tree(w)["solution"]
    return Call(f"/discovery/nodes/{nid}/edit", form={"title": "Renamed"}, status=303,
                location=f"/discovery/nodes/{nid}",
                done=lambda r: _dz_get(w, "TreeNode", nid).title == "Renamed")  # fmt: skip


def dz_move_node_page(w: World, role: str) -> Call:
    from jalon.discovery import services as dz

    ids = _dz_tree(w)
    other = dz.create_node(w.db.uow(), actor=w.actor("owner"), product_id=ids["product"],
                           kind="solution", parent_id=ids["opportunity"],
                           values={"title": "Other"}).id  # fmt: skip
    return Call(f"/discovery/nodes/{other}/move", form={"step": "up"}, status=303,
                location=f"/discovery/nodes/{other}",
                done=lambda r: _dz_get(w, "TreeNode", other).position == 1)  # fmt: skip


def dz_delete_node_page(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    return Call(f"/discovery/nodes/{ids['opportunity']}/delete", form={}, status=303,
                location=f"/products/{ids['product']}/discovery/tree",
                done=lambda r: _dz_get(w, "TreeNode", ids["assumption"]) is None)  # fmt: skip


DZ_HYPOTHESIS = {"capability": "a", "people": "b", "outcome": "c", "signal": "d"}


def dz_hypothesis_page(w: World, role: str) -> Call:
    nid = _dz_tree(w)["solution"]
    return Call(f"/discovery/nodes/{nid}/hypothesis", form=DZ_HYPOTHESIS, status=303,
                location=f"/discovery/nodes/{nid}",
                done=lambda r: _dz_get(w, "Hypothesis", nid) is not None)  # fmt: skip


def dz_add_experiment_page(w: World, role: str) -> Call:
    nid = _dz_tree(w)["assumption"]
    form = {"title": "Survey", "method": "survey", "metric": "m", "threshold": "3"}
    return Call(f"/discovery/nodes/{nid}/experiments", form=form, status=303,
                location="/discovery/experiments/")  # fmt: skip


def dz_experiment_page(w: World, role: str) -> Call:
    eid = _dz_tree(w)["experiment"]
    return Call(f"/discovery/experiments/{eid}", done=lambda r: "cannot be evaluated" in r.text)


def dz_edit_experiment_page(w: World, role: str) -> Call:
    eid = _dz_tree(w)["experiment"]
    return Call(f"/discovery/experiments/{eid}/edit",
                form={"part": "result", "result": "60", "result_unit": "%"}, status=303,
                location=f"/discovery/experiments/{eid}",
                done=lambda r: _dz_get(w, "Experiment", eid).result == 60)  # fmt: skip


DZ_DECISION = {"decision": "stop", "rationale": "Nobody", "result": "10", "result_unit": "%"}


def dz_decide_page(w: World, role: str) -> Call:
    from jalon.discovery import services as dz

    eid = _dz_tree(w)["experiment"]
    dz.update_experiment(w.db.uow(), actor=w.actor("owner"), experiment_id=eid,
                         values={"result": "10", "result_unit": "%"})  # fmt: skip
    form = {"decision": "stop", "rationale": "Nobody", "items": "Drop it"}
    return Call(f"/discovery/experiments/{eid}/decision", form=form, status=303,
                location=f"/discovery/experiments/{eid}",
                done=lambda r: _dz_get(w, "Experiment", eid).decision == "stop")  # fmt: skip


def dz_map_page(w: World, role: str) -> Call:
    pid = _dz_tree(w)["product"]
    return Call(f"/products/{pid}/discovery/assumptions",
                done=lambda r: 'aria-labelledby="assumption-map-title"' in r.text)  # fmt: skip


def dz_map_download(w: World, role: str) -> Call:
    pid = _dz_tree(w)["product"]
    return Call(f"/products/{pid}/discovery/assumption-map.svg",
                done=lambda r: r.text.startswith("<svg"))  # fmt: skip


def dz_ab_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    query = "form=plan&baseline=0.1&effect=0.02&alpha=0.05&power=0.8"
    return Call(f"/products/{pid}/discovery/ab?{query}", done=lambda r: "3,841" in r.text)


def dz_board_page(w: World, role: str) -> Call:
    pid = _dz_tree(w)["product"]
    return Call(f"/products/{pid}/discovery/vision", done=lambda r: "Nadia" in r.text)


def dz_save_board_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/discovery/vision", form={"vision": "Far"}, status=303,
                location=f"/products/{pid}/discovery/vision",
                done=lambda r: _dz_get(w, "VisionBoard", pid).vision == "Far")  # fmt: skip


def dz_add_persona_page(w: World, role: str) -> Call:
    pid, _name = w.product()
    return Call(f"/products/{pid}/discovery/personas", form={"name": "Tom"}, status=303,
                location=f"/products/{pid}/discovery/vision")  # fmt: skip


def dz_edit_persona_page(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    persona = ids["persona"]
    return Call(f"/discovery/personas/{persona}/edit", form={"name": "Renamed"}, status=303,
                location=f"/products/{ids['product']}/discovery/vision",
                done=lambda r: _dz_get(w, "Persona", persona).name == "Renamed")  # fmt: skip


def dz_delete_persona_page(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    persona = ids["persona"]
    return Call(f"/discovery/personas/{persona}/delete", form={}, status=303,
                location=f"/products/{ids['product']}/discovery/vision",
                done=lambda r: _dz_get(w, "Persona", persona) is None)  # fmt: skip


def dz_tree_api(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    return Call(f"/api/v1/products/{ids['product']}/tree",
                done=lambda r: ids["outcome"] in [n["id"] for n in r.json()["roots"]])  # fmt: skip


def dz_add_node_api(w: World, role: str) -> Call:
    ids = _dz_tree(w)
    body = {"kind": "solution", "parent_id": ids["opportunity"], "title": "Wizard"}
    return Call(f"/api/v1/products/{ids['product']}/tree/nodes", json=body, status=201,
                done=lambda r: r.json()["parent_id"] == ids["opportunity"])  # fmt: skip


def dz_hypothesis_api(w: World, role: str) -> Call:
    nid = _dz_tree(w)["assumption"]
    return Call(f"/api/v1/tree/nodes/{nid}/hypothesis", json=DZ_HYPOTHESIS,
                done=lambda r: _dz_get(w, "Hypothesis", nid) is not None)  # fmt: skip


def dz_add_experiment_api(w: World, role: str) -> Call:
    nid = _dz_tree(w)["assumption"]
    body = {"title": "A/B", "method": "ab_test", "threshold": 5}
    return Call(f"/api/v1/tree/nodes/{nid}/experiments", json=body, status=201,
                done=lambda r: _dz_get(w, "Experiment", r.json()["id"]) is not None)  # fmt: skip


def dz_experiment_api(w: World, role: str) -> Call:
    eid = _dz_tree(w)["experiment"]
    return Call(f"/api/v1/experiments/{eid}", done=lambda r: r.json()["met"] is None)


def dz_decide_api(w: World, role: str) -> Call:
    eid = _dz_tree(w)["experiment"]
    body = {**DZ_DECISION, "result": 10, "items": ["Drop it"]}
    return Call(f"/api/v1/experiments/{eid}/decision", json=body,
                done=lambda r: len(r.json()["item_ids"]) == 1)  # fmt: skip


def dz_ab_test_api(w: World, role: str) -> Call:
    body = {"control_n": 1000, "control_conversions": 100, "variant_n": 1000,
            "variant_conversions": 130}  # fmt: skip
    return Call("/api/v1/ab/test", json=body, done=lambda r: r.json()["significant"] is True)


def dz_ab_size_api(w: World, role: str) -> Call:
    return Call("/api/v1/ab/sample-size", json={"baseline": 0.1, "effect": 0.02},
                done=lambda r: r.json()["per_arm"] == 3841)  # fmt: skip


# --- builders: discovery (add yours above this line) ---
def _ac_trained(w: World) -> None:
    """The trainer trains the trainee (a cohort of one), once per world."""
    if getattr(w, "_ac_cohort", False):
        return
    from jalon.academy.models import Cohort, CohortMember

    with w.db.uow() as uow:
        cohort = Cohort(name="Matrix cohort", trainer_id=w.uid("trainer"))
        uow.add(cohort)
        uow.flush()
        uow.add(CohortMember(cohort_id=cohort.id, user_id=w.uid("trainee")))
        uow.commit()
    w._ac_cohort = True  # type: ignore[attr-defined]


def _ac_run(w: World) -> int:
    """A run of the trainee, not played yet (a new one once a call played or ended it)."""
    from jalon.academy.runs import services as run_services
    from jalon.academy.runs.models import SimRun

    _ac_trained(w)
    cached: int | None = getattr(w, "_ac_run_id", None)
    if cached is not None:
        with w.db.reader() as uow:
            run = uow.session.get(SimRun, cached)
            if run is not None and run.sprint == 0 and run.status == "playing":
                return cached
    made = run_services.start_run(
        w.db.uow(), actor=w.actor("trainee"), scenario="saas", seed=7, language="en"
    )
    w._ac_run_id = made.id  # type: ignore[attr-defined]
    return made.id


def _ac_sprints_played(w: World, run_id: int) -> int:
    from jalon.academy.runs.models import SimRun

    with w.db.reader() as uow:
        return uow.session.get_one(SimRun, run_id).sprint


def _ac_decisions() -> dict[str, Any]:
    """Valid decisions for the first sprint of the saas scenario (seed 7)."""
    from jalon.academy.sim import engine, policies
    from jalon.academy.sim.scenario import load_scenario

    scenario = load_scenario("saas")
    made = policies.POLICIES["value-effort"](scenario, engine.new_run(scenario, 7))
    return made.to_dict()


def _ac_form(decisions: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, Any] = {"goal": decisions["goal"], "pay_debt": str(decisions["pay_debt"])}
    form["plan"], form["refine"] = list(decisions["plan"]), list(decisions["refine"])
    form |= {f"answer.{k}": v for k, v in decisions["answers"].items()}
    return form


def _ac_runs_of(w: World, role: str) -> int:
    from jalon.academy.runs import queries as run_queries

    return len(run_queries.runs_of(w.db.reader(), w.uid(role)))


def ac_scenarios_page(w: World, role: str) -> Call:
    return Call("/academy/scenarios", done=lambda r: "Relais" in r.text)


def ac_start_page(w: World, role: str) -> Call:
    before = _ac_runs_of(w, role) if role in w.users else 0
    return Call("/academy/runs", form={"scenario": "saas", "seed": "3"}, status=303,
                location="/academy/runs/",
                done=lambda r: _ac_runs_of(w, role) == before + 1)  # fmt: skip


def ac_run_page(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/academy/runs/{run_id}", done=lambda r: "Relais" in r.text)


def ac_play_page(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/academy/runs/{run_id}/sprint", form=_ac_form(_ac_decisions()), status=303,
                location=f"/academy/runs/{run_id}",
                done=lambda r: _ac_sprints_played(w, run_id) == 1)  # fmt: skip


def ac_abandon_page(w: World, role: str) -> Call:
    from jalon.academy.runs.models import SimRun

    run_id = _ac_run(w)

    def ended(_r: Response) -> bool:
        with w.db.reader() as uow:
            return uow.session.get_one(SimRun, run_id).status == "abandoned"

    return Call(f"/academy/runs/{run_id}/abandon", form={}, status=303,
                location=f"/academy/runs/{run_id}", done=ended)  # fmt: skip


def ac_log_page(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/academy/runs/{run_id}/log.json", done=lambda r: r.json()["seed"] == 7)


def ac_debrief_page(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/academy/runs/{run_id}/debrief", done=lambda r: "Relais" in r.text)


def ac_debrief_html(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/academy/runs/{run_id}/debrief.html", done=lambda r: "<html" in r.text)


def ac_debrief_pdf(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/academy/runs/{run_id}/debrief.pdf", done=lambda r: r.content[:4] == b"%PDF")


def ac_scenarios_api(w: World, role: str) -> Call:
    return Call("/api/v1/academy/scenarios",
                done=lambda r: "saas" in [s["key"] for s in r.json()])  # fmt: skip


def ac_start_api(w: World, role: str) -> Call:
    return Call("/api/v1/academy/runs", json={"scenario": "saas", "seed": 5}, status=201,
                done=lambda r: r.json()["product_id"] is not None)  # fmt: skip


def ac_runs_api(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    mine = role == "trainee"
    return Call("/api/v1/academy/runs",
                done=lambda r: (run_id in [x["id"] for x in r.json()]) is mine)  # fmt: skip


def ac_run_api(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/api/v1/academy/runs/{run_id}", done=lambda r: r.json()["turn"]["sprint"] == 1)


def ac_play_api(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    body = {k: v for k, v in _ac_decisions().items() if k != "order"}
    return Call(f"/api/v1/academy/runs/{run_id}/sprint", json=body,
                done=lambda r: r.json()["outcome"]["sprint"] == 1)  # fmt: skip


def ac_debrief_api(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/api/v1/academy/runs/{run_id}/debrief",
                done=lambda r: r.json()["complete"] is False)  # fmt: skip


def ac_replay_api(w: World, role: str) -> Call:
    run_id = _ac_run(w)
    return Call(f"/api/v1/academy/runs/{run_id}/replay",
                done=lambda r: r.json()["identical"] is True)  # fmt: skip


# --- builders: academy runs (add yours above this line) ---
def _aq_quiz(w: World) -> tuple[int, str]:
    """The trainee's practice quiz of two questions, and its first unanswered question id."""
    from jalon.academy.quiz import queries as quiz_queries
    from jalon.academy.quiz import services as quiz_services

    _ac_trained(w)
    cached: int | None = getattr(w, "_aq_quiz_id", None)
    if cached is not None:
        view = quiz_queries.get_quiz(w.db.reader(), actor=w.actor("trainee"), quiz_id=cached)
        if view.answered == 0 and not view.finished and view.current is not None:
            return cached, view.current.question.id
    quiz_id = quiz_services.start_quiz(
        w.db.uow(), actor=w.actor("trainee"), mode="practice", count=2
    )
    w._aq_quiz_id = quiz_id  # type: ignore[attr-defined]
    return _aq_quiz(w)


def _aq_answered(w: World, quiz_id: int) -> int:
    from jalon.academy.quiz import queries as quiz_queries

    return quiz_queries.get_quiz(w.db.reader(), actor=w.actor("admin"), quiz_id=quiz_id).answered


def _aq_finished(w: World, quiz_id: int) -> bool:
    from jalon.academy.quiz.models import Quiz

    with w.db.reader() as uow:
        return uow.session.get_one(Quiz, quiz_id).finished_at is not None


def _aq_quizzes_of(w: World, role: str) -> int:
    from jalon.academy.quiz.models import Quiz

    if role == "anonymous":
        return 0
    with w.db.reader() as uow:
        return len(list(uow.session.scalars(select(Quiz.id).where(Quiz.user_id == w.uid(role)))))


def _aq_bank_file(w: World) -> tuple[str, bytes]:
    from jalon.academy.quiz import bank as quiz_bank
    from tests.support.academy_quiz import question

    qid = f"events-matrix-{w.serial():02d}"
    made = question("events", 1).model_copy(update={"id": qid})
    return qid, quiz_bank.dump_yaml([made]).encode()


def _aq_has_question(w: World, qid: str) -> bool:
    from jalon.academy.quiz.models import Question

    with w.db.reader() as uow:
        return uow.session.get(Question, qid) is not None


def aq_home_page(w: World, role: str) -> Call:
    return Call("/academy/quiz", done=lambda r: "/academy/quizzes" in r.text)


def aq_start_page(w: World, role: str) -> Call:
    before = _aq_quizzes_of(w, role)
    return Call("/academy/quizzes", form={"mode": "practice", "count": "3"}, status=303,
                location="/academy/quizzes/",
                done=lambda r: _aq_quizzes_of(w, role) == before + 1)  # fmt: skip


def aq_quiz_page(w: World, role: str) -> Call:
    quiz_id, _qid = _aq_quiz(w)
    return Call(f"/academy/quizzes/{quiz_id}", done=lambda r: "Practice" in r.text)


def _aq_handed_in(w: World) -> int:
    """The trainee's practice quiz of two questions, handed in (made once per world)."""
    from jalon.academy.quiz import services as quiz_services

    _ac_trained(w)
    cached: int | None = getattr(w, "_aq_handed_in_id", None)
    if cached is None:
        trainee = w.actor("trainee")
        cached = quiz_services.start_quiz(w.db.uow(), actor=trainee, mode="practice", count=2)
        quiz_services.finish_quiz(w.db.uow(), actor=trainee, quiz_id=cached)
        w._aq_handed_in_id = cached  # type: ignore[attr-defined]
    return cached


def aq_topics_chart(w: World, role: str) -> Call:
    quiz_id = _aq_handed_in(w)
    return Call(f"/academy/quizzes/{quiz_id}/topics.svg",
                done=lambda r: r.headers["content-type"].startswith("image/svg+xml")
                and "<svg" in r.text)  # fmt: skip


def aq_answer_page(w: World, role: str) -> Call:
    quiz_id, qid = _aq_quiz(w)
    return Call(f"/academy/quizzes/{quiz_id}/answers", form={"question_id": qid, "chosen": "0"},
                status=303, location=f"/academy/quizzes/{quiz_id}?after=",
                done=lambda r: _aq_answered(w, quiz_id) == 1)  # fmt: skip


def aq_finish_page(w: World, role: str) -> Call:
    quiz_id, _qid = _aq_quiz(w)
    return Call(f"/academy/quizzes/{quiz_id}/finish", form={}, status=303,
                location=f"/academy/quizzes/{quiz_id}",
                done=lambda r: _aq_finished(w, quiz_id))  # fmt: skip


def aq_questions_page(w: World, role: str) -> Call:
    return Call("/academy/questions?topic=events", done=lambda r: "events-01" in r.text)


def aq_bank_page(w: World, role: str) -> Call:
    return Call("/academy/bank", done=lambda r: "/academy/bank/import" in r.text)


def aq_import_page(w: World, role: str) -> Call:
    qid, content = _aq_bank_file(w)
    return Call("/academy/bank/import", form={"format": "yaml"},
                files={"file": ("mine.yaml", content, "application/yaml")},
                done=lambda r: _aq_has_question(w, qid))  # fmt: skip


def aq_export_page(w: World, role: str) -> Call:
    return Call("/academy/bank/export?format=gift&topic=events",
                done=lambda r: "::events-01::" in r.text)  # fmt: skip


def aq_attributions_page(w: World, role: str) -> Call:
    return Call("/academy/attributions", done=lambda r: "Ken Schwaber" in r.text)


def aq_questions_api(w: World, role: str) -> Call:
    def done(r: Response) -> bool:
        return r.json() != [] and all(q["topic"] == "events" for q in r.json())

    return Call("/api/v1/academy/questions?topic=events", done=done)


def aq_start_api(w: World, role: str) -> Call:
    return Call("/api/v1/academy/quizzes", json={"mode": "practice", "count": 2}, status=201,
                done=lambda r: r.json()["current"] is not None
                and "correct" not in r.json()["current"]["options"][0])  # fmt: skip


def aq_quiz_api(w: World, role: str) -> Call:
    quiz_id, qid = _aq_quiz(w)
    return Call(f"/api/v1/academy/quizzes/{quiz_id}",
                done=lambda r: r.json()["current"]["id"] == qid)  # fmt: skip


def aq_answer_api(w: World, role: str) -> Call:
    quiz_id, qid = _aq_quiz(w)
    return Call(f"/api/v1/academy/quizzes/{quiz_id}/answers",
                json={"question_id": qid, "chosen": [0]},
                done=lambda r: r.json()["explanations"]["id"] == qid
                and _aq_answered(w, quiz_id) == 1)  # fmt: skip


def aq_finish_api(w: World, role: str) -> Call:
    quiz_id, _qid = _aq_quiz(w)
    return Call(f"/api/v1/academy/quizzes/{quiz_id}/finish", json={},
                done=lambda r: r.json()["finished"] and _aq_finished(w, quiz_id))  # fmt: skip


# --- builders: academy quiz (add yours above this line) ---
def _ap_cohort(w: World, *, trainer: str = "trainer", member: str | None = "trainee") -> int:
    """A cohort of `trainer` (a role, or "fresh": another trainer), with `member` in it."""
    from jalon.academy.path import services as ap

    who = w.actor(trainer) if trainer != "fresh" else _ap_fresh_trainer(w)
    cohort = ap.create_cohort(w.db.uow(), who, f"Cohort {w.serial()}")
    if member is not None:
        ap.add_member(w.db.uow(), who, cohort.id, w.users[member].email)
    return cohort.id


def _ap_fresh_trainer(w: World) -> Actor:
    user = w.new_user()
    with w.db.uow() as uow:
        uow.session.get_one(User, user.id).academy_role = "trainer"
        uow.commit()
    return actor(user)


def _ap_read(w: World, what: str, **where: Any) -> Any:
    from jalon.academy import models as academy_models
    from jalon.academy.path import models as ap_models

    model = getattr(ap_models, what, None) or getattr(academy_models, what)
    with w.db.reader() as uow:
        stmt = select(model).filter_by(**where)
        return list(uow.session.scalars(stmt))


def ap_home_page(w: World, role: str) -> Call:
    return Call("/academy", done=lambda r: 'href="/academy/path"' in r.text)


def ap_path_page(w: World, role: str) -> Call:
    return Call("/academy/path", done=lambda r: "/academy/modules/facilitation" in r.text)


def ap_trainee_path_page(w: World, role: str) -> Call:
    _ap_cohort(w)
    return Call(f"/academy/path?user_id={w.uid('trainee')}",
                done=lambda r: "trainee" in r.text and "ap-module" in r.text)  # fmt: skip


def ap_module_page(w: World, role: str) -> Call:
    return Call("/academy/modules/market-watch", done=lambda r: 'value="market-watch"' in r.text)


def ap_read_page(w: World, role: str) -> Call:
    uid = w.uid(_me(role))
    return Call("/academy/modules/stakeholders/read", form={}, status=303,
                location="/academy/modules/stakeholders",
                done=lambda r: bool(_ap_read(w, "ModuleProgress", user_id=uid)))  # fmt: skip


def ap_sandbox_page(w: World, role: str) -> Call:
    uid = w.uid(_me(role))
    return Call("/academy/sandbox", form={"module": "csr-ethics"}, status=303,
                location="/academy/modules/csr-ethics",
                done=lambda r: bool(_ap_read(w, "PracticeSandbox", user_id=uid)))  # fmt: skip


def ap_check_page(w: World, role: str) -> Call:
    from jalon.academy.path import services as ap

    if role != "anonymous":
        ap.open_sandbox(w.db.uow(), actor=w.actor(role))
    return Call("/academy/modules/market-watch/check", form={},
                done=lambda r: "A feed followed" in r.text)  # fmt: skip


def ap_certificate(w: World, role: str) -> Call:
    return Call("/academy/certificate.pdf", done=lambda r: r.content.startswith(b"%PDF"))


def ap_cohorts_page(w: World, role: str) -> Call:
    cid = _ap_cohort(w, member=None)
    return Call("/academy/cohorts", done=lambda r: f"/academy/cohorts/{cid}" in r.text)


def ap_create_cohort_page(w: World, role: str) -> Call:
    name = f"Autumn {w.serial()}"
    return Call("/academy/cohorts", form={"name": name}, status=303, location="/academy/cohorts/",
                done=lambda r: bool(_ap_read(w, "Cohort", name=name)))  # fmt: skip


def ap_cohort_page(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/academy/cohorts/{cid}", done=lambda r: "trainee@example.org" in r.text)


def ap_other_cohort_page(w: World, role: str) -> Call:
    cid = _ap_cohort(w, trainer="fresh")
    return Call(f"/academy/cohorts/{cid}", done=lambda r: "trainee@example.org" in r.text)


def ap_add_member_page(w: World, role: str) -> Call:
    cid, email = _ap_cohort(w, member=None), w.new_user().email
    return Call(f"/academy/cohorts/{cid}/members", form={"email": email}, status=303,
                location=f"/academy/cohorts/{cid}",
                done=lambda r: len(_ap_read(w, "CohortMember", cohort_id=cid)) == 1)  # fmt: skip


def ap_remove_member_page(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/academy/cohorts/{cid}/members/{w.uid('trainee')}/remove", form={},
                status=303, location=f"/academy/cohorts/{cid}",
                done=lambda r: not _ap_read(w, "CohortMember", cohort_id=cid))  # fmt: skip


def ap_assign_page(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/academy/cohorts/{cid}/assignments",
                form={"work": "module:facilitation", "due_on": "2027-05-01"}, status=303,
                location=f"/academy/cohorts/{cid}",
                done=lambda r: len(_ap_read(w, "Assignment", cohort_id=cid)) == 1)  # fmt: skip


def ap_chart(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/academy/cohorts/{cid}/chart.svg", done=lambda r: "<svg" in r.text)


def ap_academy_role_page(w: World, role: str) -> Call:
    target = w.new_user()
    return Call(f"/admin/users/{target.id}/academy-role", form={"academy_role": "trainer"},
                status=303, location="/admin/users",
                done=lambda r: _ap_role(w, target.id) == "trainer")  # fmt: skip


def _ap_role(w: World, user_id: int) -> str | None:
    with w.db.reader() as uow:
        return uow.session.get_one(User, user_id).academy_role


def ap_progress_api(w: World, role: str) -> Call:
    return Call("/api/v1/academy/progress",
                done=lambda r: r.json()["user_id"] == w.uid(_me(role)))  # fmt: skip


def ap_trainee_progress_api(w: World, role: str) -> Call:
    _ap_cohort(w)
    uid = w.uid("trainee")
    return Call(f"/api/v1/academy/progress?user_id={uid}",
                done=lambda r: r.json()["user_id"] == uid)  # fmt: skip


def ap_cohorts_api(w: World, role: str) -> Call:
    cid = _ap_cohort(w, member=None)
    return Call("/api/v1/academy/cohorts", done=lambda r: cid in [c["id"] for c in r.json()])


def ap_create_cohort_api(w: World, role: str) -> Call:
    return Call("/api/v1/academy/cohorts", json={"name": "Winter"}, status=201,
                done=lambda r: r.json()["trainer_id"] == w.uid(role))  # fmt: skip


def ap_cohort_api(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/api/v1/academy/cohorts/{cid}",
                done=lambda r: r.json()["trainees"][0]["user_id"] == w.uid("trainee"))  # fmt: skip


def ap_add_member_api(w: World, role: str) -> Call:
    cid, user = _ap_cohort(w, member=None), w.new_user()
    return Call(f"/api/v1/academy/cohorts/{cid}/members", json={"email": user.email},
                status=201, done=lambda r: r.json()["user_id"] == user.id)  # fmt: skip


def ap_remove_member_api(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/api/v1/academy/cohorts/{cid}/members/{w.uid('trainee')}", status=204,
                done=lambda r: not _ap_read(w, "CohortMember", cohort_id=cid))  # fmt: skip


def ap_assign_api(w: World, role: str) -> Call:
    cid = _ap_cohort(w)
    return Call(f"/api/v1/academy/cohorts/{cid}/assignments",
                json={"kind": "quiz", "ref": "mock", "due_on": "2027-05-01"}, status=201,
                done=lambda r: r.json()["ref"] == "mock")  # fmt: skip


# --- builders: academy path (add yours above this line) ---


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
        """Rows written before the Academy give seven cells: a trainee or a trainer has no role
        on the products of those rows, so each is tried there as an outsider is."""
        cells = self.cells.split()
        if len(cells) == PRODUCT_ROLES:
            cells += [cells[ROLES.index("outsider")]] * (len(ROLES) - PRODUCT_ROLES)
        return dict(zip(ROLES, cells, strict=True))

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


# Outcomes: ok = the action succeeds; login = pages redirect to /login (303), the API answers
# 401; 403 = the caller may see the product but their role may not do this; 404 = the caller
# may not see the product (or the thing is not theirs), exactly as if it did not exist;
# 409 = not possible any more (the first-run setup is closed once a user exists).
# Cells, in order: anonymous outsider viewer stakeholder member owner admin [trainee trainer].
# Rows with seven cells try the trainee and the trainer as outsiders (see Row.expected).
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
    Row("GET", "/products/{product_id}/releases", "Releases: list, progress, forecast",
        "login 404 ok ok ok ok ok", releases_page),
    Row("POST", "/products/{product_id}/releases", "Plan a release",
        "login 404 403 403 403 ok ok", create_release_page),
    Row("GET", "/releases/{release_id}", "A release: scope, readiness, notes",
        "login 404 ok ok ok ok ok", release_page),
    Row("POST", "/releases/{release_id}/edit", "Edit a release",
        "login 404 403 403 403 ok ok", edit_release_page),
    Row("GET", "/releases/{release_id}/scope", "A release's scope editor",
        "login 404 ok ok ok ok ok", release_scope_page),
    Row("POST", "/releases/{release_id}/items", "Add items to a release",
        "login 404 403 403 ok ok ok", release_add_page),
    Row("POST", "/releases/{release_id}/items/{item_id}/remove", "Take an item out of a release",
        "login 404 403 403 ok ok ok", release_remove_page),
    Row("POST", "/releases/{release_id}/checklist", "Tick a release's readiness checklist",
        "login 404 403 403 ok ok ok", release_tick_page),
    Row("POST", "/releases/{release_id}/notes", "Generate or edit release notes",
        "login 404 403 403 403 ok ok", release_notes_page),
    Row("POST", "/releases/{release_id}/release", "Release a version",
        "login 404 403 403 403 ok ok", release_now_page),
    Row("GET", "/releases/{release_id}/notes.md", "Download release notes (Markdown)",
        "login 404 ok ok ok ok ok", release_md_page),
    Row("GET", "/releases/{release_id}/notes.html", "Download release notes (HTML)",
        "login 404 ok ok ok ok ok", release_html_page),
    Row("GET", "/products/{product_id}/release-settings", "Release settings page",
        "login 404 ok ok ok ok ok", release_settings_page),
    Row("POST", "/products/{product_id}/release-settings",
        "Change the readiness checklist and the public changelog",
        "login 404 403 403 403 ok ok", save_release_settings_page),
    Row("GET", "/changelog/{product_id}", "Public changelog",
        "ok ok ok ok ok ok ok", changelog_page, "published"),
    Row("GET", "/changelog/{product_id}", "Public changelog",
        "404 404 404 404 404 404 404", changelog_off_page, "not published"),
    Row("GET", "/api/v1/products/{product_id}/releases", "List releases",
        "login 404 ok ok ok ok ok", releases_api),
    Row("POST", "/api/v1/products/{product_id}/releases", "Plan a release",
        "login 404 403 403 403 ok ok", create_release_api),
    Row("GET", "/api/v1/releases/{release_id}", "Read a release",
        "login 404 ok ok ok ok ok", release_api),
    Row("PATCH", "/api/v1/releases/{release_id}", "Edit a release or its notes",
        "login 404 403 403 403 ok ok", patch_release_api),
    Row("POST", "/api/v1/releases/{release_id}/items", "Add items to a release",
        "login 404 403 403 ok ok ok", release_add_api),
    Row("DELETE", "/api/v1/releases/{release_id}/items/{item_id}",
        "Take an item out of a release", "login 404 403 403 ok ok ok", release_remove_api),
    Row("PUT", "/api/v1/releases/{release_id}/checklist", "Tick a release's readiness checklist",
        "login 404 403 403 ok ok ok", release_tick_api),
    Row("POST", "/api/v1/releases/{release_id}/notes", "Generate release notes",
        "login 404 403 403 403 ok ok", release_notes_api),
    Row("POST", "/api/v1/releases/{release_id}/release", "Release a version",
        "login 404 403 403 403 ok ok", release_now_api),
    Row("GET", "/api/v1/products/{product_id}/release-settings", "Read the release settings",
        "login 404 ok ok ok ok ok", release_settings_api),
    Row("PATCH", "/api/v1/products/{product_id}/release-settings",
        "Change the readiness checklist or the public changelog",
        "login 404 403 403 403 ok ok", patch_release_settings_api),
    # --- rows: releases (add yours above this line) ---
    Row("GET", "/products/{product_id}/sprints", "Sprints, teams and sprint settings",
        "login 404 ok ok ok ok ok", sprints_page),
    Row("POST", "/products/{product_id}/sprints", "Plan a new sprint",
        "login 404 403 403 ok ok ok", create_sprint_page),
    Row("POST", "/products/{product_id}/sprint-settings", "Change the sprint settings",
        "login 404 403 403 403 ok ok", sprint_settings_page),
    Row("POST", "/products/{product_id}/teams", "Create a team",
        "login 404 403 403 403 ok ok", create_team_page),
    Row("POST", "/teams/{team_id}/rename", "Rename a team",
        "login 404 403 403 403 ok ok", rename_team_page),
    Row("POST", "/teams/{team_id}/delete", "Delete a team (without sprints)",
        "login 404 403 403 403 ok ok", delete_team_page),
    Row("POST", "/teams/{team_id}/members", "Add a team member or change their focus factor",
        "login 404 403 403 403 ok ok", team_member_page),
    Row("POST", "/teams/{team_id}/members/{user_id}/remove", "Remove a team member",
        "login 404 403 403 403 ok ok", remove_team_member_page),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/plan", "Sprint planning page",
        "login 404 ok ok ok ok ok", plan_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/edit",
        "Change a sprint's name, dates or goal", "login 404 403 403 ok ok ok", edit_sprint_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/items", "Add items to a sprint",
        "login 404 403 403 ok ok ok", plan_item_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/items/{item_id}/remove",
        "Take an item out of a sprint", "login 404 403 403 ok ok ok", unplan_item_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/days-off",
        "Record team members' days off", "login 404 403 403 ok ok ok", days_off_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/start", "Start a sprint",
        "login 404 403 403 ok ok ok", start_sprint_page),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/board", "Sprint board",
        "login 404 ok ok ok ok ok", board_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/board/{item_id}",
        "Move a card on the board (no-JS)", "login 404 403 403 ok ok ok", move_card_page),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/close", "Close a sprint: the form",
        "login 404 ok ok ok ok ok", close_form_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/close",
        "Close a sprint (spill-over)", "login 404 403 403 ok ok ok", close_sprint_page),
    Row("GET", "/api/v1/products/{product_id}/sprints", "List sprints",
        "login 404 ok ok ok ok ok", sprints_api),
    Row("POST", "/api/v1/products/{product_id}/sprints", "Plan a sprint",
        "login 404 403 403 ok ok ok", create_sprint_api),
    Row("GET", "/api/v1/sprints/{sprint_id}", "Read a sprint", "login 404 ok ok ok ok ok",
        sprint_api),
    Row("PATCH", "/api/v1/sprints/{sprint_id}", "Change a sprint's name, dates or goal",
        "login 404 403 403 ok ok ok", patch_sprint_api),
    Row("POST", "/api/v1/sprints/{sprint_id}/items", "Add items to a sprint",
        "login 404 403 403 ok ok ok", plan_items_api),
    Row("DELETE", "/api/v1/sprints/{sprint_id}/items/{item_id}", "Take an item out of a sprint",
        "login 404 403 403 ok ok ok", unplan_item_api),
    Row("POST", "/api/v1/sprints/{sprint_id}/start", "Start a sprint",
        "login 404 403 403 ok ok ok", start_sprint_api),
    Row("POST", "/api/v1/sprints/{sprint_id}/close", "Close a sprint (spill-over)",
        "login 404 403 403 ok ok ok", close_sprint_api),
    Row("GET", "/api/v1/products/{product_id}/teams", "List teams and members",
        "login 404 ok ok ok ok ok", teams_api),
    Row("POST", "/api/v1/products/{product_id}/teams", "Create a team",
        "login 404 403 403 403 ok ok", create_team_api),
    Row("GET", "/api/v1/products/{product_id}/sprint-settings", "Read the sprint settings",
        "login 404 ok ok ok ok ok", sprint_settings_api),
    Row("PATCH", "/api/v1/products/{product_id}/sprint-settings",
        "Change sprint length, capacity unit, WIP limits", "login 404 403 403 403 ok ok",
        patch_sprint_settings_api),
    # --- rows: sprints (add yours above this line) ---
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/review", "Sprint Review page",
        "login 404 ok ok ok ok ok", review_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/review",
        "Record the Sprint Review (verdict, notes, attendees; mark held)",
        "login 404 403 403 ok ok ok", save_review_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/review/feedback",
        "Note stakeholder feedback at the review", "login 404 403 ok ok ok ok", feedback_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/review/feedback/{feedback_id}/to-item",
        "Make a backlog item of feedback", "login 404 403 403 ok ok ok", feedback_to_item_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/review/feedback/{feedback_id}/delete",
        "Delete feedback of a review", "login 404 403 403 ok ok ok", delete_feedback_page),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/retro", "Retrospective page",
        "login 404 ok ok ok ok ok", retro_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/retro",
        "Choose the retro's format and dots", "login 404 403 403 ok ok ok", set_up_retro_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/retro/cards", "Add a retro card",
        "login 404 403 403 ok ok ok", add_card_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/retro/cards/{card_id}",
        "Edit a retro card", "login 404 403 403 ok ok ok", edit_card_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/retro/cards/{card_id}/delete",
        "Delete a retro card", "login 404 403 403 ok ok ok", delete_card_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/retro/cards/{card_id}/vote",
        "Put a dot on a retro card (or take it back)", "login 404 403 403 ok ok ok", vote_page),
    Row("POST", "/products/{product_id}/sprints/{sprint_id}/retro/actions",
        "Add an action item in a retro", "login 404 403 403 ok ok ok", retro_action_page),
    Row("GET", "/products/{product_id}/actions", "The product's action items",
        "login 404 ok ok ok ok ok", actions_page),
    Row("POST", "/products/{product_id}/actions", "Add an action item",
        "login 404 403 403 ok ok ok", add_action_page),
    Row("POST", "/products/{product_id}/actions/{action_id}",
        "Mark an action item done, dropped or open", "login 404 403 403 ok ok ok",
        update_action_page),
    Row("GET", "/api/v1/sprints/{sprint_id}/review", "Read the Sprint Review",
        "login 404 ok ok ok ok ok", review_api),
    Row("PUT", "/api/v1/sprints/{sprint_id}/review", "Record the Sprint Review",
        "login 404 403 403 ok ok ok", put_review_api, "verdict"),
    Row("PUT", "/api/v1/sprints/{sprint_id}/review",
        "Record progress toward the Product Goal", "login 404 403 403 403 ok ok",
        put_progress_api, "Product Goal progress"),
    Row("POST", "/api/v1/sprints/{sprint_id}/review/feedback", "Note stakeholder feedback",
        "login 404 403 ok ok ok ok", feedback_api),
    Row("POST", "/api/v1/review-feedback/{feedback_id}/to-item",
        "Make a backlog item of feedback", "login 404 403 403 ok ok ok", feedback_to_item_api),
    Row("GET", "/api/v1/sprints/{sprint_id}/retro", "Read the Retrospective",
        "login 404 ok ok ok ok ok", retro_api),
    Row("PUT", "/api/v1/sprints/{sprint_id}/retro", "Choose the retro's format and dots",
        "login 404 403 403 ok ok ok", put_retro_api),
    Row("POST", "/api/v1/sprints/{sprint_id}/retro/cards", "Add a retro card",
        "login 404 403 403 ok ok ok", add_card_api),
    Row("PATCH", "/api/v1/retro-cards/{card_id}", "Edit a retro card",
        "login 404 403 403 ok ok ok", edit_card_api),
    Row("DELETE", "/api/v1/retro-cards/{card_id}", "Delete a retro card",
        "login 404 403 403 ok ok ok", delete_card_api),
    Row("POST", "/api/v1/retro-cards/{card_id}/votes", "Put a dot on a retro card",
        "login 404 403 403 ok ok ok", vote_api),
    Row("DELETE", "/api/v1/retro-cards/{card_id}/votes", "Take one's dot back",
        "login 404 403 403 ok ok ok", unvote_api),
    Row("GET", "/api/v1/products/{product_id}/actions", "List action items",
        "login 404 ok ok ok ok ok", actions_api),
    Row("POST", "/api/v1/products/{product_id}/actions", "Add an action item",
        "login 404 403 403 ok ok ok", add_action_api),
    Row("PATCH", "/api/v1/actions/{action_id}", "Edit or close an action item",
        "login 404 403 403 ok ok ok", patch_action_api),
    # --- rows: ceremonies (add yours above this line) ---
    Row("GET", "/products/{product_id}/forecast", "Forecast page (and running a forecast)",
        "login 404 ok ok ok ok ok", forecast_page),
    Row("GET", "/products/{product_id}/forecast/{kind}.{extension}",
        "Download a forecast chart (SVG, PNG)", "login 404 ok ok ok ok ok", forecast_chart),
    Row("POST", "/products/{product_id}/forecast/excluded-days",
        "Leave days out of the throughput history", "login 404 403 403 403 ok ok",
        exclude_days_page),
    Row("POST", "/products/{product_id}/forecast/excluded-days/{day}/delete",
        "Put a day back into the throughput history", "login 404 403 403 403 ok ok",
        include_day_page),
    Row("POST", "/api/v1/products/{product_id}/forecast", "Run a Monte Carlo forecast",
        "login 404 ok ok ok ok ok", forecast_api),
    Row("GET", "/api/v1/products/{product_id}/forecast/excluded-days",
        "List the days left out of the history", "login 404 ok ok ok ok ok", excluded_days_api),
    Row("POST", "/api/v1/products/{product_id}/forecast/excluded-days",
        "Leave days out of the throughput history", "login 404 403 403 403 ok ok",
        exclude_days_api),
    Row("DELETE", "/api/v1/products/{product_id}/forecast/excluded-days/{day}",
        "Put a day back into the throughput history", "login 404 403 403 403 ok ok",
        include_day_api),
    # --- rows: forecasting (add yours above this line) ---
    Row("GET", "/products/{product_id}/reports", "Reports: flow charts over a date range",
        "login 404 ok ok ok ok ok", reports_page),
    Row("GET", "/products/{product_id}/reports/{kind}.svg", "Download a report chart as SVG",
        "login 404 ok ok ok ok ok", report_svg),
    Row("GET", "/products/{product_id}/reports/{kind}.png", "Download a report chart as PNG",
        "login 404 ok ok ok ok ok", report_png),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/charts",
        "A sprint's burndown and burnup", "login 404 ok ok ok ok ok", sprint_charts_page),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/charts/{kind}.svg",
        "Download a sprint chart as SVG", "login 404 ok ok ok ok ok", sprint_chart_svg),
    Row("GET", "/products/{product_id}/sprints/{sprint_id}/charts/{kind}.png",
        "Download a sprint chart as PNG", "login 404 ok ok ok ok ok", sprint_chart_png),
    Row("GET", "/api/v1/products/{product_id}/charts/{kind}", "A chart's data",
        "login 404 ok ok ok ok ok", chart_api),
    Row("GET", "/api/v1/products/{product_id}/snapshots", "The days snapshotted",
        "login 404 ok ok ok ok ok", snapshots_api),
    Row("GET", "/api/v1/items/{item_id}/history", "An item's daily snapshots",
        "login 404 ok ok ok ok ok", item_history_api),
    # --- rows: history (add yours above this line) ---
    Row("GET", "/products/{product_id}/feedback", "Feedback inbox",
        "login 404 ok ok ok ok ok", fb_inbox_page),
    Row("GET", "/products/{product_id}/feedback/new", "Enter feedback (form)",
        "login 404 ok ok ok ok ok", fb_new_page),
    Row("POST", "/products/{product_id}/feedback", "Enter feedback",
        "login 404 403 ok ok ok ok", fb_create_page),
    Row("GET", "/products/{product_id}/feedback/similar", "Similar feedback (while typing)",
        "login 404 ok ok ok ok ok", fb_similar_page),
    Row("GET", "/feedback/{feedback_id}", "One feedback", "login 404 ok ok ok ok ok", fb_page),
    Row("POST", "/feedback/{feedback_id}/edit", "Edit a feedback",
        "login 404 403 403 ok ok ok", fb_edit_page),
    Row("POST", "/feedback/{feedback_id}/state", "Triage a feedback",
        "login 404 403 403 ok ok ok", fb_state_page),
    Row("POST", "/feedback/{feedback_id}/delete", "Delete a feedback",
        "login 404 403 403 ok ok ok", fb_delete_page),
    Row("POST", "/feedback/{feedback_id}/links", "Link a feedback as evidence",
        "login 404 403 403 ok ok ok", fb_link_page),
    Row("POST", "/feedback/{feedback_id}/links/{link_id}/remove", "Remove a feedback's link",
        "login 404 403 403 ok ok ok", fb_unlink_page),
    Row("GET", "/items/{item_id}/evidence", "An item's evidence from feedback",
        "login 404 ok ok ok ok ok", fb_evidence_page),
    Row("POST", "/items/{item_id}/evidence/reach", "Use the evidence as RICE reach",
        "login 404 403 403 ok ok ok", fb_reach_page),
    Row("GET", "/products/{product_id}/customers", "Customers and segments",
        "login 404 ok ok ok ok ok", fb_customers_page),
    Row("POST", "/products/{product_id}/customers", "Add or edit a customer",
        "login 404 403 403 ok ok ok", fb_save_customer_page),
    Row("POST", "/products/{product_id}/customers/{customer_id}/delete", "Delete a customer",
        "login 404 403 403 ok ok ok", fb_delete_customer_page),
    Row("POST", "/products/{product_id}/segments", "Add or edit a segment (its weight)",
        "login 404 403 403 403 ok ok", fb_save_segment_page),
    Row("POST", "/products/{product_id}/segments/{segment_id}/delete", "Delete a segment",
        "login 404 403 403 403 ok ok", fb_delete_segment_page),
    Row("GET", "/products/{product_id}/feedback/import", "Import feedback (CSV upload form)",
        "login 404 403 403 ok ok ok", fb_import_page),
    Row("POST", "/products/{product_id}/feedback/import", "Upload a feedback CSV file",
        "login 404 403 403 ok ok ok", fb_upload_page),
    Row("GET", "/products/{product_id}/feedback/import/{token}",
        "Feedback import: column mapping and dry run", "login 404 403 403 ok ok ok",
        fb_dry_run_page),
    Row("POST", "/products/{product_id}/feedback/import/{token}", "Import feedback from CSV",
        "login 404 403 403 ok ok ok", fb_run_import_page),
    Row("GET", "/products/{product_id}/feedback/intake", "Feedback intake endpoint settings",
        "login 404 ok ok ok ok ok", fb_intake_page),
    Row("POST", "/products/{product_id}/feedback/intake", "Create or rotate the intake token",
        "login 404 403 403 403 ok ok", fb_create_token_page),
    Row("POST", "/products/{product_id}/feedback/intake/revoke", "Revoke the intake token",
        "login 404 403 403 403 ok ok", fb_revoke_token_page),
    Row("GET", "/api/v1/products/{product_id}/feedback", "The feedback inbox",
        "login 404 ok ok ok ok ok", fb_list_api),
    Row("POST", "/api/v1/products/{product_id}/feedback", "Enter feedback",
        "login 404 403 ok ok ok ok", fb_create_api),
    Row("GET", "/api/v1/feedback/{feedback_id}", "Read a feedback",
        "login 404 ok ok ok ok ok", fb_get_api),
    Row("PATCH", "/api/v1/feedback/{feedback_id}", "Edit or triage a feedback",
        "login 404 403 403 ok ok ok", fb_patch_api),
    Row("DELETE", "/api/v1/feedback/{feedback_id}", "Delete a feedback",
        "login 404 403 403 ok ok ok", fb_delete_api),
    Row("POST", "/api/v1/feedback/{feedback_id}/links", "Link a feedback as evidence",
        "login 404 403 403 ok ok ok", fb_link_api),
    Row("DELETE", "/api/v1/feedback/{feedback_id}/links/{link_id}", "Remove a feedback's link",
        "login 404 403 403 ok ok ok", fb_unlink_api),
    Row("POST", "/api/v1/products/{product_id}/intake",
        "Send feedback to the intake endpoint (with a person's token; the intake token works "
        "alone)", "login 404 403 403 ok ok ok", fb_intake_api),
    # --- rows: feedback (add yours above this line) ---
    Row("GET", "/products/{product_id}/portal", "Portal ideas overview",
        "login 404 ok ok ok ok ok", portal_overview_page),
    Row("GET", "/products/{product_id}/portal/settings", "Portal settings page",
        "login 404 403 403 403 ok ok", portal_settings_page),
    Row("POST", "/products/{product_id}/portal/settings", "Open, close and set up the portal",
        "login 404 403 403 403 ok ok", save_portal_settings_page),
    Row("GET", "/products/{product_id}/portal/moderation", "Portal moderation queue",
        "login 404 403 403 403 ok ok", portal_moderation_page),
    Row("POST", "/products/{product_id}/portal/moderation", "Approve or reject ideas in bulk",
        "login 404 403 403 403 ok ok", portal_moderate_page),
    Row("GET", "/ideas/{idea_id}", "An idea, as the team sees it",
        "login 404 ok ok ok ok ok", portal_idea_page),
    Row("POST", "/ideas/{idea_id}/status", "Set an idea's status",
        "login 404 403 403 403 ok ok", idea_status_page),
    Row("POST", "/ideas/{idea_id}/link", "Link an idea to a backlog item",
        "login 404 403 403 403 ok ok", idea_link_page),
    Row("POST", "/ideas/{idea_id}/merge", "Merge a duplicate idea",
        "login 404 403 403 403 ok ok", idea_merge_page),
    Row("POST", "/ideas/{idea_id}/reply", "Answer on an idea as the team",
        "login 404 403 ok ok ok ok", idea_reply_page),
    Row("POST", "/idea-comments/{comment_id}/hide", "Hide a portal comment",
        "login 404 403 403 403 ok ok", hide_idea_comment_page),
    Row("GET", "/portal/{slug}", "Public portal: the ideas",
        "ok ok ok ok ok ok ok", public_portal_page, "open"),
    Row("GET", "/portal/{slug}", "Public portal: the ideas",
        "404 404 404 404 404 404 404", closed_portal_page, "closed"),
    Row("GET", "/portal/{slug}/similar", "Public portal: similar ideas (fragment)",
        "ok ok ok ok ok ok ok", similar_ideas_page),
    Row("POST", "/portal/{slug}/ideas", "Public portal: suggest an idea",
        "ok ok ok ok ok ok ok", submit_idea_page),
    Row("GET", "/portal/{slug}/ideas/{idea_id}", "Public portal: an idea",
        "ok ok ok ok ok ok ok", public_idea_page),
    Row("POST", "/portal/{slug}/ideas/{idea_id}/vote", "Public portal: vote",
        "ok ok ok ok ok ok ok", portal_vote_page),
    Row("POST", "/portal/{slug}/ideas/{idea_id}/unvote", "Public portal: withdraw a vote",
        "ok ok ok ok ok ok ok", portal_unvote_page),
    Row("POST", "/portal/{slug}/ideas/{idea_id}/comments", "Public portal: comment",
        "ok ok ok ok ok ok ok", portal_idea_comment_page),
    Row("GET", "/api/v1/products/{product_id}/ideas", "List a product's portal ideas",
        "login 404 ok ok ok ok ok", ideas_api),
    Row("POST", "/api/v1/products/{product_id}/ideas", "Add an idea heard elsewhere",
        "login 404 403 403 ok ok ok", add_idea_api),
    Row("PATCH", "/api/v1/ideas/{idea_id}", "Set an idea's status or backlog link",
        "login 404 403 403 403 ok ok", patch_idea_api),
    # --- rows: portal (add yours above this line) ---
    Row("GET", "/products/{product_id}/themes", "Themes of the feedback",
        "login 404 ok ok ok ok ok", th_list_page),
    Row("POST", "/products/{product_id}/themes/recluster", "Re-cluster feedback into themes",
        "login 404 403 403 ok ok ok", th_recluster_page),
    Row("GET", "/clustering-runs/{run_id}/progress", "Progress of a re-clustering (fragment)",
        "login 404 ok ok ok ok ok", th_progress_page),
    Row("GET", "/themes/{theme_id}", "A theme and its feedback",
        "login 404 ok ok ok ok ok", th_theme_page),
    Row("POST", "/themes/{theme_id}/rename", "Rename a theme",
        "login 404 403 403 ok ok ok", th_rename_page),
    Row("POST", "/themes/{theme_id}/merge", "Merge a theme into another",
        "login 404 403 403 ok ok ok", th_merge_page),
    Row("POST", "/themes/{theme_id}/split", "Split feedback off into a new theme",
        "login 404 403 403 ok ok ok", th_split_page),
    Row("POST", "/themes/{theme_id}/move", "Move feedback to another theme",
        "login 404 403 403 ok ok ok", th_move_page),
    Row("GET", "/feedback/{feedback_id}/similar", "Similar feedback (fragment)",
        "login 404 ok ok ok ok ok", th_similar_page),
    Row("POST", "/feedback/{feedback_id}/merge-duplicate", "Merge a duplicate feedback",
        "login 404 403 403 ok ok ok", th_merge_duplicate_page),
    Row("GET", "/api/v1/products/{product_id}/themes", "A product's themes",
        "login 404 ok ok ok ok ok", th_list_api),
    Row("POST", "/api/v1/products/{product_id}/themes/recluster", "Start a re-clustering",
        "login 404 403 403 ok ok ok", th_recluster_api),
    Row("GET", "/api/v1/clustering-runs/{run_id}", "A re-clustering's progress",
        "login 404 ok ok ok ok ok", th_run_api),
    Row("GET", "/api/v1/themes/{theme_id}", "A theme with its members",
        "login 404 ok ok ok ok ok", th_theme_api),
    Row("PATCH", "/api/v1/themes/{theme_id}", "Rename a theme",
        "login 404 403 403 ok ok ok", th_rename_api),
    Row("POST", "/api/v1/themes/{theme_id}/merge", "Merge a theme into another",
        "login 404 403 403 ok ok ok", th_merge_api),
    Row("POST", "/api/v1/themes/{theme_id}/split", "Split feedback off into a new theme",
        "login 404 403 403 ok ok ok", th_split_api),
    Row("POST", "/api/v1/themes/{theme_id}/members", "Move feedback into a theme",
        "login 404 403 403 ok ok ok", th_move_api),
    Row("GET", "/api/v1/feedback/{feedback_id}/similar", "Similar feedback",
        "login 404 ok ok ok ok ok", th_similar_api),
    Row("POST", "/api/v1/feedback/{feedback_id}/merge", "Merge a duplicate feedback",
        "login 404 403 403 ok ok ok", th_merge_duplicate_api),
    # --- rows: themes (add yours above this line) ---
    Row("GET", "/products/{product_id}/signals", "Signals: trends and market signals",
        "login 404 ok ok ok ok ok", signals_page),
    Row("POST", "/signals/{signal_id}/state", "Triage a market signal",
        "login 404 403 403 ok ok ok", signal_state_page),
    Row("POST", "/signals/{signal_id}/link", "Link a market signal to an opportunity",
        "login 404 403 403 ok ok ok", signal_link_page),
    Row("POST", "/signals/{signal_id}/item", "Make a backlog item of a market signal",
        "login 404 403 403 ok ok ok", signal_item_page),
    Row("GET", "/products/{product_id}/watch", "Feeds and watchlists",
        "login 404 ok ok ok ok ok", watch_page),
    Row("POST", "/products/{product_id}/feeds", "Follow a feed",
        "login 404 403 403 403 ok ok", add_feed_page),
    Row("POST", "/feeds/{feed_id}/edit", "Rename, pause or resume a feed",
        "login 404 403 403 403 ok ok", edit_feed_page),
    Row("POST", "/feeds/{feed_id}/delete", "Stop following a feed",
        "login 404 403 403 403 ok ok", delete_feed_page),
    Row("POST", "/products/{product_id}/watch/fetch", "Fetch the feeds now",
        "login 404 403 403 403 ok ok", fetch_feeds_page),
    Row("POST", "/products/{product_id}/watchlists", "Create a watchlist",
        "login 404 403 403 403 ok ok", add_watchlist_page),
    Row("POST", "/watchlists/{watchlist_id}/edit", "Change a watchlist",
        "login 404 403 403 403 ok ok", edit_watchlist_page),
    Row("POST", "/watchlists/{watchlist_id}/delete", "Delete a watchlist",
        "login 404 403 403 403 ok ok", delete_watchlist_page),
    Row("GET", "/api/v1/products/{product_id}/signals", "List trends and market signals",
        "login 404 ok ok ok ok ok", signals_api),
    Row("PATCH", "/api/v1/signals/{signal_id}", "Triage or link a market signal",
        "login 404 403 403 ok ok ok", patch_signal_api),
    Row("GET", "/api/v1/products/{product_id}/feeds", "List the followed feeds",
        "login 404 ok ok ok ok ok", feeds_api),
    Row("POST", "/api/v1/products/{product_id}/feeds", "Follow a feed",
        "login 404 403 403 403 ok ok", create_feed_api),
    Row("DELETE", "/api/v1/feeds/{feed_id}", "Stop following a feed",
        "login 404 403 403 403 ok ok", delete_feed_api),
    Row("GET", "/api/v1/products/{product_id}/watchlists", "List the watchlists",
        "login 404 ok ok ok ok ok", watchlists_api),
    Row("POST", "/api/v1/products/{product_id}/watchlists", "Create a watchlist",
        "login 404 403 403 403 ok ok", create_watchlist_api),
    Row("DELETE", "/api/v1/watchlists/{watchlist_id}", "Delete a watchlist",
        "login 404 403 403 403 ok ok", delete_watchlist_api),
    # --- rows: signals (add yours above this line) ---
    Row("GET", "/products/{product_id}/discovery/tree", "Opportunity solution tree",
        "login 404 ok ok ok ok ok", dz_tree_page),
    Row("POST", "/products/{product_id}/discovery/tree/nodes", "Add a node to the tree",
        "login 404 403 403 ok ok ok", dz_add_node_page),
    Row("GET", "/discovery/nodes/{node_id}", "A node of the tree", "login 404 ok ok ok ok ok",
        dz_node_page),
    Row("POST", "/discovery/nodes/{node_id}/edit", "Edit a node", "login 404 403 403 ok ok ok",
        dz_edit_node_page),
    Row("POST", "/discovery/nodes/{node_id}/move", "Move a node", "login 404 403 403 ok ok ok",
        dz_move_node_page),
    Row("POST", "/discovery/nodes/{node_id}/delete", "Delete a node and its subtree",
        "login 404 403 403 ok ok ok", dz_delete_node_page),
    Row("POST", "/discovery/nodes/{node_id}/hypothesis", "Write a hypothesis",
        "login 404 403 403 ok ok ok", dz_hypothesis_page),
    Row("POST", "/discovery/nodes/{node_id}/experiments", "Plan an experiment",
        "login 404 403 403 ok ok ok", dz_add_experiment_page),
    Row("GET", "/discovery/experiments/{experiment_id}", "An experiment",
        "login 404 ok ok ok ok ok", dz_experiment_page),
    Row("POST", "/discovery/experiments/{experiment_id}/edit",
        "Edit an experiment's plan or record its result", "login 404 403 403 ok ok ok",
        dz_edit_experiment_page),
    Row("POST", "/discovery/experiments/{experiment_id}/decision",
        "Decide on an experiment (may create backlog items)", "login 404 403 403 ok ok ok",
        dz_decide_page),
    Row("GET", "/products/{product_id}/discovery/assumptions", "Assumption map",
        "login 404 ok ok ok ok ok", dz_map_page),
    Row("GET", "/products/{product_id}/discovery/assumption-map.{extension}",
        "Download the assumption map (SVG, PNG)", "login 404 ok ok ok ok ok", dz_map_download),
    Row("GET", "/products/{product_id}/discovery/ab", "A/B calculator",
        "login 404 ok ok ok ok ok", dz_ab_page),
    Row("GET", "/products/{product_id}/discovery/vision", "Vision board and personas",
        "login 404 ok ok ok ok ok", dz_board_page),
    Row("POST", "/products/{product_id}/discovery/vision", "Edit the product vision board",
        "login 404 403 403 403 ok ok", dz_save_board_page),
    Row("POST", "/products/{product_id}/discovery/personas", "Add a persona",
        "login 404 403 403 ok ok ok", dz_add_persona_page),
    Row("POST", "/discovery/personas/{persona_id}/edit", "Edit a persona",
        "login 404 403 403 ok ok ok", dz_edit_persona_page),
    Row("POST", "/discovery/personas/{persona_id}/delete", "Delete a persona",
        "login 404 403 403 ok ok ok", dz_delete_persona_page),
    Row("GET", "/api/v1/products/{product_id}/tree", "The opportunity solution tree",
        "login 404 ok ok ok ok ok", dz_tree_api),
    Row("POST", "/api/v1/products/{product_id}/tree/nodes", "Add a node to the tree",
        "login 404 403 403 ok ok ok", dz_add_node_api),
    Row("PUT", "/api/v1/tree/nodes/{node_id}/hypothesis", "Write a hypothesis",
        "login 404 403 403 ok ok ok", dz_hypothesis_api),
    Row("POST", "/api/v1/tree/nodes/{node_id}/experiments", "Plan an experiment",
        "login 404 403 403 ok ok ok", dz_add_experiment_api),
    Row("GET", "/api/v1/experiments/{experiment_id}", "An experiment",
        "login 404 ok ok ok ok ok", dz_experiment_api),
    Row("POST", "/api/v1/experiments/{experiment_id}/decision",
        "Decide on an experiment (may create backlog items)", "login 404 403 403 ok ok ok",
        dz_decide_api),
    Row("POST", "/api/v1/ab/test", "A/B test: two proportions", "login ok ok ok ok ok ok",
        dz_ab_test_api),
    Row("POST", "/api/v1/ab/sample-size", "A/B sample size", "login ok ok ok ok ok ok",
        dz_ab_size_api),
    # --- rows: discovery (add yours above this line) ---
    Row("GET", "/academy/scenarios", "Academy scenarios, and one's own runs",
        "login ok ok ok ok ok ok ok ok", ac_scenarios_page),
    Row("POST", "/academy/runs", "Start a scenario on a new sandbox product",
        "login ok ok ok ok ok ok ok ok", ac_start_page),
    Row("GET", "/academy/runs/{run_id}", "A run: its turn and last outcome (trainee's run)",
        "login 403 403 403 403 403 ok ok ok", ac_run_page),
    Row("POST", "/academy/runs/{run_id}/sprint", "Play the next sprint of one's own run",
        "login 403 403 403 403 403 403 ok 403", ac_play_page),
    Row("POST", "/academy/runs/{run_id}/abandon", "Abandon one's own run",
        "login 403 403 403 403 403 403 ok 403", ac_abandon_page),
    Row("GET", "/academy/runs/{run_id}/log.json", "Download a run's decisions log",
        "login 403 403 403 403 403 ok ok ok", ac_log_page),
    Row("GET", "/academy/runs/{run_id}/debrief", "A run's debrief",
        "login 403 403 403 403 403 ok ok ok", ac_debrief_page),
    Row("GET", "/academy/runs/{run_id}/debrief.html", "Download a run's debrief (HTML)",
        "login 403 403 403 403 403 ok ok ok", ac_debrief_html),
    Row("GET", "/academy/runs/{run_id}/debrief.pdf", "Download a run's debrief (PDF)",
        "login 403 403 403 403 403 ok ok ok", ac_debrief_pdf),
    Row("GET", "/api/v1/academy/scenarios", "The Academy scenarios",
        "login ok ok ok ok ok ok ok ok", ac_scenarios_api),
    Row("POST", "/api/v1/academy/runs", "Start a scenario on a new sandbox product",
        "login ok ok ok ok ok ok ok ok", ac_start_api),
    Row("GET", "/api/v1/academy/runs", "One's own runs", "login ok ok ok ok ok ok ok ok",
        ac_runs_api),
    Row("GET", "/api/v1/academy/runs/{run_id}", "A run and its next turn (trainee's run)",
        "login 403 403 403 403 403 ok ok ok", ac_run_api),
    Row("POST", "/api/v1/academy/runs/{run_id}/sprint", "Play the next sprint of one's own run",
        "login 403 403 403 403 403 403 ok 403", ac_play_api),
    Row("GET", "/api/v1/academy/runs/{run_id}/debrief", "A run's debrief",
        "login 403 403 403 403 403 ok ok ok", ac_debrief_api),
    Row("GET", "/api/v1/academy/runs/{run_id}/replay", "Replay a run's log from its seed",
        "login 403 403 403 403 403 ok ok ok", ac_replay_api),
    # --- rows: academy runs (add yours above this line) ---
    Row("GET", "/academy/quiz", "PSPO I practice: start a quiz, one's latest quizzes",
        "login ok ok ok ok ok ok ok ok", aq_home_page),
    Row("POST", "/academy/quizzes", "Start a practice quiz or a mock assessment",
        "login ok ok ok ok ok ok ok ok", aq_start_page),
    Row("GET", "/academy/quizzes/{quiz_id}", "A quiz: its question, or its result and review",
        "login 403 403 403 403 403 ok ok ok", aq_quiz_page),
    Row("GET", "/academy/quizzes/{quiz_id}/topics.{extension}",
        "A handed-in quiz's chart by topic (SVG, PNG)",
        "login 403 403 403 403 403 ok ok ok", aq_topics_chart),
    Row("POST", "/academy/quizzes/{quiz_id}/answers", "Answer a question of one's own quiz",
        "login 403 403 403 403 403 403 ok 403", aq_answer_page),
    Row("POST", "/academy/quizzes/{quiz_id}/finish", "Hand in one's own quiz",
        "login 403 403 403 403 403 403 ok 403", aq_finish_page),
    Row("GET", "/academy/questions", "The question bank with item statistics",
        "login 403 403 403 403 403 ok 403 ok", aq_questions_page),
    Row("GET", "/academy/bank", "Import and export the question bank",
        "login 403 403 403 403 403 ok 403 ok", aq_bank_page),
    Row("POST", "/academy/bank/import", "Import questions (YAML or GIFT)",
        "login 403 403 403 403 403 ok 403 ok", aq_import_page),
    Row("GET", "/academy/bank/export", "Export the question bank (YAML or GIFT)",
        "login 403 403 403 403 403 ok 403 ok", aq_export_page),
    Row("GET", "/academy/attributions", "The bank's licence and attributions (public)",
        "ok ok ok ok ok ok ok ok ok", aq_attributions_page),
    Row("GET", "/api/v1/academy/questions", "The question bank with item statistics",
        "login 403 403 403 403 403 ok 403 ok", aq_questions_api),
    Row("POST", "/api/v1/academy/quizzes", "Start a practice quiz or a mock assessment",
        "login ok ok ok ok ok ok ok ok", aq_start_api),
    Row("GET", "/api/v1/academy/quizzes/{quiz_id}", "A quiz: next question, or result and review",
        "login 403 403 403 403 403 ok ok ok", aq_quiz_api),
    Row("POST", "/api/v1/academy/quizzes/{quiz_id}/answers", "Answer a question of one's own quiz",
        "login 403 403 403 403 403 403 ok 403", aq_answer_api),
    Row("POST", "/api/v1/academy/quizzes/{quiz_id}/finish", "Hand in one's own quiz",
        "login 403 403 403 403 403 403 ok 403", aq_finish_api),
    # --- rows: academy quiz (add yours above this line) ---
    Row("GET", "/academy", "Academy home (one's own work; a trainer's cohorts)",
        "login ok ok ok ok ok ok ok ok", ap_home_page),
    Row("GET", "/academy/path", "One's learning path and progress",
        "login ok ok ok ok ok ok ok ok", ap_path_page),
    Row("GET", "/academy/path", "A trainee's path (their trainer, administrators)",
        "login 403 403 403 403 403 ok ok ok", ap_trainee_path_page, variant="a trainee's"),
    Row("GET", "/academy/modules/{key}", "A module: lesson, exercise, quiz",
        "login ok ok ok ok ok ok ok ok", ap_module_page),
    Row("POST", "/academy/modules/{key}/read", "Mark a lesson as read",
        "login ok ok ok ok ok ok ok ok", ap_read_page),
    Row("POST", "/academy/modules/{key}/check", "Check one's exercise in one's sandbox",
        "login ok ok ok ok ok ok ok ok", ap_check_page),
    Row("POST", "/academy/sandbox", "Open one's practice sandbox",
        "login ok ok ok ok ok ok ok ok", ap_sandbox_page),
    Row("GET", "/academy/certificate.pdf", "Certificate of completion (once every module is "
        "complete: 409 before)", "login 409 409 409 409 409 409 409 409", ap_certificate),
    Row("GET", "/academy/cohorts", "Cohorts one trains (every cohort for administrators)",
        "login 403 403 403 403 403 ok 403 ok", ap_cohorts_page),
    Row("POST", "/academy/cohorts", "Create a cohort", "login 403 403 403 403 403 ok 403 ok",
        ap_create_cohort_page),
    Row("GET", "/academy/cohorts/{cohort_id}", "A cohort and its results dashboard",
        "login 403 403 403 403 403 ok 403 ok", ap_cohort_page),
    Row("GET", "/academy/cohorts/{cohort_id}", "Another trainer's cohort: 404",
        "login 403 403 403 403 403 ok 403 404", ap_other_cohort_page, variant="another trainer's"),
    Row("POST", "/academy/cohorts/{cohort_id}/members", "Add a trainee by e-mail",
        "login 403 403 403 403 403 ok 403 ok", ap_add_member_page),
    Row("POST", "/academy/cohorts/{cohort_id}/members/{user_id}/remove",
        "Remove a trainee from a cohort", "login 403 403 403 403 403 ok 403 ok",
        ap_remove_member_page),
    Row("POST", "/academy/cohorts/{cohort_id}/assignments", "Assign work to a cohort",
        "login 403 403 403 403 403 ok 403 ok", ap_assign_page),
    Row("GET", "/academy/cohorts/{cohort_id}/chart.{extension}",
        "Download the cohort's results chart (SVG, PNG)", "login 403 403 403 403 403 ok 403 ok",
        ap_chart),
    Row("POST", "/admin/users/{user_id}/academy-role", "Set a person's Academy role",
        "login 403 403 403 403 403 ok 403 403", ap_academy_role_page),
    Row("GET", "/api/v1/academy/progress", "One's learning path progress",
        "login ok ok ok ok ok ok ok ok", ap_progress_api),
    Row("GET", "/api/v1/academy/progress", "A trainee's progress (their trainer, admins)",
        "login 403 403 403 403 403 ok ok ok", ap_trainee_progress_api, variant="a trainee's"),
    Row("GET", "/api/v1/academy/cohorts", "Cohorts one trains",
        "login 403 403 403 403 403 ok 403 ok", ap_cohorts_api),
    Row("POST", "/api/v1/academy/cohorts", "Create a cohort",
        "login 403 403 403 403 403 ok 403 ok", ap_create_cohort_api),
    Row("GET", "/api/v1/academy/cohorts/{cohort_id}", "A cohort with its trainees' results",
        "login 403 403 403 403 403 ok 403 ok", ap_cohort_api),
    Row("POST", "/api/v1/academy/cohorts/{cohort_id}/members", "Add a trainee by e-mail",
        "login 403 403 403 403 403 ok 403 ok", ap_add_member_api),
    Row("DELETE", "/api/v1/academy/cohorts/{cohort_id}/members/{user_id}",
        "Remove a trainee from a cohort", "login 403 403 403 403 403 ok 403 ok",
        ap_remove_member_api),
    Row("POST", "/api/v1/academy/cohorts/{cohort_id}/assignments", "Assign work to a cohort",
        "login 403 403 403 403 403 ok 403 ok", ap_assign_api),
    # --- rows: academy path (add yours above this line) ---
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
def world(app: FastAPI, db: Database, client: TestClient) -> Iterator[World]:
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
    oks = [r for r in ("admin", *ROLES) if row.expected[r] == "ok"]  # one's own run: trainee
    role = oks[0] if oks else "anonymous"
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


def test_the_snapshot_sees_every_insert_and_update(world: World) -> None:
    """The matrix's proof that a refused call wrote nothing is only as good as this."""
    before = snapshot(world.db)
    pid, _name = world.product()
    added = snapshot(world.db)
    assert "products" in _changed_tables(before, added)
    product_services.update_product(
        world.db.uow(), product_id=pid, actor=world.actor("owner"), changes={"vision": "Changed"}
    )
    assert "products" in _changed_tables(added, snapshot(world.db))  # an update, not a new row
    assert _changed_tables(added, added) == []


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
    (
        "Sign-in, account and administration pages",
        lambda p: not p.startswith(("/api", "/prod", "/academy")),
    ),
    ("Product pages", lambda p: p.startswith("/products")),
    ("Academy pages", lambda p: p.startswith("/academy")),
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
