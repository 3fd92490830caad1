"""Release reads: settings, the list with progress, one release, candidates for its scope,
the forecast against its target, and the public changelog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from jalon.backlog.models import Item
from jalon.backlog.queries import backlog_settings
from jalon.backlog.workflow import Category
from jalon.errors import N_, Label, Message, NotFound
from jalon.forecasting import queries as forecasting
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.releases import rules
from jalon.releases.models import Release, ReleaseItem, ReleaseSettings
from jalon.uow import NOT_FOUND, UnitOfWork

CANDIDATES = 50
CHANGELOG = Label("changelog", N_("changelog"))


def default_settings(product_id: int) -> ReleaseSettings:
    return ReleaseSettings(
        product_id=product_id, checklist=list(rules.DEFAULT_CHECKLIST), public_changelog=False
    )


def release_settings(uow: UnitOfWork, product_id: int) -> ReleaseSettings:
    return uow.session.get(ReleaseSettings, product_id) or default_settings(product_id)


@dataclass(frozen=True)
class SettingsView:
    product: Product
    role: Role | None
    settings: ReleaseSettings


def get_settings(uow: UnitOfWork, *, actor: Actor, product_id: int) -> SettingsView:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        role = role_of(uow, product_id=product_id, user_id=actor.id)
        return SettingsView(product, role, release_settings(uow, product_id))


# --- helpers for services -------------------------------------------------------------------------


def done_keys(uow: UnitOfWork, product_id: int) -> set[str]:
    statuses = backlog_settings(uow, product_id).statuses
    return {s["key"] for s in statuses if s["category"] == Category.DONE}


def open_releases_of(
    uow: UnitOfWork, item_ids: Iterable[int], *, exclude: int
) -> list[tuple[int, str]]:
    """(item id, release name) for the items already in another unreleased release."""
    ids = list(item_ids)
    if not ids:
        return []
    stmt = (
        select(ReleaseItem.item_id, Release.name)
        .join(Release, Release.id == ReleaseItem.release_id)
        .where(ReleaseItem.open_item_id.in_(ids), ReleaseItem.release_id != exclude)
        .order_by(ReleaseItem.item_id)
    )
    return [(int(i), str(n)) for i, n in uow.session.execute(stmt)]


def descendant_ids(uow: UnitOfWork, roots: Sequence[int]) -> list[int]:
    """Children, grandchildren… of the items, level by level (the hierarchy is shallow)."""
    found: list[int] = []
    level, seen = list(roots), set(roots)
    while level:
        rows = [
            int(i) for i in uow.session.scalars(select(Item.id).where(Item.parent_id.in_(level)))
        ]
        level = [i for i in rows if i not in seen]
        seen.update(level)
        found += level
    return found


def scope_ids(uow: UnitOfWork, release_id: int) -> set[int]:
    stmt = select(ReleaseItem.item_id).where(ReleaseItem.release_id == release_id)
    return {int(i) for i in uow.session.scalars(stmt)}


def _scope(uow: UnitOfWork, release: Release) -> list[Item]:
    stmt = (
        select(Item)
        .join(ReleaseItem, ReleaseItem.item_id == Item.id)
        .where(ReleaseItem.release_id == release.id)
        .order_by(Item.rank, Item.id)
    )
    return list(uow.session.scalars(stmt))


def not_done_items(uow: UnitOfWork, release: Release) -> list[tuple[int, str]]:
    """The counted items of the scope that are not done, as (id, title)."""
    done = done_keys(uow, release.product_id)
    items = _scope(uow, release)
    rows = [rules.ScopeRow(i.id, i.parent_id, i.estimate, i.status in done) for i in items]
    counted = {r.id for r in rules.counted(rows) if not r.done}
    return [(i.id, i.title) for i in items if i.id in counted]


def done_note_items(uow: UnitOfWork, release: Release) -> list[rules.NoteItem]:
    done = done_keys(uow, release.product_id)
    return [rules.NoteItem(i.id, i.type, i.title) for i in _scope(uow, release) if i.status in done]


# --- the list and one release ------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseRow:
    release: Release
    progress: rules.Progress


@dataclass(frozen=True)
class ListView:
    product: Product
    role: Role | None
    rows: list[ReleaseRow]


def _progress_by_release(uow: UnitOfWork, product_id: int) -> dict[int, rules.Progress]:
    done = done_keys(uow, product_id)
    stmt = (
        select(ReleaseItem.release_id, Item.id, Item.parent_id, Item.estimate, Item.status)
        .join(Item, Item.id == ReleaseItem.item_id)
        .join(Release, Release.id == ReleaseItem.release_id)
        .where(Release.product_id == product_id)
    )
    rows: dict[int, list[rules.ScopeRow]] = {}
    for rid, iid, parent, estimate, status in uow.session.execute(stmt):
        rows.setdefault(rid, []).append(rules.ScopeRow(iid, parent, estimate, status in done))
    return {rid: rules.progress(scope) for rid, scope in rows.items()}


def list_releases(uow: UnitOfWork, *, actor: Actor, product_id: int) -> ListView:
    """Unreleased versions first (by target date), then released ones, newest first."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        releases = list(
            uow.session.scalars(select(Release).where(Release.product_id == product_id))
        )
        planned = sorted(
            (r for r in releases if r.state != rules.State.RELEASED),
            key=lambda r: (r.target_date or date.max, r.id),
        )
        released = sorted(
            (r for r in releases if r.state == rules.State.RELEASED),
            key=lambda r: (r.released_at, r.id),
            reverse=True,
        )
        progress = _progress_by_release(uow, product_id)
        empty = rules.Progress(0, 0, 0.0, 0.0)
        rows = [ReleaseRow(r, progress.get(r.id, empty)) for r in planned + released]
        return ListView(product, role_of(uow, product_id=product_id, user_id=actor.id), rows)


@dataclass(frozen=True)
class ScopeEntry:
    item: Item
    done: bool
    counted: bool  # False for an epic or feature counted through its children


@dataclass(frozen=True)
class ReleasePage:
    release: Release
    product: Product
    role: Role | None
    scope: list[ScopeEntry]
    progress: rules.Progress
    warnings: list[Message]  # what releasing now would warn about
    recorded_warnings: list[Message]  # what the releaser confirmed past
    status_labels: dict[str, str]


def recorded_warnings(release: Release) -> list[Message]:
    def params(raw: dict[str, Any]) -> dict[str, Any]:
        return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}

    stored = release.release_warnings or []
    return [Message(str(w.get("t", "")), **params(w.get("p", {}))) for w in stored]


def release_page(uow: UnitOfWork, *, actor: Actor, release_id: int) -> ReleasePage:
    with uow:
        release = uow.get(Release, release_id, what=N_("release"))
        product = authorise(uow, product_id=release.product_id, actor=actor, action=Action.READ)
        statuses = backlog_settings(uow, product.id).statuses
        done = {s["key"] for s in statuses if s["category"] == Category.DONE}
        items = _scope(uow, release)
        rows = [rules.ScopeRow(i.id, i.parent_id, i.estimate, i.status in done) for i in items]
        counted = {r.id for r in rules.counted(rows)}
        not_done = [(i.id, i.title) for i in items if i.id in counted and i.status not in done]
        return ReleasePage(
            release=release,
            product=product,
            role=role_of(uow, product_id=product.id, user_id=actor.id),
            scope=[ScopeEntry(i, i.status in done, i.id in counted) for i in items],
            progress=rules.progress(rows),
            warnings=rules.release_warnings(release.checklist, not_done),
            recorded_warnings=recorded_warnings(release),
            status_labels={s["key"]: s["label"] for s in statuses},
        )


def candidates(uow: UnitOfWork, *, actor: Actor, release_id: int, q: str = "") -> list[Item]:
    """Items the scope may take: of the product, in no unreleased release, matching `q`
    (words of the title, or #id), in backlog order."""
    with uow:
        release = uow.get(Release, release_id, what=N_("release"))
        authorise(uow, product_id=release.product_id, actor=actor, action=Action.READ)
        planned = select(ReleaseItem.open_item_id).where(ReleaseItem.open_item_id.is_not(None))
        stmt = select(Item).where(Item.product_id == release.product_id, Item.id.not_in(planned))
        text = q.strip()
        if text.lstrip("#").isdigit():
            stmt = stmt.where(Item.id == int(text.lstrip("#")))
        else:
            for word in text.lower().split()[:5]:
                stmt = stmt.where(func.lower(Item.title).contains(word, autoescape=True))
        return list(uow.session.scalars(stmt.order_by(Item.rank, Item.id).limit(CANDIDATES)))


# --- the public changelog -------------------------------------------------------------------------


@dataclass(frozen=True)
class Changelog:
    product_name: str
    releases: list[Release]


def public_changelog(uow: UnitOfWork, *, product_id: int) -> Changelog:
    """Released versions and their notes, for anyone, when the product makes it public;
    otherwise it does not exist (404, the same as a missing product)."""
    with uow:
        settings = uow.session.get(ReleaseSettings, product_id)
        product = uow.session.get(Product, product_id)
        if settings is None or product is None or not settings.public_changelog:
            raise NotFound(NOT_FOUND, what=CHANGELOG, ident=product_id)
        stmt = (
            select(Release)
            .where(Release.product_id == product_id, Release.state == rules.State.RELEASED)
            .order_by(Release.released_at.desc(), Release.id.desc())
        )
        return Changelog(product.name, list(uow.session.scalars(stmt)))


# --- the forecast against the target ---------------------------------------------------------


@dataclass(frozen=True)
class TargetForecast:
    outlook: rules.Outlook
    p50: date | None = None
    p85: date | None = None
    explanation: str | None = None  # a message, when there is too little history
    hit_rate: tuple[int, int] | None = None  # (held, windows) of the 85% forecast
    reliable: bool = False


def forecast_against_target(
    reader: UnitOfWork,
    *,
    product_id: int,
    items: int,
    remaining: int,
    target: date | None,
    seed: int | None = None,
    today: date | None = None,
) -> TargetForecast:
    """When the remaining items should be done (Monte Carlo on the product's throughput),
    and what that means for the target date. `reader` is a fresh unit of work."""
    if items <= 0 or remaining <= 0:
        return TargetForecast(rules.Outlook.EMPTY if items <= 0 else rules.Outlook.DONE)
    found = forecasting.forecast_when(reader, product_id, remaining, seed=seed, today=today)
    p50 = found.percentiles[50] if found.percentiles else None
    p85 = found.percentiles[85] if found.percentiles else None
    return TargetForecast(
        outlook=rules.outlook(items=items, remaining=remaining, target=target, p50=p50, p85=p85),
        p50=p50,
        p85=p85,
        explanation=found.explanation,
        hit_rate=found.hit_rate,
        reliable=found.reliable,
    )
