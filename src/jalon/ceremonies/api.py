"""Sprint Review, Retrospective and action item JSON API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.backlog.models import Item
from jalon.ceremonies import queries, services
from jalon.ceremonies.models import ReviewFeedback
from jalon.ceremonies.queries import ActionRow, RetroPage, ReviewPage
from jalon.ceremonies.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    CardEditIn,
    CardIn,
    CardOut,
    ColumnOut,
    FeedbackIn,
    FeedbackOut,
    IncrementOut,
    ItemRefOut,
    RetroIn,
    RetroOut,
    ReviewIn,
    ReviewItemOut,
    ReviewOut,
    ToItemIn,
    ToItemOut,
    TrendOut,
    VotesOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["ceremonies"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "Not possible now (a held review, a used-up vote…)"},
}


def feedback_out(entry: ReviewFeedback) -> FeedbackOut:
    return FeedbackOut(id=entry.id, who=entry.who, what=entry.what, item_id=entry.item_id)


def _item_out(item: Item) -> ReviewItemOut:
    return ReviewItemOut(
        id=item.id, title=item.title, type=item.type, estimate=item.estimate, status=item.status
    )


def review_out(page: ReviewPage) -> ReviewOut:
    review, sprint, inc = page.review, page.ref.sprint, page.increment
    return ReviewOut(
        sprint_id=sprint.id,
        sprint_name=sprint.name,
        sprint_goal=sprint.goal,
        product_goal=page.ref.product.product_goal,
        goal_verdict=review.goal_verdict if review else None,
        goal_note=review.goal_note if review else "",
        progress_percent=review.progress_percent if review else None,
        progress_note=review.progress_note if review else "",
        attendees=list(review.attendees) if review else [],
        held=page.held,
        increment=IncrementOut(
            count=inc.count,
            points=inc.points,
            unestimated=inc.unestimated,
            by_type=inc.by_type,
            items=[_item_out(i) for i in page.items],
        ),
        feedback=[feedback_out(f) for f in page.feedback],
        trend=[TrendOut(sprint=p.label, percent=p.percent, change=p.change) for p in page.trend],
    )


@router.get(
    "/sprints/{sprint_id}/review",
    response_model=ReviewOut,
    responses=ERRORS,
    summary="The Sprint Review: increment, Sprint Goal verdict, Product Goal, feedback",
)
def get_review(sprint_id: int, ctx: CtxDep, actor: ActorDep) -> ReviewOut:
    return review_out(queries.get_review(ctx.db.reader(), actor=actor, sprint_id=sprint_id))


@router.put(
    "/sprints/{sprint_id}/review",
    response_model=ReviewOut,
    responses=ERRORS,
    summary="Record the review (the fields sent); mark it held or reopen it",
)
def put_review(sprint_id: int, body: ReviewIn, ctx: CtxDep, actor: ActorDep) -> ReviewOut:
    values = body.model_dump(exclude_unset=True)
    held = values.pop("held", None)
    services.update_review(ctx.db.uow(), actor=actor, sprint_id=sprint_id, values=values, held=held)
    return get_review(sprint_id, ctx, actor)


@router.post(
    "/sprints/{sprint_id}/review/feedback",
    response_model=FeedbackOut,
    status_code=201,
    responses=ERRORS,
    summary="Note a stakeholder's feedback at the review",
)
def add_feedback(sprint_id: int, body: FeedbackIn, ctx: CtxDep, actor: ActorDep) -> FeedbackOut:
    entry = services.add_feedback(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, who=body.who, what=body.what
    )
    return feedback_out(entry)


@router.post(
    "/review-feedback/{feedback_id}/to-item",
    response_model=ToItemOut,
    status_code=201,
    responses=ERRORS,
    summary="Make a backlog item of the feedback, linked back to it",
)
def feedback_to_item(
    feedback_id: int, ctx: CtxDep, actor: ActorDep, body: ToItemIn | None = None
) -> ToItemOut:
    values = body.model_dump(exclude_none=True) if body else {}
    entry, item = services.feedback_to_item(
        ctx.db.uow(), actor=actor, feedback_id=feedback_id, values=values
    )
    ref = ItemRefOut(id=item.id, title=item.title, type=item.type, status=item.status)
    return ToItemOut(feedback=feedback_out(entry), item=ref)


# --- Retrospective -------------------------------------------------------------------------


def action_out(row: ActionRow) -> ActionOut:
    a = row.action
    return ActionOut(
        id=a.id,
        text=a.text,
        status=a.status,
        owner_id=a.owner_id,
        owner_name=row.owner.label if row.owner else None,
        team_id=a.team_id,
        sprint_id=row.origin.id if row.origin else None,
        due_sprint_id=a.due_sprint_id,
        due_date=a.due_date,
    )


def retro_out(page: RetroPage, gettext: Callable[[str], str]) -> RetroOut:
    sprint = page.ref.sprint
    columns = [
        ColumnOut(
            key=c.key,
            label=gettext(c.label),
            cards=[
                CardOut(id=r.card.id, column=c.key, text=r.card.text, votes=r.votes, mine=r.mine)
                for r in page.cards.get(c.key, [])
            ],
        )
        for c in page.columns
    ]
    return RetroOut(
        sprint_id=sprint.id,
        sprint_name=sprint.name,
        team_id=sprint.team_id,
        format=page.format,
        dots=page.dots,
        dots_left=page.dots_left,
        columns=columns,
        actions=[action_out(r) for r in page.actions],
        carried_over=[action_out(r) for r in page.carried],
    )


@router.get(
    "/sprints/{sprint_id}/retro",
    response_model=RetroOut,
    responses=ERRORS,
    summary="The Retrospective: columns of cards with dots, its and earlier action items",
)
def get_retro(sprint_id: int, ctx: CtxDep, actor: ActorDep) -> RetroOut:
    page = queries.get_retro(ctx.db.reader(), actor=actor, sprint_id=sprint_id)
    return retro_out(page, ctx.gettext)


@router.put(
    "/sprints/{sprint_id}/retro",
    response_model=RetroOut,
    responses=ERRORS,
    summary="Choose the format (while the retro has no card) and the dots per person",
)
def put_retro(sprint_id: int, body: RetroIn, ctx: CtxDep, actor: ActorDep) -> RetroOut:
    services.update_retro(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, fmt=body.format, dots=body.dots
    )
    return get_retro(sprint_id, ctx, actor)


@router.post(
    "/sprints/{sprint_id}/retro/cards",
    response_model=CardOut,
    status_code=201,
    responses=ERRORS,
    summary="Add a card to a column of the retro",
)
def add_card(sprint_id: int, body: CardIn, ctx: CtxDep, actor: ActorDep) -> CardOut:
    card = services.add_card(
        ctx.db.uow(), actor=actor, sprint_id=sprint_id, column=body.column, text=body.text
    )
    return CardOut(id=card.id, column=card.column, text=card.text, votes=0, mine=0)


@router.patch(
    "/retro-cards/{card_id}",
    response_model=CardOut,
    responses=ERRORS,
    summary="Edit a card's text",
)
def edit_card(card_id: int, body: CardEditIn, ctx: CtxDep, actor: ActorDep) -> CardOut:
    card = services.edit_card(ctx.db.uow(), actor=actor, card_id=card_id, text=body.text)
    row = queries.get_card(ctx.db.reader(), actor=actor, card_id=card.id)
    return CardOut(id=card.id, column=card.column, text=card.text, votes=row.votes, mine=row.mine)


@router.delete("/retro-cards/{card_id}", status_code=204, responses=ERRORS, summary="Delete a card")
def delete_card(card_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.delete_card(ctx.db.uow(), actor=actor, card_id=card_id)
    return Response(status_code=204)


@router.post(
    "/retro-cards/{card_id}/votes",
    response_model=VotesOut,
    status_code=201,
    responses=ERRORS,
    summary="Put one of your dots on a card (409 when you have none left)",
)
def vote(card_id: int, ctx: CtxDep, actor: ActorDep) -> VotesOut:
    votes = services.vote(ctx.db.uow(), actor=actor, card_id=card_id)
    return VotesOut(card_id=card_id, votes=votes)


@router.delete(
    "/retro-cards/{card_id}/votes",
    response_model=VotesOut,
    responses=ERRORS,
    summary="Take one of your dots back from a card",
)
def unvote(card_id: int, ctx: CtxDep, actor: ActorDep) -> VotesOut:
    votes = services.vote(ctx.db.uow(), actor=actor, card_id=card_id, up=False)
    return VotesOut(card_id=card_id, votes=votes)


# --- action items --------------------------------------------------------------------------


@router.get(
    "/products/{product_id}/actions",
    response_model=list[ActionOut],
    responses=ERRORS,
    summary="The product's retro action items, open first (filter with ?status=)",
)
def list_actions(
    product_id: int, ctx: CtxDep, actor: ActorDep, status: str | None = None
) -> list[ActionOut]:
    page = queries.list_actions(ctx.db.reader(), actor=actor, product_id=product_id, status=status)
    return [action_out(r) for r in page.rows]


@router.post(
    "/products/{product_id}/actions",
    response_model=ActionOut,
    status_code=201,
    responses=ERRORS,
    summary="Add an action item (in a sprint's retro with sprint_id)",
)
def add_action(product_id: int, body: ActionIn, ctx: CtxDep, actor: ActorDep) -> ActionOut:
    values = body.model_dump(exclude={"sprint_id"})
    action = services.add_action(
        ctx.db.uow(), actor=actor, product_id=product_id, values=values, sprint_id=body.sprint_id
    )
    return action_out(queries.get_action(ctx.db.reader(), actor=actor, action_id=action.id))


@router.patch(
    "/actions/{action_id}",
    response_model=ActionOut,
    responses=ERRORS,
    summary="Edit an action item, or mark it done, dropped or open again",
)
def patch_action(action_id: int, body: ActionPatch, ctx: CtxDep, actor: ActorDep) -> ActionOut:
    values = body.model_dump(exclude_unset=True)
    services.update_action(ctx.db.uow(), actor=actor, action_id=action_id, values=values)
    return action_out(queries.get_action(ctx.db.reader(), actor=actor, action_id=action_id))
