"""The import's index spills to a temporary disk database past a size and still behaves
exactly like a dict, so a big file checks its hierarchy with flat memory."""

from __future__ import annotations

import random
from collections.abc import Callable, MutableMapping
from typing import Any

from jalon.transfer.csvmap import ParsedRow
from jalon.transfer.rules import Known, Plan
from jalon.transfer.spill import SpillDict


def test_a_spill_dict_matches_a_dict_across_the_spill() -> None:
    rng = random.Random(11)
    spill: SpillDict[Any, Any] = SpillDict(limit=5)
    plain: dict[Any, Any] = {}
    keys: list[Any] = [1, "1", 2, "two", -3, "CAR-4", 5, "é", 7, 8, 9, "10"]
    for _ in range(400):
        key, action = rng.choice(keys), rng.random()
        if action < 0.6:
            spill[key] = plain[key] = rng.randint(0, 99)
        elif action < 0.8 and key in plain:
            del spill[key], plain[key]
        else:
            assert (key in spill) == (key in plain)
            assert spill.get(key) == plain.get(key)
    assert spill.spilled  # the test crossed the limit
    assert dict(spill.items()) == plain
    assert len(spill) == len(plain)
    spill[1], spill["1"] = "int", "text"  # 1 and "1" stay apart, as in a dict
    assert (spill[1], spill["1"]) == ("int", "text")
    spill.close()


def test_a_spill_dict_keeps_insertion_order_and_updates_in_place() -> None:
    spill: SpillDict[str, int] = SpillDict(limit=2)
    for n, key in enumerate(["c", "a", "b", "d"]):
        spill[key] = n
    spill["a"] = 10
    assert list(spill) == ["c", "a", "b", "d"]
    assert spill["a"] == 10
    spill.close()


def test_tuples_are_rebuilt_by_make() -> None:
    spill: SpillDict[int, Known] = SpillDict(width=4, make=Known, limit=1)
    spill[1] = Known(1, "A-1", "epic", None)
    spill[2] = Known(2, None, "story", 1)
    assert spill[2] == Known(2, None, "story", 1)
    assert spill[1].key == "A-1"
    spill.close()


def _spilling(made: list[SpillDict[Any, Any]]) -> Callable[[int, Callable[..., Any]], Any]:
    def factory(width: int, make: Callable[..., Any]) -> MutableMapping[Any, Any]:
        mapping: SpillDict[Any, Any] = SpillDict(width=width, make=make, limit=3)
        made.append(mapping)
        return mapping

    return factory


def _random_file(rng: random.Random, size: int) -> list[ParsedRow]:
    rows = []
    for n in range(size):
        parent = f"K-{rng.randrange(size + 3)}" if rng.random() < 0.8 else None
        kind = rng.choice(["epic", "feature", "story"])
        rows.append(ParsedRow(n + 2, f"Item {n}", kind, external_key=f"K-{n}", parent_key=parent))
    return rows


def test_a_spilled_plan_finds_the_same_parents_and_problems() -> None:
    rng = random.Random(5)
    known = [Known(900 + n, f"OLD-{n}", "epic", None) for n in range(5)]
    for _attempt in range(5):
        rows = _random_file(rng, 60)
        made: list[SpillDict[Any, Any]] = []
        memory, disk = Plan(known, {"parent_key", "type"}), None
        disk = Plan(known, {"parent_key", "type"}, mapping=_spilling(made))
        for row in rows:
            assert memory.add(row) == disk.add(row)
        parents, problems = memory.finish()
        spilled_parents, spilled_problems = disk.finish()
        assert dict(spilled_parents.items()) == dict(parents)
        assert spilled_problems == problems
        assert problems  # random references make loops and missing parents
        assert any(mapping.spilled for mapping in made)
        for mapping in made:
            mapping.close()


def _statements(spill: SpillDict[Any, Any]) -> list[str]:
    seen: list[str] = []
    assert spill._db is not None
    spill._db.set_trace_callback(seen.append)
    return seen


def test_once_spilled_a_scan_is_one_query_and_most_misses_none() -> None:
    spill: SpillDict[str, int] = SpillDict(limit=10)
    for n in range(100):
        spill[f"K-{n}"] = n
    del spill["K-3"]
    seen = _statements(spill)
    assert list(spill.items()) == [(f"K-{n}", n) for n in range(100) if n != 3]
    assert list(spill.values())[:3] == [0, 1, 2]
    assert not [sql for sql in seen if "WHERE" in sql]  # one scan each, no lookup per key
    seen.clear()
    misses = [f"X-{n}" for n in range(200)]
    assert not any(key in spill for key in misses)
    assert [spill.get(key, -1) for key in misses] == [-1] * 200
    assert len(seen) < 10  # the filter answers nearly every miss without the file
    assert "K-3" not in spill and spill.get("K-3") is None and spill.get("K-4") == 4
    spill.close()
