"""Fractional rank keys: the backlog order, kept so that a move writes one row.

A key is an ASCII string that sorts by plain byte comparison, as SQLite's BINARY collation
and PostgreSQL's `COLLATE "C"` compare it, and as Python compares `str`. The alphabet is
base 62 in ASCII order: `0-9A-Za-z`. A key is an *integer part* then a *fraction*:

- The integer part is a head letter then digits. `a`..`z` head non-negative integers of
  1..26 digits (`a0`, `a1`, ..., `az`, `b00`, ...); `Z`..`A` head negative ones of 1..26
  digits (`Zz` comes just before `a0`, and `Yzz` before `Z0`). The head says how long the
  integer is, so integers of different lengths still sort by their first letter. Appending
  at the end or the top of the backlog steps the integer, so a backlog that only grows at
  its ends gets one more character per 62**k items: 100,000 appends need 4 characters.
- The fraction is base-62 digits read as 0.d1d2d3...; it never ends in `0`, the smallest
  digit, so between any two keys another key exists, and comparing keys as strings
  compares their values. `A` followed by 26 zeros (the smallest integer) is not a key.

Between two neighbours `key_between` takes the shortest key that fits. When several keys
of that length fit, it places the new key an eighth of the gap away from the *longer*
neighbour (in the middle when both are as long). The longer neighbour is usually the
item placed most recently, so a run of inserts at one spot (stories added one after
another right after the same item, or right before it) grows keys by one character per
~20 inserts (measured: 480 such inserts make 27-character keys), against ~6 with plain
bisection; an adversary that always picks the tightest gap needs ~4 inserts per
character (plain bisection: ~5).

Bounds: `needs_rebalance` is true past REBALANCE_LENGTH (24) characters; the caller then
respaces (`respace` around one spot, or `initial_keys` for a whole backlog). A move
makes a key at most one character longer than its longer neighbour, so MAX_KEY_LENGTH
(32; the column may be wider) leaves 8 moves of headroom at the very worst spot for a
rebalance that runs after the move. A longer key is refused with `RanksExhausted` (409):
respace, then retry.
"""

from __future__ import annotations

from collections.abc import Sequence

from jalon.errors import N_, Conflict, Invalid

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
ZERO, TOP = DIGITS[0], DIGITS[-1]
MAX_KEY_LENGTH = 32
REBALANCE_LENGTH = 24
FIRST_KEY = "a0"
SMALLEST_INTEGER = "A" + ZERO * 26
LEAN = 8  # a new key goes 1/LEAN of the gap away from its longer neighbour
_INDEX = {d: i for i, d in enumerate(DIGITS)}

EXHAUSTED = N_("The backlog order needs tidying up before this move; try again in a moment.")


class RanksExhausted(Conflict):
    """No key of at most MAX_KEY_LENGTH fits here: respace the neighbourhood, then retry."""

    def __init__(self) -> None:
        super().__init__(EXHAUSTED, field="rank")


def needs_rebalance(key: str) -> bool:
    """True when the key is longer than REBALANCE_LENGTH: time to respace its neighbours."""
    return len(key) > REBALANCE_LENGTH


def _integer_length(head: str) -> int | None:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    return None


def _split(key: str) -> tuple[str, str]:
    """(integer part, fraction) of a valid key; Invalid for anything else."""
    size = _integer_length(key[:1]) if key else None
    if (
        size is None
        or len(key) < size
        or any(c not in _INDEX for c in key)
        or (len(key) > size and key.endswith(ZERO))
        or key == SMALLEST_INTEGER
    ):
        raise Invalid("{key!r} is not a rank key.", field="rank", key=key)
    return key[:size], key[size:]


def check_key(key: str) -> str:
    """The key itself if it is well formed, else Invalid (field `rank`)."""
    _split(key)
    return key


def _step_integer(integer: str, step: int) -> str | None:
    """The integer part plus `step` (+1 or -1), or None past the ends of the key space.

    SMALLEST_INTEGER may come out: it is a valid integer part, though not a key alone.
    """
    head, digits = integer[0], [_INDEX[d] for d in integer[1:]]
    for i in reversed(range(len(digits))):
        digits[i] += step
        if 0 <= digits[i] < BASE:
            return head + "".join(DIGITS[d] for d in digits)
        digits[i] %= BASE
    if (head, step) in (("z", 1), ("A", -1)):
        return None
    if (head, step) == ("Z", 1):
        return "a" + ZERO
    if (head, step) == ("a", -1):
        return "Z" + TOP
    new_head = chr(ord(head) + step)
    size = _integer_length(new_head) or 0
    return new_head + (ZERO if step > 0 else TOP) * (size - 1)


def _value(fraction: str, length: int) -> int:
    """The fraction's first `length` digits (padded with zeros) as an integer."""
    value = 0
    for digit in fraction[:length].ljust(length, ZERO):
        value = value * BASE + _INDEX[digit]
    return value


def _digits(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        value, digit = divmod(value, BASE)
        out.append(DIGITS[digit])
    return "".join(reversed(out)).rstrip(ZERO)


def _slots(low: str, high: str | None, length: int) -> tuple[int, int]:
    """First and last fraction of `length` digits strictly inside (low, high)."""
    first = _value(low, length) + 1
    if high is None:
        return first, BASE**length - 1
    return first, _value(high, length) + (len(high) > length) - 1


def _shortest(low: str, high: str | None, count: int) -> tuple[int, int, int]:
    """(length, first, last): the shortest fractions with `count` slots inside (low, high)."""
    length = 1
    while True:
        first, last = _slots(low, high, length)
        if last - first + 1 >= count:
            return length, first, last
        length += 1


def _fraction_between(low: str, high: str | None, lean: int) -> str:
    """A fraction inside (low, high); lean < 0 keeps it near low, > 0 near high."""
    length, first, last = _shortest(low, high, 1)
    away = (last - first + 1) // LEAN
    if lean < 0:
        return _digits(first + away, length)
    if lean > 0:
        return _digits(last - away, length)
    return _digits((first + last + 1) // 2, length)


def _bounded(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH:
        raise RanksExhausted()
    return key


def _check_order(a: str | None, b: str | None) -> None:
    for key in (a, b):
        if key is not None:
            _split(key)
    if a is not None and b is not None and a >= b:
        raise Invalid("Rank {a!r} is not before {b!r}.", field="rank", a=a, b=b)


def key_between(a: str | None, b: str | None) -> str:
    """A key strictly between a and b; None is an open end (the top or the bottom)."""
    _check_order(a, b)
    if a is None and b is None:
        return FIRST_KEY
    if a is None:
        return _bounded(_key_before(b or ""))
    if b is None:
        integer, fraction = _split(a)
        bigger = _step_integer(integer, 1)
        return _bounded(bigger or integer + _fraction_between(fraction, None, 0))
    return _bounded(_key_inside(a, b))


def _key_before(b: str) -> str:
    integer, fraction = _split(b)
    if integer == SMALLEST_INTEGER:  # then b has a fraction: a smaller one
        return integer + _fraction_between("", fraction, 0)
    if fraction:
        return integer
    smaller = _step_integer(integer, -1) or SMALLEST_INTEGER
    if smaller == SMALLEST_INTEGER:
        return smaller + _fraction_between("", None, 0)
    return smaller


def _key_inside(a: str, b: str) -> str:
    (ia, fa), (ib, fb) = _split(a), _split(b)
    lean = (len(b) > len(a)) - (len(a) > len(b))
    if ia == ib:
        return ia + _fraction_between(fa, fb, lean)
    bigger = _step_integer(ia, 1)
    if bigger is not None and bigger < b:
        return bigger
    return ia + _fraction_between(fa, None, lean)


def _run(start: str | None, step: int, n: int, stop: str | None) -> list[str]:
    """Up to n integer keys from `start` on, stepping by `step`, while they stay before
    `stop` (and above the smallest integer, which is no key)."""
    keys: list[str] = []
    current = start
    while current is not None and len(keys) < n and current != SMALLEST_INTEGER:
        if stop is not None and current >= stop:
            break
        keys.append(current)
        current = _step_integer(current, step)
    return keys


def _spread(integer: str, low: str, high: str | None, n: int) -> list[str]:
    """n evenly spaced keys `integer + fraction` with fractions inside (low, high)."""
    length, first, last = _shortest(low, high, n)
    room = last - first + 2  # gaps between low, the n keys and high, in slots
    return [integer + _digits(first - 1 + (i * room) // (n + 1), length) for i in range(1, n + 1)]


def keys_between(a: str | None, b: str | None, n: int) -> list[str]:
    """n increasing keys strictly between a and b, short and evenly spread (bulk inserts).

    Towards an open end they are consecutive integers; between two keys they are the
    shortest fractions that leave equal gaps.
    """
    _check_order(a, b)
    if n <= 0:
        return []
    if a is None and b is None:
        keys = _run(FIRST_KEY, 1, n, None)
    elif a is None:
        keys = _keys_before(b or "", n)
    else:
        keys = _keys_after(a, b, n)
    return [_bounded(key) for key in keys]


def _keys_before(b: str, n: int) -> list[str]:
    integer, fraction = _split(b)
    start = integer if fraction else _step_integer(integer, -1)
    keys = _run(start, -1, n, None)
    if len(keys) == n:
        return keys[::-1]
    if fraction:
        return _spread(integer, "", fraction, n)
    return _spread(SMALLEST_INTEGER, "", None, n)  # b is the integer just above it


def _keys_after(a: str, b: str | None, n: int) -> list[str]:
    integer, fraction = _split(a)
    if b is not None and _split(b)[0] == integer:
        return _spread(integer, fraction, _split(b)[1], n)
    keys = _run(_step_integer(integer, 1), 1, n, b)
    if len(keys) < n:
        return _spread(integer, fraction, None, n)
    return keys


def initial_keys(n: int) -> list[str]:
    """Keys for n items from scratch (a full rebalance): `a0`, `a1`, ..., at most 5 chars
    up to 14 million items, with an open end on both sides."""
    return keys_between(None, None, n)


def respace(keys: Sequence[str], index: int) -> tuple[int, list[str]]:
    """New keys for a window around keys[index] so that none needs rebalancing.

    Returns (start, new_keys): replace keys[start : start + len(new_keys)] with new_keys.
    The window doubles until its outer neighbours leave room for short keys; at worst it
    is the whole list, which then gets `initial_keys`. Order is kept; only the window's
    rows are written.
    """
    if not keys:
        return 0, []
    width = 1
    while True:
        start, stop = max(0, index - width), min(len(keys), index + width + 1)
        low = keys[start - 1] if start > 0 else None
        high = keys[stop] if stop < len(keys) else None
        fresh = keys_between(low, high, stop - start)
        if all(len(k) <= REBALANCE_LENGTH // 2 for k in fresh) or (low, high) == (None, None):
            return start, fresh
        width *= 2
