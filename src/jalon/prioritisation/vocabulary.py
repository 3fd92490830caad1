"""What a custom formula may read, and the model names of custom formulas. Pure.

A custom formula weighs what the team already scored, so its score stays absolute and
reproducible: it reads, for one item,
- a built-in model's score by the model's key: `rice`, `ice`, `wsjf`, `value_effort`,
  `moscow`, `kano`;
- a built-in model's numeric input as `<model>_<input>`: `rice_reach`, `wsjf_job_size`,
  `value_effort_value`... (MoSCoW and Kano read as their score).

Any other name is refused when the formula is saved, with the list of names one may use.
A formula never reads another formula, so there is no cycle to guard against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jalon.errors import N_, Invalid
from jalon.prioritisation.rules import MODELS

PREFIX = "formula:"
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a formula name's value comes from: a model's score, or one of its inputs."""

    model: str
    input: str | None = None


def _sources() -> dict[str, Source]:
    found: dict[str, Source] = {}
    for key, spec in MODELS.items():
        found[key] = Source(key)
        for item_input in spec.inputs:
            if not item_input.categorical:
                found[f"{key}_{item_input.name}"] = Source(key, item_input.name)
    return found


NAMES: dict[str, Source] = _sources()


def models_read(names: frozenset[str] | set[str]) -> set[str]:
    """The built-in models whose scores or inputs a formula reading `names` needs."""
    return {NAMES[name].model for name in names if name in NAMES}


def needs_inputs(names: frozenset[str] | set[str]) -> bool:
    return any(NAMES[name].input is not None for name in names if name in NAMES)


def values_of(
    names: frozenset[str] | set[str], scores: Mapping[str, tuple[Mapping[str, Any], float | None]]
) -> dict[str, float]:
    """The numbers a formula reads for one item, from its built-in scores {model: (inputs,
    value)}. Names the item lacks are left out (the formula then fails for that item)."""
    values: dict[str, float] = {}
    for name in names:
        source = NAMES.get(name)
        if source is None or source.model not in scores:
            continue
        inputs, value = scores[source.model]
        raw = value if source.input is None else inputs.get(source.input)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            values[name] = float(raw)
    return values


def is_formula(model: str) -> bool:
    return model.startswith(PREFIX)


def formula_key(model: str) -> str:
    return model.removeprefix(PREFIX)


def model_name(key: str) -> str:
    return f"{PREFIX}{key}"


def make_key(name: str) -> str:
    """A formula's key from its name: `Weighted value (2026)` -> `weighted_value_2026`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:40].strip("_")
    if key and not key[0].isalpha():
        key = f"f_{key}"[:40]
    return key or "formula"


def check_key(key: str) -> str:
    if not KEY_RE.match(key) or key in MODELS:
        raise Invalid(
            N_(
                "Use a key of 1 to 40 lower-case letters, digits and underscores, starting "
                "with a letter, and not the name of a built-in model."
            ),
            field="key",
        )
    return key


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid(N_("Give the formula a name of at most 120 characters."), field="name")
    return name
