"""The two calls other areas make into themes (a stable contract; the themes area owns the
implementation).

- `place_feedback(uow, product_id, feedback_ids)`: called by the feedback and portal services
  inside their own transaction (`with uow:` … before `uow.commit()`), right after new
  feedback rows are flushed. It places each new feedback into the nearest theme (or leaves
  it unthemed until the next clustering) and must not commit.
- `similar(uow, product_id, text, limit=5, sources=None)`: feedback of the product most
  similar to `text`, best first, as (feedback id, similarity 0..1) pairs. `sources`
  restricts to feedback from those channels (the portal asks for `("portal",)`). Feedback in
  the states "pending" and "rejected" is never returned.

Vectors are computed here, once, when feedback arrives, and stored (`feedback_vectors`):
re-clustering reads them and does not embed again. A large import embeds at most
`INLINE_LIMIT` texts with the sentence model inside its transaction; the rest are embedded
by the next re-clustering (which reports that step in its progress).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sqlalchemy import select

from jalon.feedback.models import Feedback
from jalon.themes import engine, store
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import UnitOfWork

INLINE_LIMIT = 2000  # texts the sentence model embeds inside the caller's transaction (~2 s)
CANDIDATES = 50  # similar feedback checked for visibility at a time


def place_feedback(uow: UnitOfWork, product_id: int, feedback_ids: Sequence[int]) -> None:
    """Store the vectors of new feedback and place each in its nearest theme when it is
    close enough (a theme's centre within the model's threshold). Does not commit."""
    ids = sorted(set(int(i) for i in feedback_ids))
    if not ids:
        return
    rows = uow.session.execute(
        select(Feedback.id, Feedback.text).where(
            Feedback.id.in_(ids), Feedback.product_id == product_id, Feedback.state != "rejected"
        )
    ).all()
    if not rows:
        return
    model = _model_for_new(uow, product_id, arriving=len(rows))
    if model is None:
        return
    if model.fit.sentence:
        rows = rows[:INLINE_LIMIT]
    found = [int(r[0]) for r in rows]
    vectors = model.embed([str(r[1]) for r in rows])
    store.save_vectors(uow, product_id, model, found, vectors)
    _join_nearest(uow, product_id, model.name, found, vectors)


def _model_for_new(uow: UnitOfWork, product_id: int, *, arriving: int) -> store.Model | None:
    """The model to embed with; fits (or refits, as the product grows) the product's model,
    after which every stored vector and theme centre is made again in the new space. The
    product's size is the texts the fit has vectors for (every text since the fit) plus
    those `arriving`: counted on an index, not by reading every feedback on each arrival."""
    model = store.current_model(uow, product_id)
    if model is None:
        count = store.count_texts(uow, product_id)
    else:  # at most the fit's texts and the vectors since: a cheap bound, exact near the limit
        count = model.fit.fitted_on + store.count_new_vectors(uow, product_id, model) + arriving
        if store.needs_refit(model, count):
            count = store.count_vectors(uow, product_id, model.name) + arriving
    if not store.needs_refit(model, count):
        return model
    model = store.refit(uow, product_id)
    refresh_centroids(uow, product_id, model.name)
    return model


def _join_nearest(
    uow: UnitOfWork, product_id: int, model: str, ids: list[int], vectors: engine.Matrix
) -> None:
    theme_ids, centroids = store.load_centroids(uow, product_id, model)
    if not theme_ids:
        return
    members = set(
        uow.session.scalars(select(ThemeMember.feedback_id).where(ThemeMember.feedback_id.in_(ids)))
    )
    if len(ids) == 1:  # one new feedback: no BLAS threads for one vector
        scores = engine.scores(centroids, vectors[0])[None, :]
    else:
        scores = vectors @ centroids.T
    threshold = engine.PLACE_THRESHOLD[engine.family(model)]
    for row, feedback_id in enumerate(ids):
        best = int(np.argmax(scores[row]))
        if feedback_id not in members and scores[row, best] >= threshold:
            uow.add(
                ThemeMember(
                    feedback_id=feedback_id, theme_id=theme_ids[best],
                    score=float(scores[row, best]), pinned=False,
                )
            )  # fmt: skip
    uow.flush()


def refresh_centroids(
    uow: UnitOfWork, product_id: int, model: str, theme_ids: Sequence[int] | None = None
) -> None:
    """Recompute the centres of the product's active themes (or of `theme_ids`) from their
    members' stored vectors."""
    query = select(Theme.id).where(Theme.product_id == product_id, Theme.state == "active")
    if theme_ids is not None:
        query = query.where(Theme.id.in_(list(theme_ids)))
    wanted = list(uow.session.scalars(query))
    if not wanted:
        return
    ids, matrix = store.load_vectors(uow, product_id, model)
    position = {int(i): n for n, i in enumerate(ids)}
    pairs = uow.session.execute(
        select(ThemeMember.theme_id, ThemeMember.feedback_id).where(
            ThemeMember.theme_id.in_(wanted)
        )
    ).all()
    rows: dict[int, list[int]] = {}
    for theme_id, feedback_id in pairs:
        if (p := position.get(int(feedback_id))) is not None:
            rows.setdefault(int(theme_id), []).append(p)
    for theme_id, members in rows.items():
        centre = engine.normalise(matrix[members].mean(axis=0, keepdims=True))[0]
        store.save_centroid(uow, theme_id, model, centre)
    uow.flush()


def similar(
    uow: UnitOfWork,
    product_id: int,
    text: str,
    *,
    limit: int = 5,
    sources: Sequence[str] | None = None,
) -> list[tuple[int, float]]:
    """Feedback most similar to `text`, best first, as (feedback id, similarity 0..1)."""
    model = store.current_model(uow, product_id)
    if model is None or not text.strip() or not store.usable(model):
        return []  # a hybrid whose package was removed: the next feedback refits the product
    query = model.embed([text])[0]
    return similar_to_vector(uow, product_id, model.name, query, limit=limit, sources=sources)


def similar_to_vector(
    uow: UnitOfWork,
    product_id: int,
    model: str,
    query: np.ndarray,
    *,
    limit: int = 5,
    sources: Sequence[str] | None = None,
    exclude: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """Like `similar`, from a vector already made (a stored feedback's). The best
    candidates are checked for visibility a few dozen at a time, not the whole product."""
    ids, centred, mean = store.centred_vectors(uow, product_id, model)
    if len(ids) == 0 or limit <= 0:
        return []
    scores = engine.scores(centred, engine.normalise((query - mean)[None, :])[0])
    skip = set(int(i) for i in exclude)
    out: list[tuple[int, float]] = []
    for chunk in _ranked_chunks(scores, limit + len(skip) + CANDIDATES):
        rows = [int(r) for r in chunk if int(ids[r]) not in skip]
        shown = store.visible(uow, [int(ids[r]) for r in rows], sources)
        out += [(int(ids[r]), _unit(scores[r])) for r in rows if int(ids[r]) in shown]
        if len(out) >= limit:
            break
    return out[:limit]


def _ranked_chunks(scores: np.ndarray, wanted: int) -> Iterator[np.ndarray]:
    """Indexes of `scores`, best first, `CANDIDATES` at a time: the `wanted` best come from a
    partition (not a sort of every feedback); the rest are sorted only if they are needed,
    when too few of the best may be shown."""
    if wanted < len(scores):
        top = np.argpartition(-scores, wanted)[:wanted]
        top = top[np.lexsort((top, -scores[top]))]
        for start in range(0, len(top), CANDIDATES):
            yield top[start : start + CANDIDATES]
        rest = np.setdiff1d(np.arange(len(scores)), top, assume_unique=True)
        order = rest[np.argsort(-scores[rest], kind="stable")]
    else:
        order = np.argsort(-scores, kind="stable")
    for start in range(0, len(order), CANDIDATES):
        yield order[start : start + CANDIDATES]


def _unit(score: float) -> float:
    return float(min(1.0, max(0.0, score)))
