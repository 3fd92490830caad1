"""Checks of action item input that need the database (members, sprints, teams); they read
and raise Invalid per field, and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from jalon.ceremonies import rules
from jalon.errors import N_, Invalid
from jalon.products.services import role_of
from jalon.sprints.models import Sprint, Team
from jalon.uow import UnitOfWork


def _id(raw: Any) -> int | None:
    """A row id from a form or JSON value; None when blank or not a whole number."""
    try:
        return int(str(raw).strip()) if str(raw or "").strip() else None
    except ValueError:
        return None


def owner(uow: UnitOfWork, product_id: int, owner_id: Any) -> int:
    owner = _id(owner_id)
    if owner is None:
        raise Invalid("Choose the owner of the action item.", field="owner_id")
    if role_of(uow, product_id=product_id, user_id=owner) is None:
        raise Invalid("The owner must be a member of the product.", field="owner_id")
    return owner


def due_sprint(uow: UnitOfWork, product_id: int, raw: Any) -> int | None:
    if not str(raw or "").strip():
        return None
    sprint_id = _id(raw)
    sprint = uow.session.get(Sprint, sprint_id) if sprint_id is not None else None
    if sprint is None or sprint.product_id != product_id:
        raise Invalid("Choose a sprint of this product.", field="due_sprint_id")
    return sprint.id


def due_date(raw: Any) -> date | None:
    if isinstance(raw, date) or raw is None:
        return raw
    try:
        return date.fromisoformat(str(raw).strip()) if str(raw).strip() else None
    except ValueError:
        raise Invalid("Write the date as YYYY-MM-DD, like 2026-03-31.", field="due_date") from None


def _text(raw: Any) -> str:
    return rules.clean_text(
        raw, field="text", limit=rules.ACTION_LIMIT, required=N_("Say what the team will do.")
    )


def clean_action(uow: UnitOfWork, product_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The action item fields given, checked; every problem at once, one message per field."""
    checks: dict[str, Callable[[Any], Any]] = {
        "text": _text,
        "owner_id": lambda v: owner(uow, product_id, v),
        "due_sprint_id": lambda v: due_sprint(uow, product_id, v),
        "due_date": due_date,
        "status": rules.parse_action_status,
    }
    out: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, check in checks.items():
        if name in values:
            try:
                out[name] = check(values[name])
            except Invalid as exc:
                problems.update(exc.fields)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return out


def team(uow: UnitOfWork, product_id: int, team_id: Any) -> int | None:
    if not str(team_id or "").strip():
        return None
    found = _id(team_id)
    row = uow.session.get(Team, found) if found is not None else None
    if row is None or row.product_id != product_id:
        raise Invalid("Choose a team of this product.", field="team_id")
    return row.id


def sprint_of(uow: UnitOfWork, product_id: int, sprint_id: int) -> None:
    """The sprint whose retro writes an action item belongs to the product."""
    sprint = uow.session.get(Sprint, sprint_id)
    if sprint is None or sprint.product_id != product_id:
        raise Invalid("Choose a sprint of this product.", field="sprint_id")
