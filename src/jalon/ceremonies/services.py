"""Sprint Review and Retrospective use cases. One transaction each, with its activity entry.

Team work (the review's record, cards, votes, action items) needs CONTRIBUTE; stakeholders
may add feedback (COMMENT); the Product Goal assessment and reopening a held review are the
Product Owner's (EDIT_PRODUCT).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import services as backlog_services
from jalon.backlog.models import Item
from jalon.ceremonies import checks, queries, rules
from jalon.ceremonies.models import (
    ActionItem,
    RetroCard,
    Retrospective,
    RetroVote,
    ReviewFeedback,
    SprintReview,
)
from jalon.ceremonies.queries import SprintRef
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Forbidden, Invalid
from jalon.permissions import Action, Actor, can
from jalon.products.services import authorise, role_of
from jalon.uow import UnitOfWork

PO_FIELDS = ("progress_percent", "progress_note")


def _on(ref: SprintRef, actor: Actor, **changes: Any) -> dict[str, Any]:
    """The keyword arguments of `activity.record` for an entry about the sprint's event."""
    return {"actor": actor, "product_id": ref.product.id, "changes": changes or None}


def _sprint(ref: SprintRef) -> Subject:
    return Subject("sprint", ref.sprint.id, ref.sprint.name)


def _may(uow: UnitOfWork, ref: SprintRef, actor: Actor, action: Action) -> bool:
    role = role_of(uow, product_id=ref.product.id, user_id=actor.id)
    return can(role, action, is_admin=actor.is_admin)


# --- Sprint Review -------------------------------------------------------------------------


def _review(uow: UnitOfWork, ref: SprintRef) -> SprintReview:
    review = queries.review_of(uow, ref.sprint.id)
    if review is None:
        review = SprintReview(
            sprint_id=ref.sprint.id, product_id=ref.product.id, goal_note="", progress_note=""
        )
        review.attendees = []
        uow.add(review)
        uow.flush()
    return review


def _not_held(review: SprintReview) -> None:
    if review.held_at is not None:
        raise Conflict("This review is marked held; the Product Owner can reopen it to edit.")


def _reopen(uow: UnitOfWork, ref: SprintRef, actor: Actor, review: SprintReview) -> bool:
    if review.held_at is None:
        return False
    if not _may(uow, ref, actor, Action.EDIT_PRODUCT):
        raise Forbidden("Only the Product Owner may reopen a held review.")
    review.held_at = None
    return True


def update_review(
    uow: UnitOfWork, *, actor: Actor, sprint_id: int, values: dict[str, Any], held: bool | None
) -> SprintReview:
    """Record the review (the fields given); `held` True marks it held, False reopens it."""
    clean = rules.clean_review(values)
    with uow:
        ref = queries.sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.CONTRIBUTE)
        review = _review(uow, ref)
        reopened = held is False and _reopen(uow, ref, actor, review)
        changes = activity.diff({k: getattr(review, k) for k in clean}, clean)
        if changes:
            _not_held(review)
        if set(changes) & set(PO_FIELDS) and not _may(uow, ref, actor, Action.EDIT_PRODUCT):
            raise Forbidden("Only the Product Owner records progress toward the Product Goal.")
        for name, value in clean.items():
            setattr(review, name, value)
        now_held = bool(held) and review.held_at is None
        if now_held:
            review.held_at = utcnow()
        if changes or now_held or reopened:
            review.updated_at = utcnow()
            activity.record(
                uow,
                "ceremonies.review.held"
                if now_held
                else ("ceremonies.review.reopened" if reopened else "ceremonies.review.updated"),
                _sprint(ref),
                **_on(ref, actor, **changes),
            )
        uow.commit()
    return review


def add_feedback(
    uow: UnitOfWork, *, actor: Actor, sprint_id: int, who: str, what: str
) -> ReviewFeedback:
    who_clean = rules.clean_text(
        who, field="who", limit=rules.NAME_LIMIT, required=N_("Say who gave the feedback.")
    )
    what_clean = rules.clean_text(
        what, field="what", limit=rules.CARD_LIMIT, required=N_("Write the feedback.")
    )
    with uow:
        ref = queries.sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.COMMENT)
        review = _review(uow, ref)
        _not_held(review)
        entry = ReviewFeedback(
            review_id=review.id, who=who_clean, what=what_clean, author_id=actor.id
        )
        uow.add(entry)
        activity.record(
            uow,
            "ceremonies.feedback.added",
            _sprint(ref),
            **_on(ref, actor, feedback=[None, what_clean[:200]]),
        )
        uow.commit()
    return entry


def _feedback_ref(
    uow: UnitOfWork, feedback_id: int, actor: Actor, action: Action
) -> tuple[ReviewFeedback, SprintReview, SprintRef]:
    entry = uow.get(ReviewFeedback, feedback_id, what=N_("feedback"))
    review = uow.session.get(SprintReview, entry.review_id)
    assert review is not None  # the foreign key cascades
    return (
        entry,
        review,
        queries.sprint_ref(uow, actor=actor, sprint_id=review.sprint_id, action=action),
    )


def delete_feedback(uow: UnitOfWork, *, actor: Actor, feedback_id: int) -> None:
    with uow:
        entry, review, ref = _feedback_ref(uow, feedback_id, actor, Action.CONTRIBUTE)
        _not_held(review)
        uow.session.delete(entry)
        activity.record(
            uow,
            "ceremonies.feedback.deleted",
            _sprint(ref),
            **_on(ref, actor, feedback=[entry.what[:200], None]),
        )
        uow.commit()


def feedback_to_item(
    uow: UnitOfWork, *, actor: Actor, feedback_id: int, values: dict[str, Any] | None = None
) -> tuple[ReviewFeedback, Item]:
    """Make a backlog item of a piece of feedback, and link it back, in one transaction.

    Allowed after the review is held too: the PO often sorts feedback out afterwards.
    """
    with uow:
        entry, _review, ref = _feedback_ref(uow, feedback_id, actor, Action.CONTRIBUTE)
        if entry.item_id is not None:
            raise Conflict("This feedback already became the item #{item}.", item=entry.item_id)
        made = {
            "title": rules.feedback_title(entry.what),
            "description": rules.feedback_description(
                who=entry.who, what=entry.what, sprint=ref.sprint.name
            ),
        } | {k: v for k, v in (values or {}).items() if v not in (None, "")}
        item = backlog_services.add_item(uow, actor=actor, product_id=ref.product.id, values=made)
        entry.item_id = item.id
        activity.record(
            uow,
            "ceremonies.feedback.converted",
            _sprint(ref),
            **_on(ref, actor, item_id=[None, item.id]),
        )
        uow.commit()
    return entry, item


# --- Retrospective -------------------------------------------------------------------------


def _retro(uow: UnitOfWork, ref: SprintRef) -> Retrospective:
    retro = queries.retro_of(uow, ref.sprint.id)
    if retro is None:
        retro = Retrospective(
            sprint_id=ref.sprint.id, product_id=ref.product.id, format=rules.DEFAULT_FORMAT, dots=3
        )
        uow.add(retro)
        uow.flush()
    return retro


def update_retro(
    uow: UnitOfWork, *, actor: Actor, sprint_id: int, fmt: str | None, dots: Any = None
) -> Retrospective:
    """Choose the retro's format (while it has no card) and the dots each person gets."""
    new_format = rules.parse_format(fmt) if fmt is not None else None
    new_dots = rules.parse_dots(dots) if dots not in (None, "") else None
    with uow:
        ref = queries.sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.CONTRIBUTE)
        retro = _retro(uow, ref)
        fmt_after, dots_after = new_format or retro.format, new_dots or retro.dots
        after: dict[str, Any] = {"format": fmt_after, "dots": dots_after}
        changes = activity.diff({"format": retro.format, "dots": retro.dots}, after)
        if "format" in changes and _card_count(uow, retro.id):
            raise Conflict(
                "This retro already has cards; its format can change only while it is empty.",
                field="format",
            )
        retro.format, retro.dots = fmt_after, dots_after
        activity.record(uow, "ceremonies.retro.updated", _sprint(ref), **_on(ref, actor, **changes))
        uow.commit()
    return retro


def _card_count(uow: UnitOfWork, retro_id: int) -> int:
    stmt = select(func.count(RetroCard.id)).where(RetroCard.retro_id == retro_id)
    return int(uow.session.scalar(stmt) or 0)


def _card_text(text: str) -> str:
    return rules.clean_text(
        text, field="text", limit=rules.CARD_LIMIT, required=N_("Write something on the card.")
    )


def add_card(uow: UnitOfWork, *, actor: Actor, sprint_id: int, column: str, text: str) -> RetroCard:
    clean = _card_text(text)
    with uow:
        ref = queries.sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.CONTRIBUTE)
        retro = _retro(uow, ref)
        card = RetroCard(
            retro_id=retro.id,
            column=rules.check_column(retro.format, column),
            text=clean,
            author_id=actor.id,
        )
        uow.add(card)
        activity.record(
            uow, "ceremonies.card.added", _sprint(ref), **_on(ref, actor, card=[None, clean[:200]])
        )
        uow.commit()
    return card


def _card_ref(
    uow: UnitOfWork, card_id: int, actor: Actor
) -> tuple[RetroCard, Retrospective, SprintRef]:
    card = uow.get(RetroCard, card_id, what=N_("card"))
    retro = uow.session.get(Retrospective, card.retro_id)
    assert retro is not None  # the foreign key cascades
    ref = queries.sprint_ref(uow, actor=actor, sprint_id=retro.sprint_id, action=Action.CONTRIBUTE)
    return card, retro, ref


def edit_card(uow: UnitOfWork, *, actor: Actor, card_id: int, text: str) -> RetroCard:
    clean = _card_text(text)
    with uow:
        card, _retro, ref = _card_ref(uow, card_id, actor)
        changes = activity.diff({"card": card.text[:200]}, {"card": clean[:200]})
        card.text = clean
        activity.record(uow, "ceremonies.card.edited", _sprint(ref), **_on(ref, actor, **changes))
        uow.commit()
    return card


def delete_card(uow: UnitOfWork, *, actor: Actor, card_id: int) -> int:
    """Remove a card and its dots; gives the retro's sprint id."""
    with uow:
        card, _retro, ref = _card_ref(uow, card_id, actor)
        uow.session.execute(delete(RetroVote).where(RetroVote.card_id == card.id))
        uow.session.delete(card)
        activity.record(
            uow,
            "ceremonies.card.deleted",
            _sprint(ref),
            **_on(ref, actor, card=[card.text[:200], None]),
        )
        uow.commit()
    return ref.sprint.id


def vote(uow: UnitOfWork, *, actor: Actor, card_id: int, up: bool = True) -> int:
    """Put one of one's dots on a card (or take one back); gives the card's dot count."""
    with uow:
        card, retro, ref = _card_ref(uow, card_id, actor)
        if actor.id is None:
            raise Invalid("Only a person can vote.", field="user")
        if up:
            rules.check_vote(budget=retro.dots, used=queries.dots_used(uow, retro.id, actor.id))
            uow.add(RetroVote(card_id=card.id, user_id=actor.id))
        else:
            mine = uow.session.scalar(
                select(RetroVote.id).where(
                    RetroVote.card_id == card.id, RetroVote.user_id == actor.id
                )
            )
            if mine is None:
                raise Conflict("You have no dot on this card to take back.")
            uow.session.execute(delete(RetroVote).where(RetroVote.id == mine))
        activity.record(
            uow,
            "ceremonies.card.voted" if up else "ceremonies.card.unvoted",
            _sprint(ref),
            **_on(ref, actor),
        )
        uow.flush()
        count = uow.session.scalar(
            select(func.count(RetroVote.id)).where(RetroVote.card_id == card.id)
        )
        uow.commit()
    return int(count or 0)


# --- action items --------------------------------------------------------------------------


def add_action(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: dict[str, Any],
    sprint_id: int | None = None,
) -> ActionItem:  # fmt: skip
    """An action item, written in a sprint's retro (`sprint_id`) or on the product's list."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        clean = checks.clean_action(uow, product_id, {"text": "", "owner_id": None} | values)
        action = ActionItem(product_id=product_id, status="open", **clean)
        if sprint_id is not None:
            checks.sprint_of(uow, product_id, sprint_id)
            ref = queries.sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.READ)
            action.retro_id, action.team_id = _retro(uow, ref).id, ref.sprint.team_id
        else:
            action.team_id = checks.team(uow, product_id, values.get("team_id"))
        uow.add(action)
        uow.flush()
        activity.record(
            uow, "ceremonies.action.added", Subject("action", action.id, clean["text"]),
            actor=actor, product_id=product.id, changes={"text": [None, clean["text"]]},
        )  # fmt: skip
        uow.commit()
    return action


def update_action(
    uow: UnitOfWork, *, actor: Actor, action_id: int, values: dict[str, Any]
) -> ActionItem:
    """Edit an action item, or mark it done or dropped (or open again)."""
    with uow:
        action = uow.get(ActionItem, action_id, what=N_("action item"))
        authorise(uow, product_id=action.product_id, actor=actor, action=Action.CONTRIBUTE)
        clean = checks.clean_action(uow, action.product_id, values)
        changes = activity.diff({k: getattr(action, k) for k in clean}, clean)
        for name, value in clean.items():
            setattr(action, name, value)
        if "status" in changes:
            action.closed_at = None if action.status == "open" else utcnow()
        action.updated_at = utcnow()
        printable = {
            k: [str(v) if v is not None else None for v in pair] for k, pair in changes.items()
        }
        activity.record(
            uow, "ceremonies.action.updated", Subject("action", action.id, action.text),
            actor=actor, product_id=action.product_id, changes=printable,
        )  # fmt: skip
        uow.commit()
    return action
