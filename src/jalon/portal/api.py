"""Portal JSON API: a product's ideas for its members; adding an idea heard elsewhere (team);
an idea's status and backlog link (Product Owner)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends

from jalon import web
from jalon.portal import services, views
from jalon.portal.queries import IdeaRow
from jalon.portal.schemas import IdeaIn, IdeaOut, IdeaPatch
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["portal"], dependencies=[Depends(web.verify_csrf)])
State = Literal["pending", "published", "rejected", "merged"]


def idea_out(row: IdeaRow, slug: str | None) -> IdeaOut:
    i = row.idea
    return IdeaOut(
        id=i.id, product_id=i.product_id, title=i.title, description=i.description,
        state=i.state, status=row.status, votes=row.votes, comments=row.comments,
        item_id=i.item_id, feedback_id=i.feedback_id, merged_into_id=i.merged_into_id,
        author_name=i.author_name, created_at=i.created_at,
        url=f"/portal/{slug}/ideas/{i.id}" if slug and i.state == "published" else None,
    )  # fmt: skip


def _one(ctx: web.Ctx, idea_id: int) -> IdeaOut:
    detail = views.idea_detail(ctx.db.reader(), actor=ctx.actor, idea_id=idea_id)
    slug = detail.settings.slug if detail.settings.enabled else None
    return idea_out(detail.row, slug)


@router.get(
    "/products/{product_id}/ideas",
    response_model=list[IdeaOut],
    responses=web.API_ERRORS,
    summary="A product's portal ideas in one moderation state, most voted first",
)
def list_ideas(
    product_id: int, ctx: CtxDep, actor: ActorDep, state: State = "published"
) -> list[IdeaOut]:
    found = views.list_ideas(ctx.db.reader(), actor=actor, product_id=product_id, state=state)
    return [idea_out(row, found.slug) for row in found.rows]


@router.post(
    "/products/{product_id}/ideas",
    response_model=IdeaOut,
    status_code=201,
    responses=web.API_ERRORS,
    summary="Add an idea heard elsewhere, published at once (team member)",
)
def add_idea(product_id: int, body: IdeaIn, ctx: CtxDep, actor: ActorDep) -> IdeaOut:
    idea = services.add_idea(
        ctx.db.uow(), actor=actor, product_id=product_id, title=body.title,
        description=body.description, author_name=body.author_name,
        author_email=body.author_email,
    )  # fmt: skip
    return _one(ctx, idea.id)


@router.patch(
    "/ideas/{idea_id}",
    response_model=IdeaOut,
    responses=web.API_ERRORS,
    summary="Set an idea's status or backlog link (Product Owner)",
)
def patch_idea(idea_id: int, body: IdeaPatch, ctx: CtxDep, actor: ActorDep) -> IdeaOut:
    link = "item_id" in body.model_fields_set
    item_id = (body.item_id or None) if link else services.UNCHANGED
    services.update_idea(
        ctx.db.uow(), actor=actor, idea_id=idea_id, status=body.status, item_id=item_id
    )
    return _one(ctx, idea_id)
