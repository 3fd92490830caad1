"""Release use cases: settings, releases, their scope and checklist, notes, releasing.

One transaction each, with its activity entry. The Product Owner (EDIT_PRODUCT) creates,
edits, writes the notes of and releases a version; the team (CONTRIBUTE) plans its scope
and ticks its readiness checklist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from babel.dates import format_date
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from jalon import activity, i18n
from jalon.activity import Subject
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, Message, NotFound
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.releases import queries, rules
from jalon.releases.models import Release, ReleaseItem, ReleaseSettings
from jalon.uow import UnitOfWork

__all__ = [
    "add_items",
    "create_release",
    "generate_notes",
    "mark_released",
    "remove_item",
    "set_checklist",
    "update_release",
    "update_settings",
]


def _release(uow: UnitOfWork, release_id: int, actor: Actor, action: Action) -> Release:
    release = uow.get(Release, release_id, what=N_("release"))
    authorise(uow, product_id=release.product_id, actor=actor, action=action)
    return release


def _subject(release: Release) -> Subject:
    return Subject("release", release.id, release.name)


def _touched(release: Release, actor: Actor) -> dict[str, Any]:
    """Marks the release changed now; the keywords of its activity entry."""
    release.updated_at = utcnow()
    return {"actor": actor, "product_id": release.product_id}


# --- settings ---------------------------------------------------------------------------------


def ensure_settings(uow: UnitOfWork, product_id: int) -> ReleaseSettings:
    """The product's release settings row, created with the defaults (inside a uow)."""
    found = uow.session.get(ReleaseSettings, product_id)
    if found is None:
        found = queries.default_settings(product_id)
        uow.add(found)
    return found


def update_settings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    checklist: Iterable[str] | None = None,
    public_changelog: bool | None = None,
) -> ReleaseSettings:
    """Change the default readiness checklist (copied into each new release) and whether
    the product's changelog of released versions is public."""
    clean = rules.clean_checklist(checklist) if checklist is not None else None
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        row = ensure_settings(uow, product_id)
        changes: dict[str, list[Any]] = {}
        if clean is not None and clean != list(row.checklist):
            changes["checklist"] = [" · ".join(row.checklist) or None, " · ".join(clean) or None]
            row.checklist = clean
        if public_changelog is not None and public_changelog != row.public_changelog:
            changes["public_changelog"] = [row.public_changelog, public_changelog]
            row.public_changelog = public_changelog
        if changes:
            activity.record(
                uow, "releases.settings.updated", Subject("product", product_id, product.name),
                actor=actor, product_id=product_id, changes=changes,
            )  # fmt: skip
        uow.commit()
    return row


# --- releases -----------------------------------------------------------------------------------


def _check_name_free(uow: UnitOfWork, product_id: int, name: str, release_id: int = 0) -> None:
    taken = uow.session.scalar(
        select(Release.id).where(
            Release.product_id == product_id, Release.name == name, Release.id != release_id
        )
    )
    if taken is not None:
        raise Conflict(
            "This product already has a release named {name!r}.", field="name", name=name
        )


def _shown(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def create_release(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, Any]
) -> Release:
    """A planned release, with a copy of the product's readiness checklist."""
    fields = {k: values.get(k) for k in ("name", "target_date", "description")}
    clean = rules.clean_fields(fields)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        _check_name_free(uow, product_id, clean["name"])
        settings = ensure_settings(uow, product_id)
        now = utcnow()
        release = Release(
            product_id=product_id, state=rules.State.PLANNED, created_at=now, updated_at=now,
            checklist=rules.copy_checklist(settings.checklist), **clean,
        )  # fmt: skip
        uow.add(release)
        uow.flush()
        changes = {k: [None, _shown(v)] for k, v in clean.items() if v}
        activity.record(
            uow,
            "releases.release.created",
            _subject(release),
            changes=changes,
            **_touched(release, actor),
        )
        uow.commit()
    return release


def update_release(
    uow: UnitOfWork, *, actor: Actor, release_id: int, values: Mapping[str, Any]
) -> Release:
    """Edit the name, target date, description or notes (Markdown) of a release."""
    editable = ("name", "target_date", "description", "notes")
    clean = rules.clean_fields({k: v for k, v in values.items() if k in editable})
    with uow:
        release = _release(uow, release_id, actor, Action.EDIT_PRODUCT)
        if clean.get("name", release.name) != release.name:
            _check_name_free(uow, release.product_id, clean["name"], release.id)
        before = {k: getattr(release, k) for k in clean}
        for name, value in clean.items():
            setattr(release, name, value)
        changes = {
            k: [_shown(before[k]), _shown(v)]
            for k, v in clean.items()
            if before[k] != v and k != "notes"
        }
        if changes:
            activity.record(
                uow,
                "releases.release.updated",
                _subject(release),
                changes=changes,
                **_touched(release, actor),
            )
        if before.get("notes", release.notes) != release.notes:
            activity.record(
                uow,
                "releases.notes.edited",
                _subject(release),
                changes={},
                **_touched(release, actor),
            )
        uow.commit()
    return release


# --- scope ---------------------------------------------------------------------------------------


def _wanted_items(uow: UnitOfWork, release: Release, item_ids: Sequence[int]) -> list[Item]:
    found = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(item_ids)))}
    for ident in item_ids:
        if ident not in found:
            raise Invalid("No item has the number #{ident}.", field="item_ids", ident=ident)
        if found[ident].product_id != release.product_id:
            raise Invalid(
                "The item #{ident} belongs to another product.", field="item_ids", ident=ident
            )
    return [found[i] for i in dict.fromkeys(item_ids)]


def _check_not_elsewhere(uow: UnitOfWork, release: Release, item_ids: Sequence[int]) -> None:
    for item_id, name in queries.open_releases_of(uow, item_ids, exclude=release.id):
        raise Conflict(
            "The item #{ident} is already in the release {name!r}; an item belongs to one "
            "unreleased release at a time.",
            field="item_ids", ident=item_id, name=name,
        )  # fmt: skip


def add_items(
    uow: UnitOfWork,
    *,
    actor: Actor,
    release_id: int,
    item_ids: Sequence[int],
    include_descendants: bool = False,
) -> list[int]:
    """Put items in the release's scope (with an epic's or feature's descendants when
    asked, skipping those already planned elsewhere); the ids added."""
    if not item_ids:
        raise Invalid("Choose at least one item.", field="item_ids")
    with uow:
        release = _release(uow, release_id, actor, Action.CONTRIBUTE)
        rules.check_can_change(release.state)
        wanted = [i.id for i in _wanted_items(uow, release, item_ids)]
        _check_not_elsewhere(uow, release, wanted)
        if include_descendants:
            below = queries.descendant_ids(uow, wanted)
            taken = {i for i, _name in queries.open_releases_of(uow, below, exclude=release.id)}
            wanted += [i for i in below if i not in taken and i not in wanted]
        present = queries.scope_ids(uow, release.id)
        added = [i for i in wanted if i not in present]
        now = utcnow()
        for item_id in added:
            uow.add(ReleaseItem(release_id=release.id, item_id=item_id, open_item_id=item_id,
                                added_at=now))  # fmt: skip
        _flush_scope(uow)
        if added:
            shown = ", ".join(f"#{i}" for i in added)
            activity.record(
                uow,
                "releases.scope.changed",
                _subject(release),
                changes={"scope": [None, shown]},
                **_touched(release, actor),
            )
        uow.commit()
    return added


def _flush_scope(uow: UnitOfWork) -> None:
    """Someone else planned the same item meanwhile: the unique key says so."""
    try:
        uow.flush()
    except IntegrityError:
        raise Conflict(
            "An item was just added to another release; reload and try again.",
            field="item_ids",
        ) from None


def remove_item(uow: UnitOfWork, *, actor: Actor, release_id: int, item_id: int) -> None:
    with uow:
        release = _release(uow, release_id, actor, Action.CONTRIBUTE)
        rules.check_can_change(release.state)
        row = uow.session.get(ReleaseItem, (release.id, item_id))
        if row is None:
            raise NotFound("The item #{ident} is not in this release.", ident=item_id)
        uow.session.delete(row)
        activity.record(
            uow,
            "releases.scope.changed",
            _subject(release),
            changes={"scope": [f"#{item_id}", None]},
            **_touched(release, actor),
        )
        uow.commit()


# --- readiness ------------------------------------------------------------------------------------


def set_checklist(
    uow: UnitOfWork, *, actor: Actor, release_id: int, ticked: Iterable[str]
) -> Release:
    """Tick exactly these entries of the release's readiness checklist."""
    with uow:
        release = _release(uow, release_id, actor, Action.CONTRIBUTE)
        rules.check_can_change(release.state)
        before = [e["text"] for e in release.checklist if e.get("done")]
        release.checklist = rules.tick(release.checklist, ticked)
        after = [e["text"] for e in release.checklist if e.get("done")]
        if before != after:
            changes = {"checklist": [" · ".join(before) or None, " · ".join(after) or None]}
            activity.record(
                uow,
                "releases.checklist.changed",
                _subject(release),
                changes=changes,
                **_touched(release, actor),
            )
        uow.commit()
    return release


# --- notes and releasing ----------------------------------------------------------------------


def generate_notes(uow: UnitOfWork, *, actor: Actor, release_id: int, language: str) -> Release:
    """Write the release notes from its done items, grouped by type, in `language` (en or fr,
    whatever the reader's own language); they replace the current notes."""
    lang = rules.check_language(language)
    with uow:
        release = _release(uow, release_id, actor, Action.EDIT_PRODUCT)
        day = release.released_at.date() if release.released_at else release.target_date
        release.notes = rules.notes_markdown(
            name=release.name,
            day=format_date(day, "long", locale=lang) if day else "",
            items=queries.done_note_items(uow, release),
            gettext=i18n.gettext_for(lang),
        )
        release.notes_language, release.notes_generated_at = lang, utcnow()
        activity.record(
            uow,
            "releases.notes.generated",
            _subject(release),
            changes={"language": [None, lang]},
            **_touched(release, actor),
        )
        uow.commit()
    return release


def mark_released(
    uow: UnitOfWork, *, actor: Actor, release_id: int, confirm: bool = False
) -> Release:
    """Release a version. With unticked readiness entries or unfinished items this warns
    (409) unless `confirm`; confirmed, the warnings are kept on the release and in the log,
    and the unfinished items leave its scope (free for the next release)."""
    with uow:
        release = _release(uow, release_id, actor, Action.EDIT_PRODUCT)
        if release.state == rules.State.RELEASED:
            raise Conflict("This release is already released.", field="state")
        not_done = queries.not_done_items(uow, release)
        warnings = rules.release_warnings(release.checklist, not_done)
        if warnings and not confirm:
            raise Conflict(
                "This release is not ready: {warnings}.", warnings=tuple(warnings),
                fields={"confirm": Message("Confirm to release it anyway.")},
            )  # fmt: skip
        _close_scope(uow, release, [i for i, _title in not_done])
        release.state, release.released_at = rules.State.RELEASED, utcnow()
        release.released_by = actor.label[:200]
        release.release_warnings = [{"t": w.template, "p": w.params} for w in warnings]
        changes: dict[str, list[Any]] = {"state": [rules.State.PLANNED, rules.State.RELEASED]}
        if warnings:
            changes["warnings"] = [None, "; ".join(warnings)]
        activity.record(
            uow,
            "releases.release.released",
            _subject(release),
            changes=changes,
            **_touched(release, actor),
        )
        uow.commit()
    return release


def _close_scope(uow: UnitOfWork, release: Release, not_done: list[int]) -> None:
    if not_done:
        for item_id in not_done:
            row = uow.session.get(ReleaseItem, (release.id, item_id))
            if row is not None:
                uow.session.delete(row)
        uow.flush()
    uow.session.execute(
        update(ReleaseItem).where(ReleaseItem.release_id == release.id).values(open_item_id=None)
    )
