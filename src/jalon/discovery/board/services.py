"""Vision board and persona use cases. The Product Owner (EDIT_PRODUCT) owns the vision
board; the team (CONTRIBUTE) keeps the personas. One transaction each, with its activity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from jalon import activity
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.discovery import rules
from jalon.discovery.models import Persona, VisionBoard
from jalon.errors import N_, Conflict, Invalid
from jalon.feedback.models import Segment
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

__all__ = ["create_persona", "delete_persona", "save_vision", "update_persona"]


def save_vision(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, Any]
) -> VisionBoard:
    """Write the board's vision, target group, needs, product and business goals
    (Markdown, shown sanitised)."""
    clean = rules.clean_vision(values)
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        board = uow.session.get(VisionBoard, product_id)
        if board is None:
            board = VisionBoard(product_id=product_id, **dict.fromkeys(rules.VISION_FIELDS, ""))
            uow.add(board)
        before = {k: getattr(board, k) for k in clean}
        for name, value in clean.items():
            setattr(board, name, value)
        board.updated_at = utcnow()
        changed = [k for k in clean if before[k] != clean[k]]
        if changed:
            activity.record(
                uow, "discovery.vision.updated", Subject("product", product_id, product.name),
                actor=actor, product_id=product_id,
                changes={"vision_board": [None, ", ".join(changed)]},
            )  # fmt: skip
        uow.commit()
    return board


def _check(uow: UnitOfWork, product_id: int, clean: Mapping[str, Any], persona_id: int) -> None:
    segment_id = clean.get("segment_id")
    if segment_id is not None:
        segment = uow.session.get(Segment, segment_id)
        if segment is None or segment.product_id != product_id:
            raise Invalid("Choose a segment of this product.", field="segment_id")
    taken = uow.session.scalar(
        select(Persona.id).where(
            Persona.product_id == product_id, Persona.name == clean["name"],
            Persona.id != persona_id,
        )
    )  # fmt: skip
    if taken is not None:
        raise Conflict("A persona of this product is already named {name!r}.", field="name",
                       name=clean["name"])  # fmt: skip


def _subject(persona: Persona) -> Subject:
    return Subject("persona", persona.id, persona.name)


def create_persona(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, Any]
) -> Persona:
    clean = rules.clean_persona(values)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        _check(uow, product_id, clean, 0)
        now = utcnow()
        persona = Persona(product_id=product_id, created_at=now, updated_at=now, **clean)
        uow.add(persona)
        uow.flush()
        activity.record(
            uow, "discovery.persona.created", _subject(persona), actor=actor,
            product_id=product_id, changes={"name": [None, persona.name]},
        )  # fmt: skip
        uow.commit()
    return persona


def _persona(uow: UnitOfWork, persona_id: int, actor: Actor) -> Persona:
    persona = uow.get(Persona, persona_id, what=N_("persona"))
    authorise(uow, product_id=persona.product_id, actor=actor, action=Action.CONTRIBUTE)
    return persona


def update_persona(
    uow: UnitOfWork, *, actor: Actor, persona_id: int, values: Mapping[str, Any]
) -> Persona:
    clean = rules.clean_persona(values)
    with uow:
        persona = _persona(uow, persona_id, actor)
        _check(uow, persona.product_id, clean, persona.id)
        changes = activity.diff({k: getattr(persona, k) for k in clean}, clean)
        for name, value in clean.items():
            setattr(persona, name, value)
        if changes:
            persona.updated_at = utcnow()
            activity.record(
                uow, "discovery.persona.updated", _subject(persona), actor=actor,
                product_id=persona.product_id, changes=changes,
            )  # fmt: skip
        uow.commit()
    return persona


def delete_persona(uow: UnitOfWork, *, actor: Actor, persona_id: int) -> int:
    """Delete a persona; its product's id."""
    with uow:
        persona = _persona(uow, persona_id, actor)
        product_id = persona.product_id
        activity.record(
            uow, "discovery.persona.deleted", _subject(persona), actor=actor,
            product_id=product_id, changes={"name": [persona.name, None]},
        )  # fmt: skip
        uow.session.delete(persona)
        uow.commit()
    return product_id
