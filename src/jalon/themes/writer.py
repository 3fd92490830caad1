"""Writing a clustering as themes, inside the caller's unit of work (services.apply_clustering):
clusters continue existing themes (rules.plan), new ones are created, unpinned memberships
are replaced, labels not named by a person are recomputed, empty machine themes removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from jalon.db import utcnow
from jalon.feedback.models import Feedback
from jalon.themes import labels, placement, rules
from jalon.themes.clustering import Clustering
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class Outcome:
    themes: int  # active themes after the run
    created: int  # themes the run created


def _memberships(uow: UnitOfWork, product_id: int) -> tuple[dict[int, int], dict[int, int]]:
    rows = uow.session.execute(
        select(ThemeMember.feedback_id, ThemeMember.theme_id, ThemeMember.pinned)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .where(Theme.product_id == product_id, Theme.state == "active")
    ).all()
    previous = {int(f): int(t) for f, t, _ in rows}
    pinned = {int(f): int(t) for f, t, p in rows if p}
    return previous, pinned


def apply(
    uow: UnitOfWork, product_id: int, model: str, ids: Sequence[int], result: Clustering
) -> Outcome:
    previous, pinned = _memberships(uow, product_id)
    clusters: dict[int, list[int]] = {}
    for feedback_id, cluster in zip(ids, result.labels.tolist(), strict=True):
        clusters.setdefault(int(cluster), []).append(int(feedback_id))
    plan = rules.plan(clusters, previous, pinned)
    created = {c: Theme(product_id=product_id, label="…") for c in plan.new_clusters}
    uow.session.add_all(created.values())
    uow.flush()
    score = {int(f): float(s) for f, s in zip(ids, result.scores.tolist(), strict=True)}
    product_themes = select(Theme.id).where(Theme.product_id == product_id)
    uow.session.execute(
        delete(ThemeMember).where(
            ThemeMember.theme_id.in_(product_themes), ThemeMember.pinned.is_(False)
        )
    )
    final = dict(pinned)
    for feedback_id, target in plan.placement.items():
        final[feedback_id] = created[target[1]].id if isinstance(target, tuple) else target
    rows = [
        {"feedback_id": f, "theme_id": t, "score": score.get(f, 0.0), "pinned": False,
         "assigned_at": utcnow()}
        for f, t in final.items() if f not in pinned
    ]  # fmt: skip
    if rows:
        uow.session.execute(insert(ThemeMember), rows)
    _relabel(uow, product_id, final)
    _drop_empty(uow, product_id, set(final.values()))
    uow.flush()
    placement.refresh_centroids(uow, product_id, model)
    active = uow.session.scalars(
        select(Theme.id).where(Theme.product_id == product_id, Theme.state == "active")
    ).all()
    return Outcome(themes=len(active), created=len(created))


def _relabel(uow: UnitOfWork, product_id: int, final: dict[int, int]) -> None:
    """Machine labels from the terms distinctive of each theme's feedback."""
    themes = {
        t.id: t
        for t in uow.session.scalars(
            select(Theme).where(Theme.product_id == product_id, Theme.state == "active")
        )
    }
    texts = dict(
        uow.session.execute(select(Feedback.id, Feedback.text).where(Feedback.id.in_(list(final))))
        .all()
    ) if final else {}  # fmt: skip
    ordered = [f for f in final if f in texts]
    terms = labels.cluster_terms([texts[f] for f in ordered], [final[f] for f in ordered])
    for theme_id, words in terms.items():
        theme = themes.get(theme_id)
        label = labels.label_of(words)
        if theme is not None and not theme.label_locked and label and theme.label != label:
            theme.label, theme.updated_at = label, utcnow()


def _drop_empty(uow: UnitOfWork, product_id: int, used: set[int]) -> None:
    """Machine themes nobody named and no feedback is left in disappear; themes people made
    or named stay, even empty."""
    empty = uow.session.scalars(
        select(Theme).where(
            Theme.product_id == product_id, Theme.state == "active",
            Theme.created_by == "machine", Theme.label_locked.is_(False),
        )
    ).all()  # fmt: skip
    for theme in empty:
        if theme.id not in used:
            uow.session.execute(
                delete(Theme).where(Theme.merged_into_id == theme.id, Theme.state == "merged")
            )
            uow.session.delete(theme)
