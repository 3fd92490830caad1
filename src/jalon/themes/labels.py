"""Readable theme labels: the terms most distinctive of each cluster (class-based TF-IDF),
with English and French stop words left out. Pure: texts and cluster numbers in, labels out.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

FRENCH_STOP_WORDS = frozenset(
    """
    a à afin ai aie aient aies ait alors as au aucun aucune aujourd aupres auquel aura aurai
    auraient aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux
    auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant
    bah beaucoup bien bon c ça car ce ceci cela celle celles celui cependant certain certaine
    certains ces cet cette ceux chaque chez ci comme comment d dans de des deja déjà depuis
    dès deux devrait doit donc dont du duquel durant elle elles en encore entre es est et
    étaient étais était étant été être eu eue eues eurent eus eut eux fait faire fais faut
    fois font hors ici il ils j je jusqu jusque l la là laquelle le lequel les lesquelles
    lesquels leur leurs lors lorsque lui m ma mais me même mêmes mes moi moins mon n ne ni
    non nos notre nous on ont or ou où par parce pas peu peut peuvent peux plus pour pourquoi
    qu quand que quel quelle quelles quels qui quoi s sa sans se sera serai seraient serais
    serait seras serez seriez serions serons seront ses si sien soi soit sommes son sont sous
    suis sur t ta tandis te tes toi ton toujours tous tout toute toutes très tu un une unes
    uns v va vais vas vers voici voilà vos votre vous vu y
    """.split()  # noqa: SIM905
)
_EXTRA = (
    "please hi hello thanks thank just like would need want can could get got im dont "
    "cant merci bonjour svp stp"
)
EXTRA_STOP_WORDS = frozenset(_EXTRA.split())
SEPARATOR = " · "
WORD = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # two letters or more, no digits


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """English (scikit-learn's list), French and greeting words, left out of labels."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | FRENCH_STOP_WORDS | EXTRA_STOP_WORDS


def cluster_terms(
    texts: Sequence[str], clusters: Sequence[int], *, terms: int = 3
) -> dict[int, list[str]]:
    """The `terms` most distinctive words of each cluster (c-TF-IDF: a term's frequency in
    the cluster times log(1 + average words per cluster / the term's overall frequency))."""
    from sklearn.feature_extraction.text import CountVectorizer  # loaded when first needed

    ids = sorted(set(clusters))
    if not texts or not ids:
        return {}
    vectoriser = CountVectorizer(
        stop_words=sorted(stop_words()), token_pattern=WORD,
        strip_accents=None, lowercase=True, min_df=1,
    )  # fmt: skip
    try:
        counts = vectoriser.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return {c: [] for c in ids}
    vocabulary = vectoriser.get_feature_names_out()
    index = {c: i for i, c in enumerate(ids)}
    rows = np.array([index[c] for c in clusters])
    membership = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(len(ids), len(rows))
    )
    per_cluster = np.asarray((membership @ counts).todense(), dtype=np.float64)
    overall = per_cluster.sum(axis=0)
    average = per_cluster.sum() / len(ids)
    tf = per_cluster / np.maximum(per_cluster.sum(axis=1, keepdims=True), 1.0)
    weights = tf * np.log1p(average / np.maximum(overall, 1.0))
    return {c: _top(weights[index[c]], vocabulary, terms) for c in ids}


def _top(row: np.ndarray, vocabulary: np.ndarray, terms: int) -> list[str]:
    order = np.argsort(-row, kind="stable")[:terms]
    return [str(vocabulary[i]) for i in order if row[i] > 0]


def label_of(terms: Sequence[str]) -> str:
    return SEPARATOR.join(terms)[:200] if terms else ""
