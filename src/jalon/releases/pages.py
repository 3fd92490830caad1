"""Release pages: the list with progress and forecast, one release (scope, readiness,
notes, releasing), the scope editor, release settings, and the public changelog."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import i18n, web
from jalon.backlog.rules import TYPE_LABELS
from jalon.errors import JalonError
from jalon.permissions import Action, can
from jalon.releases import queries, rules, services
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]


def _day(language: str) -> Callable[[date | None], str]:
    def day(value: date | None) -> str:
        return format_date(value, "medium", locale=language) if value else ""

    return day


def _common(ctx: web.Ctx, role: Any) -> dict[str, Any]:
    return {
        "can": {a: can(role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "day": _day(ctx.language),
        "outlook_labels": rules.OUTLOOK_LABELS,
        "state_labels": rules.STATE_LABELS,
        "type_labels": TYPE_LABELS,
        "errors": {},
    }


def _forecast(
    ctx: web.Ctx, release: Any, progress: rules.Progress
) -> queries.TargetForecast | None:
    if release.state == rules.State.RELEASED:
        return None
    return queries.forecast_against_target(
        ctx.db.reader(), product_id=release.product_id, items=progress.items,
        remaining=progress.remaining,
        target=release.target_date, seed=release.id,
    )  # fmt: skip


# --- the list -----------------------------------------------------------------------------------


def _list_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = queries.list_releases(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    forecasts = {row.release.id: _forecast(ctx, row.release, row.progress)
                 for row in view.rows}  # fmt: skip
    context = {
        **_common(ctx, view.role),
        "view": view,
        "p": view.product,
        "forecasts": forecasts,
        "form": {},
        **extra,
    }
    return web.render(request, "releases/list.html", context, status=status)


@router.get("/products/{product_id}/releases")
def list_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _list_page(request, ctx, product_id)


@router.post("/products/{product_id}/releases")
def create(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    name: Text = "",
    target_date: Text = "",
    description: Text = "",
) -> Response:
    values = {"name": name, "target_date": target_date, "description": description}
    try:
        made = services.create_release(
            ctx.db.uow(), actor=actor, product_id=product_id, values=values
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _list_page(request, ctx, product_id, status=exc.status, errors=errors, form=values)
    return web.redirect(f"/releases/{made.id}", request)


# --- one release --------------------------------------------------------------------------------


def _release_page(
    request: Request, ctx: web.Ctx, release_id: int, *, status: int = 200, **extra: Any
) -> Response:
    page = queries.release_page(ctx.db.reader(), actor=ctx.actor, release_id=release_id)
    release = page.release
    context = {
        **_common(ctx, page.role),
        "page": page,
        "r": release,
        "p": page.product,
        "forecast": _forecast(ctx, release, page.progress),
        "form": {},
        "notes_text": release.notes,
        "languages": i18n.LANGUAGES,
        "notes_language": release.notes_language or ctx.language,
        "saved": request.query_params.get("saved", ""),
        **extra,
    }
    return web.render(request, "releases/release.html", context, status=status)


@router.get("/releases/{release_id}")
def show(request: Request, ctx: CtxDep, _actor: ActorDep, release_id: int) -> Response:
    return _release_page(request, ctx, release_id)


@router.post("/releases/{release_id}/edit")
def edit(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    release_id: int,
    name: Text = "",
    target_date: Text = "",
    description: Text = "",
) -> Response:
    values = {"name": name, "target_date": target_date, "description": description}
    try:
        services.update_release(ctx.db.uow(), actor=actor, release_id=release_id, values=values)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _release_page(
            request, ctx, release_id, status=exc.status, errors=errors, form=values, editing=True
        )
    return web.redirect(f"/releases/{release_id}?saved=details", request)


@router.post("/releases/{release_id}/checklist")
def tick(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    release_id: int,
    ticked: Texts = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    services.set_checklist(ctx.db.uow(), actor=actor, release_id=release_id, ticked=ticked)
    return web.redirect(f"/releases/{release_id}#readiness", request)


@router.post("/releases/{release_id}/notes")
def notes(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    release_id: int,
    op: Text = "save",
    language: Text = "",
    text: Text = "",
) -> Response:
    """Generate the notes in the chosen language (`op=generate`), or save the edited text."""
    try:
        if op == "generate":
            services.generate_notes(
                ctx.db.uow(), actor=actor, release_id=release_id, language=language
            )
        else:
            values = {"notes": text}
            services.update_release(ctx.db.uow(), actor=actor, release_id=release_id, values=values)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _release_page(
            request, ctx, release_id, status=exc.status, errors=errors, notes_text=text
        )
    return web.redirect(f"/releases/{release_id}?saved=notes#notes", request)


@router.post("/releases/{release_id}/release")
def release_now(
    request: Request, ctx: CtxDep, actor: ActorDep, release_id: int, confirm: Text = ""
) -> Response:
    """Release; with warnings the page asks to confirm (409), then records the choice."""
    try:
        services.mark_released(
            ctx.db.uow(), actor=actor, release_id=release_id, confirm=confirm == "yes"
        )
    except JalonError as exc:
        if exc.status != 409 or "confirm" not in exc.fields:
            raise
        return _release_page(request, ctx, release_id, status=409, confirming=True)
    return web.redirect(f"/releases/{release_id}?saved=released", request)


def _download(content: str, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _filename(release: Any, ext: str) -> str:
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "-" for c in release.name)
    safe = re.sub(r"-{2,}", "-", safe).strip("-.")
    return f"release-notes-{safe or release.id}.{ext}"


@router.get("/releases/{release_id}/notes.md")
def notes_md(request: Request, ctx: CtxDep, actor: ActorDep, release_id: int) -> Response:
    release = queries.release_page(ctx.db.reader(), actor=actor, release_id=release_id).release
    return _download(release.notes, _filename(release, "md"), "text/markdown; charset=utf-8")


@router.get("/releases/{release_id}/notes.html")
def notes_html(request: Request, ctx: CtxDep, actor: ActorDep, release_id: int) -> Response:
    release = queries.release_page(ctx.db.reader(), actor=actor, release_id=release_id).release
    document = web.templates().get_template("releases/notes_document.html")
    lang = release.notes_language or ctx.language
    html = document.render(r=release, body=web.markdown(release.notes), lang=lang)
    return _download(html, _filename(release, "html"), "text/html; charset=utf-8")


# --- the scope editor ---------------------------------------------------------------------------


@router.get("/releases/{release_id}/scope")
def scope_page(
    request: Request, ctx: CtxDep, actor: ActorDep, release_id: int, q: str = ""
) -> Response:
    return _scope_page(request, ctx, release_id, q=q)


def _scope_page(
    request: Request, ctx: web.Ctx, release_id: int, *, q: str = "", status: int = 200,
    whole: bool = False, **extra: Any,
) -> Response:  # fmt: skip
    page = queries.release_page(ctx.db.reader(), actor=ctx.actor, release_id=release_id)
    found = queries.candidates(ctx.db.reader(), actor=ctx.actor, release_id=release_id, q=q)
    context = {
        **_common(ctx, page.role),
        "page": page,
        "r": page.release,
        "p": page.product,
        "q": q,
        "candidates": found,
        "added": request.query_params.get("added", ""),
        **extra,
    }
    fragment = None if whole else "releases/_candidates.html"  # a refused add shows it all
    return web.render(request, "releases/scope.html", context, status=status, fragment=fragment)


@router.post("/releases/{release_id}/items")
def add_items(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    release_id: int,
    item_id: Texts = [],  # noqa: B006 - FastAPI copies defaults
    include_descendants: Text = "",
    q: Text = "",
) -> Response:
    try:
        ids = [int(i) for i in item_id if i.strip().isdigit()]
        added = services.add_items(
            ctx.db.uow(), actor=actor, release_id=release_id, item_ids=ids,
            include_descendants=include_descendants == "yes",
        )  # fmt: skip
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _scope_page(
            request, ctx, release_id, q=q, status=exc.status, errors=errors, whole=True
        )
    return web.redirect(f"/releases/{release_id}/scope?added={len(added)}", request)


@router.post("/releases/{release_id}/items/{item_id}/remove")
def remove_item(
    request: Request, ctx: CtxDep, actor: ActorDep, release_id: int, item_id: int
) -> Response:
    services.remove_item(ctx.db.uow(), actor=actor, release_id=release_id, item_id=item_id)
    return web.redirect(f"/releases/{release_id}/scope#scope", request)


# --- settings and the public changelog ----------------------------------------------------------


def _settings_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = queries.get_settings(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {
        **_common(ctx, view.role),
        "view": view,
        "p": view.product,
        "checklist": list(view.settings.checklist),
        "saved": request.query_params.get("saved") == "1",
        **extra,
    }
    return web.render(request, "releases/settings.html", context, status=status)


@router.get("/products/{product_id}/release-settings")
def settings_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _settings_page(request, ctx, product_id)


@router.post("/products/{product_id}/release-settings")
def save_settings(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    checklist: Texts = [],  # noqa: B006 - FastAPI copies defaults
    public_changelog: Text = "",
) -> Response:
    try:
        services.update_settings(
            ctx.db.uow(), actor=actor, product_id=product_id, checklist=checklist,
            public_changelog=public_changelog == "yes",
        )  # fmt: skip
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        entries = [c for c in checklist if c.strip()]
        return _settings_page(
            request, ctx, product_id, status=exc.status, errors=errors, checklist=entries
        )
    return web.redirect(f"/products/{product_id}/release-settings?saved=1", request)


@router.get("/changelog/{product_id}")
def changelog(request: Request, ctx: CtxDep, product_id: int) -> Response:
    """Public: released versions and their notes, readable without signing in."""
    found = queries.public_changelog(ctx.db.reader(), product_id=product_id)
    context = {"changelog": found, "day": _day(ctx.language)}
    return web.render(request, "releases/changelog.html", context)
