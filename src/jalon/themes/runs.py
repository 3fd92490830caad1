"""A full re-clustering run, step by step, each step its own short transaction so that the
page can show progress: embed the feedback that have no vector yet, refit the product's text
model, read the stored vectors, cluster them, write the themes.

The server runs it in a background thread (`start_in_background`); `jalon themes recluster`
runs it in the foreground with a progress bar.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from jalon.permissions import Actor
from jalon.themes import clustering, engine, queries, services, store
from jalon.themes.models import ClusteringRun
from jalon.uow import Database

log = logging.getLogger("jalon.themes")
EMBED_BATCH = 256
_threads: list[threading.Thread] = []
_lock = threading.Lock()
Report = Callable[[float, str], None]

# Share of the progress bar each step takes.
REFIT_START, EMBED_END, CLUSTER_END = 0.35, 0.55, 0.9


class _Progress:
    """Writes progress to the run at most every 2 %, and tells `listener` every time."""

    def __init__(self, db: Database, run_id: int, listener: Report | None) -> None:
        self.db, self.run_id, self.listener, self.last = db, run_id, listener, -1.0

    def __call__(self, fraction: float, step: str) -> None:
        if self.listener is not None:
            self.listener(fraction, step)
        if fraction - self.last >= 0.02 or fraction >= 1.0:
            self.last = fraction
            services.set_progress(self.db.uow(), run_id=self.run_id, progress=fraction, step=step)


def run(
    db: Database, run_id: int, *, listener: Report | None = None, seed: int = 0
) -> ClusteringRun:
    """Run a queued re-clustering to the end; on failure the run says why and this raises."""
    report = _Progress(db, run_id, listener)
    try:
        report(0.0, "embedding")
        product_id = queries.run_product(db.reader(), run_id)
        model = _prepare_vectors(db, product_id, report)
        ids, matrix = queries.discovery_vectors(db.reader(), product_id, model.name)
        report(EMBED_END, "clustering")
        result = clustering.discover(
            matrix, seed=seed, tightness=engine.TIGHTNESS[engine.family(model.name)],
            progress=lambda f: report(EMBED_END + (CLUSTER_END - EMBED_END) * f, "clustering"),
        )  # fmt: skip
        report(CLUSTER_END, "saving")
        return services.apply_clustering(
            db.uow(), run_id=run_id, model=model.name, ids=ids.tolist(), result=result
        )
    except Exception as exc:
        services.fail_run(db.uow(), run_id=run_id, error=str(exc) or type(exc).__name__)
        raise


def _prepare_vectors(db: Database, product_id: int, report: Report) -> store.Model:
    """Every feedback gets a vector of a new fit on all the product's texts. With a hybrid,
    feedback that arrived without a vector (a large import) are embedded first, in batches
    that show progress; the refit then reuses every sentence vector."""
    model = queries.current_model(db.reader(), product_id)
    if model is not None and model.fit.sentence and store.usable(model):
        missing = queries.missing_vectors(db.reader(), product_id, model.name)
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            services.embed_batch(db.uow(), product_id=product_id, model=model, items=batch)
            report(REFIT_START * (start + len(batch)) / len(missing), "embedding")
    report(REFIT_START, "embedding")
    return services.refit(db.uow(), product_id=product_id)


def start_in_background(db: Database, run_id: int) -> threading.Thread:
    """Run in a daemon thread of the server (the page polls the run's progress)."""

    def target() -> None:
        try:
            run(db, run_id)
        except Exception:  # recorded on the run; the server goes on
            log.exception("themes: re-clustering %s failed", run_id)

    thread = threading.Thread(target=target, name=f"jalon-themes-{run_id}", daemon=True)
    with _lock:
        _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()
    return thread


def join_all(timeout: float = 60.0) -> None:
    """Wait for the background runs of this process (tests; a server stopping)."""
    with _lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)


def recluster_now(
    db: Database, *, actor: Actor, product_id: int, listener: Report | None = None
) -> ClusteringRun:
    """Queue a run and run it in this thread (the CLI, the demo, tests)."""
    queued = services.start_reclustering(db.uow(), actor=actor, product_id=product_id)
    return run(db, queued.id, listener=listener)
