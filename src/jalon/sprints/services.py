"""Sprint use cases: settings, teams, sprints, planning, start and close. One transaction each.

Moving a card on the board is the backlog's status change (`backlog.services.edit_item`), so
the status history and `done_at` stay right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import queries as backlog_queries
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.sprints import checks, planning, queries, rules
from jalon.sprints.models import DaysOff, Sprint, SprintSettings, Team, TeamMember
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class Closed:
    """A closed sprint, where its unfinished items went, and how many left how."""

    sprint: Sprint
    next_sprint: Sprint | None
    created_next: bool
    counts: dict[str, int]


def _sprint(uow: UnitOfWork, sprint_id: int, actor: Actor) -> Sprint:
    return queries.get_sprint(uow, sprint_id, actor=actor, action=Action.CONTRIBUTE)


def _subject(sprint: Sprint) -> Subject:
    return Subject("sprint", sprint.id, sprint.name)


def _printable(changes: activity.Changes) -> activity.Changes:
    return {k: [None if v is None else str(v) for v in pair] for k, pair in changes.items()}


def _team_subject(team: Team) -> Subject:
    return Subject("team", team.id, team.name)


# --- settings ---------------------------------------------------------------------------------


def save_settings(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, Any]
) -> SprintSettings:
    """Sprint length, capacity unit and WIP limits of a product (fields not given keep)."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        found = uow.session.get(SprintSettings, product_id)
        current = found or queries.default_settings(product_id)
        before = {
            "length_days": current.length_days,
            "capacity_unit": current.capacity_unit,
            "wip_limits": dict(current.wip_limits or {}),
        }
        after = dict(before)
        if "length_days" in values:
            after["length_days"] = rules.check_length(values["length_days"])
        if "capacity_unit" in values:
            after["capacity_unit"] = rules.parse_unit(str(values["capacity_unit"])).value
        if "wip_limits" in values:
            statuses = backlog_queries.backlog_settings(uow, product_id).statuses
            keys = [str(s["key"]) for s in statuses]
            after["wip_limits"] = rules.check_wip_limits(values["wip_limits"] or {}, keys)
        settings = found or SprintSettings(product_id=product_id)
        for key, value in after.items():
            setattr(settings, key, value)
        if found is None:
            uow.add(settings)
        product = Subject("product", product_id, "")
        activity.record(
            uow, "sprints.settings.updated", product, actor=actor, product_id=product_id,
            changes=activity.diff(before, after),
        )  # fmt: skip
        uow.commit()
    return settings


# --- teams ------------------------------------------------------------------------------------


def _unique_team_name(uow: UnitOfWork, product_id: int, name: str, exclude: int = 0) -> None:
    stmt = select(func.count()).where(
        Team.product_id == product_id, func.lower(Team.name) == name.lower(), Team.id != exclude
    )
    if uow.session.scalar(stmt):
        raise Invalid("This product already has a team called {name}.", field="name", name=name)


def create_team(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    name: str,
    members: Mapping[int, object] | None = None,
) -> Team:
    """A team of the product, with members (product members: {user id: focus factor})."""
    clean = rules.check_name(name)
    focus = {int(u): rules.check_focus(f) for u, f in (members or {}).items()}
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        _unique_team_name(uow, product_id, clean)
        team = Team(product_id=product_id, name=clean, created_at=utcnow())
        uow.add(team)
        uow.flush()
        for user_id, factor in focus.items():
            checks.product_member(uow, product_id, user_id)
            uow.add(TeamMember(team_id=team.id, user_id=user_id, focus_factor=factor))
        activity.record(
            uow, "sprints.team.created", _team_subject(team), actor=actor, product_id=product_id,
            changes={"name": [None, clean]},
        )  # fmt: skip
        uow.commit()
    return team


def rename_team(uow: UnitOfWork, *, actor: Actor, team_id: int, name: str) -> Team:
    clean = rules.check_name(name)
    with uow:
        team = checks.team_for(uow, team_id, actor, Action.EDIT_PRODUCT)
        _unique_team_name(uow, team.product_id, clean, exclude=team.id)
        old, team.name = team.name, clean
        activity.record(
            uow, "sprints.team.updated", _team_subject(team), actor=actor,
            product_id=team.product_id, changes={"name": [old, clean]},
        )  # fmt: skip
        uow.commit()
    return team


def delete_team(uow: UnitOfWork, *, actor: Actor, team_id: int) -> None:
    """Delete a team without sprints (a team with sprints keeps their history)."""
    with uow:
        team = checks.team_for(uow, team_id, actor, Action.EDIT_PRODUCT)
        count = uow.session.scalar(select(func.count()).where(Sprint.team_id == team.id)) or 0
        if count:
            raise Conflict(
                "The team {name} has {n} sprint(s); deleting it would lose their history.",
                name=team.name,
                n=count,
            )
        activity.record(
            uow, "sprints.team.deleted", _team_subject(team), actor=actor,
            product_id=team.product_id, changes={"name": [team.name, None]},
        )  # fmt: skip
        uow.session.delete(team)
        uow.commit()


def save_member(
    uow: UnitOfWork, *, actor: Actor, team_id: int, user_id: int, focus_factor: object = 1.0
) -> TeamMember:
    """Add a product member to the team, or change their focus factor (0 < f ≤ 1)."""
    focus = rules.check_focus(focus_factor)
    with uow:
        team = checks.team_for(uow, team_id, actor, Action.EDIT_PRODUCT)
        checks.product_member(uow, team.product_id, user_id)
        member = uow.session.get(TeamMember, (team.id, user_id))
        old = member.focus_factor if member else None
        if member is None:
            member = TeamMember(team_id=team.id, user_id=user_id)
            uow.add(member)
        member.focus_factor = focus
        activity.record(
            uow, "sprints.member.saved", _team_subject(team), actor=actor,
            product_id=team.product_id, changes={"focus_factor": [old, focus]},
        )  # fmt: skip
        uow.commit()
    return member


def remove_member(uow: UnitOfWork, *, actor: Actor, team_id: int, user_id: int) -> None:
    with uow:
        team = checks.team_for(uow, team_id, actor, Action.EDIT_PRODUCT)
        member = uow.get(TeamMember, (team.id, user_id), what=N_("team member"))  # type: ignore[arg-type]
        uow.session.delete(member)
        activity.record(
            uow, "sprints.member.removed", _team_subject(team), actor=actor,
            product_id=team.product_id, changes={"user_id": [user_id, None]},
        )  # fmt: skip
        uow.commit()


def set_days_off(
    uow: UnitOfWork, *, actor: Actor, sprint_id: int, days: Mapping[int, object]
) -> None:
    """Days off of the team's members during the sprint ({user id: days}; blank = 0)."""
    with uow:
        sprint = _sprint(uow, sprint_id, actor)
        rules.check_open(sprint.state)
        members = queries.team_members(uow, sprint.team_id)
        workdays = rules.working_days(sprint.starts_on, sprint.ends_on)
        clean: dict[int, float] = {}
        for user_id, raw in days.items():
            if user_id not in members:
                raise Invalid("{ident} is not in the team.", field="days_off", ident=user_id)
            clean[user_id] = rules.check_days_off(raw, workdays, field=f"days_off.{user_id}")
        uow.session.execute(delete(DaysOff).where(DaysOff.sprint_id == sprint.id))
        for user_id, value in clean.items():
            if value:
                uow.add(DaysOff(sprint_id=sprint.id, user_id=user_id, days=value))
        activity.record(
            uow, "sprints.days_off.set", _subject(sprint), actor=actor,
            product_id=sprint.product_id, changes={"days_off": [None, sum(clean.values())]},
        )  # fmt: skip
        uow.commit()


# --- sprints ----------------------------------------------------------------------------------


def create_sprint(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, Any]
) -> Sprint:
    """A planned sprint; without an end, it lasts the product's sprint length."""
    clean = checks.sprint_values(values, creating=True)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        team = checks.team_of(uow, clean["team_id"], product_id)
        length = queries.sprint_settings(uow, product_id).length_days
        ends_on = clean.get("ends_on") or rules.default_end(clean["starts_on"], length)
        sprint = Sprint(
            product_id=product_id, team_id=team.id, name=clean["name"],
            goal=clean.get("goal") or "", starts_on=clean["starts_on"], ends_on=ends_on,
            state=rules.State.PLANNED.value, created_at=utcnow(),
        )  # fmt: skip
        checks.check_schedule(uow, sprint)
        uow.add(sprint)
        uow.flush()
        _record_created(uow, sprint, actor)
        uow.commit()
    return sprint


def _record_created(uow: UnitOfWork, sprint: Sprint, actor: Actor) -> None:
    activity.record(
        uow, "sprints.sprint.created", _subject(sprint), actor=actor,
        product_id=sprint.product_id,
        changes={"name": [None, sprint.name], "goal": [None, sprint.goal]},
    )  # fmt: skip


def edit_sprint(
    uow: UnitOfWork, *, actor: Actor, sprint_id: int, values: Mapping[str, Any]
) -> Sprint:
    """Rename, change the goal or the dates (not of a closed sprint, nor an active one's start)."""
    clean = checks.sprint_values(values, creating=False)
    with uow:
        sprint = _sprint(uow, sprint_id, actor)
        rules.check_open(sprint.state)
        if sprint.state == rules.State.ACTIVE and clean.get("starts_on", sprint.starts_on) != (
            sprint.starts_on
        ):
            raise Invalid("The sprint has started; its first day stays.", field="starts_on")
        if "ends_on" in clean and clean["ends_on"] is None:
            start = clean.get("starts_on", sprint.starts_on)
            length = queries.sprint_settings(uow, sprint.product_id).length_days
            clean["ends_on"] = rules.default_end(start, length)
        before = {k: getattr(sprint, k) for k in clean}
        for key, value in clean.items():
            setattr(sprint, key, value)
        checks.check_schedule(uow, sprint)
        changes = activity.diff(before, clean)
        if changes:
            activity.record(
                uow, "sprints.sprint.updated", _subject(sprint), actor=actor,
                product_id=sprint.product_id,
                changes=_printable(changes),
            )  # fmt: skip
        uow.commit()
    return sprint


def start_sprint(uow: UnitOfWork, *, actor: Actor, sprint_id: int) -> Sprint:
    """Start a planned sprint that has a Sprint Goal; its commitment is frozen now."""
    with uow:
        sprint = _sprint(uow, sprint_id, actor)
        active = queries.active_sprint(uow, sprint.team_id, exclude=sprint.id)
        rules.check_can_start(
            sprint.state, sprint.goal, active_name=active.name if active else None
        )
        sprint.state, sprint.started_at = rules.State.ACTIVE.value, utcnow()
        planning.freeze_commitment(uow, sprint)
        activity.record(
            uow, "sprints.sprint.started", _subject(sprint), actor=actor,
            product_id=sprint.product_id, changes={"state": ["planned", "active"]},
        )  # fmt: skip
        uow.commit()
    return sprint


def close_sprint(
    uow: UnitOfWork,
    *,
    actor: Actor,
    sprint_id: int,
    unfinished: str = "backlog",
    next_sprint_id: int | None = None,
    choices: Mapping[int, str] | None = None,
) -> Closed:
    """Close an active sprint. Done items stay in it; each unfinished item goes back to the
    backlog or into the next sprint (`choices` per item, else `unfinished` for all), keeping
    its entry here. The next sprint is the one chosen, the team's next planned one, or a new
    one created right after this one."""
    default = rules.parse_spill(unfinished)
    picked = {
        int(k): rules.parse_spill(v, field=f"choices.{k}") for k, v in (choices or {}).items()
    }
    with uow:
        sprint = _sprint(uow, sprint_id, actor)
        rules.check_can_close(sprint.state)
        now = utcnow()
        leftover = planning.unfinished_ids(uow, sprint)
        wants_next = any(picked.get(i, default) == "next" for i in leftover)
        target, created = (
            planning.next_sprint(uow, sprint, next_sprint_id) if wants_next else (None, False)
        )
        counts = planning.spill(
            uow, sprint, choices=picked, default=default, next_sprint=target, now=now
        )
        sprint.state, sprint.closed_at = rules.State.CLOSED.value, now
        moved = {k: n for k, n in counts.items() if n}
        if created and target is not None:  # the next sprint, made for the spilled items
            _record_created(uow, target, actor)
        activity.record(
            uow, "sprints.sprint.closed", _subject(sprint), actor=actor,
            product_id=sprint.product_id,
            changes={"state": ["active", "closed"], **{k: [None, n] for k, n in moved.items()}},
        )  # fmt: skip
        uow.commit()
    return Closed(sprint, target, created, counts)


# --- planning ---------------------------------------------------------------------------------


def add_items(uow: UnitOfWork, *, actor: Actor, sprint_id: int, item_ids: list[int]) -> int:
    """Put backlog items into a planned or active sprint; how many were added."""
    with uow:
        sprint = _sprint(uow, sprint_id, actor)
        rules.check_open(sprint.state)
        now = utcnow()
        items = checks.plannable(uow, sprint, item_ids)
        added = sum(planning.enter(uow, sprint, item, now) for item in items)
        activity.record(
            uow, "sprints.items.added", _subject(sprint), actor=actor,
            product_id=sprint.product_id, changes={"items": [None, [i.id for i in items]]},
        )  # fmt: skip
        uow.commit()
    return added


def remove_item(uow: UnitOfWork, *, actor: Actor, sprint_id: int, item_id: int) -> None:
    """Take an item out of the sprint, back to the backlog."""
    with uow:
        sprint = _sprint(uow, sprint_id, actor)
        rules.check_open(sprint.state)
        item = uow.session.get(Item, item_id)
        if item is None or item.sprint_id != sprint.id:
            raise Invalid("The item {ident} is not in this sprint.", field="item_id", ident=item_id)
        planning.leave(uow, sprint, item, "removed", utcnow())
        activity.record(
            uow, "sprints.item.removed", Subject("item", item.id, item.title), actor=actor,
            product_id=sprint.product_id, changes={"sprint": [sprint.name, None]},
        )  # fmt: skip
        uow.commit()
