"""Product pages: list, create, edit, lifecycle, members, activity. Services do the work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.errors import Forbidden, JalonError
from jalon.permissions import ROLE_LABELS, Action, Role, can
from jalon.products import queries, rules, services
from jalon.products.models import Product
from jalon.products.schemas import ProductForm
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/products", include_in_schema=False, dependencies=[Depends(web.verify_csrf)]
)
Text = Annotated[str, Form()]
FIELDS = ("name", "vision", "target_users", "product_goal")


def _page_context(ctx: web.Ctx, product_id: int, **extra: Any) -> dict[str, Any]:
    view = queries.product_view(ctx.db.reader(), product_id=product_id, actor=ctx.actor)
    actor = ctx.actor
    allowed = {a: can(view.role, a, is_admin=actor.is_admin) for a in Action}
    return {
        "view": view,
        "p": view.product,
        "can": allowed,
        "stages": rules.STAGE_ORDER,
        "stage_labels": rules.STAGE_LABELS,
        "roles": list(Role),
        "role_labels": ROLE_LABELS,
        "next_stages": rules.allowed_transitions(rules.Stage(view.product.stage)),
        "reason_required": rules.REASON_REQUIRED,
        "errors": {},
        "values": {},
        **extra,
    }


def _product_page(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    *,
    status: int = 200,
    fragment: str | None = None,
    **extra: Any,
) -> Response:
    return web.render(
        request,
        "products/show.html",
        _page_context(ctx, product_id, **extra),
        status=status,
        fragment=fragment,
    )


@router.get("")
def list_products(request: Request, ctx: CtxDep, actor: ActorDep) -> Response:
    rows = queries.list_products(ctx.db.reader(), actor=actor)
    return web.render(
        request,
        "products/list.html",
        {
            "rows": rows,
            "stage_labels": rules.STAGE_LABELS,
            "stages": rules.STAGE_ORDER,
            "role_labels": ROLE_LABELS,
        },
    )


@router.get("/new")
def new_product(request: Request, _actor: ActorDep) -> Response:
    return web.render(request, "products/form.html", {"values": {}, "errors": {}, "p": None})


def _form_page(
    request: Request, ctx: web.Ctx, values: dict[str, str], exc: JalonError, p: Product | None
) -> Response:
    errors = exc.render_fields(ctx.gettext)
    context = {"values": values, "errors": errors, "p": p}
    return web.render(request, "products/form.html", context, status=exc.status)


@router.post("/new")
def create_product(
    request: Request, ctx: CtxDep, actor: ActorDep, form: Annotated[ProductForm, Form()]
) -> Response:
    values = form.model_dump()
    try:
        product = services.create_product(ctx.db.uow(), actor=actor, **values)
    except JalonError as exc:
        return _form_page(request, ctx, values, exc, None)
    return web.redirect(f"/products/{product.id}", request)


@router.get("/{product_id}")
def show_product(request: Request, ctx: CtxDep, product_id: int) -> Response:
    return _product_page(request, ctx, product_id)


@router.get("/{product_id}/edit")
def edit_product(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    row = queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
    if not can(row.role, Action.EDIT_PRODUCT, is_admin=actor.is_admin):
        raise Forbidden("Your role on this product does not allow this.")
    values = {f: getattr(row.product, f) for f in FIELDS}
    return web.render(
        request, "products/form.html", {"values": values, "errors": {}, "p": row.product}
    )


@router.post("/{product_id}/edit")
def update_product(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    form: Annotated[ProductForm, Form()],
) -> Response:
    values = form.model_dump()
    try:
        services.update_product(ctx.db.uow(), product_id=product_id, actor=actor, changes=values)
    except JalonError as exc:
        if exc.status != 422:
            raise
        row = queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
        return _form_page(request, ctx, values, exc, row.product)
    return web.redirect(f"/products/{product_id}", request)


@router.post("/{product_id}/stage")
def change_stage(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    stage: Text = "",
    reason: Text = "",
) -> Response:
    try:
        services.change_stage(
            ctx.db.uow(), product_id=product_id, actor=actor, stage=stage, reason=reason
        )
    except JalonError as exc:
        if exc.status not in (409, 422):
            raise
        return _product_page(
            request,
            ctx,
            product_id,
            status=exc.status,
            fragment="products/_lifecycle.html",
            stage_error=exc.render(ctx.gettext),
            values={"stage": stage, "reason": reason},
        )
    return (
        _product_page(
            request,
            ctx,
            product_id,
            fragment="products/_lifecycle.html",
            notice=ctx.gettext("Stage changed."),
        )
        if request.headers.get("hx-request")
        else web.redirect(f"/products/{product_id}#lifecycle")
    )


def _members_response(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    if request.headers.get("hx-request") or status != 200:
        return _product_page(
            request, ctx, product_id, status=status, fragment="products/_members.html", **extra
        )
    return web.redirect(f"/products/{product_id}#members")


@router.post("/{product_id}/members")
def add_member(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    email: Text = "",
    role: Text = "",
) -> Response:
    try:
        result = services.add_member(
            ctx.db.uow(), product_id=product_id, actor=actor, email=email, role=role
        )
    except JalonError as exc:
        if exc.status not in (409, 422):
            raise
        return _members_response(
            request,
            ctx,
            product_id,
            status=exc.status,
            member_errors=exc.render_fields(ctx.gettext),
            member_values={"email": email, "role": role},
        )
    invitation = (
        str(request.url_for("invitation_form", token=result.invitation_token))
        if result.invitation_token
        else ""
    )
    return _product_page(
        request,
        ctx,
        product_id,
        fragment="products/_members.html",
        invitation=invitation,
        invited_email=result.user.email,
    )


@router.post("/{product_id}/members/{user_id}/role")
def change_member_role(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, user_id: int, role: Text = ""
) -> Response:
    try:
        services.change_member_role(
            ctx.db.uow(), product_id=product_id, actor=actor, user_id=user_id, role=role
        )
    except JalonError as exc:
        if exc.status not in (409, 422):
            raise
        return _members_response(
            request, ctx, product_id, status=exc.status, member_error=exc.render(ctx.gettext)
        )
    return _members_response(request, ctx, product_id)


@router.post("/{product_id}/members/{user_id}/remove")
def remove_member(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, user_id: int
) -> Response:
    try:
        services.remove_member(ctx.db.uow(), product_id=product_id, actor=actor, user_id=user_id)
    except JalonError as exc:
        if exc.status != 409:
            raise
        return _members_response(
            request, ctx, product_id, status=409, member_error=exc.render(ctx.gettext)
        )
    return _members_response(request, ctx, product_id)


@router.get("/{product_id}/activity")
def activity(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, before_id: int | None = None
) -> Response:
    entries = queries.product_activity(
        ctx.db.reader(), product_id=product_id, actor=actor, limit=30, before_id=before_id
    )
    return web.render(
        request,
        "products/activity.html",
        {
            "entries": entries,
            "product_id": product_id,
            "p": queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor).product,
        },
        fragment="products/_activity_rows.html",
    )
