"""Fractional rank keys: order, uniqueness, length bounds. Pure, with property tests."""

from __future__ import annotations

import sqlite3
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.backlog import ranks
from jalon.backlog.ranks import (
    DIGITS,
    MAX_KEY_LENGTH,
    REBALANCE_LENGTH,
    RanksExhausted,
    check_key,
    initial_keys,
    key_between,
    keys_between,
    needs_rebalance,
    respace,
)
from jalon.errors import Conflict, Invalid

# --- strategies -----------------------------------------------------------------------------

HEADS = "abcdWXYZ"  # integers of 1 to 4 digits, positive and negative


@st.composite
def valid_keys(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(HEADS))
    size = ord(head) - ord("a") + 1 if head.islower() else ord("Z") - ord(head) + 1
    integer = draw(st.text(DIGITS, min_size=size, max_size=size))
    fraction = draw(st.text(DIGITS, max_size=8)).rstrip("0")
    return head + integer + fraction


@st.composite
def ordered_pairs(draw: st.DrawFn) -> tuple[str | None, str | None]:
    a, b = draw(valid_keys()), draw(valid_keys())
    if a == b:
        b = key_between(a, None)
    low, high = min(a, b), max(a, b)
    return draw(st.sampled_from([low, None])), draw(st.sampled_from([high, None]))


# A move: (where, which item, how many times in a row). "after"/"before" an item stack
# new items right next to it (a hot spot); "tight" inserts into the tighter gap beside the
# previous insert (an adversary).
Moves = st.lists(
    st.tuples(
        st.sampled_from(["top", "bottom", "after", "before", "tight"]),
        st.integers(0, 10**6),
        st.integers(1, 100),
    ),
    max_size=12,
)


def _value(key: str) -> Fraction:
    """A key's place on the number line (for the measurement of gaps below)."""
    return sum((Fraction(DIGITS.index(c), 62 ** (i + 1)) for i, c in enumerate(key)), Fraction(0))


class Backlog:
    """Keys in order, as the service keeps them; optionally respaced when asked."""

    def __init__(self, *, rebalance: bool) -> None:
        self.keys: list[str] = []
        self.items: list[int] = []  # what people see: item numbers in order
        self.rebalance, self.last, self.respaced = rebalance, 0, 0

    def insert(self, index: int) -> str:
        low = self.keys[index - 1] if index > 0 else None
        high = self.keys[index] if index < len(self.keys) else None
        key = key_between(low, high)
        assert len(key) <= MAX_KEY_LENGTH
        self.keys.insert(index, key)
        self.items.insert(index, len(self.items))
        self.last = index
        if self.rebalance and needs_rebalance(key):
            start, fresh = respace(self.keys, index)
            self.keys[start : start + len(fresh)] = fresh
            self.respaced += 1
        return key

    def _tight(self) -> int:
        gaps = [
            (_value(self.keys[j + 1]) - _value(self.keys[j]), j + 1)
            for j in (self.last - 1, self.last)
            if 0 <= j < len(self.keys) - 1
        ]
        return min(gaps)[1] if gaps else len(self.keys)

    def move(self, where: str, at: int, times: int) -> None:
        anchor = at % len(self.keys) if self.keys else 0
        for _ in range(times):
            if where == "top" or not self.keys:
                self.insert(0)
            elif where == "bottom":
                self.insert(len(self.keys))
            elif where == "after":
                self.insert(anchor + 1)
            elif where == "before":
                self.insert(anchor)
                anchor += 1
            else:
                self.insert(self._tight())


def _strictly_increasing(keys: list[str]) -> bool:
    return all(a < b for a, b in pairwise(keys))


# --- properties -----------------------------------------------------------------------------


@given(Moves)
@settings(deadline=None)
def test_any_sequence_of_inserts_keeps_one_strict_order(moves: list[tuple[str, int, int]]) -> None:
    backlog = Backlog(rebalance=False)
    for where, at, times in moves[:8]:
        backlog.move(where, at, min(times, 10))  # at most 80 inserts: no respace needed
        assert _strictly_increasing(backlog.keys)
    keys = backlog.keys
    assert len(set(keys)) == len(keys)
    # The order by key is the order the inserts built, whatever sorts it.
    assert [n for _, n in sorted(zip(keys, backlog.items, strict=True))] == backlog.items
    assert sorted(keys, key=str.encode) == keys


@given(Moves)
@settings(deadline=None)
def test_rebalancing_when_asked_keeps_order_and_the_bound(
    moves: list[tuple[str, int, int]],
) -> None:
    backlog = Backlog(rebalance=True)
    for where, at, times in moves:
        backlog.move(where, at, times)
        assert _strictly_increasing(backlog.keys)
        assert all(len(k) <= REBALANCE_LENGTH for k in backlog.keys)
    # Respacing rewrote keys but kept the order people built.
    assert [n for _, n in sorted(zip(backlog.keys, backlog.items, strict=True))] == backlog.items


def test_rebalancing_happens_under_an_adversary_and_keeps_the_bound() -> None:
    backlog = Backlog(rebalance=True)
    backlog.move("bottom", 0, 10)
    backlog.move("tight", 0, 600)
    backlog.move("after", 3, 600)
    assert backlog.respaced >= 10
    assert _strictly_increasing(backlog.keys)
    assert max(map(len, backlog.keys)) <= REBALANCE_LENGTH


@given(ordered_pairs())
def test_key_between_is_strictly_inside_and_at_most_one_char_longer(
    pair: tuple[str | None, str | None],
) -> None:
    a, b = pair
    key = key_between(a, b)
    assert check_key(key) == key
    assert (a is None or a < key) and (b is None or key < b)
    assert len(key) <= max(len(a or ""), len(b or ""), 2) + 1


@given(ordered_pairs(), st.integers(1, 300))
@settings(max_examples=60)
def test_keys_between_are_increasing_inside_and_short(
    pair: tuple[str | None, str | None], n: int
) -> None:
    a, b = pair
    keys = keys_between(a, b, n)
    assert len(keys) == n
    assert _strictly_increasing(keys)
    assert (a is None or a < keys[0]) and (b is None or keys[-1] < b)
    assert all(check_key(k) == k for k in keys)
    assert max(map(len, keys)) <= max(len(a or ""), len(b or ""), 2) + 2


@given(st.integers(0, 5000))
@settings(max_examples=25)
def test_initial_keys_are_increasing_and_short(n: int) -> None:
    keys = initial_keys(n)
    assert len(keys) == n
    assert _strictly_increasing(keys)
    assert all(len(k) <= 4 for k in keys)


# --- examples and worst cases ---------------------------------------------------------------


def test_first_keys_and_open_ends() -> None:
    assert key_between(None, None) == "a0"
    assert key_between("a0", None) == "a1"
    assert key_between("az", None) == "b00"
    assert key_between(None, "a0") == "Zz"
    assert key_between(None, "Z0") == "Yzz"
    assert key_between("a0", "a1") == "a0V"  # the middle of an empty gap
    assert key_between(None, "a0V") == "a0"  # the integer alone sorts first


def test_a_hundred_thousand_items_get_short_keys() -> None:
    at_end = keys_between("a5", None, 100_000)
    between = keys_between("a0", "a1", 100_000)
    fresh = initial_keys(100_000)
    assert max(map(len, at_end)) == 4 and max(map(len, fresh)) == 4
    assert max(map(len, between)) == 5
    for keys in (at_end, between, fresh):
        assert _strictly_increasing(keys)


def test_appending_one_at_a_time_grows_keys_logarithmically() -> None:
    key = None
    for _ in range(10_000):
        key = key_between(key, None)
    assert key is not None and len(key) == 4  # 62 two-char keys, 3,844 three-char ones
    top = None
    for _ in range(10_000):
        top = key_between(None, top)
    assert top is not None and len(top) == 4


@pytest.mark.parametrize("side", ["right after the first item", "right before an item"])
def test_repeated_inserts_at_one_spot_grow_one_char_per_dozen(side: str) -> None:
    """Measured: 60 inserts give 6 chars, 480 give 27 (about 20 inserts per character);
    plain bisection would need 80+ chars for 480."""
    low, high = "a0", "a1"
    lengths = []
    for _ in range(480):
        if side == "right after the first item":
            high = key_between(low, high)
            lengths.append(len(high))
        else:
            low = key_between(low, high)
            lengths.append(len(low))
    assert lengths[59] <= 7
    assert lengths[-1] <= 2 + 480 // 16


def test_an_adversary_picking_the_tightest_gap_still_needs_several_inserts_per_char() -> None:
    keys, last = ["a0", "a1"], 0
    for _ in range(60):
        gaps = [(_value(keys[j + 1]) - _value(keys[j]), j) for j in (last - 1, last)]
        _, j = min(g for g in gaps if 0 <= g[1] < len(keys) - 1)
        keys.insert(j + 1, key_between(keys[j], keys[j + 1]))
        last = j + 1
    assert max(map(len, keys)) <= 2 + 60 // 3


def test_keys_order_the_same_in_sqlite_with_binary_collation() -> None:
    keys = initial_keys(200) + keys_between("a0", "a1", 100) + [key_between(None, "a0")]
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE items (rank TEXT)")
    connection.executemany("INSERT INTO items VALUES (?)", [(k,) for k in reversed(keys)])
    ordered = [row[0] for row in connection.execute("SELECT rank FROM items ORDER BY rank")]
    connection.close()
    assert ordered == sorted(keys)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [("a1", "a0"), ("a1", "a1"), ("b00", "az")])
def test_out_of_order_neighbours_are_refused(a: str, b: str) -> None:
    with pytest.raises(Invalid) as exc:
        key_between(a, b)
    assert set(exc.value.fields) == {"rank"}
    assert f"{a!r} is not before {b!r}" in str(exc.value)
    with pytest.raises(Invalid):
        keys_between(a, b, 3)


@pytest.mark.parametrize(
    "key", ["", "a", "a0 ", "a00", "b0", "0a", "a0é", "A" + "0" * 26, "!", "a0V0"]
)
def test_malformed_keys_are_refused(key: str) -> None:
    with pytest.raises(Invalid, match="is not a rank key"):
        check_key(key)
    with pytest.raises(Invalid):
        key_between(key, None)


def test_a_key_past_the_hard_bound_asks_for_a_respace() -> None:
    low = "a0" + "V" * (MAX_KEY_LENGTH - 2)
    high = low[:-1] + "W"
    with pytest.raises(RanksExhausted) as exc:
        key_between(low, high)
    assert isinstance(exc.value, Conflict) and exc.value.fields.keys() == {"rank"}


def test_needs_rebalance_past_the_bound() -> None:
    assert not needs_rebalance("a0" + "V" * (REBALANCE_LENGTH - 2))
    assert needs_rebalance("a0" + "V" * (REBALANCE_LENGTH - 1))
    assert REBALANCE_LENGTH < MAX_KEY_LENGTH


# --- local respacing ------------------------------------------------------------------------


def test_respace_rewrites_only_a_window_around_long_keys() -> None:
    keys = initial_keys(1000)
    low, high = keys[500], keys[501]
    for _ in range(460):  # a hot spot right after item 500, never rebalanced
        high = key_between(low, high)
        keys.insert(501, high)
    assert sum(map(needs_rebalance, keys)) > 1
    before, written = list(keys), 0
    while long := [i for i, k in enumerate(keys) if needs_rebalance(k)]:
        start, fresh = respace(keys, long[0])
        assert all(len(k) <= REBALANCE_LENGTH // 2 for k in fresh)
        keys[start : start + len(fresh)] = fresh
        written += len(fresh)
    assert _strictly_increasing(keys) and len(keys) == len(before)
    assert written < len(keys) // 2  # not the whole backlog
    assert keys[:500] == before[:500]  # far from the hot spot, nothing moved


def test_respace_of_a_whole_short_list_or_nothing() -> None:
    assert respace([], 0) == (0, [])
    long_keys = [key_between(None, None)]
    start, fresh = respace(long_keys, 0)
    assert (start, fresh) == (0, ["a0"])
    assert ranks.FIRST_KEY == "a0"
