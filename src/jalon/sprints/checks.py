"""Input checks of the sprint services that need the database (inside their unit of work).

Pure checks are in `rules`; these load what the rules compare against.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from jalon.backlog.models import Item
from jalon.errors import N_, Invalid, JalonError
from jalon.permissions import Action, Actor
from jalon.products.services import authorise, role_of
from jalon.sprints import queries, rules
from jalon.sprints.models import Sprint, Team
from jalon.uow import UnitOfWork

SPRINT_FIELDS = ("name", "team_id", "starts_on", "ends_on", "goal")


def parse_day(raw: object, field: str) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("Write the date as YYYY-MM-DD, like 2026-03-31.", field=field) from None


def _collect(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Each field checked on its own, so that every bad field gets its message at once."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    checks: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: rules.check_name(str(v or "")),
        "goal": lambda v: rules.check_goal(str(v or "")),
        "starts_on": lambda v: parse_day(v, "starts_on"),
        "ends_on": lambda v: parse_day(v, "ends_on"),
        "team_id": lambda v: int(v) if v not in (None, "") else None,
    }
    for name, check in checks.items():
        if name not in values:
            continue
        try:
            clean[name] = check(values[name])
        except JalonError as exc:
            problems.update(exc.fields)
        except (TypeError, ValueError):
            problems[name] = N_("Choose a team.")
    return clean, problems


def sprint_values(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    unknown = sorted(set(values) - set(SPRINT_FIELDS))
    if unknown:
        raise Invalid("Unknown field(s): {names}.", field=unknown[0], names=", ".join(unknown))
    if not creating and "team_id" in values:
        raise Invalid("A sprint stays with its team.", field="team_id")
    clean, problems = _collect(values)
    if creating:
        for name, message in (
            ("name", N_("Give it a name.")),
            ("team_id", N_("Choose a team.")),
            ("starts_on", N_("Choose the first day of the sprint.")),
        ):
            if clean.get(name) is None and name not in problems:
                problems[name] = message
    elif "starts_on" in clean and clean["starts_on"] is None:
        problems.setdefault("starts_on", N_("Choose the first day of the sprint."))
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


def team_of(uow: UnitOfWork, team_id: int, product_id: int) -> Team:
    team = uow.session.get(Team, team_id)
    if team is None or team.product_id != product_id:
        raise Invalid("Choose a team of this product.", field="team_id")
    return team


def check_schedule(uow: UnitOfWork, sprint: Sprint) -> None:
    """Dates in order, and no overlap with the team's other sprints."""
    rules.check_dates(sprint.starts_on, sprint.ends_on)
    others = queries.team_sprints(uow, sprint.team_id, exclude=sprint.id)
    rules.check_no_overlap(sprint.starts_on, sprint.ends_on, others)


def product_member(uow: UnitOfWork, product_id: int, user_id: int) -> None:
    if role_of(uow, product_id=product_id, user_id=user_id) is None:
        raise Invalid("Only members of the product can join its teams.", field="user_id")


def team_for(uow: UnitOfWork, team_id: int, actor: Actor, action: Action) -> Team:
    team = uow.get(Team, team_id, what=N_("team"))
    authorise(uow, product_id=team.product_id, actor=actor, action=action)
    return team


def plannable(uow: UnitOfWork, sprint: Sprint, item_ids: list[int]) -> list[Item]:
    """The items, of the sprint's product, not done, not in another open sprint."""
    if not item_ids:
        raise Invalid("Choose at least one item.", field="item_ids")
    found = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(set(item_ids))))}
    closed = queries.done_statuses(uow, sprint.product_id)
    items: list[Item] = []
    for item_id in dict.fromkeys(item_ids):
        item = found.get(item_id)
        if item is None or item.product_id != sprint.product_id:
            raise Invalid(
                "The item {ident} is not in this product.", field="item_ids", ident=item_id
            )
        if item.status in closed:
            raise Invalid("The item {ident} is already done.", field="item_ids", ident=item_id)
        if item.sprint_id not in (None, sprint.id):
            other = uow.session.get(Sprint, item.sprint_id)
            if other is not None and other.state != rules.State.CLOSED:
                raise Invalid(
                    "The item {ident} is already in the sprint {name}.",
                    field="item_ids",
                    ident=item_id,
                    name=other.name,
                )
        items.append(item)
    return items
