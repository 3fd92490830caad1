"""Academy runs on both engines: a run's sandbox product, playing sprints that write back into
it, bad decisions that write nothing, who may read or play a run, debrief and replay."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from jalon.academy.models import Cohort, CohortMember
from jalon.academy.runs import queries, reports, services
from jalon.academy.runs.models import SimRun
from jalon.academy.sim import engine, policies
from jalon.academy.sim.scenario import load_scenario
from jalon.activity import ActivityEntry
from jalon.backlog.models import Item
from jalon.errors import Conflict, Forbidden, Invalid
from jalon.feedback.models import Feedback
from jalon.permissions import Actor
from jalon.products import queries as product_queries
from jalon.products.models import Product
from jalon.uow import Database
from tests.support.helpers import actor, make_user

SEED = 11


def _trainee(db: Database, email: str = "tina@example.org") -> Actor:
    return actor(make_user(db, email))


def _run(db: Database, run_id: int) -> SimRun:
    with db.reader() as uow:
        return uow.session.get_one(SimRun, run_id)


def _decisions(db: Database, run_id: int, policy: str = "value-effort") -> dict[str, Any]:
    run = _run(db, run_id)
    scenario = load_scenario(run.scenario_key)
    made = policies.POLICIES[policy](scenario, engine.State.from_dict(run.state))
    return {k: v for k, v in made.to_dict().items() if k != "order"}


def _count(db: Database, model: Any, **where: Any) -> int:
    with db.reader() as uow:
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return int(uow.session.scalar(stmt) or 0)


def test_a_run_starts_on_a_hidden_sandbox_product(db: Database) -> None:
    tina = _trainee(db)
    run = services.start_run(db.uow(), actor=tina, scenario="saas", seed=SEED, language="fr")
    scenario = load_scenario("saas")
    turn = engine.view(scenario, engine.new_run(scenario, SEED))
    assert (run.seed, run.sprint, run.sprints, run.status) == (SEED, 0, scenario.sprints, "playing")
    with db.reader() as uow:
        product = uow.session.get_one(Product, run.product_id)
        items = {
            i.id: i for i in uow.session.scalars(select(Item).filter_by(product_id=product.id))
        }
    assert product.is_sandbox and product.name == scenario.product.name.fr
    assert product.product_goal == scenario.product.goal.fr
    assert set(run.item_map) == {o.key for o in turn.opportunities}
    first = turn.opportunities[0]
    item = items[run.item_map[first.key]]
    assert item.title == first.title.fr and item.type == first.kind
    assert item.business_value == pytest.approx((first.value_low + first.value_high) / 2, abs=0.05)
    assert item.estimate is not None and first.effort_low <= item.estimate * 1.6
    assert _count(db, Feedback, product_id=product.id) == len(
        [f for f in scenario.feedback if f.sprint == 1]
    )
    role = product_queries.get_product(db.reader(), product_id=product.id, actor=tina).role
    assert role is not None and role.value == "owner"
    listed = product_queries.list_products(db.reader(), actor=tina)
    assert product.id not in [r.product.id for r in listed], "sandboxes stay out of the list"


def test_sprints_write_back_into_the_sandbox_replay_identically_and_finish(db: Database) -> None:
    tina = _trainee(db)
    run = services.start_run(db.uow(), actor=tina, scenario="saas", seed=SEED)
    for _sprint in range(2):
        chosen = _decisions(db, run.id)
        played = services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions=chosen)
    stored = _run(db, run.id)
    assert stored.sprint == 2 and len(stored.log) == 2 and len(stored.outcomes) == 2
    assert stored.ebm == pytest.approx(engine.ebm_score(played.outcome.scores))
    done = [k for o in stored.outcomes for k in o["done"]]
    with db.reader() as uow:
        statuses = {
            k: uow.session.get_one(Item, stored.item_map[k]).status for k in stored.item_map
        }
    assert done and all(statuses[k] == "done" for k in done)
    state = engine.State.from_dict(stored.state)
    refined = [k for k, i in state.items.items() if i.refined and i.status == "backlog"]
    assert all(statuses[k] == "ready" for k in refined if k in statuses)
    assert _count(db, ActivityEntry, action="academy.run.played") == 2
    replayed = reports.replay_of(db.reader(), actor=tina, run_id=run.id)
    assert replayed.identical and replayed.sprints == 2
    assert replayed.scores[-1] == stored.scores
    found = reports.debrief_of(db.reader(), actor=tina, run_id=run.id)
    assert not found.complete
    while _run(db, run.id).status == "playing":  # to the end of the scenario
        services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions=_decisions(db, run.id))
    finished = _run(db, run.id)
    assert (finished.status, finished.sprint) == ("finished", finished.sprints)
    assert reports.debrief_of(db.reader(), actor=tina, run_id=run.id).complete
    with pytest.raises(Conflict):
        services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions=chosen)
    assert queries.runs_of(db.reader(), tina.id or 0)[0].finished


def test_bad_decisions_are_refused_per_field_and_write_nothing(db: Database) -> None:
    tina = _trainee(db)
    run = services.start_run(db.uow(), actor=tina, scenario="saas", seed=SEED)
    before = (_run(db, run.id).state, _count(db, ActivityEntry), _count(db, Item))
    turn = engine.view(load_scenario("saas"), engine.State.from_dict(run.state))
    bad = {"goal": " ", "plan": [], "refine": ["no-such-item"], "answers": {}}
    with pytest.raises(Invalid) as caught:
        services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions=bad, order=["x"])
    assert "order" in caught.value.fields
    with pytest.raises(Invalid) as caught:
        services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions=bad)
    fields = set(caught.value.fields)
    assert {"goal", "plan", "refine"} <= fields
    assert {f"answers.{e.key}" for e in turn.events} <= fields
    assert (_run(db, run.id).state, _count(db, ActivityEntry), _count(db, Item)) == before
    assert _run(db, run.id).sprint == 0


def test_an_order_given_reorders_the_sandbox_backlog(db: Database) -> None:
    tina = _trainee(db)
    run = services.start_run(db.uow(), actor=tina, scenario="saas", seed=SEED)
    turn = engine.view(load_scenario("saas"), engine.State.from_dict(run.state))
    keys = [o.key for o in turn.opportunities if o.status == "backlog"]
    wanted = [keys[-1], keys[-2]]
    services.play_sprint(
        db.uow(), actor=tina, run_id=run.id, decisions=_decisions(db, run.id), order=wanted
    )
    assert _run(db, run.id).log[0]["order"][:2] == wanted


def _cohort(db: Database, trainer: Actor, learner: Actor) -> None:
    with db.uow() as uow:
        cohort = Cohort(name="Spring", trainer_id=trainer.id)
        uow.add(cohort)
        uow.flush()
        uow.add(CohortMember(cohort_id=cohort.id, user_id=learner.id))
        uow.commit()


def test_only_the_trainee_plays_and_only_their_trainer_or_an_admin_reads(db: Database) -> None:
    tina, other = _trainee(db), _trainee(db, "oscar@example.org")
    trainer, admin = (
        _trainee(db, "trainer@example.org"),
        actor(make_user(db, "admin@example.org", admin=True)),
    )
    _cohort(db, trainer, tina)
    run = services.start_run(db.uow(), actor=tina, scenario="saas", seed=SEED)
    chosen = _decisions(db, run.id)
    with pytest.raises(Forbidden):
        queries.run_view(db.reader(), actor=other, run_id=run.id)
    with pytest.raises(Forbidden):
        reports.debrief_of(db.reader(), actor=other, run_id=run.id)
    for who in (other, trainer, admin):
        with pytest.raises(Forbidden):
            services.play_sprint(db.uow(), actor=who, run_id=run.id, decisions=chosen)
    for who in (trainer, admin, tina):
        assert queries.run_view(db.reader(), actor=who, run_id=run.id).run.id == run.id
    services.abandon_run(db.uow(), actor=tina, run_id=run.id)
    with pytest.raises(Conflict):
        services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions=chosen)
    assert [r.status for r in queries.runs_of(db.reader(), tina.id or 0)] == ["abandoned"]
