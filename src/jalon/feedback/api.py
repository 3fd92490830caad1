"""Feedback JSON API: the inbox, one feedback, its links as evidence, and the intake
endpoint that support tools and forms post to with the product's intake token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jalon import web
from jalon.feedback import queries, services
from jalon.feedback.queries import Detail, Row
from jalon.feedback.schemas import (
    FeedbackDetailOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPageOut,
    FeedbackPatch,
    FeedbackQuery,
    LinkIn,
    LinkOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["feedback"], dependencies=[Depends(web.verify_csrf)])
ERRORS = web.API_ERRORS


def feedback_out(row: Row) -> FeedbackOut:
    f = row.feedback
    return FeedbackOut(
        id=f.id,
        product_id=f.product_id,
        text=f.text,
        source=f.source,
        state=f.state,
        customer_id=f.customer_id,
        customer=row.customer or None,
        author_name=f.author_name,
        author_email=f.author_email,
        rating=f.rating,
        sentiment=f.sentiment,
        external_key=f.external_key,
        received_at=f.received_at,
        links=row.links,
    )


def detail_out(found: Detail) -> FeedbackDetailOut:
    customer = found.customer.name if found.customer else ""
    base = feedback_out(Row(found.feedback, customer, "", len(found.links)))
    links = [
        LinkOut(
            id=r.link.id,
            feedback_id=r.link.feedback_id,
            item_id=r.link.item_id,
            opportunity_id=r.link.opportunity_id,
            importance=r.link.importance,
            title=r.title,
        )
        for r in found.links
    ]
    return FeedbackDetailOut(**base.model_dump(), evidence_for=links)


def _detail(ctx: web.Ctx, feedback_id: int) -> FeedbackDetailOut:
    return detail_out(
        queries.get_feedback(ctx.db.reader(), actor=ctx.actor, feedback_id=feedback_id)
    )


@router.get(
    "/products/{product_id}/feedback",
    response_model=FeedbackPageOut,
    responses=ERRORS,
    summary="The feedback inbox, newest received first, a page at a time",
)
def list_feedback(
    product_id: int, ctx: CtxDep, actor: ActorDep, query: Annotated[FeedbackQuery, Query()]
) -> FeedbackPageOut:
    filters = queries.Filters(
        query.source, query.state, query.customer_id, query.segment_id, query.linked, query.q,
        query.page,
    )  # fmt: skip
    found = queries.list_feedback(
        ctx.db.reader(), actor=actor, product_id=product_id, filters=filters,
        per_page=query.per_page,
    )  # fmt: skip
    return FeedbackPageOut(
        items=[feedback_out(r) for r in found.rows],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.post(
    "/products/{product_id}/feedback",
    response_model=FeedbackDetailOut,
    status_code=201,
    responses=ERRORS,
    summary="Enter a feedback (stakeholders and the team)",
)
def create_feedback(
    product_id: int, body: FeedbackIn, ctx: CtxDep, actor: ActorDep
) -> FeedbackDetailOut:
    made = services.create_feedback(
        ctx.db.uow(), actor=actor, product_id=product_id, values=body.model_dump()
    )
    return _detail(ctx, made.id)


@router.get(
    "/feedback/{feedback_id}",
    response_model=FeedbackDetailOut,
    responses=ERRORS,
    summary="One feedback, with what it is evidence for",
)
def get_feedback(feedback_id: int, ctx: CtxDep, actor: ActorDep) -> FeedbackDetailOut:
    return _detail(ctx, feedback_id)


@router.patch(
    "/feedback/{feedback_id}",
    response_model=FeedbackDetailOut,
    responses=ERRORS,
    summary="Edit a feedback's fields, or triage it with `state`",
)
def patch_feedback(
    feedback_id: int, body: FeedbackPatch, ctx: CtxDep, actor: ActorDep
) -> FeedbackDetailOut:
    values = body.model_dump(exclude_unset=True)
    state = values.pop("state", None)
    if values:
        services.update_feedback(ctx.db.uow(), actor=actor, feedback_id=feedback_id, values=values)
    if state is not None:
        services.set_state(ctx.db.uow(), actor=actor, feedback_id=feedback_id, state=state)
    return _detail(ctx, feedback_id)


@router.delete(
    "/feedback/{feedback_id}", status_code=204, responses=ERRORS, summary="Delete a feedback"
)
def delete_feedback(feedback_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.delete_feedback(ctx.db.uow(), actor=actor, feedback_id=feedback_id)
    return Response(status_code=204)


@router.post(
    "/feedback/{feedback_id}/links",
    response_model=FeedbackDetailOut,
    status_code=201,
    responses=ERRORS,
    summary="Link a feedback as evidence for an item or an opportunity, with an importance",
)
def link_feedback(
    feedback_id: int, body: LinkIn, ctx: CtxDep, actor: ActorDep
) -> FeedbackDetailOut:
    services.link_feedback(
        ctx.db.uow(),
        actor=actor,
        feedback_id=feedback_id,
        item_id=body.item_id,
        opportunity_id=body.opportunity_id,
        importance=body.importance,
    )
    return _detail(ctx, feedback_id)


@router.delete(
    "/feedback/{feedback_id}/links/{link_id}",
    status_code=204,
    responses=ERRORS,
    summary="Remove a link",
)
def unlink_feedback(feedback_id: int, link_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.unlink_feedback(ctx.db.uow(), actor=actor, link_id=link_id, feedback_id=feedback_id)
    return Response(status_code=204)
