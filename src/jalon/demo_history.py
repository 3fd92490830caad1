"""Five months of delivery history for the demo product, so that a new user sees real
sprint charts, flow charts and forecasts at first start.

The past cannot go through the services (they stamp everything with the present), so this
module replays it day by day: it writes what the services would have written on each day
(items created, status changes, sprint entries, sprints started and closed), dated that
day, then takes that day's snapshot with the history service, as the nightly job would
have. Seeded: every run builds the same history relative to its `today`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from jalon.backlog import ranks, search
from jalon.backlog.models import Item, StatusChange
from jalon.history import services as history
from jalon.permissions import CLI_ACTOR, Actor
from jalon.sprints.models import Sprint, SprintEntry, Team, TeamMember
from jalon.uow import Database, UnitOfWork

SPRINTS = 10  # closed ones; then the current sprint, then a planned one
SPRINT_DAYS = 14
CAPACITY_POINTS = (19, 27)  # a sprint's commitment range, in points
GOALS = (
    "Drivers can publish a recurring ride for their shift pattern",
    "Passengers find a ride home leaving within 15 minutes of their shift end",
    "Mobility managers see weekly carpool figures per company",
    "Night-shift workers get a guaranteed ride home",
    "Sign-up takes under two minutes with the company e-mail",
    "Drivers are paid their share automatically each month",
    "Ride matching works for the three pilot companies' sites",
    "Passengers can rate a ride and report a problem",
    "The app meets RGAA on every booking screen",
    "Cancellations notify everyone involved within a minute",
    "Carpoolers earn and see their CO₂ savings",
    "Onboarding for the fourth pilot company",
)
PERSONAS = ("shift worker", "passenger", "driver", "mobility manager", "new employee")
WANTS = (
    ("see my upcoming rides on one screen", "I never miss a pick-up"),
    ("get a reminder 10 minutes before pick-up", "I am on time"),
    ("filter rides by the gate I leave from", "I walk less at night"),
    ("share my live position with my passengers", "they know when I arrive"),
    ("export the month's rides as CSV", "I can file my mobility report"),
    ("pay my share by card", "I do not have to carry cash"),
    ("block a passenger who behaved badly", "I feel safe"),
    ("see the seats left in a ride", "I know whether to book"),
    ("book the same ride every weekday", "I plan my week once"),
    ("receive my payout statement", "I can check what I earned"),
    ("choose women-only rides", "I feel safe at night"),
    ("see how much CO₂ I saved", "I stay motivated"),
    ("invite a colleague by link", "we can carpool together"),
    ("set my home area instead of my address", "my privacy is kept"),
    ("see a driver's ratings", "I trust the ride"),
    ("change my shift pattern", "the suggestions match my new hours"),
)
BUGS = (
    "Ride list is empty after switching company",
    "Reminder arrives after the ride left",
    "Payout statement shows the wrong month",
    "Map does not load on older Android phones",
    "Booking button unreadable in dark mode",
    "Duplicate notification when a ride is cancelled",
)
POINTS = (1, 2, 3, 3, 5, 5, 8)


@dataclass
class _Work:
    """One history item: its plan for the sprint it is in."""

    id: int
    estimate: float
    start: date | None = None
    finish: date | None = None
    status: str = "new"


@dataclass
class _State:
    rng: random.Random
    product_id: int
    members: list[Actor]
    backlog: list[_Work] = field(default_factory=list)
    sprint: Sprint | None = None
    in_sprint: list[_Work] = field(default_factory=list)
    rank: str | None = None
    made: int = 0
    titles: set[str] = field(default_factory=set)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _working_days(start: date, end: date) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5]


def seed_history(db: Database, product_id: int, team_users: list[Actor], today: date) -> None:
    """Replay the product's last SPRINTS sprints up to yesterday, then plan the next one."""
    rng = random.Random(2026)  # noqa: S311 (demo data, not a secret)
    first = today - timedelta(days=SPRINT_DAYS * SPRINTS + 7 + today.weekday())
    state = _State(rng, product_id, team_users)
    with db.uow() as uow:
        team = _team(uow, product_id, team_users)
        uow.commit()
        team_id = team.id
    for offset in range((today - first).days):
        day = first + timedelta(days=offset)
        with db.uow() as uow:
            _day(uow, state, team_id, day, first)
            uow.commit()
        history.take_snapshot(
            db.uow(), actor=CLI_ACTOR, product_id=product_id, day=day, today=today
        )
    with db.uow() as uow:
        _plan_next(uow, state, team_id, today)
        search.rebuild(uow, product_id)
        uow.commit()


def _team(uow: UnitOfWork, product_id: int, users: list[Actor]) -> Team:
    team = Team(product_id=product_id, name="Équipe Covoit'", created_at=_at(date(2026, 1, 5), 9))
    uow.add(team)
    uow.flush()
    for actor, focus in zip(users, (0.8, 0.9, 0.7, 0.9), strict=False):
        uow.add(TeamMember(team_id=team.id, user_id=actor.id, focus_factor=focus))
    return team


def _sprint_start(first: date, day: date) -> int | None:
    """The number (0-based) of the sprint starting on `day`, if one does."""
    offset = (day - first).days - 7
    if offset >= 0 and offset % SPRINT_DAYS == 0:
        return offset // SPRINT_DAYS
    return None


def _day(uow: UnitOfWork, state: _State, team_id: int, day: date, first: date) -> None:
    if day.weekday() == 3 or day == first:  # backlog refinement on Thursdays
        _refine(uow, state, day, 6 if day == first else 3)
    number = _sprint_start(first, day)
    if number is not None:
        if state.sprint is not None:
            _close(uow, state, day - timedelta(days=1))
        _start(uow, state, team_id, number, day)
    if state.sprint is not None and day.weekday() < 5:
        _work(uow, state, day)
        if (day - state.sprint.starts_on).days == 3 and state.rng.random() < 0.4:
            _add_mid_sprint(uow, state, day)


# --- items ---------------------------------------------------------------------------------


def _title(state: _State) -> tuple[str, str]:
    rng = state.rng
    while True:
        if rng.random() < 0.15:
            kind, title = "bug", rng.choice(BUGS)
        else:
            want, value = rng.choice(WANTS)
            kind = "story"
            title = f"As a {rng.choice(PERSONAS)}, I want to {want} so that {value}"
        if title not in state.titles or len(state.titles) > 60:
            state.titles.add(title)
            return kind, title


def _refine(uow: UnitOfWork, state: _State, day: date, count: int) -> None:
    """New items arrive in the backlog, estimated and ready."""
    keys = ranks.keys_between(state.rank, None, count)
    state.rank = keys[-1]
    for key in keys:
        kind, title = _title(state)
        estimate = float(state.rng.choice(POINTS))
        at = _at(day, 14)
        item = Item(product_id=state.product_id, type=kind, title=title, status="ready",
                    estimate=estimate, rank=key, created_at=at, updated_at=at)  # fmt: skip
        uow.add(item)
        uow.flush()
        uow.add(StatusChange(item_id=item.id, from_status=None, to_status="ready",
                             actor_label="Camille Martin", at=at))  # fmt: skip
        state.backlog.append(_Work(item.id, estimate, status="ready"))
        state.made += 1


def _status(uow: UnitOfWork, state: _State, work: _Work, status: str, day: date) -> None:
    item = uow.session.get(Item, work.id)
    assert item is not None
    actor = state.rng.choice(state.members)
    at = _at(day, 10 + state.rng.randrange(7))
    uow.add(StatusChange(item_id=item.id, from_status=item.status, to_status=status,
                         actor_id=actor.id, actor_label=actor.label, at=at))  # fmt: skip
    item.status, item.updated_at, item.version = status, at, item.version + 1
    item.done_at = at if status == "done" else None
    item.assignee_id = item.assignee_id or actor.id
    work.status = status


# --- sprints -------------------------------------------------------------------------------


def _plan(state: _State, work: _Work, day: date, ends_on: date) -> None:
    """When the team will start and finish this item (it may not finish in the sprint)."""
    days = _working_days(day, ends_on)
    work.start = days[min(len(days) - 1, int(state.rng.random() ** 1.5 * len(days) * 0.7))]
    effort = max(1, round(work.estimate * 0.55 * state.rng.lognormvariate(0, 0.45)))
    ahead = _working_days(work.start, work.start + timedelta(days=effort * 2 + 4))
    work.finish = ahead[min(effort, len(ahead) - 1)]


def _enter(uow: UnitOfWork, state: _State, work: _Work, day: date, *, late: bool) -> None:
    assert state.sprint is not None
    item = uow.session.get(Item, work.id)
    assert item is not None
    item.sprint_id = state.sprint.id
    uow.add(SprintEntry(sprint_id=state.sprint.id, item_id=work.id, added_at=_at(day, 9),
                        added_after_start=late, estimate_at_entry=work.estimate))  # fmt: skip
    _plan(state, work, day, state.sprint.ends_on)
    state.in_sprint.append(work)


def _start(uow: UnitOfWork, state: _State, team_id: int, number: int, day: date) -> None:
    ends_on = day + timedelta(days=SPRINT_DAYS - 1)
    sprint = Sprint(product_id=state.product_id, team_id=team_id, name=f"Sprint {number + 1}",
                    goal=GOALS[number % len(GOALS)], starts_on=day, ends_on=ends_on,
                    state="active", created_at=_at(day - timedelta(days=3), 15),
                    started_at=_at(day, 9))  # fmt: skip
    uow.add(sprint)
    uow.flush()
    state.sprint = sprint
    carried, state.in_sprint = state.in_sprint, []
    budget = state.rng.randint(*CAPACITY_POINTS) - sum(w.estimate for w in carried)
    for work in carried:
        _enter(uow, state, work, day, late=False)
    while state.backlog and budget >= state.backlog[0].estimate:
        work = state.backlog.pop(0)
        budget -= work.estimate
        _enter(uow, state, work, day, late=False)


def _add_mid_sprint(uow: UnitOfWork, state: _State, day: date) -> None:
    """Scope added after the start (an urgent bug, usually): the charts show it."""
    if state.backlog:
        _enter(uow, state, state.backlog.pop(0), day, late=True)


def _work(uow: UnitOfWork, state: _State, day: date) -> None:
    for work in state.in_sprint:
        if work.status == "ready" and work.start is not None and work.start <= day:
            _status(uow, state, work, "in_progress", day)
        if work.status == "in_progress" and work.finish is not None and work.finish <= day:
            _status(uow, state, work, "done", day)


def _close(uow: UnitOfWork, state: _State, day: date) -> None:
    """Close the sprint on its last day: done items stay, the rest spill over (most to the
    next sprint, now and then one back to the backlog)."""
    assert state.sprint is not None
    sprint = uow.session.get(Sprint, state.sprint.id)  # state.sprint is from an earlier day
    assert sprint is not None
    sprint.state, sprint.closed_at = "closed", _at(day, 17)
    stmt = select(SprintEntry).where(SprintEntry.sprint_id == sprint.id).order_by(SprintEntry.id)
    entries = list(uow.session.scalars(stmt))
    kept: list[_Work] = []
    for entry, work in zip(entries, state.in_sprint, strict=True):
        entry.left_at = _at(day, 17)
        if work.status == "done":
            entry.outcome = "done"
            continue
        back = state.rng.random() < 0.2
        entry.outcome = "backlog" if back else "next_sprint"
        item = uow.session.get(Item, work.id)
        assert item is not None
        item.sprint_id = None
        (state.backlog.insert(0, work) if back else kept.append(work))
    state.in_sprint, state.sprint = kept, None


def _plan_next(uow: UnitOfWork, state: _State, team_id: int, today: date) -> None:
    """The current sprint keeps running; the next one is planned, with its goal and the
    first items of the backlog."""
    current = state.sprint
    assert current is not None
    starts_on = current.ends_on + timedelta(days=1)
    number = int(current.name.split()[-1])
    planned = Sprint(product_id=state.product_id, team_id=team_id, name=f"Sprint {number + 1}",
                     goal=GOALS[number % len(GOALS)], starts_on=starts_on,
                     ends_on=starts_on + timedelta(days=SPRINT_DAYS - 1), state="planned",
                     created_at=_at(today, 9))  # fmt: skip
    uow.add(planned)
    uow.flush()
    for work in state.backlog[:3]:
        item = uow.session.get(Item, work.id)
        assert item is not None
        item.sprint_id = planned.id
        uow.add(SprintEntry(sprint_id=planned.id, item_id=work.id, added_at=_at(today, 9),
                            estimate_at_entry=work.estimate))  # fmt: skip
