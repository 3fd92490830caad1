"""Stored vectors: which text model a product uses, writing a feedback's vector when it
arrives, and reading a product's vectors back (cached in the process, checked for staleness
by one cheap query).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import delete, func, select

from jalon.db import utcnow
from jalon.feedback.models import Feedback
from jalon.themes import engine
from jalon.themes.engine import FitState, Matrix
from jalon.themes.models import (
    FeedbackDuplicate,
    FeedbackVector,
    TextModel,
    Theme,
    ThemeCentroid,
)
from jalon.uow import UnitOfWork

HIDDEN_STATES = ("pending", "rejected")  # never similar, never counted
REFIT_GROWTH = 2  # a product is refitted when it has twice the texts its fit saw


@dataclass(frozen=True)
class Model:
    name: str  # stored beside each vector
    fit: FitState  # its fitted state (a hybrid or the fallback)

    def embed(self, texts: Sequence[str], sentence: Matrix | None = None) -> Matrix:
        return engine.embed_fitted(self.fit, texts, sentence)


# Caches of this process, per database (a process may serve or test several), product and
# model.
CacheKey = tuple[int, str, int, str]
_states: dict[CacheKey, FitState] = {}
_matrices: dict[CacheKey, tuple[tuple[int, int], np.ndarray, Matrix]] = {}
_centred: dict[CacheKey, tuple[int, np.ndarray, Matrix, np.ndarray]] = {}
_buffers: dict[tuple[CacheKey, int], np.ndarray] = {}  # room to append to _matrices' arrays
_centred_buffers: dict[tuple[CacheKey, int], np.ndarray] = {}
_lock = threading.Lock()


def _cache_key(uow: UnitOfWork, product_id: int, model: str) -> CacheKey:
    bind = uow.session.get_bind()
    return (id(bind), str(getattr(bind, "url", "")), product_id, model)


def current_model(uow: UnitOfWork, product_id: int) -> Model | None:
    """The model whose vectors the product uses now; None when it has no fit yet."""
    name = uow.session.scalar(select(TextModel.model).where(TextModel.product_id == product_id))
    if name is None:
        return None
    key = _cache_key(uow, product_id, name)
    with _lock:
        state = _states.get(key)
    if state is None:  # the fitted state (megabytes) is read once per process and fit
        blob = uow.session.scalar(select(TextModel.state).where(TextModel.product_id == product_id))
        state = FitState.load(blob or b"")
        with _lock:
            _states[key] = state
    return Model(name, state)


def product_texts(uow: UnitOfWork, product_id: int) -> list[tuple[int, str]]:
    rows = uow.session.execute(
        select(Feedback.id, Feedback.text)
        .where(Feedback.product_id == product_id, Feedback.state != "rejected")
        .order_by(Feedback.id)
    )
    return [(int(i), str(t)) for i, t in rows]


def count_texts(uow: UnitOfWork, product_id: int) -> int:
    """The product's feedback that are not rejected (what a fit reads)."""
    query = select(func.count()).where(
        Feedback.product_id == product_id, Feedback.state != "rejected"
    )
    return int(uow.session.scalar(query) or 0)


def count_new_vectors(uow: UnitOfWork, product_id: int, model: Model) -> int:
    """How many vectors of `model` belong to feedback newer than its fit: a short range of
    the primary key, where counting all the product's vectors scans its whole index."""
    query = select(func.count()).where(
        FeedbackVector.feedback_id > model.fit.last_id,
        FeedbackVector.product_id == product_id,
        FeedbackVector.model == model.name,
    )
    return int(uow.session.scalar(query) or 0)


def count_vectors(uow: UnitOfWork, product_id: int, model: str) -> int:
    """How many feedback of the product have a vector in `model` (an index-only count)."""
    query = select(func.count()).where(
        FeedbackVector.product_id == product_id, FeedbackVector.model == model
    )
    return int(uow.session.scalar(query) or 0)


def fit(uow: UnitOfWork, product_id: int, texts: Sequence[str], *, last_id: int = 0) -> Model:
    """Fit (or refit) the product's model, a hybrid when the sentence model is installed;
    vectors of the old fit are dropped. `last_id`: the largest feedback id among `texts`."""
    state = engine.fit(texts, sentence=engine.neural_available())
    state = replace(state, last_id=last_id)
    now = utcnow()
    name = f"{state.family}:{int(now.timestamp() * 1000)}"
    row = uow.session.get(TextModel, product_id)
    if row is None:
        uow.add(TextModel(product_id=product_id, model=name, state=state.dump(), fitted_at=now))
    else:
        row.model, row.state, row.fitted_at = name, state.dump(), now
    uow.session.execute(
        delete(FeedbackVector).where(
            FeedbackVector.product_id == product_id, FeedbackVector.model != name
        )
    )
    with _lock:
        _states[_cache_key(uow, product_id, name)] = state
    return Model(name, state)


def usable(model: Model) -> bool:
    """Whether texts can be embedded with `model` here (a hybrid needs the package)."""
    return not model.fit.sentence or engine.neural_available()


def needs_refit(model: Model | None, product_count: int) -> bool:
    """No fit yet, a fit of the other kind (the sentence model was installed or removed
    since), or the product has grown."""
    if model is None:
        return product_count > 0
    if model.fit.sentence != engine.neural_available():
        return True  # the package was installed or removed since the fit
    return product_count >= REFIT_GROWTH * max(model.fit.fitted_on, 10)


def refit(uow: UnitOfWork, product_id: int) -> Model:
    """Fit the product's model on all its feedback and store every vector anew. A hybrid's
    sentence vectors are taken from the stored vectors where there are some (the sentence
    model does not depend on the fit): only the TF-IDF part is made again."""
    texts = product_texts(uow, product_id)
    known = _sentence_parts(uow, product_id) if engine.neural_available() else {}
    last_id = max((i for i, _ in texts), default=0)
    model = fit(uow, product_id, [t for _, t in texts], last_id=last_id)
    sentence = _sentence_vectors(texts, known) if model.fit.sentence and texts else None
    vectors = model.embed([t for _, t in texts], sentence)
    save_vectors(uow, product_id, model, [i for i, _ in texts], vectors)
    return model


def _sentence_vectors(texts: list[tuple[int, str]], known: dict[int, np.ndarray]) -> Matrix:
    """The sentence vector of each (id, text): known, or made now."""
    missing = [n for n, (i, _) in enumerate(texts) if i not in known]
    made = engine.embed_neural([texts[n][1] for n in missing])
    known.update((texts[n][0], made[row]) for row, n in enumerate(missing))
    return np.array([known[i] for i, _ in texts], np.float32)


def _sentence_parts(uow: UnitOfWork, product_id: int) -> dict[int, np.ndarray]:
    """The sentence vectors inside the product's stored hybrid vectors, by feedback id."""
    rows = uow.session.execute(
        select(FeedbackVector.feedback_id, FeedbackVector.vector).where(
            FeedbackVector.product_id == product_id,
            FeedbackVector.model.startswith(f"{engine.HYBRID}:"),
        )
    ).all()
    if not rows:
        return {}
    width = 4 * engine.SENTENCE_DIMENSIONS  # bytes of the sentence vector, first in each
    parts = engine.sentence_part(engine.from_blobs([bytes(r[1][:width]) for r in rows]))
    return {int(r[0]): parts[n] for n, r in enumerate(rows)}


def save_vectors(
    uow: UnitOfWork, product_id: int, model: Model, ids: Sequence[int], vectors: Matrix
) -> None:
    """Store (or replace) the vectors of these feedback."""
    if not ids:
        return
    uow.session.execute(delete(FeedbackVector).where(FeedbackVector.feedback_id.in_(ids)))
    uow.session.add_all(
        FeedbackVector(
            feedback_id=i, product_id=product_id, model=model.name, vector=engine.to_blob(v)
        )
        for i, v in zip(ids, vectors, strict=True)
    )
    uow.flush()


def load_vectors(uow: UnitOfWork, product_id: int, model: str) -> tuple[np.ndarray, Matrix]:
    """Feedback ids (sorted) and their vectors in `model`, from the process cache when the
    stored vectors have not changed since (new feedback only: their rows are appended)."""
    # two queries: the largest id is one step down the index, the count a scan of it; asked
    # together, the largest id would need the scan too (1.2 ms more at 13,000 vectors)
    largest = uow.session.scalar(
        select(func.max(FeedbackVector.feedback_id)).where(
            FeedbackVector.product_id == product_id, FeedbackVector.model == model
        )
    )
    version = (count_vectors(uow, product_id, model), int(largest or 0))
    key = _cache_key(uow, product_id, model)
    with _lock:
        cached = _matrices.get(key)
    if cached is not None and cached[0] == version:
        return cached[1].view(), cached[2].view()
    since = cached[0][1] if cached is not None and cached[0][1] < version[1] else 0
    ids, matrix = _read(uow, product_id, model, since)
    if since and cached is not None and cached[0][0] + len(ids) != version[0]:
        since, (ids, matrix) = 0, _read(uow, product_id, model, 0)  # something else changed
    with _lock:
        if since and cached is not None:
            ids = _grown(_buffers, key, cached[1], ids)
            matrix = _grown(_buffers, key, cached[2], matrix)
        _matrices[key] = (version, ids, matrix)
    return ids, matrix


def _grown(
    buffers: dict[tuple[CacheKey, int], np.ndarray],
    key: CacheKey,
    kept: np.ndarray,
    new: np.ndarray,
) -> np.ndarray:
    """`kept` followed by `new`, in a buffer with room to spare (one per key and number of
    dimensions): a feedback arriving costs its own row, not a copy of every vector."""
    slot, size = (key, kept.ndim), len(kept) + len(new)
    buffer = buffers.get(slot)
    if buffer is None or kept.base is not buffer or len(buffer) < size:
        buffer = np.empty((max(2 * size, 1024), *kept.shape[1:]), dtype=kept.dtype)
        buffer[: len(kept)] = kept
        buffers[slot] = buffer
    buffer[len(kept) : size] = new
    return buffer[:size]


def _read(uow: UnitOfWork, product_id: int, model: str, after: int) -> tuple[np.ndarray, Matrix]:
    rows = uow.session.execute(
        select(FeedbackVector.feedback_id, FeedbackVector.vector)
        .where(FeedbackVector.product_id == product_id, FeedbackVector.model == model)
        .where(FeedbackVector.feedback_id > after)
        .order_by(FeedbackVector.feedback_id)
    ).all()
    return np.array([r[0] for r in rows], dtype=np.int64), engine.from_blobs([r[1] for r in rows])


def centred_vectors(
    uow: UnitOfWork, product_id: int, model: str
) -> tuple[np.ndarray, Matrix, np.ndarray]:
    """Ids, their vectors centred and normalised, and the centre (for duplicates). The centre
    is the mean when the vectors were last read whole; new rows are centred on it."""
    ids, matrix = load_vectors(uow, product_id, model)
    key = _cache_key(uow, product_id, model)
    with _lock:
        cached = _centred.get(key)
        if (
            cached is not None
            and cached[0] == len(ids)
            and (len(ids) == 0 or cached[1][-1] == ids[-1])
        ):
            return cached[1], cached[2], cached[3]
        known = 0 if cached is None else len(cached[1])
        if cached is not None and known < len(ids) and np.array_equal(cached[1], ids[:known]):
            mean = cached[3]  # new feedback only: centre them on the known centre
            fresh = engine.normalise(matrix[known:] - mean)
            centred = _grown(_centred_buffers, key, cached[2], fresh)
        else:
            mean = engine.centre(matrix)
            centred = engine.normalise(matrix - mean) if len(matrix) else matrix
        _centred[key] = (len(ids), ids, centred, mean)
    return ids, centred, mean


def visible(
    uow: UnitOfWork, candidates: Sequence[int], sources: Sequence[str] | None = None
) -> set[int]:
    """Those of the candidate feedback that may be shown as similar (not pending, rejected
    or merged into another as a duplicate)."""
    query = select(Feedback.id).where(
        Feedback.id.in_(list(candidates)),
        Feedback.state.not_in(HIDDEN_STATES),
        Feedback.id.not_in(select(FeedbackDuplicate.feedback_id)),
    )
    if sources:
        query = query.where(Feedback.source.in_(list(sources)))
    return set(uow.session.scalars(query))


def visible_ids(
    uow: UnitOfWork, product_id: int, sources: Sequence[str] | None = None
) -> np.ndarray:
    """Ids of the product's feedback that may be shown as similar (not pending, rejected or
    merged into another as a duplicate)."""
    query = select(Feedback.id).where(
        Feedback.product_id == product_id,
        Feedback.state.not_in(HIDDEN_STATES),
        Feedback.id.not_in(select(FeedbackDuplicate.feedback_id)),
    )
    if sources:
        query = query.where(Feedback.source.in_(list(sources)))
    return np.array(sorted(uow.session.scalars(query)), dtype=np.int64)


def save_centroid(uow: UnitOfWork, theme_id: int, model: str, vector: np.ndarray) -> None:
    row = uow.session.get(ThemeCentroid, theme_id)
    if row is None:
        uow.add(ThemeCentroid(theme_id=theme_id, model=model, vector=engine.to_blob(vector)))
    else:
        row.model, row.vector = model, engine.to_blob(vector)


def load_centroids(uow: UnitOfWork, product_id: int, model: str) -> tuple[list[int], Matrix]:
    """The centres of the product's active themes in `model`: (theme ids, matrix)."""
    rows = uow.session.execute(
        select(ThemeCentroid.theme_id, ThemeCentroid.vector)
        .join(Theme, Theme.id == ThemeCentroid.theme_id)
        .where(Theme.product_id == product_id, Theme.state == "active")
        .where(ThemeCentroid.model == model)
        .order_by(ThemeCentroid.theme_id)
    ).all()
    if not rows:
        return [], np.zeros((0, 1), np.float32)
    return [int(r[0]) for r in rows], engine.from_blobs([r[1] for r in rows])
