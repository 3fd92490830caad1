"""The public portal: pages anyone can open without signing in (at /portal/{slug}).

Forms carry the CSRF token of the visitor's cookie like every form of Jalon. A visitor is
known by a signed `jalon_voter` cookie, set on their first vote."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.errors import JalonError, TooManyRequests
from jalon.portal import queries, rules
from jalon.portal.visitor import services
from jalon.web import CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
VOTER_COOKIE = "jalon_voter"
VOTER_DAYS = 400


def _client(request: Request, ctx: web.Ctx) -> str:
    host = request.client.host if request.client else ""
    return rules.client_key(host, ctx.settings.secret_key)


def _voter(request: Request, ctx: web.Ctx) -> str | None:
    return rules.read_voter(request.cookies.get(VOTER_COOKIE, ""), ctx.settings.secret_key)


def _base(slug: str) -> dict[str, Any]:
    return {"slug": slug, "status_labels": rules.STATUS_LABELS, "errors": {}, "form": {}}


def _refused(exc: JalonError, ctx: web.Ctx) -> dict[str, Any]:
    """What a refused public form shows: its field messages and the error itself."""
    if not (exc.refused_form or isinstance(exc, TooManyRequests)):
        raise exc
    return {
        "errors": exc.render_fields(ctx.gettext),
        "problem": exc.render(ctx.gettext),
        "retry_after": getattr(exc, "retry_after", 0),
    }


def _render(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    response = web.render(request, template, context, status=status)
    if status == 429 and (wait := context.get("retry_after")):
        response.headers["Retry-After"] = str(wait)
    return response


# --- the list and the submit form -------------------------------------------------------------


def _portal_page(
    request: Request, ctx: web.Ctx, slug: str, *, status: int = 200, **extra: Any
) -> Response:
    sort = request.query_params.get("sort", "votes")
    sort = sort if sort in rules.SORTS else "votes"
    wanted = request.query_params.get("status", "")
    raw_topic = request.query_params.get("topic", "")
    topic = int(raw_topic) if raw_topic.isdigit() else None
    found = queries.public_portal(
        ctx.db.reader(), slug=slug, sort=sort, status=wanted, voter=_voter(request, ctx),
        topic=topic,
    )  # fmt: skip
    context = {
        **_base(slug),
        "portal": found,
        "sort": sort,
        "wanted": wanted,
        "topic": topic,
        "submitted": request.query_params.get("submitted") == "1",
        **extra,
    }
    return _render(request, "portal/public.html", context, status)


@router.get("/portal/{slug}")
def portal(request: Request, ctx: CtxDep, slug: str) -> Response:
    return _portal_page(request, ctx, slug)


@router.get("/portal/{slug}/similar")
def similar(request: Request, ctx: CtxDep, slug: str, title: str = "") -> Response:
    """HTMX fragment: published ideas like the title being typed."""
    rows = queries.similar_ideas(ctx.db.reader(), slug=slug, text=title[: rules.MAX_TITLE])
    context = {**_base(slug), "rows": rows}
    return web.render(request, "portal/_similar.html", context)


@router.post("/portal/{slug}/ideas")
def submit(
    request: Request, ctx: CtxDep, slug: str, title: Text = "", description: Text = "",
    name: Text = "", email: Text = "", website: Text = "",
) -> Response:  # fmt: skip
    """Submit an idea; `website` is the honeypot (hidden; people leave it empty)."""
    form = {"title": title, "description": description, "name": name, "email": email}
    try:
        services.submit_idea(
            ctx.db.uow(), slug=slug, title=title, description=description, name=name,
            email=email, honeypot=website, client=_client(request, ctx),
        )  # fmt: skip
    except JalonError as exc:
        extra = {**_refused(exc, ctx), "form": form}
        return _portal_page(request, ctx, slug, status=exc.status, **extra)
    return web.redirect(f"/portal/{slug}?submitted=1#submit", request)


# --- one idea: votes and comments -------------------------------------------------------------


def _idea_page(
    request: Request, ctx: web.Ctx, slug: str, idea_id: int, *, status: int = 200, **extra: Any
) -> Response:
    found = queries.public_idea(
        ctx.db.reader(), slug=slug, idea_id=idea_id, voter=_voter(request, ctx)
    )
    if found.moved_to is not None:
        return web.redirect(f"/portal/{slug}/ideas/{found.moved_to}", request)
    context = {**_base(slug), "found": found, "row": found.row, **extra}
    return _render(request, "portal/public_idea.html", context, status)


@router.get("/portal/{slug}/ideas/{idea_id}")
def idea(request: Request, ctx: CtxDep, slug: str, idea_id: int) -> Response:
    return _idea_page(request, ctx, slug, idea_id)


@router.post("/portal/{slug}/ideas/{idea_id}/vote")
def vote(request: Request, ctx: CtxDep, slug: str, idea_id: int, email: Text = "") -> Response:
    voter = _voter(request, ctx) or secrets.token_urlsafe(18)
    try:
        voted = services.vote(
            ctx.db.uow(), slug=slug, idea_id=idea_id, voter=voter, email=email,
            client=_client(request, ctx),
        )  # fmt: skip
    except JalonError as exc:
        extra = {**_refused(exc, ctx), "form": {"email": email}}
        return _idea_page(request, ctx, slug, idea_id, status=exc.status, **extra)
    response = web.redirect(f"/portal/{slug}/ideas/{voted.id}#votes", request)
    cookie = rules.sign_voter(voter, ctx.settings.secret_key)
    web.set_cookie(response, request, ctx, VOTER_COOKIE, cookie, max_age=VOTER_DAYS * 86400)
    return response


@router.post("/portal/{slug}/ideas/{idea_id}/unvote")
def unvote(request: Request, ctx: CtxDep, slug: str, idea_id: int) -> Response:
    voter = _voter(request, ctx)
    target = idea_id
    if voter is not None:
        try:
            target = services.withdraw_vote(
                ctx.db.uow(), slug=slug, idea_id=idea_id, voter=voter, client=_client(request, ctx)
            ).id
        except JalonError as exc:
            return _idea_page(request, ctx, slug, idea_id, status=exc.status, **_refused(exc, ctx))
    return web.redirect(f"/portal/{slug}/ideas/{target}#votes", request)


@router.post("/portal/{slug}/ideas/{idea_id}/comments")
def comment(
    request: Request, ctx: CtxDep, slug: str, idea_id: int, body: Text = "", name: Text = "",
    website: Text = "",
) -> Response:  # fmt: skip
    try:
        services.add_comment(
            ctx.db.uow(), slug=slug, idea_id=idea_id, body=body, name=name, honeypot=website,
            client=_client(request, ctx),
        )  # fmt: skip
    except JalonError as exc:
        extra = {**_refused(exc, ctx), "form": {"body": body, "name": name}}
        return _idea_page(request, ctx, slug, idea_id, status=exc.status, **extra)
    return web.redirect(f"/portal/{slug}/ideas/{idea_id}#comments", request)
