"""Products JSON API under /api/v1: the same services as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from jalon import web
from jalon.accounts.models import User
from jalon.permissions import Role
from jalon.products import queries, rules, services
from jalon.products.models import Product
from jalon.products.schemas import (
    ActivityOut,
    MemberAdd,
    MemberOut,
    MemberRoleChange,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    StageChange,
    TransitionOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1/products", tags=["products"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"description": text}
    for code, text in (
        (401, "Not authenticated"),
        (403, "Role may not act"),
        (404, "Unknown id"),
        (422, "Invalid input, with a message per field"),
    )
}


def product_out(product: Product, role: Role | None) -> ProductOut:
    out = ProductOut.model_validate(product)
    out.role = role
    out.allowed_stages = list(rules.allowed_transitions(rules.Stage(product.stage)))
    return out


def member_out(user: User, role: Role, request: Request, token: str | None = None) -> MemberOut:
    url = str(request.url_for("invitation_form", token=token)) if token else None
    return MemberOut(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=role,
        invited=user.password_hash is None,
        invitation_url=url,
    )


@router.get("", response_model=list[ProductOut], responses=ERRORS, summary="Products you can see")
def list_products(ctx: CtxDep, actor: ActorDep) -> list[ProductOut]:
    return [
        product_out(r.product, r.role) for r in queries.list_products(ctx.db.reader(), actor=actor)
    ]


@router.post(
    "",
    response_model=ProductOut,
    status_code=201,
    responses=ERRORS,
    summary="Create a product (you become its Product Owner)",
)
def create_product(
    body: ProductCreate, ctx: CtxDep, actor: ActorDep, response: Response
) -> ProductOut:
    product = services.create_product(ctx.db.uow(), actor=actor, **body.model_dump())
    response.headers["Location"] = f"/api/v1/products/{product.id}"
    return product_out(product, Role.OWNER if actor.id else None)


@router.get("/{product_id}", response_model=ProductOut, responses=ERRORS)
def get_product(product_id: int, ctx: CtxDep, actor: ActorDep) -> ProductOut:
    row = queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
    return product_out(row.product, row.role)


@router.patch(
    "/{product_id}",
    response_model=ProductOut,
    responses=ERRORS,
    summary="Edit name, vision, target users or Product Goal",
)
def update_product(
    product_id: int, body: ProductUpdate, ctx: CtxDep, actor: ActorDep
) -> ProductOut:
    product = services.update_product(
        ctx.db.uow(),
        product_id=product_id,
        actor=actor,
        changes=body.model_dump(exclude_unset=True),
    )
    row = queries.get_product(ctx.db.reader(), product_id=product.id, actor=actor)
    return product_out(row.product, row.role)


@router.post(
    "/{product_id}/stage",
    response_model=ProductOut,
    responses=ERRORS | {409: {"description": "Transition not allowed"}},
    summary="Move the product to another lifecycle stage",
)
def change_stage(product_id: int, body: StageChange, ctx: CtxDep, actor: ActorDep) -> ProductOut:
    result = services.change_stage(
        ctx.db.uow(), product_id=product_id, actor=actor, stage=body.stage, reason=body.reason
    )
    row = queries.get_product(ctx.db.reader(), product_id=result.product.id, actor=actor)
    return product_out(row.product, row.role)


@router.get(
    "/{product_id}/stages",
    response_model=list[TransitionOut],
    responses=ERRORS,
    summary="The stage history, oldest first",
)
def stage_history(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[TransitionOut]:
    view = queries.product_view(
        ctx.db.reader(), product_id=product_id, actor=actor, activity_limit=0
    )
    return [TransitionOut.model_validate(t) for t in view.transitions]


@router.get("/{product_id}/members", response_model=list[MemberOut], responses=ERRORS)
def list_members(
    product_id: int, request: Request, ctx: CtxDep, actor: ActorDep
) -> list[MemberOut]:
    rows = queries.product_members(ctx.db.reader(), product_id=product_id, actor=actor)
    return [member_out(r.user, r.role, request) for r in rows]


@router.post(
    "/{product_id}/members",
    response_model=MemberOut,
    status_code=201,
    responses=ERRORS | {409: {"description": "Already a member"}},
    summary="Give someone a role; unknown e-mails get an invitation link",
)
def add_member(
    product_id: int, body: MemberAdd, request: Request, ctx: CtxDep, actor: ActorDep
) -> MemberOut:
    result = services.add_member(
        ctx.db.uow(), product_id=product_id, actor=actor, email=body.email, role=body.role
    )
    return member_out(result.user, Role(result.membership.role), request, result.invitation_token)


@router.patch("/{product_id}/members/{user_id}", response_model=MemberOut, responses=ERRORS)
def change_member_role(
    product_id: int,
    user_id: int,
    body: MemberRoleChange,
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
) -> MemberOut:
    services.change_member_role(
        ctx.db.uow(), product_id=product_id, actor=actor, user_id=user_id, role=body.role
    )
    rows = queries.product_members(ctx.db.reader(), product_id=product_id, actor=actor)
    row = next(r for r in rows if r.user.id == user_id)
    return member_out(row.user, row.role, request)


@router.delete(
    "/{product_id}/members/{user_id}", status_code=204, responses=ERRORS, response_class=Response
)
def remove_member(product_id: int, user_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.remove_member(ctx.db.uow(), product_id=product_id, actor=actor, user_id=user_id)
    return Response(status_code=204)


@router.get(
    "/{product_id}/activity",
    response_model=list[ActivityOut],
    responses=ERRORS,
    summary="The activity log, newest first",
)
def activity(
    product_id: int,
    ctx: CtxDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> list[ActivityOut]:
    entries = queries.product_activity(
        ctx.db.reader(), product_id=product_id, actor=actor, limit=limit, before_id=before_id
    )
    return [ActivityOut.model_validate(e) for e in entries]
