"""Scenarios 2 (a French public digital service) and 3 (closing a product responsibly): each
loads, says every text in English and French with French typography, covers the issue's five
situations with one informed option each, carries a weak signal, and plays to the end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from statistics import mean

import pytest
from pydantic import BaseModel

from jalon.academy.path.rules import MODULE_KEYS
from jalon.academy.sim import engine, policies
from jalon.academy.sim.scenario import Scenario, Text, load_scenario

KEYS = ("public", "sunset")
SITUATIONS = {"scope-change", "manager", "regulation", "competitor", "retire"}
RESPONSIBLE = {"a11y", "eco", "ethics"}
PLAIN_SPACE_BEFORE = re.compile(r" [:;?!»%]|« ")  # French wants a no-break space there


def _texts(node: object, path: str = "") -> Iterator[tuple[str, Text]]:
    """Every Text of a scenario, with its path."""
    if isinstance(node, Text):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _texts(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, tuple | list):
        for i, child in enumerate(node):
            yield from _texts(child, f"{path}.{i}")


@pytest.fixture(params=KEYS)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return load_scenario(request.param)


def test_every_text_is_in_both_languages_with_french_typography(scenario: Scenario) -> None:
    texts = list(_texts(scenario))
    assert len(texts) > 150  # titles, descriptions, events, options, feedback, market...
    for path, text in texts:
        assert text.en.strip() and text.fr.strip(), path
        assert not PLAIN_SPACE_BEFORE.search(text.fr), f"{path}: {text.fr!r}"
        assert "\u2019" not in text.en + text.fr, f"{path}: straight apostrophes only"
        if len(text.en) > 40:  # long texts are translated, not copied
            assert text.en != text.fr, path


def test_the_content_has_the_size_the_brief_asks_for(scenario: Scenario) -> None:
    assert 20 <= len(scenario.opportunities) <= 30
    assert 6 <= len(scenario.events) <= 10
    assert len(scenario.feedback) >= 25
    assert scenario.market and scenario.kpis and len(scenario.stakeholders) >= 5
    tags = {tag for o in scenario.opportunities for tag in o.tags}
    assert tags >= RESPONSIBLE
    for stakeholder in scenario.stakeholders:
        assert 1 <= stakeholder.influence <= 5 and stakeholder.goals.en


def test_the_five_situations_each_have_a_guide_reference_and_one_informed_option(
    scenario: Scenario,
) -> None:
    assert {event.kind for event in scenario.events} >= SITUATIONS
    for event in scenario.events:
        assert event.guide_ref and event.lesson in MODULE_KEYS, event.key
        informed = [option for option in event.options if option.informed]
        assert len(informed) == 1, event.key
        assert informed[0].explanation.en and not informed[0].effects.breaks_goal, event.key
    scope = next(e for e in scenario.events if e.kind == "scope-change")
    accept = next(o for o in scope.options if o.stance == "accept")
    assert accept.effects.breaks_goal  # a mid-sprint change endangers the Sprint Goal
    assert scope.guide_ref == "Sprint"


def test_the_weak_signal_points_at_an_opportunity_worth_more_early(scenario: Scenario) -> None:
    weak = [f for f in scenario.feedback if f.weak_signal]
    assert weak
    for entry in weak:
        assert entry.opportunity is not None
        opportunity = scenario.opportunity(entry.opportunity)
        assert opportunity.window is not None and entry.sprint < opportunity.window.until


@pytest.mark.parametrize("key", KEYS)
def test_good_product_ownership_wins_in_small(key: str) -> None:
    scenario = load_scenario(key)
    seeds = range(10)
    good = [policies.play(scenario, policies.value_effort, s) for s in seeds]
    bad = [policies.play(scenario, policies.random_policy, s) for s in seeds]
    ebm = engine.ebm_score
    assert sum(ebm(g.scores) > ebm(b.scores) for g, b in zip(good, bad, strict=True)) >= 9
    yes = [policies.play(scenario, policies.yes_to_all, s) for s in seeds]
    guarded = [policies.play(scenario, policies.guarded, s) for s in seeds]
    assert mean(s.scores["trust"] for s in yes) < mean(s.scores["trust"] for s in guarded)
    assert mean(s.realised for s in yes) < mean(s.realised for s in guarded)


@pytest.mark.parametrize("key", KEYS)
def test_an_informed_run_hears_the_weak_signal_and_answers_every_event(key: str) -> None:
    scenario = load_scenario(key)
    state, outcomes = engine.new_run(scenario, seed=3), []
    while not state.finished:
        decisions = policies.informed(scenario, state)
        state, outcome = engine.resolve_sprint(scenario, state, decisions)
        outcomes.append(outcome)
    answers = [answer for outcome in outcomes for answer in outcome.answers]
    assert {a.event for a in answers} == {e.key for e in scenario.events}
    assert all(a.informed for a in answers)
    assert any(entry.weak_signal for outcome in outcomes for entry in outcome.feedback)
    weak = next(o for o in scenario.opportunities if o.window is not None)
    released = state.items[weak.key].released_at
    assert released is not None and weak.window is not None
    assert released <= weak.window.until  # the informed policy ships it in time
