"""Pure parts of themes: how a clustering continues existing themes, labels, the Ward cut,
the fallback text model, neighbours after centring, sparklines."""

from __future__ import annotations

import io

import numpy as np
import pytest

from jalon.themes import clustering, engine, labels, rules


def test_clusters_continue_the_theme_holding_most_of_their_members() -> None:
    clusters = {0: [1, 2, 3, 9], 1: [4, 5, 6], 2: [7, 8, 10, 11]}
    previous = {1: 100, 2: 100, 3: 200, 4: 300, 5: 300, 6: 100}
    assert rules.match_clusters(clusters, previous) == {0: 100, 1: 300}


def test_a_plan_keeps_pinned_feedback_and_makes_new_themes_from_large_clusters() -> None:
    clusters = {0: [1, 2, 3], 1: [4, 5, 6, 7], 2: [8, 9]}
    plan = rules.plan(clusters, previous={1: 10, 2: 10, 3: 20}, pinned={3: 20, 7: 30})
    assert plan.continues == {0: 10}
    assert plan.new_clusters == [1]  # cluster 2 is too small to make a theme
    assert plan.placement == {1: 10, 2: 10, 4: ("new", 1), 5: ("new", 1), 6: ("new", 1)}


def test_merged_themes_absorb_every_cluster_of_their_members() -> None:
    # Two clusters whose members all moved to theme 10 by a merge both continue it.
    plan = rules.plan({0: [1, 2], 1: [3, 4]}, previous={1: 10, 2: 10, 3: 10, 4: 10}, pinned={})
    assert plan.continues == {0: 10, 1: 10} and plan.new_clusters == []


def test_label_problems() -> None:
    assert set(rules.label_problems("   ")) == {"label"}
    assert set(rules.label_problems("x" * 201)) == {"label"}
    assert rules.label_problems("Exports") == {}


def test_labels_are_distinctive_words_without_stop_words() -> None:
    texts = ["Je veux exporter vers Excel", "export Excel please", "the app crashes at login",
             "login crashes on Android"]  # fmt: skip
    terms = labels.cluster_terms(texts, [0, 0, 1, 1], terms=2)
    assert "excel" in terms[0] and {"crashes", "login"} & set(terms[1])
    assert not {"je", "vers", "the", "at", "please"} & set(terms[0] + terms[1])
    assert labels.label_of(["card", "delivery"]) == "card · delivery"


def _blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.eye(8, dtype=np.float32)[:3] * 3
    points = np.vstack([c + rng.normal(0, 0.1, size=(20, 8)) for c in centres])
    return engine.normalise(points)


def test_the_ward_cut_finds_tight_groups_and_is_deterministic() -> None:
    vectors = _blobs()
    found = clustering.discover(vectors, tightness=0.3)
    assert found.labels.max() + 1 == 3
    assert all(len(set(found.labels[i * 20 : (i + 1) * 20].tolist())) == 1 for i in range(3))
    again = clustering.discover(vectors, tightness=0.3)
    assert np.array_equal(found.labels, again.labels)
    assert np.all(found.scores > 0.9)


def test_a_forced_count_and_a_loose_cut() -> None:
    vectors = _blobs()
    assert clustering.discover(vectors, tightness=0.3, count=2).labels.max() + 1 == 2
    assert clustering.discover(vectors, tightness=10.0).labels.max() + 1 == 1


def test_assign_picks_the_nearest_centre() -> None:
    centres = np.eye(3, dtype=np.float32)
    vectors = engine.normalise(np.array([[0.9, 0.1, 0], [0, 0.2, 1]], np.float32))
    assert clustering.assign(vectors, centres).tolist() == [0, 2]


def test_the_fallback_model_survives_storage_and_matches_similar_texts() -> None:
    texts = [
        "card has not arrived", "my card still has not arrived", "refund my payment",
        "I want a refund of this payment", "change my PIN", "how to change the PIN code",
    ]  # fmt: skip
    state = engine.fit(texts)
    again = engine.FitState.load(state.dump())
    first, second = engine.embed_tfidf(state, texts), engine.embed_tfidf(again, texts)
    assert np.allclose(first, second) and np.allclose(np.linalg.norm(first, axis=1), 1.0)
    query = engine.embed_tfidf(state, ["my card has not arrived yet"])[0]
    best = engine.nearest(query, first, engine.centre(first), limit=2)
    assert {row for row, _s in best} == {0, 1}
    assert all(0.0 <= s <= 1.0 for _r, s in best)


def test_one_text_embeds_as_in_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    # A few texts take a numpy path of their own; it gives the vectors of the sparse one.
    state = engine.fit(
        ["card has not arrived", "refund my payment", "change my PIN", "carte pas arrivée"]
    )
    texts = ["my card has not arrived, my card!", "", "the the", "Où est ma carte ?", "zzz"]
    few = np.vstack([engine.embed_tfidf(state, [t]) for t in texts])
    monkeypatch.setattr(engine, "FEW_TEXTS", 0)
    batch = engine.embed_tfidf(state, texts)
    assert np.allclose(few, batch, atol=1e-6)
    assert np.allclose(np.linalg.norm(few[0]), 1.0) and not few[4].any()  # unknown words


def test_vectors_from_blobs_and_scores() -> None:
    matrix = engine.normalise(np.arange(12, dtype=np.float32).reshape(4, 3) - 5)
    back = engine.from_blobs([engine.to_blob(row) for row in matrix])
    assert np.array_equal(back, matrix) and back.flags.writeable
    assert engine.from_blobs([]).shape == (0, 1)
    with pytest.raises(ValueError):
        engine.from_blobs([engine.to_blob(matrix[0]), engine.to_blob(matrix[0][:2])])
    assert np.allclose(engine.scores(matrix, matrix[1]), matrix @ matrix[1])


def test_sparkline_points() -> None:
    assert rules.sparkline([]) == ""
    points = rules.sparkline([0, 2, 1], width=10, height=10).split()
    assert points == ["0.0,8.0", "5.0,2.0", "10.0,5.0"]


def test_a_fit_keeps_its_kind_through_the_database_and_old_fits_read_as_tfidf() -> None:
    texts = ["Export to Excel", "Login fails on mobile", "Invoices lack the VAT number"] * 3
    state = engine.fit(texts, sentence=True)
    again = engine.FitState.load(state.dump())
    assert again.sentence and again.family == engine.HYBRID
    assert np.array_equal(again.basis, state.basis) and again.words == state.words
    old = io.BytesIO()  # a fit stored before hybrids existed: no "sentence" entry
    np.savez_compressed(
        old, words=np.array(state.words, dtype=str), chars=np.array(state.chars, dtype=str),
        idf=state.idf, basis=state.basis, fitted_on=np.array([state.fitted_on]),
    )  # fmt: skip
    legacy = engine.FitState.load(old.getvalue())
    assert not legacy.sentence and legacy.family == engine.FALLBACK


def test_the_sentence_part_of_a_hybrid_vector_is_recovered_exactly() -> None:
    rng = np.random.default_rng(4)
    sentence = engine.normalise(rng.normal(size=(5, engine.SENTENCE_DIMENSIONS)))
    tfidf = engine.normalise(rng.normal(size=(5, 40)))
    tfidf[2] = 0.0  # a text with no known word: its TF-IDF part is zero
    hybrid = engine.normalise(np.hstack([sentence, engine.TFIDF_WEIGHT * tfidf]))
    assert np.allclose(engine.sentence_part(hybrid), sentence, atol=1e-6)
    assert not np.allclose(hybrid[:, : engine.SENTENCE_DIMENSIONS], sentence, atol=1e-3)


def test_a_large_scan_split_across_two_threads_gives_every_row_its_own_score() -> None:
    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(engine.PARALLEL_ROWS + 7, 16)).astype(np.float32)
    vector = rng.normal(size=16).astype(np.float32)
    got = engine.scores(matrix, vector)
    assert got.shape == (len(matrix),) and got.dtype == np.float32
    assert np.allclose(got, matrix @ vector, rtol=1e-4, atol=1e-4)
    small = engine.scores(matrix[:100], vector)
    assert np.allclose(small, got[:100], rtol=1e-5, atol=1e-5)
