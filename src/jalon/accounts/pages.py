"""Account pages: first-run setup, sign-in, sign-out, invitation, settings, language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import i18n, web
from jalon.accounts import queries, services
from jalon.errors import Invalid, JalonError, NotFound, TooManyRequests
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]


def _client(request: Request) -> tuple[str, str]:
    host = request.client.host if request.client else ""
    return host, request.headers.get("user-agent", "")


def _start_session(request: Request, ctx: web.Ctx, token: str, target: str) -> Response:
    response = web.redirect(web.safe_next(target), request)
    web.set_cookie(
        response, request, ctx, web.SESSION_COOKIE, token, max_age=ctx.settings.session_days * 86400
    )
    return response


@router.get("/")
def home(ctx: CtxDep) -> Response:
    return web.redirect("/products" if ctx.user else "/login")


@router.get("/setup")
def setup_form(request: Request, ctx: CtxDep) -> Response:
    if queries.count_users(ctx.db.reader()):
        return web.redirect("/login")
    return web.render(request, "accounts/setup.html", {"values": {}, "errors": {}})


@router.post("/setup")
def setup(
    request: Request, ctx: CtxDep, email: Text = "", name: OptText = "", password: Text = ""
) -> Response:
    try:
        services.setup_first_admin(ctx.db.uow(), email=email, name=name, password=password)
        _user, token = services.sign_in(
            ctx.db.uow(),
            email=email,
            password=password,
            settings=ctx.settings,
            ip=_client(request)[0],
            user_agent=_client(request)[1],
        )
    except Invalid as exc:
        return web.render(
            request,
            "accounts/setup.html",
            {"values": {"email": email, "name": name}, "errors": exc.render_fields(ctx.gettext)},
            status=422,
        )
    request.app.state.has_users = True
    return _start_session(request, ctx, token, "/products/new")


@router.get("/login")
def login_form(request: Request, ctx: CtxDep, next: str = "/products") -> Response:
    if ctx.user is not None:
        return web.redirect(web.safe_next(next))
    return web.render(request, "accounts/login.html", {"next": next, "email": "", "error": None})


@router.post("/login")
def login(
    request: Request,
    ctx: CtxDep,
    email: Text = "",
    password: Text = "",
    next: OptText = "/products",
) -> Response:
    ip, agent = _client(request)
    try:
        _user, token = services.sign_in(
            ctx.db.uow(),
            email=email,
            password=password,
            settings=ctx.settings,
            ip=ip,
            user_agent=agent,
        )
    except JalonError as exc:
        status = exc.status
        response = web.render(
            request,
            "accounts/login.html",
            {"next": next, "email": email, "error": exc.render(ctx.gettext)},
            status=status,
        )
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _start_session(request, ctx, token, next)


@router.post("/logout")
def logout(request: Request, ctx: CtxDep) -> Response:
    if ctx.session_token:
        services.sign_out(ctx.db.uow(), token=ctx.session_token)
    response = web.redirect("/login", request)
    response.delete_cookie(web.SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def set_language(
    request: Request, ctx: CtxDep, language: Text = "", next: OptText = "/"
) -> Response:
    if language not in i18n.LANGUAGES:
        raise Invalid("Choose English or French.", field="language")
    if ctx.user is not None:
        services.set_language(ctx.db.uow(), actor=ctx.actor, language=language)
    response = web.redirect(web.safe_next(next, "/"), request)
    web.set_cookie(response, request, ctx, web.LANG_COOKIE, language, max_age=365 * 86400)
    return response


@router.get("/invite/{token}")
def invitation_form(request: Request, ctx: CtxDep, token: str) -> Response:
    user = queries.user_by_invitation(ctx.db.reader(), token)
    if user is None:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return web.render(
        request, "accounts/invite.html", {"invited": user, "token": token, "errors": {}, "name": ""}
    )


@router.post("/invite/{token}")
def accept_invitation(
    request: Request, ctx: CtxDep, token: str, name: Text = "", password: Text = ""
) -> Response:
    try:
        user = services.accept_invitation(ctx.db.uow(), token=token, name=name, password=password)
    except Invalid as exc:
        invited = queries.user_by_invitation(ctx.db.reader(), token)
        return web.render(
            request,
            "accounts/invite.html",
            {
                "invited": invited,
                "token": token,
                "name": name,
                "errors": exc.render_fields(ctx.gettext),
            },
            status=422,
        )
    _user, session = services.sign_in(
        ctx.db.uow(),
        email=user.email,
        password=password,
        settings=ctx.settings,
        ip=_client(request)[0],
    )
    return _start_session(request, ctx, session, "/products")


def _account_page(
    request: Request,
    ctx: web.Ctx,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    notice: str = "",
    new_token: str = "",
) -> Response:
    actor = ctx.actor
    return web.render(
        request,
        "accounts/account.html",
        {
            "sessions": queries.list_sessions(ctx.db.reader(), actor.id or 0),
            "tokens": queries.list_tokens(ctx.db.reader(), actor.id or 0),
            "errors": errors or {},
            "notice": notice,
            "new_token": new_token,
        },
        status=status,
    )


@router.get("/account")
def account(request: Request, ctx: CtxDep, _actor: ActorDep) -> Response:
    return _account_page(request, ctx)


@router.post("/account/password")
def change_password(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    current_password: Text = "",
    new_password: Text = "",
) -> Response:
    try:
        services.change_password(
            ctx.db.uow(),
            actor=actor,
            current=current_password,
            new=new_password,
            keep_session_token=ctx.session_token,
        )
    except Invalid as exc:
        return _account_page(request, ctx, status=422, errors=exc.render_fields(ctx.gettext))
    return _account_page(
        request, ctx, notice=ctx.gettext("Password changed. Your other sessions were signed out.")
    )


@router.post("/account/tokens")
def create_token(request: Request, ctx: CtxDep, actor: ActorDep, name: OptText = "") -> Response:
    try:
        _token, raw = services.create_api_token(ctx.db.uow(), actor=actor, name=name)
    except Invalid as exc:
        return _account_page(request, ctx, status=422, errors=exc.render_fields(ctx.gettext))
    return _account_page(request, ctx, new_token=raw)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, ctx: CtxDep, actor: ActorDep, token_id: int) -> Response:
    services.revoke_api_token(ctx.db.uow(), token_id=token_id, actor=actor)
    return web.redirect("/account", request)


@router.post("/account/sessions/{session_id}/revoke")
def revoke_session(request: Request, ctx: CtxDep, actor: ActorDep, session_id: int) -> Response:
    services.revoke_session(ctx.db.uow(), session_id=session_id, actor=actor)
    return web.redirect("/account", request)
