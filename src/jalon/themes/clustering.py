"""Theme discovery from stored vectors: Ward clustering cut where themes stop being tight
(so the number of themes is chosen by the data), scaled to 100,000 items by clustering a
sample and assigning every vector to the nearest centre. Pure: arrays in, arrays out,
deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from jalon.themes.engine import Matrix, normalise

SAMPLE = 6000  # Ward on at most this many vectors (memory grows with its square)
MIN_THEME_SIZE = 3
MIN_AVERAGE_SIZE = 5  # themes hold at least this many feedback on average
CHUNK = 20000

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Clustering:
    labels: NDArray[np.int64]  # cluster number of each row, 0..k-1
    centroids: Matrix  # (k, dimensions), normalised
    scores: NDArray[np.float32]  # cosine of each row to its cluster's centre


def cut(tree: NDArray[np.float64], n: int, tightness: float) -> NDArray[np.int64]:
    """Flat clusters from a Ward tree: the largest subtrees whose mean squared distance to
    their centre is at most `tightness` (a property of the text model's space, so the
    number of themes follows the data instead of being fixed)."""
    size = np.ones(2 * n - 1)
    spread = np.zeros(2 * n - 1)  # sum of squared distances to the centre
    for i, (left, right, height, _count) in enumerate(tree):
        a, b = int(left), int(right)
        size[n + i] = size[a] + size[b]
        spread[n + i] = spread[a] + spread[b] + height * height / 2.0
    labels = np.empty(n, np.int64)
    stack, k = [2 * n - 2], 0
    while stack:
        node = stack.pop()
        if node >= n and spread[node] / size[node] > tightness:
            stack += [int(tree[node - n, 0]), int(tree[node - n, 1])]
            continue
        labels[_leaves(tree, n, node)] = k
        k += 1
    return labels


def _leaves(tree: NDArray[np.float64], n: int, node: int) -> list[int]:
    out, stack = [], [node]
    while stack:
        m = stack.pop()
        if m < n:
            out.append(m)
        else:
            stack += [int(tree[m - n, 0]), int(tree[m - n, 1])]
    return out


def discover(
    vectors: Matrix,
    *,
    tightness: float,
    seed: int = 0,
    count: int | None = None,
    progress: Progress | None = None,
) -> Clustering:
    """Cluster `vectors` (normalised rows) into themes; `count` forces their number.
    Vectors are centred and normalised again first (it spreads the space evenly)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(vectors)
    report = progress or (lambda _f: None)
    if n < 2 * MIN_THEME_SIZE:
        return _finish(vectors, np.zeros(n, np.int64))
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=SAMPLE, replace=False)) if n > SAMPLE else np.arange(n)
    centred = normalise(vectors[sample] - vectors.mean(axis=0))
    tree = linkage(centred.astype(np.float64), method="ward")
    report(0.6)
    sample_labels = cut(tree, len(sample), tightness)
    most = max(1, len(sample) // MIN_AVERAGE_SIZE)
    if count or int(sample_labels.max()) + 1 > most:  # small products: fewer, larger themes
        k = count or most
        sample_labels = fcluster(tree, k, criterion="maxclust").astype(np.int64) - 1
    report(0.8)
    if len(sample) == n:
        return _finish(vectors, sample_labels)
    centroids = _centroids(vectors[sample], sample_labels)
    return _finish(vectors, assign(vectors, centroids))


def _centroids(vectors: Matrix, labels: NDArray[np.int64]) -> Matrix:
    k = int(labels.max()) + 1 if len(labels) else 0
    sums = np.zeros((k, vectors.shape[1]), np.float64)
    np.add.at(sums, labels, vectors)
    return normalise(sums)


def assign(vectors: Matrix, centroids: Matrix) -> NDArray[np.int64]:
    """The nearest centre of each row (in chunks, to bound memory)."""
    out = np.empty(len(vectors), np.int64)
    for start in range(0, len(vectors), CHUNK):
        out[start : start + CHUNK] = np.argmax(vectors[start : start + CHUNK] @ centroids.T, 1)
    return out


def _finish(vectors: Matrix, labels: NDArray[np.int64]) -> Clustering:
    labels = _renumber(labels)
    centroids = _centroids(vectors, labels)
    scores = np.einsum("ij,ij->i", vectors, centroids[labels]) if len(labels) else labels
    return Clustering(labels, centroids, np.asarray(scores, np.float32))


def _renumber(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Clusters numbered 0..k-1 by decreasing size (stable for equal sizes)."""
    if len(labels) == 0:
        return labels
    values, counts = np.unique(labels, return_counts=True)
    order = values[np.argsort(-counts, kind="stable")]
    mapping = np.empty(int(values.max()) + 1, np.int64)
    mapping[order] = np.arange(len(order))
    return mapping[labels]
