"""The daily snapshot: the only write path of history.

`take_snapshot` compares every item's state with its latest snapshot row in bulk, inserts a
row only for items that changed (and for new and removed items), then the day's tallies
per status (product and running sprints) and one completion per item that reached done.
A day is taken once: running it again writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from jalon.backlog.models import Item
from jalon.errors import Conflict, Invalid
from jalon.history import queries, rules, store
from jalon.history.models import SnapshotDay
from jalon.history.rules import Change, State
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class SnapshotResult:
    product_id: int
    day: date
    items: int
    changed: int
    completed: int
    already_taken: bool = False


def take_snapshot(
    uow: UnitOfWork, *, actor: Actor, product_id: int, day: date, today: date
) -> SnapshotResult:
    """Snapshot one product for `day` (the state at the end of that day, normally taken
    just after midnight for the day that ended)."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        found = store.has_day(uow, product_id, day)
        if found is not None:
            uow.commit()
            return SnapshotResult(product_id, day, found.items, 0, 0, already_taken=True)
        rules.check_snapshot_day(day, today=today, latest=store.last_day(uow, product_id))
        result = write_day(uow, product_id, day)
        uow.commit()
    return result


def write_day(uow: UnitOfWork, product_id: int, day: date) -> SnapshotResult:
    """Write one day's snapshot inside the caller's transaction (no commit, no checks):
    the job above, and the Academy's simulated Sprints, which date their own days."""
    previous = store.latest_day_row(uow, product_id)
    taken = SnapshotDay(product_id=product_id, day=day, items=0, changed=0)
    uow.add(taken)
    try:
        uow.flush()  # claims the day first: a concurrent run fails here, before the bulk work
    except IntegrityError:
        raise Conflict("The snapshot of {day} is being taken already.", day=str(day)) from None
    found = store.changed_items(uow, product_id)
    taken.items = store.count_items(uow, product_id)
    appearing = sum(1 for change in found if change.before is None)
    if rules.vanished(previous.items if previous else 0, appearing, taken.items):
        found += store.vanished_items(uow, product_id)
    taken.changed = len(found)
    categories = store.categories(uow, product_id)
    store.insert_snapshots(uow, product_id, [_row(change, day) for change in found])
    heads = [(*_row(c, day), _iso(rules.doing_since(c, categories, day))) for c in found]
    store.upsert_heads(uow, product_id, heads)
    tally = store.tally_items(uow, Item.product_id == product_id)
    store.insert_tallies(uow, ("product_id", product_id), day, tally)
    running = [sprint.id for sprint in store.running_sprints(uow, product_id, day)]
    for sprint_id, sprint_tally in store.tally_sprints(uow, running).items():
        store.insert_tallies(uow, ("sprint_id", sprint_id), day, sprint_tally)
    completed = _completions(uow, product_id, day, found, categories)
    return SnapshotResult(product_id, day, taken.items, len(found), len(completed))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _row(change: Change, day: date) -> tuple[object, ...]:
    status, estimate, sprint_id, parent_id, kind = change.state
    return (
        change.item_id,
        day.isoformat(),
        status,
        estimate,
        sprint_id,
        parent_id,
        kind,
        change.removed,
    )


def _reached_done(change: Change, categories: Mapping[str, str]) -> bool:
    if change.removed or categories.get(change.state[0]) != "done":
        return False
    return change.before is None or categories.get(change.before[0]) != "done"


def _completions(
    uow: UnitOfWork,
    product_id: int,
    day: date,
    found: Sequence[Change],
    categories: Mapping[str, str],
) -> list[tuple[object, ...]]:
    """One completion per item that reached done today; an item seen for the first time,
    already done, takes its start and done days from the status log and `done_at`."""
    done = [c for c in found if _reached_done(c, categories)]
    if not done:
        return []
    new_ids = [c.item_id for c in done if c.before is None]
    doing = [key for key, category in categories.items() if category == "doing"]
    logged = store.first_doing_changes(uow, new_ids, doing) if new_ids else {}
    done_on_of = store.done_days(uow, new_ids) if new_ids else {}
    rows = []
    for change in done:
        done_on = min(done_on_of.get(change.item_id, day), day)
        started = rules.started_on(change, categories, done_on)
        if change.before is None and change.item_id in logged:
            started = min(logged[change.item_id], done_on)
        rows.append(_completion(change.item_id, change.state, started, done_on))
    store.insert_completions(uow, product_id, rows)
    return rows


def _completion(item_id: int, state: State, started: date, done_on: date) -> tuple[object, ...]:
    return (
        item_id,
        state[4],
        state[1],
        started.isoformat(),
        done_on.isoformat(),
        rules.cycle_days(started, done_on),
    )


def take_snapshots(
    db: Database, *, actor: Actor, day: date, today: date, product_ids: Sequence[int] | None = None
) -> list[SnapshotResult]:
    """Snapshot several products for `day` (every product by default), one transaction per
    product. A product being snapshotted by another process at the same moment, or already
    snapshotted for a later day, is skipped: the others still get theirs."""
    results = []
    ids = queries.list_product_ids(db.reader()) if product_ids is None else product_ids
    for product_id in ids:
        try:
            results.append(
                take_snapshot(db.uow(), actor=actor, product_id=product_id, day=day, today=today)
            )
        except (Conflict, Invalid):
            if product_ids is not None and len(product_ids) == 1:
                raise
    return results
