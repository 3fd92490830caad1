"""The application factory: `create_app(settings)` builds everything; nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from jalon import __version__, db, web
from jalon.academy.path import api as academy_path_api
from jalon.academy.path import cohort_pages as academy_path_cohort_pages
from jalon.academy.path import pages as academy_path_pages
from jalon.academy.quiz import api as academy_quiz_api
from jalon.academy.quiz import bank_pages as academy_quiz_bank_pages
from jalon.academy.quiz import pages as academy_quiz_pages
from jalon.academy.runs import api as academy_runs_api
from jalon.academy.runs import pages as academy_runs_pages
from jalon.accounts import api as accounts_api
from jalon.accounts import pages as accounts_pages
from jalon.accounts import queries as account_queries
from jalon.admin import pages as admin_pages
from jalon.backlog import api as backlog_api
from jalon.backlog import pages as backlog_pages
from jalon.ceremonies import api as ceremonies_api
from jalon.ceremonies import pages as ceremonies_pages
from jalon.collaboration import api as collaboration_api
from jalon.collaboration import pages as collaboration_pages
from jalon.collaboration import queries as collaboration_queries
from jalon.discovery import api as discovery_api
from jalon.discovery import pages as discovery_pages
from jalon.discovery.board import pages as discovery_board_pages
from jalon.discovery.lab import pages as discovery_lab_pages
from jalon.errors import N_, JalonError, Unauthenticated
from jalon.feedback import api as feedback_api
from jalon.feedback import intake as feedback_intake
from jalon.feedback import pages as feedback_pages
from jalon.feedback import setup_pages as feedback_setup_pages
from jalon.forecasting import api as forecasting_api
from jalon.forecasting import pages as forecasting_pages
from jalon.history import api as history_api
from jalon.history import pages as history_pages
from jalon.history import scheduler as history_scheduler
from jalon.listing import api as listing_api
from jalon.listing import pages as listing_pages
from jalon.portal import api as portal_api
from jalon.portal import pages as portal_pages
from jalon.portal.visitor import pages as portal_public_pages
from jalon.prioritisation import api as prioritisation_api
from jalon.prioritisation import pages as prioritisation_pages
from jalon.products import api as products_api
from jalon.products import pages as products_pages
from jalon.refinement import api as refinement_api
from jalon.refinement import pages as refinement_pages
from jalon.releases import api as releases_api
from jalon.releases import pages as releases_pages
from jalon.settings import Settings, ensure_secret
from jalon.signals import api as signals_api
from jalon.signals import pages as signals_pages
from jalon.signals import scheduler as signals_scheduler
from jalon.sprints import api as sprints_api
from jalon.sprints import pages as sprints_pages
from jalon.themes import api as themes_api
from jalon.themes import pages as themes_pages
from jalon.transfer import api as transfer_api
from jalon.transfer import pages as transfer_pages
from jalon.uow import Database

# Every area's pages and API, in the order their routes are matched.
ROUTE_MODULES = (
    academy_path_pages,
    academy_path_cohort_pages,
    academy_quiz_pages,
    academy_quiz_bank_pages,
    academy_quiz_api,
    academy_path_api,
    accounts_pages,
    products_pages,
    backlog_pages,
    refinement_pages,
    collaboration_pages,
    listing_pages,
    transfer_pages,
    prioritisation_pages,
    history_pages,
    sprints_pages,
    releases_pages,
    ceremonies_pages,
    forecasting_pages,
    admin_pages,
    feedback_pages,
    feedback_setup_pages,
    discovery_pages,
    discovery_lab_pages,
    discovery_board_pages,
    portal_pages,
    portal_public_pages,
    signals_pages,
    themes_pages,
    academy_runs_pages,
    accounts_api,
    products_api,
    backlog_api,
    refinement_api,
    collaboration_api,
    listing_api,
    transfer_api,
    prioritisation_api,
    history_api,
    sprints_api,
    releases_api,
    ceremonies_api,
    forecasting_api,
    feedback_api,
    feedback_intake,
    discovery_api,
    portal_api,
    signals_api,
    themes_api,
    academy_runs_api,
)
SETUP_EXEMPT = ("/setup", "/static/", "/api/", "/healthz", "/language", "/invite/", "/portal/")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, exc: JalonError) -> Response:
    ctx: web.Ctx | None = getattr(request.state, "ctx", None)
    gettext = ctx.gettext if ctx else str
    headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else {}
    if _is_api(request) or ctx is None:
        return JSONResponse(exc.body(gettext), status_code=exc.status, headers=headers)
    if isinstance(exc, Unauthenticated):
        return web.login_redirect(request)
    response = web.render(
        request,
        "error.html",
        {"error": exc, "message": exc.render(gettext)},
        status=exc.status,
        fragment="_error.html",
    )
    response.headers.update(headers)
    return response


def _validation_fields(
    exc: RequestValidationError, gettext: Callable[[str], str] = str
) -> tuple[str, str, dict[str, str]]:
    fields: dict[str, str] = {}
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return "invalid_json", gettext("The request body is not valid JSON."), {}
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        name = ".".join(loc) or "body"
        message = str(err.get("msg", "invalid value"))
        if err.get("type") == "extra_forbidden":
            message = gettext("Unknown field.")
        elif err.get("type") == "model_attributes_type":
            message = gettext("Send a JSON object.")
        fields.setdefault(name, message)
    return "invalid", gettext("Some fields are not valid."), fields


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(JalonError)
    async def jalon_error(request: Request, exc: JalonError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        ctx: web.Ctx | None = getattr(request.state, "ctx", None)
        code, message, fields = _validation_fields(exc, ctx.gettext if ctx else str)
        status = 400 if code == "invalid_json" else 422
        if not _is_api(request):
            return web.render(
                request, "error.html", {"message": message, "fields": fields}, status=status
            )
        return JSONResponse(
            {"error": {"code": code, "message": message, "fields": fields}}, status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        ctx: web.Ctx | None = getattr(request.state, "ctx", None)
        message = N_("No such page.") if exc.status_code == 404 else str(exc.detail)
        message = ctx.gettext(message) if ctx else message
        if _is_api(request) or ctx is None:
            return JSONResponse(
                {"error": {"code": code, "message": message, "fields": {}}},
                status_code=exc.status_code,
            )
        return web.render(request, "error.html", {"message": message}, status=exc.status_code)


def _install_context(app: FastAPI, settings: Settings, database: Database) -> None:
    # The top bar's bell shows the unread count on every page.
    web.templates().globals["unread_notifications"] = collaboration_queries.unread_for
    web.templates().globals["sandbox_banner"] = academy_runs_pages.sandbox_banner

    @app.middleware("http")
    async def context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith("/static/"):
            return await call_next(request)
        try:
            ctx = await run_in_threadpool(web.build_ctx, request, settings, database)
        except JalonError as exc:
            return error_response(request, exc)
        request.state.ctx = ctx
        if not app.state.has_users and await run_in_threadpool(
            _needs_setup, app, request, database
        ):
            return web.redirect("/setup", request)
        response = await call_next(request)
        if ctx.new_csrf_nonce and not ctx.via_token:
            web.set_cookie(response, request, ctx, web.CSRF_COOKIE, ctx.csrf_nonce)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith("/api/v1/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            )
        return response


def _needs_setup(app: FastAPI, request: Request, database: Database) -> bool:
    if app.state.has_users or request.url.path.startswith(SETUP_EXEMPT):
        return False
    app.state.has_users = account_queries.count_users(database.reader()) > 0
    return not app.state.has_users


def _install_system_routes(app: FastAPI, database: Database) -> None:
    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Jalon API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Response:
        try:
            db.ping(database.engine)
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """Add a module's routes as they are. Each route resolved its dependencies once, when
    its module was imported; `include_router` would wrap the router and make every new app
    resolve them all again on its first request (0.2-0.8 s per app in FastAPI 0.165). Jalon
    includes routers with no prefix, tags or dependencies of their own, so this is the same."""
    app.router.routes.extend(router.routes)


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    settings = ensure_secret(settings)
    database = database or Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with (
            history_scheduler.running(settings, database),
            signals_scheduler.running(settings, database),
        ):
            yield
        database.dispose()

    app = FastAPI(
        title="Jalon API",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="Products, lifecycle, members and activity. Authenticate with "
        "`Authorization: Bearer <token>` (see `jalon token create`).",
    )
    app.state.settings, app.state.db, app.state.has_users = settings, database, False
    _install_error_handlers(app)
    _install_context(app, settings, database)
    app.mount("/static", StaticFiles(directory=str(files("jalon") / "static")), name="static")
    for module in ROUTE_MODULES:
        _add_routes(app, module.router)

    _install_system_routes(app, database)
    return app
