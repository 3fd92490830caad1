"""Banking77 for bench/discovery.py: the texts with their labels, and the large set made
from them (texts perturbed by dropping and swapping words; vectors with light noise)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from jalon.themes import engine

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"


def load_banking77(folder: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts (test split first, then train), their labels, and which are from the test split."""
    texts: list[str] = []
    labels: list[str] = []
    is_test: list[bool] = []
    for split in ("test", "train"):
        with (folder / f"{split}.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                texts.append(row["text"])
                labels.append(row["category"])
                is_test.append(split == "test")
    return texts, np.array(labels), np.array(is_test)


def perturbed_texts(texts: list[str], n: int, *, seed: int) -> tuple[list[str], np.ndarray]:
    """n texts, each a random source text with one word dropped and two neighbours swapped
    (when it has enough words); and the index of each source."""
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, len(texts), size=n)
    out = []
    for s in sources:
        words = texts[int(s)].split()
        if len(words) > 3:
            del words[int(rng.integers(0, len(words)))]
            i = int(rng.integers(0, len(words) - 1))
            words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(words))
    return out, sources


def noisy_vectors(vectors: np.ndarray, sources: np.ndarray, *, seed: int) -> np.ndarray:
    """The vectors of the sources plus Gaussian noise (σ = 0.005 per dimension), normalised."""
    rng = np.random.default_rng(seed)
    noisy = vectors[sources] + rng.normal(0.0, 0.005, size=(len(sources), vectors.shape[1]))
    return engine.normalise(noisy.astype(np.float32))
