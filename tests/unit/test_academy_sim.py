"""The simulation engine: determinism, replay, validation, mechanics, policies, debrief."""

from __future__ import annotations

import json
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.academy.sim import debrief, engine, policies, scoring
from jalon.academy.sim.engine import DecisionError, Decisions
from jalon.academy.sim.scenario import Scenario, list_scenarios, load_scenario
from jalon.academy.sim.state import State, window_rate

LESSONS = {
    "product-vision",
    "needs-prioritisation",
    "backlog-scrum",
    "design-thinking",
    "market-watch",
    "product-kpis",
    "csr-ethics",
    "stakeholders",
    "facilitation",
}


@pytest.fixture(scope="module")
def saas() -> Scenario:
    return load_scenario("saas")


def _play(
    scenario: Scenario, policy: policies.Policy, seed: int, sprints: int
) -> tuple[State, list[Decisions], list[engine.SprintOutcome]]:
    state, log, outcomes = engine.new_run(scenario, seed), [], []
    for _ in range(sprints):
        decisions = policy(scenario, state)
        state, outcome = engine.resolve_sprint(scenario, state, decisions)
        log.append(decisions)
        outcomes.append(outcome)
    return state, log, outcomes


def _first_sprint(scenario: Scenario, **changes: object) -> Decisions:
    base = {"order": (), "refine": (), "goal": "Onboard", "plan": ("onboarding-checklist",)}
    return Decisions(**{**base, **changes})  # type: ignore[arg-type]


# --- determinism and replay ---------------------------------------------------------------


def test_the_same_seed_gives_the_same_run_and_another_seed_another(saas: Scenario) -> None:
    first = _play(saas, policies.value_effort, 11, 4)
    again = _play(saas, policies.value_effort, 11, 4)
    other = _play(saas, policies.value_effort, 12, 4)
    assert first[0].to_dict() == again[0].to_dict()
    assert [o.to_dict() for o in first[2]] == [o.to_dict() for o in again[2]]
    assert first[0].to_dict() != other[0].to_dict()
    hidden = {k: i.value for k, i in engine.new_run(saas, 11).items.items()}
    assert hidden != {k: i.value for k, i in engine.new_run(saas, 12).items.items()}


def test_replaying_the_log_rebuilds_the_run_exactly(saas: Scenario) -> None:
    state, log, outcomes = _play(saas, policies.random_policy, 5, saas.sprints)
    replayed, replayed_outcomes = engine.replay(saas, 5, log)
    assert state.finished and replayed.finished
    assert replayed.to_dict() == state.to_dict()
    assert [o.to_dict() for o in replayed_outcomes] == [o.to_dict() for o in outcomes]
    stored = [Decisions.from_dict(json.loads(json.dumps(d.to_dict()))) for d in log]
    assert engine.replay(saas, 5, stored)[0].to_dict() == state.to_dict()


def test_state_and_outcome_survive_json(saas: Scenario) -> None:
    state, _log, outcomes = _play(saas, policies.value_effort, 2, 3)
    restored = State.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()
    following = policies.value_effort(saas, state)
    assert (
        engine.resolve_sprint(saas, restored, following)[1].to_dict()
        == engine.resolve_sprint(saas, state, following)[1].to_dict()
    )
    outcome = outcomes[-1]
    data = json.loads(json.dumps(outcome.to_dict()))
    assert engine.SprintOutcome.from_dict(data) == outcome


def test_resolving_does_not_touch_the_input_state(saas: Scenario) -> None:
    state = engine.new_run(saas, 3)
    before = state.to_dict()
    new_state, outcome = engine.resolve_sprint(saas, state, policies.value_effort(saas, state))
    assert state.to_dict() == before
    assert new_state.sprint == outcome.sprint == 1 and state.sprint == 0


# --- decisions ----------------------------------------------------------------------------


def test_bad_decisions_get_a_message_per_field(saas: Scenario) -> None:
    state = engine.new_run(saas, 1)
    bad = Decisions(
        order=("nope", "sso", "sso", "e-invoicing"),
        refine=("legacy-reports",),
        goal="  ",
        plan=(),
        answers={"rival-launch": "price-cut"},
        pay_debt=-2,
    )
    problems = engine.validate(saas, state, bad)
    assert ("order", "Unknown item: nope.") in problems
    assert ("order", "sso is listed more than once.") in problems
    assert ("order", "e-invoicing is not in the Product Backlog.") in problems  # hidden
    assert ("refine", "legacy-reports is not in the Product Backlog.") in problems  # live
    assert ("plan", "Plan at least one item for the sprint.") in problems
    assert ("goal", "Set a Sprint Goal.") in problems
    assert ("pay_debt", "Paying down debt cannot be negative.") in problems
    assert ("answers.rival-launch", "rival-launch is not an event of this sprint.") in problems
    with pytest.raises(DecisionError) as caught:
        engine.resolve_sprint(saas, state, bad)
    assert caught.value.messages == problems


def test_events_must_be_answered_with_a_known_option(saas: Scenario) -> None:
    state = engine.new_run(saas, 1)
    state, _ = engine.resolve_sprint(saas, state, _first_sprint(saas))
    assert [e.key for e in engine.view(saas, state).events] == ["gantt-request"]
    unanswered = engine.validate(saas, state, _first_sprint(saas, plan=("sso",)))
    assert unanswered == [("answers.gantt-request", "Answer this event.")]
    wrong = _first_sprint(saas, plan=("sso",), answers={"gantt-request": "ignore"})
    assert engine.validate(saas, state, wrong) == [
        ("answers.gantt-request", "Unknown option: ignore.")
    ]


def test_a_finished_run_refuses_another_sprint(saas: Scenario) -> None:
    state = policies.play(saas, policies.value_effort, 0)
    assert state.finished and engine.view(saas, state).finished
    assert engine.validate(saas, state, _first_sprint(saas))[0][0] == "run"


def test_decisions_round_trip_and_refuse_bad_shapes() -> None:
    decisions = Decisions(("a", "b"), ("a",), "Goal", ("a",), {"e": "o"}, 3)
    assert Decisions.from_dict(decisions.to_dict()) == decisions
    assert Decisions.from_dict({}) == Decisions()
    with pytest.raises(ValueError, match="plan"):
        Decisions.from_dict({"plan": "sso"})


# --- mechanics ----------------------------------------------------------------------------


def test_refining_narrows_the_effort_around_the_truth(saas: Scenario) -> None:
    state = engine.new_run(saas, 4)
    decisions = _first_sprint(saas, refine=("sso", "usage-dashboard"))
    state, outcome = engine.resolve_sprint(saas, state, decisions)
    assert outcome.refine_cost == pytest.approx(0.1 * (12 + 14))
    shown = {o.key: o for o in engine.view(saas, state).opportunities}
    for key in ("sso", "usage-dashboard"):
        truth, spec = state.items[key].effort, saas.opportunity(key).effort
        assert shown[key].refined
        assert shown[key].effort_low <= truth <= shown[key].effort_high
        assert shown[key].effort_high - shown[key].effort_low < spec.high - spec.low
    assert (shown["bulk-import"].effort_low, shown["bulk-import"].effort_high) == (4, 8)


def test_over_commitment_costs_debt_stress_and_the_goal(saas: Scenario) -> None:
    state = engine.new_run(saas, 9)
    sane = _first_sprint(saas, refine=("onboarding-checklist",))
    every = tuple(o.key for o in engine.view(saas, state).opportunities if o.status == "backlog")
    crammed = _first_sprint(saas, plan=every)
    calm, calm_outcome = engine.resolve_sprint(saas, state, sane)
    pushed, pushed_outcome = engine.resolve_sprint(saas, state, crammed)
    assert calm_outcome.goal_met and not pushed_outcome.goal_met
    assert pushed_outcome.unfinished and not calm_outcome.unfinished
    assert pushed.stress > calm.stress
    assert pushed.debt > calm.debt
    assert pushed.scores["team_health"] < calm.scores["team_health"]


def test_paying_debt_lowers_it_at_a_capacity_cost(saas: Scenario) -> None:
    state = engine.new_run(saas, 6)
    _, kept = engine.resolve_sprint(saas, state, _first_sprint(saas))
    _, paid = engine.resolve_sprint(saas, state, _first_sprint(saas, pay_debt=5))
    assert paid.debt_paid == 5
    assert paid.debt == pytest.approx(kept.debt - 5, abs=1e-6)
    assert paid.capacity == pytest.approx(kept.capacity - 5, abs=1e-6)


def test_value_shows_after_release_and_the_weak_signal_pays_early(saas: Scenario) -> None:
    state = engine.new_run(saas, 8)
    state, first = engine.resolve_sprint(saas, state, _first_sprint(saas))
    assert first.released == ["onboarding-checklist"]
    live_before = first.value_realised
    state, second = engine.resolve_sprint(
        saas, state, _first_sprint(saas, plan=("vat-bug",), answers={"gantt-request": "refuse"})
    )
    assert second.value_realised > live_before  # the checklist now earns value
    assert second.kpis["mrr"] > first.kpis["mrr"]
    weak = saas.opportunity("accounting-export")
    assert any(f.weak_signal and f.opportunity == weak.key for f in saas.feedback)
    assert window_rate(weak, 4.0, 5) == 12.0 and window_rate(weak, 4.0, 7) == 4.0


def test_accepting_a_mid_sprint_change_costs_capacity_and_trust(saas: Scenario) -> None:
    state, _log, _ = _play(saas, policies.guarded, 21, 2)
    base = policies.guarded(saas, state)
    assert base.answers == {"prospect-fields": "say-no"}
    accept = Decisions(
        base.order, base.refine, base.goal, base.plan, {"prospect-fields": "add-now"}
    )
    informed = Decisions(
        base.order, base.refine, base.goal, base.plan, {"prospect-fields": "order-next"}
    )
    yes_state, yes = engine.resolve_sprint(saas, state, accept)
    good_state, good = engine.resolve_sprint(saas, state, informed)
    assert yes.capacity < good.capacity
    assert yes.answers[0].informed is False and good.answers[0].informed is True
    assert good.answers[0].guide_ref == "Sprint"
    assert yes_state.scores["trust"] < good_state.scores["trust"]
    assert yes_state.stress > good_state.stress


def test_retiring_a_feature_frees_its_upkeep(saas: Scenario) -> None:
    state, _log, _ = _play(saas, policies.value_effort, 2, 6)
    base = policies.value_effort(saas, state)
    keep = Decisions(base.order, base.refine, base.goal, base.plan, {"retire-legacy": "keep"})
    retire = Decisions(
        base.order, base.refine, base.goal, base.plan, {"retire-legacy": "retire-responsibly"}
    )
    kept_state, _ = engine.resolve_sprint(saas, state, keep)
    retired_state, _ = engine.resolve_sprint(saas, state, retire)
    assert retired_state.items["legacy-reports"].status == "retired"
    assert retired_state.history[-1].eaten == pytest.approx(kept_state.history[-1].eaten - 3)
    assert retired_state.scores["responsible"] > kept_state.scores["responsible"]


def test_the_ebm_composite_is_the_documented_weighting() -> None:
    assert sum(scoring.WEIGHTS.values()) == pytest.approx(1.0)
    assert engine.ebm_score(dict.fromkeys(scoring.SCORES, 100.0)) == 100.0
    scores = dict.fromkeys(scoring.SCORES, 0.0) | {"current_value": 80.0}
    assert engine.ebm_score(scores) == 20.0
    assert engine.ebm_score({"trust": 40.0}) == 40.0
    assert "velocity" not in scoring.SCORES


# --- policies and scenarios ---------------------------------------------------------------


def test_good_product_ownership_wins_in_small(saas: Scenario) -> None:
    seeds = range(20)
    good = [engine.ebm_score(policies.play(saas, policies.value_effort, s).scores) for s in seeds]
    bad = [engine.ebm_score(policies.play(saas, policies.random_policy, s).scores) for s in seeds]
    assert sum(g > b for g, b in zip(good, bad, strict=True)) >= 18
    yes = [policies.play(saas, policies.yes_to_all, s) for s in range(10)]
    guarded = [policies.play(saas, policies.guarded, s) for s in range(10)]
    assert statistics.mean(s.scores["trust"] for s in yes) < statistics.mean(
        s.scores["trust"] for s in guarded
    )
    assert statistics.mean(s.realised for s in yes) < statistics.mean(s.realised for s in guarded)


@pytest.mark.parametrize("policy", sorted(policies.POLICIES))
def test_every_scenario_plays_to_the_end_under_every_policy(policy: str) -> None:
    scenarios = list_scenarios()
    assert "saas" in [s.key for s in scenarios]
    for scenario in scenarios:
        state = policies.play(scenario, policies.POLICIES[policy], seed=1)
        assert state.finished and len(state.history) == scenario.sprints
        assert set(state.scores) == set(scoring.SCORES)
        assert all(0 <= v <= 100 for v in state.scores.values())
        assert set(state.answers) == {e.key for e in scenario.events}


# --- debrief ------------------------------------------------------------------------------


def test_the_debrief_compares_with_the_informed_policy(saas: Scenario) -> None:
    _state, log, _ = _play(saas, policies.yes_to_all, 4, 6)
    report = debrief.debrief(saas, 4, log)
    assert report.sprints == 6 and not report.finished
    assert len(report.per_sprint) == 6
    assert report.informed_ebm > report.trainee_ebm
    assert 3 <= len(report.gaps) <= 5
    differences = [g.difference for g in report.gaps]
    assert differences == sorted(differences, reverse=True) and differences[0] > 0
    assert all(g.lesson in LESSONS and g.guide_ref for g in report.gaps)
    assert [a.event for a in report.answers] == [e.key for e in saas.events if e.sprint <= 6]
    scope = next(a for a in report.answers if a.event == "prospect-fields")
    assert scope.chosen == "add-now" and scope.informed_option == "order-next"
    assert not scope.matched and scope.lesson in LESSONS
    assert json.loads(json.dumps(report.to_dict()))["gaps"][0]["explanation"]["fr"]
    trust = next(g for g in report.gaps if g.score == "trust")
    assert "event(s) answered otherwise" in trust.evidence[0].en
    assert trust.evidence[0].fr.startswith(trust.evidence[0].en.split(" ")[0])  # same count


def test_the_informed_log_has_nothing_to_learn(saas: Scenario) -> None:
    _state, log, _ = _play(saas, policies.informed, 7, 3)
    report = debrief.debrief(saas, 7, log)
    assert report.trainee == report.informed
    assert all(a.matched for a in report.answers)
    assert all(g.difference == 0 and not g.evidence for g in report.gaps)


def test_the_view_hides_the_truth_until_a_spike_reveals_it(saas: Scenario) -> None:
    state = engine.new_run(saas, 13)
    shown = {o.key: o for o in engine.view(saas, state).opportunities}
    assert "e-invoicing" not in shown and "webhooks" not in shown  # hidden, or not arrived yet
    assert (shown["ai-summary"].value_low, shown["ai-summary"].value_high) == (0, 12)
    spike = _first_sprint(saas, plan=("ai-experiment",), refine=("ai-experiment",))
    state, outcome = engine.resolve_sprint(saas, state, spike)
    assert "ai-experiment" in outcome.done and "ai-experiment" not in outcome.released
    shown = {o.key: o for o in engine.view(saas, state).opportunities}
    truth = round(state.items["ai-summary"].value, 2)
    assert shown["ai-summary"].value_low == shown["ai-summary"].value_high == truth
    assert shown["ai-experiment"].status == "done"


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_valid_decisions_keep_the_state_sound(data: st.DataObject) -> None:
    scenario = load_scenario("saas")
    state = engine.new_run(scenario, data.draw(st.integers(0, 10_000)))
    for _ in range(data.draw(st.integers(1, 4))):
        turn = engine.view(scenario, state)
        open_keys = [o.key for o in turn.opportunities if o.status == "backlog"]
        plan = data.draw(st.lists(st.sampled_from(open_keys), min_size=1, unique=True))
        refine = data.draw(st.lists(st.sampled_from(open_keys), unique=True))
        refine = [k for k in refine if not state.items[k].refined]
        answers = {
            e.key: data.draw(st.sampled_from([k for k, _ in e.options])) for e in turn.events
        }
        decisions = Decisions(
            tuple(open_keys), tuple(refine), "Goal", tuple(plan), answers,
            data.draw(st.integers(0, 30)),
        )  # fmt: skip
        state, outcome = engine.resolve_sprint(scenario, state, decisions)
        assert outcome.capacity >= 0 and outcome.debt >= 0 and state.bugs >= 0
        assert all(0 <= v <= 100 for v in [*state.scores.values(), *state.trust.values()])
        for key in outcome.unfinished:  # undone work goes back to the Product Backlog
            assert state.items[key].status == "backlog" and (state.items[key].remaining or 0) > 0
        assert set(outcome.released) <= set(outcome.done)
