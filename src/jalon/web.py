"""What every route shares: the request context, templates, CSRF and error rendering.

Exactly one helper, `render()`, decides between a full page and an HTMX fragment.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

import nh3
from babel.dates import format_datetime
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from jalon import activity, i18n
from jalon.accounts import queries as account_queries
from jalon.accounts import rules as account_rules
from jalon.accounts import services as account_services
from jalon.accounts.models import User
from jalon.db import utcnow
from jalon.errors import Forbidden, Unauthenticated, translate
from jalon.permissions import ROLE_LABELS, Actor, Role
from jalon.products.rules import STAGE_LABELS, Stage
from jalon.settings import Settings
from jalon.uow import Database

SESSION_COOKIE = "jalon_session"
CSRF_COOKIE = "jalon_csrf"
LANG_COOKIE = "jalon_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
INTAKE_TOKEN_PREFIX = "jif_"  # noqa: S105 - a visible prefix (feedback intake tokens)

# The error answers every API route may give, for the OpenAPI schema (`responses=`).
API_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not authenticated"},
    403: {"description": "Role may not act"},
    404: {"description": "Unknown id"},
    422: {"description": "Invalid input, per field"},
}


@dataclass
class Ctx:
    """Who is asking and in which language; built once per request by the middleware."""

    settings: Settings
    db: Database
    user: User | None = None
    session_token: str | None = None
    via_token: bool = False
    language: str = "en"
    csrf_nonce: str = ""
    new_csrf_nonce: bool = False
    gettext: Callable[[str], str] = field(default=str)

    @property
    def actor(self) -> Actor:
        if self.user is None:
            raise Unauthenticated("Sign in to continue.")
        return Actor(self.user.id, self.user.label, is_admin=self.user.is_admin)

    @property
    def csrf_token(self) -> str:
        key = self.settings.secret_key.encode()
        return hmac.new(key, self.csrf_nonce.encode(), hashlib.sha256).hexdigest()


def current_ctx(request: Request) -> Ctx:
    ctx: Ctx = request.state.ctx
    return ctx


async def get_ctx(request: Request) -> Ctx:
    """The request's context (async: FastAPI would run a plain function on a worker thread)."""
    return current_ctx(request)


CtxDep = Annotated[Ctx, Depends(get_ctx)]


async def require_actor(ctx: CtxDep) -> Actor:
    return ctx.actor


ActorDep = Annotated[Actor, Depends(require_actor)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def build_ctx(request: Request, settings: Settings, db: Database) -> Ctx:
    ctx = Ctx(settings=settings, db=db)
    token = _bearer(request)
    if token is not None and token.startswith(INTAKE_TOKEN_PREFIX):
        token = None  # a product's feedback intake token: its endpoint checks it (feedback/api.py)
    if token is not None:
        found_token = account_queries.user_for_api_token(db.reader(), token)
        if found_token is None:
            raise Unauthenticated("This API token is not valid, or has been revoked.")
        ctx.user, api_token = found_token
        ctx.via_token = True
        if account_rules.token_use_is_stale(api_token.last_used_at, now=utcnow()):
            account_services.record_token_use(db.uow(), token_id=api_token.id)
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        found = account_queries.user_for_session(db.reader(), cookie)
        if found is not None:
            ctx.user, ctx.session_token = found[0], cookie
    ctx.csrf_nonce = request.cookies.get(CSRF_COOKIE, "")
    if len(ctx.csrf_nonce) < 20:
        ctx.csrf_nonce, ctx.new_csrf_nonce = secrets.token_urlsafe(24), True
    ctx.language = pick_language(request, ctx.user, settings)
    ctx.gettext = i18n.gettext_for(ctx.language)
    return ctx


def pick_language(request: Request, user: User | None, settings: Settings) -> str:
    if user is not None and user.language in i18n.LANGUAGES:
        return user.language
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in i18n.LANGUAGES:
        return cookie
    return i18n.negotiate(request.headers.get("accept-language", ""), settings.default_language)


async def verify_csrf(request: Request, ctx: CtxDep) -> None:
    """Every unsafe request from a browser carries the token of its CSRF cookie.

    The token is an HMAC of the cookie's random nonce, sent as a form field or as the
    X-CSRF-Token header (HTMX sends the header). API calls with a bearer token are exempt,
    since browsers never add that header on their own.
    """
    if request.method not in UNSAFE or ctx.via_token:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = str(form.get(CSRF_FIELD, ""))
    if ctx.new_csrf_nonce or not hmac.compare_digest(sent, ctx.csrf_token):
        if ctx.user is None and request.url.path.startswith("/api/"):
            # An API call with neither token nor session: say what is missing (401).
            raise Unauthenticated("Sign in to continue.")
        raise Forbidden(
            "This form has expired or did not come from Jalon. Reload the page and try again."
        )


def set_cookie(
    response: Response,
    request: Request,
    ctx: Ctx,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        path="/",
        secure=ctx.settings.cookie_secure or request.url.scheme == "https",
    )


def safe_next(target: str | None, default: str = "/products") -> str:
    """Only local paths are followed after sign-in or a language switch (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(url: str, request: Request | None = None) -> Response:
    """303 after a form; HTMX gets HX-Redirect so the whole page changes."""
    if request is not None and request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(target)}", request)


# --- templates ---------------------------------------------------------------------------

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str) -> Markup:
    """User Markdown rendered to HTML, then sanitised (no scripts, no event handlers)."""
    html = _md.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S704


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("jalon", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown
    env.globals["LANGUAGES"] = i18n.LANGUAGES
    return env


def compile_templates() -> int:
    """Compile every page template now rather than on its first request; returns how many."""
    env = templates()
    names = env.list_templates(extensions=("html",))
    for name in names:
        env.get_template(name)
    return len(names)


def _when(ctx: Ctx) -> Callable[[datetime | None, str], str]:
    def when(value: datetime | None, fmt: str = "medium") -> str:
        return format_datetime(value, fmt, locale=ctx.language) if value else ""

    return when


def _value_label(gettext: Callable[[str], str]) -> Callable[[str, object], str]:
    """How a changed value reads in the activity log: stages and roles by their names."""

    def label(field: str, value: object) -> str:
        if field == "stage" and value in STAGE_LABELS:
            return gettext(STAGE_LABELS[Stage(str(value))])
        if field == "role" and value in ROLE_LABELS:
            return gettext(ROLE_LABELS[Role(str(value))])
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if field == "language" and value in i18n.LANGUAGES:
            return i18n.LANGUAGES[str(value)]
        return str(value)

    return label


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    """The one place that decides page or fragment: HTMX requests get `fragment` if given."""
    ctx = current_ctx(request)
    name = fragment if fragment and request.headers.get("hx-request") else template
    values = {
        "request": request,
        "ctx": ctx,
        "user": ctx.user,
        "_": ctx.gettext,
        "tr": lambda m: translate(m, ctx.gettext),
        "when": _when(ctx),
        "describe": lambda e: activity.describe(e, ctx.gettext),
        "field_label": lambda n: activity.field_label(n, ctx.gettext),
        "value_label": _value_label(ctx.gettext),
        "csrf_token": ctx.csrf_token,
        "lang": ctx.language,
        **(context or {}),
    }
    html = templates().get_template(name).render(values)
    return HTMLResponse(html, status_code=status)
