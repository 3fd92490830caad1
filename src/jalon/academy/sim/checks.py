"""Cross checks of a scenario that a field-by-field schema cannot express: unique keys,
references to existing keys, ranges with low <= high, sprints within the scenario, one
informed option per event."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jalon.academy.sim.scenario import Effects, Scenario


def _duplicates(path: str, keys: Iterable[str]) -> Iterator[str]:
    for key, count in Counter(keys).items():
        if count > 1:
            yield f"{path}: the key {key!r} is used {count} times (keys must be unique)"


def _unknown(path: str, keys: Iterable[str | None], known: set[str], what: str) -> Iterator[str]:
    for key in keys:
        if key is not None and key not in known:
            yield f"{path}: {key!r} is not a known {what}"


def _unique_keys(s: Scenario) -> Iterator[str]:
    yield from _duplicates("personas", (p.key for p in s.personas))
    yield from _duplicates("stakeholders", (p.key for p in s.stakeholders))
    yield from _duplicates("opportunities", (o.key for o in s.opportunities))
    yield from _duplicates("events", (e.key for e in s.events))
    yield from _duplicates("kpis", (k.key for k in s.kpis))
    for i, event in enumerate(s.events):
        yield from _duplicates(f"events.{i}.options", (o.key for o in event.options))


def _opportunities(s: Scenario) -> Iterator[str]:
    people, items = {p.key for p in s.stakeholders}, {o.key for o in s.opportunities}
    for i, o in enumerate(s.opportunities):
        for name, rng in (("value", o.value), ("effort", o.effort)):
            if rng.low > rng.high:
                yield f"opportunities.{i}.{name}: low ({rng.low:g}) is above high ({rng.high:g})"
        if o.effort.low <= 0:
            yield f"opportunities.{i}.effort.low: the effort must be above 0"
        if o.sprint > s.sprints:
            yield f"opportunities.{i}.sprint: {o.sprint} is after the last sprint ({s.sprints})"
        if o.window is not None and o.window.until > s.sprints:
            yield f"opportunities.{i}.window.until: {o.window.until} is after the last sprint"
        yield from _unknown(
            f"opportunities.{i}.stakeholders", o.stakeholders, people, "stakeholder"
        )
        yield from _unknown(f"opportunities.{i}.reveals", o.reveals, items, "opportunity")
    if not any(o.sprint == 1 and not (o.hidden or o.released) for o in s.opportunities):
        yield "opportunities: at least one must be in the backlog at sprint 1"


def _effects(path: str, effects: Effects, people: set[str], items: set[str]) -> Iterator[str]:
    yield from _unknown(f"{path}.trust", effects.trust, people, "stakeholder")
    yield from _unknown(f"{path}.unlock", effects.unlock, items, "opportunity")
    yield from _unknown(f"{path}.retire", effects.retire, items, "opportunity")
    yield from _unknown(f"{path}.value_factor", effects.value_factor, items, "opportunity")


def _events(s: Scenario) -> Iterator[str]:
    people, items = {p.key for p in s.stakeholders}, {o.key for o in s.opportunities}
    for i, event in enumerate(s.events):
        if event.sprint > s.sprints:
            yield f"events.{i}.sprint: {event.sprint} is after the last sprint ({s.sprints})"
        yield from _unknown(f"events.{i}.stakeholder", [event.stakeholder], people, "stakeholder")
        informed = sum(option.informed for option in event.options)
        if informed != 1:
            yield f"events.{i}.options: exactly one option must be informed (found {informed})"
        for j, option in enumerate(event.options):
            yield from _effects(f"events.{i}.options.{j}.effects", option.effects, people, items)


def _news(s: Scenario) -> Iterator[str]:
    items, personas = {o.key for o in s.opportunities}, {p.key for p in s.personas}
    for i, f in enumerate(s.feedback):
        if f.sprint > s.sprints:
            yield f"feedback.{i}.sprint: {f.sprint} is after the last sprint ({s.sprints})"
        yield from _unknown(f"feedback.{i}.opportunity", [f.opportunity], items, "opportunity")
        yield from _unknown(f"feedback.{i}.persona", [f.persona], personas, "persona")
    for i, m in enumerate(s.market):
        if m.sprint > s.sprints:
            yield f"market.{i}.sprint: {m.sprint} is after the last sprint ({s.sprints})"
        yield from _unknown(f"market.{i}.opportunity", [m.opportunity], items, "opportunity")


def cross_check(scenario: Scenario) -> list[str]:
    """Every cross-field problem of the scenario, as "path: message" (empty when sound)."""
    return [
        *_unique_keys(scenario),
        *_opportunities(scenario),
        *_events(scenario),
        *_news(scenario),
    ]
