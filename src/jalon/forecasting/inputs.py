"""Reading a forecast request from text (the page's form, the command line): pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

from jalon.errors import N_, Invalid
from jalon.forecasting import rules

IDS_RE = re.compile(r"#?\d+")
MAX_IDS = 5000
T = TypeVar("T")


def parse_items(text: str) -> int | tuple[int, ...] | None:
    """'30' is a number of items; '#12, #15' (or '12, 15', '#12') a list of item ids."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    parts = [p for p in re.split(r"[\s,;]+", text) if p]
    if not parts or not all(IDS_RE.fullmatch(p) for p in parts):
        raise Invalid(N_("Give a number of items, or item ids such as #12, #15."), field="items")
    if len(parts) > MAX_IDS:
        raise Invalid(N_("Choose at most {n} items."), field="items", n=MAX_IDS)
    return tuple(int(p.lstrip("#")) for p in parts)


def _int(values: Mapping[str, str], name: str, default: int | None) -> int | None:
    text = (values.get(name) or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise Invalid(N_("Enter a whole number."), field=name) from None


def _date(values: Mapping[str, str], name: str) -> date | None:
    text = (values.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(N_("Enter a date as YYYY-MM-DD."), field=name) from None


def _attempt(problems: dict[str, str], read: Callable[[], T], fallback: T) -> T:
    try:
        return read()
    except Invalid as exc:
        problems.update(exc.fields)
        return fallback


def parse_request(values: Mapping[str, str]) -> rules.Request:
    """A request from form fields: mode, items, epic_id, date, trials, seed, window.

    Invalid names every field that cannot be read, all at once."""
    problems: dict[str, str] = {}
    mode = (values.get("mode") or "when").strip()
    when, how_many = mode == "when", mode == "how_many"
    items = _attempt(problems, lambda: parse_items(values.get("items") or "") if when else None,
                     None)  # fmt: skip
    epic_id = _attempt(problems, lambda: _int(values, "epic_id", None) if when else None, None)
    target = _attempt(problems, lambda: _date(values, "date") if how_many else None, None)
    trials = _attempt(problems, lambda: _int(values, "trials", rules.DEFAULT_TRIALS), None)
    seed = _attempt(problems, lambda: _int(values, "seed", None), None)
    window = _attempt(problems, lambda: _int(values, "window", rules.DEFAULT_WINDOW), None)
    if problems:
        checked = rules.option_problems(
            trials=rules.DEFAULT_TRIALS if trials is None else trials,
            window=rules.DEFAULT_WINDOW if window is None else window,
        )
        raise Invalid(N_("Some fields need your attention."), fields=checked | problems)
    return rules.Request(
        mode=mode,
        count=items if isinstance(items, int) else None,
        item_ids=items if isinstance(items, tuple) else (),
        epic_id=epic_id,
        target=target,
        trials=trials if trials is not None else rules.DEFAULT_TRIALS,
        seed=seed,
        window=window if window is not None else rules.DEFAULT_WINDOW,
    )
