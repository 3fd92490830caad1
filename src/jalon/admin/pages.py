"""Administration pages: the people who use this Jalon."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.academy.rules import ACADEMY_ROLE_LABELS
from jalon.admin import queries, services
from jalon.errors import JalonError
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/admin", include_in_schema=False, dependencies=[Depends(web.verify_csrf)]
)


def _users_page(request: Request, ctx: web.Ctx, *, status: int = 200, **extra: object) -> Response:
    view = queries.people(ctx.db.reader(), actor=ctx.actor)
    context = {
        "view": view, "errors": {}, "values": {}, "error": "",
        "academy_roles": ACADEMY_ROLE_LABELS, **extra,
    }  # fmt: skip
    return web.render(request, "admin/users.html", context, status=status)


@router.get("/users")
def users(request: Request, ctx: CtxDep, _actor: ActorDep) -> Response:
    return _users_page(request, ctx)


@router.post("/users")
def invite(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    email: Annotated[str, Form()] = "",
    is_admin: Annotated[bool, Form()] = False,
) -> Response:
    try:
        user, token = services.invite_account(
            ctx.db.uow(), actor=actor, email=email, is_admin=is_admin
        )
    except JalonError as exc:
        if exc.status not in (409, 422):
            raise
        errors = exc.render_fields(ctx.gettext)
        return _users_page(request, ctx, status=exc.status, errors=errors, values={"email": email})
    link = str(request.url_for("invitation_form", token=token))
    return _users_page(request, ctx, invitation=link, invited_email=user.email)


@router.post("/users/{user_id}/active")
def set_active(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    user_id: int,
    active: Annotated[bool, Form()] = False,
) -> Response:
    try:
        services.set_active(ctx.db.uow(), actor=actor, user_id=user_id, active=active)
    except JalonError as exc:
        if exc.status != 409:
            raise
        return _users_page(request, ctx, status=409, error=exc.render(ctx.gettext))
    return web.redirect("/admin/users", request)


@router.post("/users/{user_id}/admin")
def set_admin(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    user_id: int,
    is_admin: Annotated[bool, Form()] = False,
) -> Response:
    try:
        services.set_admin(ctx.db.uow(), actor=actor, user_id=user_id, is_admin=is_admin)
    except JalonError as exc:
        if exc.status != 409:
            raise
        return _users_page(request, ctx, status=409, error=exc.render(ctx.gettext))
    return web.redirect("/admin/users", request)


@router.post("/users/{user_id}/academy-role")
def set_academy_role(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    user_id: int,
    academy_role: Annotated[str, Form()] = "",
) -> Response:
    try:
        services.set_academy_role(ctx.db.uow(), actor=actor, user_id=user_id, role=academy_role)
    except JalonError as exc:
        if exc.status != 422:
            raise
        return _users_page(request, ctx, status=422, error=exc.render(ctx.gettext))
    return web.redirect("/admin/users", request)
