"""Per-item cost for bench/discovery.py: a SQLite product holding Banking77 as feedback, with
stored vectors and themes; then new feedback one at a time, as the feedback service saves
it (placed in its theme inside the transaction) and its page then lists similar feedback."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

from bench.discovery_data import perturbed_texts
from jalon import db as db_module
from jalon.accounts import services as accounts
from jalon.db import utcnow
from jalon.feedback.models import Feedback
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.settings import load_settings
from jalon.themes import placement, runs, store
from jalon.themes.models import FeedbackVector
from jalon.uow import Database

PASSPHRASE = "bench passphrase 1"  # noqa: S105 - a throw-away database


def _product(db: Database) -> tuple[Actor, int]:
    user = accounts.create_user(
        db.uow(), email="bench@example.org", name="Bench", password=PASSPHRASE
    )
    po = Actor(user.id, user.label)
    return po, products.create_product(db.uow(), actor=po, name="Banking").id


def _load(db: Database, pid: int, texts: list[str]) -> None:
    """The feedback, without vectors: the first re-clustering fits the model and embeds."""
    now = utcnow()
    with db.uow() as uow:
        rows = [{"product_id": pid, "text": t, "received_at": now, "created_at": now,
                 "source": "csv", "state": "new"} for t in texts]  # fmt: skip
        uow.session.execute(insert(Feedback), rows)
        uow.commit()


def per_item_times(texts: list[str], *, items: int, scratch: Path) -> dict[str, Any]:
    """p50/p95 ms of saving one new feedback (placed in a theme) and listing its similar
    feedback (the duplicate check), over `items` new texts; also of the process CPU time,
    of the embedding alone and of the rest."""
    folder = scratch / f"db-{time.monotonic_ns()}"
    folder.mkdir()
    db = Database(load_settings({}, overrides={"data_dir": folder}))
    db_module.upgrade(db.engine)
    po, pid = _product(db)
    _load(db, pid, texts)
    runs.recluster_now(db, actor=po, product_id=pid)
    new_texts, _sources = perturbed_texts(texts, items, seed=3)
    samples, cpu, embedding = [], [], _EmbedTimer()
    for text in new_texts:
        started, cpu_started = time.perf_counter(), time.process_time()
        with db.uow() as uow, embedding:
            feedback = Feedback(product_id=pid, text=text, source="manual")
            uow.add(feedback)
            uow.flush()
            placement.place_feedback(uow, pid, [feedback.id])
            uow.commit()
        with db.reader() as uow:
            row = uow.session.get(FeedbackVector, feedback.id)
            assert row is not None
            query = np.frombuffer(row.vector, np.float32)
            placement.similar_to_vector(uow, pid, row.model, query, exclude=[feedback.id])
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    db.dispose()
    rest = [total - e for total, e in zip(samples, embedding.ms, strict=True)]
    out: dict[str, Any] = {"n": len(samples)}
    for name, values in (("", samples), ("cpu_", cpu), ("embed_", embedding.ms), ("rest_", rest)):
        q = statistics.quantiles(values, n=100)
        out[f"{name}p50_ms"], out[f"{name}p95_ms"] = q[49], q[94]
    return out


class _EmbedTimer:
    """Times the text model's calls (`store.Model.embed`) while in use: the embedding part
    of each new item, the rest being database work, theme assignment and duplicate search."""

    def __init__(self) -> None:
        self.ms: list[float] = []
        self.original = store.Model.embed

    def __enter__(self) -> None:
        self.ms.append(0.0)

        def timed(
            model: store.Model, texts: Sequence[str], sentence: np.ndarray | None = None
        ) -> np.ndarray:
            started = time.perf_counter()
            try:
                return self.original(model, texts, sentence)
            finally:
                self.ms[-1] += (time.perf_counter() - started) * 1000

        store.Model.embed = timed  # type: ignore[method-assign]

    def __exit__(self, *exc: object) -> None:
        store.Model.embed = self.original  # type: ignore[method-assign]
