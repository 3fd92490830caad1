"""Feedback use cases: enter, edit, triage and delete feedback, link it as evidence, import
batches (CSV, e-mail, the intake endpoint), manage the intake token, and feed RICE reach.

One transaction each, with its activity entry; bad input raises Invalid before anything
is written. Every path that adds feedback hands the new ids to the themes area
(`place_feedback`) inside the same transaction.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from jalon import activity
from jalon.activity import Subject
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.discovery.models import TreeNode
from jalon.errors import N_, Invalid, Label, NotFound, Unauthenticated
from jalon.feedback import queries, rules, upsert
from jalon.feedback.models import Customer, Feedback, FeedbackLink, IntakeToken
from jalon.permissions import Action, Actor
from jalon.prioritisation import services as prioritisation
from jalon.products.services import authorise
from jalon.themes import placement
from jalon.uow import NOT_FOUND, UnitOfWork

ENTER = Action.COMMENT  # stakeholders relay what customers say
TRIAGE = Action.CONTRIBUTE  # the team edits, triages, links and imports
SETTINGS = Action.EDIT_PRODUCT  # the Product Owner manages the intake token
INTAKE_ACTOR = Actor(None, "intake")
TOKEN_PREFIX = "jif_"  # noqa: S105 - a prefix, not a secret (web.INTAKE_TOKEN_PREFIX)


def _feedback(uow: UnitOfWork, feedback_id: int, actor: Actor, action: Action) -> Feedback:
    found = uow.get(Feedback, feedback_id, what=N_("feedback"))
    authorise(uow, product_id=found.product_id, actor=actor, action=action)
    return found


def _subject(feedback: Feedback) -> Subject:
    return Subject("feedback", feedback.id, rules.quote(feedback.text, 80))


def _customer_id(uow: UnitOfWork, product_id: int, raw: object) -> int | None:
    if raw in (None, ""):
        return None
    ident = int(str(raw)) if str(raw).strip().isdigit() else 0
    found = uow.session.get(Customer, ident)
    if found is None or found.product_id != product_id:
        raise Invalid(N_("Choose one of this product's customers."), field="customer_id")
    return found.id


def create_feedback(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, object]
) -> Feedback:
    """Feedback entered by hand, from a customer (`customer_id`) or a named author."""
    clean = rules.clean_feedback(values, now=utcnow())
    if clean["received_at"] is None:
        del clean["received_at"]
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=ENTER)
        customer_id = _customer_id(uow, product_id, values.get("customer_id"))
        feedback = Feedback(
            product_id=product_id,
            source="manual",
            state="new",
            customer_id=customer_id,
            actor_label=actor.label[:200],
            **clean,
        )
        uow.add(feedback)
        uow.flush()
        placement.place_feedback(uow, product_id, [feedback.id])
        activity.record(
            uow,
            "feedback.feedback.created",
            _subject(feedback),
            actor=actor,
            product_id=product_id,
            changes={"text": [None, rules.quote(feedback.text, 120)]},
        )
        uow.commit()
    return feedback


def _shown(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def update_feedback(
    uow: UnitOfWork, *, actor: Actor, feedback_id: int, values: Mapping[str, object]
) -> Feedback:
    """Change the fields given (text, author, rating, sentiment, date, customer)."""
    clean = rules.clean_feedback(values, now=utcnow(), partial=True)
    if clean.get("received_at", 0) is None:
        del clean["received_at"]
    with uow:
        feedback = _feedback(uow, feedback_id, actor, TRIAGE)
        if "customer_id" in values:
            clean["customer_id"] = _customer_id(uow, feedback.product_id, values["customer_id"])
        before = {k: getattr(feedback, k) for k in clean}
        for name, value in clean.items():
            setattr(feedback, name, value)
        changes = {k: [_shown(before[k]), _shown(v)] for k, v in clean.items() if before[k] != v}
        if "text" in changes:
            changes["text"] = [rules.quote(str(before["text"]), 80), rules.quote(feedback.text, 80)]
        if changes:
            activity.record(
                uow,
                "feedback.feedback.updated",
                _subject(feedback),
                actor=actor,
                product_id=feedback.product_id,
                changes=changes,
            )
        uow.commit()
    return feedback


def set_state(uow: UnitOfWork, *, actor: Actor, feedback_id: int, state: str) -> Feedback:
    """Triage: new → triaged → archived (and back)."""
    with uow:
        feedback = _feedback(uow, feedback_id, actor, TRIAGE)
        rules.check_transition(feedback.state, state)
        before, feedback.state = feedback.state, state
        activity.record(
            uow,
            "feedback.state.changed",
            _subject(feedback),
            actor=actor,
            product_id=feedback.product_id,
            changes={"state": [before, state]},
        )
        uow.commit()
    return feedback


def delete_feedback(uow: UnitOfWork, *, actor: Actor, feedback_id: int) -> int:
    """Delete a feedback and its links; the product's id."""
    with uow:
        feedback = _feedback(uow, feedback_id, actor, TRIAGE)
        product_id, subject = feedback.product_id, _subject(feedback)
        uow.session.delete(feedback)
        activity.record(
            uow, "feedback.feedback.deleted", subject, actor=actor, product_id=product_id
        )
        uow.commit()
    return product_id


# --- links: feedback as evidence --------------------------------------------------------------


def _target(
    uow: UnitOfWork, product_id: int, item_id: int | None, opportunity_id: int | None
) -> tuple[str, str]:
    """("item_id" or "opportunity_id", the label of the target) after checking it."""
    if (item_id is None) == (opportunity_id is None):
        raise Invalid(N_("Link to one backlog item or one opportunity."), field="target")
    if item_id is not None:
        item = uow.session.get(Item, item_id)
        if item is None or item.product_id != product_id:
            raise Invalid(N_("This product has no item #{ident}."), field="item_id", ident=item_id)
        return "item_id", f"#{item.id} {item.title}"
    node = uow.session.get(TreeNode, opportunity_id)
    if node is None or node.product_id != product_id or node.kind != "opportunity":
        raise Invalid(N_("This product has no such opportunity."), field="opportunity_id")
    return "opportunity_id", node.title


def link_feedback(
    uow: UnitOfWork,
    *,
    actor: Actor,
    feedback_id: int,
    item_id: int | None = None,
    opportunity_id: int | None = None,
    importance: object = 2,
) -> FeedbackLink:
    """Make a feedback evidence for an item or an opportunity (linking again changes the
    importance)."""
    level = rules.check_importance(importance)
    with uow:
        feedback = _feedback(uow, feedback_id, actor, TRIAGE)
        column, label = _target(uow, feedback.product_id, item_id, opportunity_id)
        wanted = item_id if column == "item_id" else opportunity_id
        link = uow.session.scalar(
            select(FeedbackLink).where(
                FeedbackLink.feedback_id == feedback.id, getattr(FeedbackLink, column) == wanted
            )
        )
        before = link.importance if link is not None else None
        if link is None:
            link = FeedbackLink(feedback_id=feedback.id, created_at=utcnow(), **{column: wanted})
            uow.add(link)
        link.importance = level
        uow.flush()
        activity.record(
            uow,
            "feedback.link.added",
            _subject(feedback),
            actor=actor,
            product_id=feedback.product_id,
            changes={"link": [None, label], "importance": [before, level]},
        )
        uow.commit()
    return link


def unlink_feedback(
    uow: UnitOfWork, *, actor: Actor, link_id: int, feedback_id: int | None = None
) -> int:
    """Remove a link (of `feedback_id`, when given); the feedback's id."""
    with uow:
        link = uow.get(FeedbackLink, link_id, what=N_("link"))
        if feedback_id is not None and link.feedback_id != feedback_id:
            raise NotFound(NOT_FOUND, what=Label("link", N_("link")), ident=link_id)
        feedback = _feedback(uow, link.feedback_id, actor, TRIAGE)
        _column, label = _target(uow, feedback.product_id, link.item_id, link.opportunity_id)
        uow.session.delete(link)
        activity.record(
            uow,
            "feedback.link.removed",
            _subject(feedback),
            actor=actor,
            product_id=feedback.product_id,
            changes={"link": [label, None]},
        )
        uow.commit()
    return feedback.id


# --- batches: imports and the intake endpoint ---------------------------------------------------


def import_feedback(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    rows: Iterable[tuple[str, Mapping[str, object]]],
    source: str,
    label: str,
) -> upsert.Written:
    """Import (label, row) pairs as feedback of `source`, all or nothing; rows with a known
    external key update their feedback."""
    clean = rules.clean_batch(rows, now=utcnow())
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=TRIAGE)
        written = upsert.write_rows(uow, product_id, clean, source=source, actor_label=actor.label)
        placement.place_feedback(uow, product_id, written.created)
        activity.record(
            uow,
            "feedback.batch.imported",
            Subject("import", None, label[:200]),
            actor=actor,
            product_id=product_id,
            changes={
                "created": [None, len(written.created)],
                "updated": [None, len(written.updated)],
            },
        )
        uow.commit()
    return written


def _intake_token(uow: UnitOfWork, product_id: int, raw: str) -> IntakeToken:
    row = uow.session.scalar(select(IntakeToken).where(IntakeToken.product_id == product_id))
    if row is None or not raw or not hmac.compare_digest(row.token_hash, rules.hash_token(raw)):
        raise Unauthenticated(
            "This intake token is not valid for this product, or has been revoked."
        )
    return row


def receive_intake(
    uow: UnitOfWork,
    *,
    product_id: int,
    rows: Sequence[Mapping[str, object]],
    token: str = "",
    actor: Actor | None = None,
) -> upsert.Written:
    """Feedback sent to the intake endpoint: with the product's intake token, or by someone
    who may import feedback (an API token or a session)."""
    with uow:
        if actor is None:
            found: IntakeToken | None = _intake_token(uow, product_id, token)
        else:
            authorise(uow, product_id=product_id, actor=actor, action=TRIAGE)
            found = None
        if not rows or len(rows) > rules.MAX_BATCH:
            raise Invalid(N_("Send from 1 to 500 feedback at once."), field="body")
        # A list's errors are numbered from 0; a single object's name its fields only.
        labels = [str(i) for i in range(len(rows))] if len(rows) > 1 else [""]
        clean = rules.clean_batch(zip(labels, rows, strict=True), now=utcnow())
        written = upsert.write_rows(uow, product_id, clean, source="intake", actor_label="intake")
        placement.place_feedback(uow, product_id, written.created)
        if found is not None:
            found.last_used_at = utcnow()
        activity.record(
            uow, "feedback.batch.imported", Subject("import", None, "intake"),
            actor=actor or INTAKE_ACTOR, product_id=product_id,
            changes={"created": [None, len(written.created)],
                     "updated": [None, len(written.updated)]},
        )  # fmt: skip
        uow.commit()
    return written


def create_intake_token(uow: UnitOfWork, *, actor: Actor, product_id: int) -> str:
    """A new intake token (replacing the current one); returned once, only its hash kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=SETTINGS)
        row = uow.session.scalar(select(IntakeToken).where(IntakeToken.product_id == product_id))
        if row is None:
            row = IntakeToken(product_id=product_id)
            uow.add(row)
        row.token_hash, row.hint = rules.hash_token(raw), raw[:8]
        row.created_by, row.created_at, row.last_used_at = actor.label[:200], utcnow(), None
        activity.record(
            uow,
            "feedback.intake_token.created",
            Subject("product", product_id, product.name),
            actor=actor,
            product_id=product_id,
        )
        uow.commit()
    return raw


def revoke_intake_token(uow: UnitOfWork, *, actor: Actor, product_id: int) -> None:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=SETTINGS)
        row = uow.session.scalar(select(IntakeToken).where(IntakeToken.product_id == product_id))
        if row is None:
            raise NotFound("This product has no intake token.")
        uow.session.delete(row)
        activity.record(
            uow,
            "feedback.intake_token.revoked",
            Subject("product", product_id, product.name),
            actor=actor,
            product_id=product_id,
        )
        uow.commit()


# --- evidence feeds prioritisation ----------------------------------------------------------------


def use_as_reach(reader: UnitOfWork, writer: UnitOfWork, *, actor: Actor, item_id: int) -> int:
    """Set the item's RICE reach to its weighted demand (rounded), keeping its other RICE
    inputs; the reach set. Written by the prioritisation services (one transaction)."""
    evidence = queries.item_evidence(reader, actor=actor, item_id=item_id)
    if not evidence.count:
        raise Invalid(N_("No feedback is linked to this item yet."), field="reach")
    reach = round(evidence.demand)
    inputs = {**evidence.rice_inputs, "reach": reach}
    entry = prioritisation.Entry(item_id=item_id, inputs=inputs)
    prioritisation.score_items(
        writer,
        actor=actor,
        product_id=evidence.product_id,
        model="rice",
        entries=[entry],
        partial=True,
    )
    return reach
