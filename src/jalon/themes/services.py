"""Theme use cases: people's corrections (rename, merge, split, move), duplicates merged,
and the steps of a re-clustering run (see runs.py, which calls them in order).

One transaction each, with its activity entry. Corrections need CONTRIBUTE (the team
triages feedback); starting a re-clustering too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select, update

from jalon import activity
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, Message
from jalon.feedback.models import Feedback, FeedbackLink
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.themes import labels, placement, rules, store, writer
from jalon.themes.clustering import Clustering
from jalon.themes.models import ClusteringRun, FeedbackDuplicate, Theme, ThemeMember
from jalon.uow import UnitOfWork

__all__ = [
    "apply_clustering",
    "embed_batch",
    "fail_run",
    "merge_duplicate",
    "merge_themes",
    "move_feedback",
    "refit",
    "rename_theme",
    "set_progress",
    "split_theme",
    "start_reclustering",
]

ACTIVE_RUN = ("queued", "running")
STALE_AFTER = timedelta(hours=1)  # a run older than this was stopped with its server
CLUSTERING = Actor(None, "theme clustering", is_admin=True)


def _theme(uow: UnitOfWork, theme_id: int, actor: Actor) -> Theme:
    theme = uow.get(Theme, theme_id, what=N_("theme"))
    authorise(uow, product_id=theme.product_id, actor=actor, action=Action.CONTRIBUTE)
    return theme


def _active(theme: Theme, field: str) -> None:
    if theme.state != "active":
        raise Conflict(
            "The theme {label!r} was merged into another.", field=field, label=theme.label
        )


def _subject(theme: Theme) -> Subject:
    return Subject("theme", theme.id, theme.label)


def rename_theme(uow: UnitOfWork, *, actor: Actor, theme_id: int, label: str) -> Theme:
    """A person names the theme: re-clusterings keep this label."""
    if problems := rules.label_problems(label):
        raise Invalid("Some fields need your attention.", fields=problems)
    cleaned = " ".join(label.split())
    with uow:
        theme = _theme(uow, theme_id, actor)
        _active(theme, "label")
        before = theme.label
        theme.label, theme.label_locked, theme.updated_at = cleaned, True, utcnow()
        activity.record(
            uow, "themes.theme.renamed", _subject(theme), actor=actor,
            product_id=theme.product_id, changes={"label": [before, cleaned]},
        )  # fmt: skip
        uow.commit()
    return theme


def merge_themes(uow: UnitOfWork, *, actor: Actor, theme_id: int, into_id: int) -> Theme:
    """Merge a theme into another: its feedback moves to the survivor, and it stays merged."""
    if theme_id == into_id:
        raise Invalid("Some fields need your attention.", fields={
            "into": Message(N_("Choose another theme to merge into.")),
        })  # fmt: skip
    with uow:
        theme = _theme(uow, theme_id, actor)
        into = _theme(uow, into_id, actor)
        if into.product_id != theme.product_id:
            raise Invalid("Some fields need your attention.", fields={
                "into": Message(N_("Both themes must belong to the same product.")),
            })  # fmt: skip
        _active(theme, "theme")
        _active(into, "into")
        uow.session.execute(
            update(ThemeMember).where(ThemeMember.theme_id == theme.id).values(theme_id=into.id)
        )
        uow.session.execute(
            update(Theme).where(Theme.merged_into_id == theme.id).values(merged_into_id=into.id)
        )
        theme.state, theme.merged_into_id, theme.updated_at = "merged", into.id, utcnow()
        into.updated_at = utcnow()
        _refresh(uow, theme.product_id, [into.id])
        activity.record(
            uow, "themes.theme.merged", _subject(theme), actor=actor,
            product_id=theme.product_id, changes={"merged_into": [None, into.label]},
        )  # fmt: skip
        uow.commit()
    return into


def _refresh(uow: UnitOfWork, product_id: int, theme_ids: Sequence[int]) -> None:
    model = store.current_model(uow, product_id)
    if model is not None:
        uow.flush()
        placement.refresh_centroids(uow, product_id, model.name, theme_ids)


def split_theme(
    uow: UnitOfWork, *, actor: Actor, theme_id: int, feedback_ids: Sequence[int], label: str = ""
) -> Theme:
    """Move the chosen members to a new theme; they are pinned there, so it stays apart."""
    chosen = sorted(set(int(i) for i in feedback_ids))
    problems = rules.label_problems(label) if label.strip() else {}
    if not chosen:
        problems["feedback_ids"] = Message(N_("Choose the feedback to move to a new theme."))
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    with uow:
        theme = _theme(uow, theme_id, actor)
        _active(theme, "theme")
        members = uow.session.scalars(
            select(ThemeMember).where(
                ThemeMember.theme_id == theme.id, ThemeMember.feedback_id.in_(chosen)
            )
        ).all()
        if len(members) != len(chosen) or len(members) == _size(uow, theme.id):
            raise Invalid("Some fields need your attention.", fields={"feedback_ids": Message(
                N_("Choose some, not all, of this theme's feedback."),
            )})  # fmt: skip
        new = Theme(
            product_id=theme.product_id, label=" ".join(label.split()) or _terms(uow, chosen),
            label_locked=bool(label.strip()), created_by="person",
        )  # fmt: skip
        uow.add(new)
        uow.flush()
        for member in members:
            member.theme_id, member.pinned, member.assigned_at = new.id, True, utcnow()
        _refresh(uow, theme.product_id, [theme.id, new.id])
        activity.record(
            uow, "themes.theme.split", _subject(theme), actor=actor,
            product_id=theme.product_id, changes={"new_theme": [None, new.label]},
        )  # fmt: skip
        uow.commit()
    return new


def _size(uow: UnitOfWork, theme_id: int) -> int:
    return len(
        uow.session.scalars(
            select(ThemeMember.feedback_id).where(ThemeMember.theme_id == theme_id)
        ).all()
    )


def _terms(uow: UnitOfWork, feedback_ids: Sequence[int]) -> str:
    texts = list(uow.session.scalars(select(Feedback.text).where(Feedback.id.in_(feedback_ids))))
    terms = labels.cluster_terms(texts, [0] * len(texts)).get(0, [])
    return labels.label_of(terms) or "…"


def move_feedback(
    uow: UnitOfWork, *, actor: Actor, feedback_ids: Sequence[int], theme_id: int
) -> Theme:
    """A person puts feedback in a theme: the memberships are pinned."""
    chosen = sorted(set(int(i) for i in feedback_ids))
    if not chosen:
        raise Invalid("Some fields need your attention.", fields={
            "feedback_ids": Message(N_("Choose the feedback to move.")),
        })  # fmt: skip
    with uow:
        theme = _theme(uow, theme_id, actor)
        _active(theme, "theme")
        found = uow.session.scalars(
            select(Feedback).where(Feedback.id.in_(chosen), Feedback.product_id == theme.product_id)
        ).all()
        if len(found) != len(chosen):
            raise Invalid("Some fields need your attention.", fields={
                "feedback_ids": Message(N_("Some of this feedback is not in the theme's product.")),
            })  # fmt: skip
        touched = {theme.id}
        for feedback in found:
            touched |= _pin(uow, feedback.id, theme.id)
            activity.record(
                uow, "themes.feedback.moved", Subject("feedback", feedback.id, feedback.text[:80]),
                actor=actor, product_id=theme.product_id, changes={"theme": [None, theme.label]},
            )  # fmt: skip
        _refresh(uow, theme.product_id, sorted(touched))
        uow.commit()
    return theme


def _pin(uow: UnitOfWork, feedback_id: int, theme_id: int) -> set[int]:
    """Pin the feedback in the theme; the ids of the themes it touched."""
    member = uow.session.get(ThemeMember, feedback_id)
    if member is None:
        uow.add(ThemeMember(feedback_id=feedback_id, theme_id=theme_id, pinned=True))
        return {theme_id}
    before = member.theme_id
    member.theme_id, member.pinned, member.assigned_at = theme_id, True, utcnow()
    return {before, theme_id}


def merge_duplicate(
    uow: UnitOfWork, *, actor: Actor, feedback_id: int, survivor_id: int
) -> Feedback:
    """Merge a feedback into the one it duplicates: its links move to the survivor (the
    higher importance wins where both link the same item), it leaves its theme and is
    archived, recorded as a duplicate. One transaction."""
    if feedback_id == survivor_id:
        raise Invalid("Some fields need your attention.", fields={
            "survivor": Message(N_("A feedback cannot duplicate itself.")),
        })  # fmt: skip
    with uow:
        duplicate = uow.get(Feedback, feedback_id, what=N_("feedback"))
        survivor = uow.get(Feedback, survivor_id, what=N_("feedback"))
        authorise(uow, product_id=duplicate.product_id, actor=actor, action=Action.CONTRIBUTE)
        if survivor.product_id != duplicate.product_id:
            raise Invalid("Some fields need your attention.", fields={
                "survivor": Message(N_("Both feedback must belong to the same product.")),
            })  # fmt: skip
        if uow.session.get(FeedbackDuplicate, survivor.id) or uow.session.get(
            FeedbackDuplicate, duplicate.id
        ):
            raise Conflict("One of these feedback was already merged as a duplicate.")
        moved = _move_links(uow, duplicate.id, survivor.id)
        uow.session.execute(delete(ThemeMember).where(ThemeMember.feedback_id == duplicate.id))
        duplicate.state = "archived"
        uow.add(
            FeedbackDuplicate(
                feedback_id=duplicate.id, survivor_id=survivor.id, merged_by=actor.label
            )
        )
        activity.record(
            uow, "themes.duplicate.merged", Subject("feedback", duplicate.id, duplicate.text[:80]),
            actor=actor, product_id=duplicate.product_id,
            changes={"survivor": [None, survivor.id], "links_moved": [None, moved]},
        )  # fmt: skip
        uow.commit()
    return survivor


def _move_links(uow: UnitOfWork, duplicate_id: int, survivor_id: int) -> int:
    links = uow.session.scalars(
        select(FeedbackLink).where(FeedbackLink.feedback_id.in_([duplicate_id, survivor_id]))
    ).all()
    kept = {(lk.item_id, lk.opportunity_id): lk for lk in links if lk.feedback_id == survivor_id}
    moved = 0
    for link in (lk for lk in links if lk.feedback_id == duplicate_id):
        target = kept.get((link.item_id, link.opportunity_id))
        if target is None:
            link.feedback_id = survivor_id
            moved += 1
        else:
            target.importance = max(target.importance, link.importance)
            uow.session.delete(link)
    return moved


def start_reclustering(uow: UnitOfWork, *, actor: Actor, product_id: int) -> ClusteringRun:
    """Queue a full re-clustering of the product (one at a time: 409 while one runs)."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        running = uow.session.scalars(
            select(ClusteringRun).where(
                ClusteringRun.product_id == product_id, ClusteringRun.state.in_(ACTIVE_RUN)
            )
        ).all()
        for stale in (r for r in running if r.created_at < utcnow() - STALE_AFTER):
            stale.state, stale.error = "failed", "stopped: the server restarted during the run"
        if any(r.state in ACTIVE_RUN for r in running):
            raise Conflict("A re-clustering of this product is already running.")
        run = ClusteringRun(product_id=product_id, state="queued", started_by=actor.label)
        uow.add(run)
        uow.flush()
        activity.record(
            uow, "themes.clustering.started", Subject("product", product_id, product.name),
            actor=actor, product_id=product_id,
        )  # fmt: skip
        uow.commit()
    return run


# --- the steps of a run (runs.py calls them; each is its own short transaction) -----------


def set_progress(uow: UnitOfWork, *, run_id: int, progress: float, step: str) -> None:
    """Record how far a run has gone (queued runs become running)."""
    with uow:
        run = uow.get(ClusteringRun, run_id, what=N_("re-clustering"))
        if run.state == "queued":
            run.state, run.started_at = "running", utcnow()
        run.progress, run.step = max(0.0, min(1.0, progress)), step
        uow.commit()


def embed_batch(
    uow: UnitOfWork, *, product_id: int, model: store.Model, items: Sequence[tuple[int, str]]
) -> None:
    """Store the vectors of feedback that arrived without one (a large import)."""
    with uow:
        ids = [i for i, _ in items]
        store.save_vectors(uow, product_id, model, ids, model.embed([t for _, t in items]))
        uow.commit()


def refit(uow: UnitOfWork, *, product_id: int) -> store.Model:
    """Fit the product's model on all its feedback and store every vector anew."""
    with uow:
        model = store.refit(uow, product_id)
        uow.commit()
    return model


def apply_clustering(
    uow: UnitOfWork, *, run_id: int, model: str, ids: Sequence[int], result: Clustering
) -> ClusteringRun:
    """Write a clustering as themes, honouring people's corrections; the run is done."""
    with uow:
        run = uow.get(ClusteringRun, run_id, what=N_("re-clustering"))
        outcome = writer.apply(uow, run.product_id, model, ids, result)
        run.state, run.progress, run.step, run.finished_at = "done", 1.0, "done", utcnow()
        run.model, run.feedback_count = model, len(ids)
        run.theme_count, run.created_themes = outcome.themes, outcome.created
        product = authorise(uow, product_id=run.product_id, actor=CLUSTERING, action=Action.READ)
        activity.record(
            uow, "themes.clustering.finished", Subject("product", product.id, product.name),
            actor=CLUSTERING, product_id=product.id,
            changes={"themes": [None, outcome.themes], "created": [None, outcome.created]},
        )  # fmt: skip
        uow.commit()
    return run


def fail_run(uow: UnitOfWork, *, run_id: int, error: str) -> None:
    with uow:
        run = uow.get(ClusteringRun, run_id, what=N_("re-clustering"))
        run.state, run.error, run.finished_at = "failed", error[:500], utcnow()
        uow.commit()
