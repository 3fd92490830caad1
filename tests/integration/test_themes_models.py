"""The product's text model: a hybrid (sentence model beside TF-IDF) when the optional
package is installed, TF-IDF alone otherwise; moving between them; a refit that reuses the
stored sentence vectors; a re-clustering of a product without feedback."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy import select

from jalon.feedback.models import Feedback
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.themes import engine, placement, runs, services, store
from jalon.themes.demo import add_sample_feedback
from jalon.themes.models import FeedbackVector
from jalon.uow import Database
from tests.support.helpers import actor, make_user

needs_model = pytest.mark.skipif(
    not engine.neural_available(), reason="the optional model is not installed"
)


def _product(db: Database) -> tuple[Actor, int]:
    po = actor(make_user(db, "po@example.org"))
    return po, products.create_product(db.uow(), actor=po, name="Atlas").id


def _vectors(db: Database, pid: int) -> dict[int, tuple[str, np.ndarray]]:
    with db.reader() as uow:
        rows = uow.session.execute(
            select(FeedbackVector.feedback_id, FeedbackVector.model, FeedbackVector.vector).where(
                FeedbackVector.product_id == pid
            )
        ).all()
    return {int(i): (str(m), np.frombuffer(v, np.float32)) for i, m, v in rows}


def _arrive(db: Database, pid: int, text: str) -> int:
    with db.uow() as uow:
        row = Feedback(product_id=pid, text=text, source="manual")
        uow.add(row)
        uow.flush()
        placement.place_feedback(uow, pid, [row.id])
        uow.commit()
        return row.id


@needs_model
def test_a_hybrid_vector_is_the_sentence_vector_beside_the_tfidf_part(db: Database) -> None:
    _po, pid = _product(db)
    ids = add_sample_feedback(db, pid)
    stored = _vectors(db, pid)
    names = {m for m, _v in stored.values()}
    assert len(names) == 1 and next(iter(names)).startswith(f"{engine.HYBRID}:")
    with db.reader() as uow:
        text = uow.session.get(Feedback, ids[0]).text  # type: ignore[union-attr]
    vector = stored[ids[0]][1]
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    sentence = engine.sentence_part(vector[None, :])[0]
    assert float(sentence @ engine.embed_neural([text])[0]) > 0.9999


@needs_model
def test_a_refit_reuses_the_stored_sentence_vectors(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _po, pid = _product(db)
    ids = add_sample_feedback(db, pid)
    before = _vectors(db, pid)
    embedded: list[str] = []
    original = engine.embed_neural

    def counting(texts: Sequence[str]) -> engine.Matrix:
        embedded.extend(texts)
        return original(texts)

    monkeypatch.setattr(engine, "embed_neural", counting)
    model = services.refit(db.uow(), product_id=pid)
    after = _vectors(db, pid)
    assert embedded == []  # every sentence vector came from the stored ones
    assert (model.fit.fitted_on, model.fit.last_id) == (len(ids), max(ids))
    assert sorted(after) == sorted(ids)
    assert {m for m, _v in after.values()} == {model.name} != {before[ids[0]][0]}
    for i in ids:
        old = engine.sentence_part(before[i][1][None, :])
        new = engine.sentence_part(after[i][1][None, :])
        assert np.allclose(old, new, atol=1e-6)


@needs_model
def test_installing_or_removing_the_package_moves_the_product_over(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _po, pid = _product(db)
    monkeypatch.setattr(engine, "NEURAL_ENABLED", False)
    ids = add_sample_feedback(db, pid)
    assert {m.split(":")[0] for m, _v in _vectors(db, pid).values()} == {engine.FALLBACK}
    monkeypatch.setattr(engine, "NEURAL_ENABLED", True)  # the package is installed
    new = _arrive(db, pid, "Export to Excel does not keep the column widths")
    stored = _vectors(db, pid)
    assert sorted(stored) == sorted([*ids, new])  # every feedback moved to the new model
    assert {m.split(":")[0] for m, _v in stored.values()} == {engine.HYBRID}
    monkeypatch.setattr(engine, "NEURAL_ENABLED", False)  # and removed again
    with db.reader() as uow:  # the hybrid cannot embed a text: no suggestion, no error
        assert placement.similar(uow, pid, "Export to Excel is broken") == []
    _arrive(db, pid, "The dark mode is too bright at night")
    with db.reader() as uow:
        assert placement.similar(uow, pid, "Export to Excel is broken", limit=2)
    assert {m.split(":")[0] for m, _v in _vectors(db, pid).values()} == {engine.FALLBACK}


@pytest.mark.parametrize("neural", [False, True])
def test_a_product_without_feedback_can_be_reclustered(
    db: Database, monkeypatch: pytest.MonkeyPatch, neural: bool
) -> None:
    if neural and not engine.neural_available():
        pytest.skip("the optional model is not installed")
    monkeypatch.setattr(engine, "NEURAL_ENABLED", neural)
    po, pid = _product(db)
    run = runs.recluster_now(db, actor=po, product_id=pid)
    assert (run.state, run.feedback_count, run.theme_count) == ("done", 0, 0)
    with db.reader() as uow:
        model = store.current_model(uow, pid)
    assert model is not None and model.fit.sentence is neural
