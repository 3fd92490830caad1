"""Learning path use cases on both engines: cohorts and who manages them, the practice
sandbox and exercise checks on real data, lesson progress, and who may read whose progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jalon.academy.models import CohortMember
from jalon.academy.path import demo, queries, results, services
from jalon.academy.path.models import ModuleProgress
from jalon.accounts.models import User
from jalon.activity import ActivityEntry
from jalon.backlog.models import Item
from jalon.collaboration import services as collaboration
from jalon.errors import Conflict, Forbidden, Invalid, NotFound
from jalon.permissions import Actor
from jalon.prioritisation import services as prioritisation
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _trainer(db: Database, email: str = "trainer@example.com") -> Actor:
    user = make_user(db, email)
    with db.uow() as uow:
        uow.get(User, user.id, what="user").academy_role = "trainer"
        uow.commit()
    return actor(user)


def test_a_trainer_creates_a_cohort_and_adds_trainees_by_email(db: Database) -> None:
    trainer = _trainer(db)
    learner = make_user(db, "lea@example.com")
    cohort = services.create_cohort(db.uow(), trainer, "  Spring   2027 ")
    assert cohort.name == "Spring 2027"
    services.add_member(db.uow(), trainer, cohort.id, "LEA@example.com ")
    with db.reader() as uow:
        assert uow.get(User, learner.id, what="user").academy_role == "trainee"
        assert queries.member_row(uow, cohort.id, learner.id) is not None
        actions = set(uow.session.scalars(select(ActivityEntry.action)))
    assert {"academy.cohort.created", "academy.cohort.member_added"} <= actions
    with pytest.raises(Conflict):
        services.add_member(db.uow(), trainer, cohort.id, "lea@example.com")
    with pytest.raises(Invalid) as unknown:
        services.add_member(db.uow(), trainer, cohort.id, "nobody@example.com")
    assert "nobody@example.com" in unknown.value.fields["email"]
    services.remove_member(db.uow(), trainer, cohort.id, learner.id)
    with db.reader() as uow:
        assert uow.session.scalar(select(CohortMember.id)) is None


def test_cohorts_belong_to_their_trainer(db: Database) -> None:
    mine, other = _trainer(db), _trainer(db, "other-trainer@example.com")
    learner = actor(make_user(db, "lea@example.com"))
    admin = actor(make_user(db, "root@example.com", admin=True))
    cohort = services.create_cohort(db.uow(), mine, "Mine")
    with pytest.raises(Forbidden):
        services.create_cohort(db.uow(), learner, "Not a trainer")
    with pytest.raises(NotFound):  # another trainer's cohort answers as if it did not exist
        services.add_member(db.uow(), other, cohort.id, "lea@example.com")
    with pytest.raises(Forbidden):
        services.assign(db.uow(), learner, cohort.id, kind="quiz", ref="mock")
    services.add_member(db.uow(), admin, cohort.id, "lea@example.com")
    made = services.assign(db.uow(), mine, cohort.id, kind="module", ref="csr-ethics",
                           due_on="2027-03-01")  # fmt: skip
    assert (made.kind, made.ref, str(made.due_on)) == ("module", "csr-ethics", "2027-03-01")
    with pytest.raises(Invalid) as bad:
        services.assign(db.uow(), mine, cohort.id, kind="module", ref="astrology")
    assert "ref" in bad.value.fields


def test_the_sandbox_is_seeded_once_and_the_wsjf_check_runs_on_it(db: Database) -> None:
    me = actor(make_user(db, "lea@example.com"))
    with pytest.raises(Conflict):
        services.check_exercise(db.uow(), actor=me, module="needs-prioritisation")
    box = services.open_sandbox(db.uow(), actor=me, language="en")
    assert services.open_sandbox(db.uow(), actor=me).product_id == box.product_id
    first = services.check_exercise(db.uow(), actor=me, module="needs-prioritisation")
    assert [c.passed for c in first] == [False, False]
    prioritisation.apply_order(db.uow(), actor=me, product_id=box.product_id, model="wsjf")
    with db.reader() as uow:
        item = uow.session.scalar(select(Item).where(Item.product_id == box.product_id))
        assert item is not None
    comment = "Payment retries come first: every day of delay costs our customers real cash."
    collaboration.add_comment(db.uow(), actor=me, item_id=item.id, body=comment)
    second = services.check_exercise(db.uow(), actor=me, module="needs-prioritisation")
    assert all(c.passed for c in second), second
    with db.reader() as uow:
        row = uow.session.scalar(select(ModuleProgress))
        assert row is not None and row.exercise_passed_at is not None


def test_the_vision_exercise_reads_the_sandbox_product(db: Database) -> None:
    me = actor(make_user(db, "lea@example.com"))
    box = services.open_sandbox(db.uow(), actor=me, language="fr")
    products.update_product(
        db.uow(), product_id=box.product_id, actor=me,
        changes={"vision": "Pour les petites agences qui facturent au temps passé, un outil "
                           "qui encaisse sans relance, contrairement aux tableurs partagés.",
                 "target_users": "Gérants d'agences", "product_goal": "Réduire de moitié"},
    )  # fmt: skip
    criteria = services.check_exercise(db.uow(), actor=me, module="product-vision")
    assert [c.code for c in criteria if not c.passed] == ["goal_measurable"]
    products.update_product(
        db.uow(),
        product_id=box.product_id,
        actor=me,
        changes={"product_goal": "Réduire de 50 % les retards de paiement d'ici juin"},
    )
    assert all(c.passed for c in services.check_exercise(db.uow(), actor=me,
                                                          module="product-vision"))  # fmt: skip


def test_reading_a_lesson_counts_once(db: Database) -> None:
    me = actor(make_user(db, "lea@example.com"))
    first = services.mark_lesson_read(db.uow(), actor=me, module="market-watch")
    again = services.mark_lesson_read(db.uow(), actor=me, module="market-watch")
    assert again.lesson_read_at == first.lesson_read_at
    with pytest.raises(Invalid):
        services.mark_lesson_read(db.uow(), actor=me, module="nope")
    with db.reader() as uow:
        entries = list(uow.session.scalars(select(ActivityEntry.action)))
    assert entries.count("academy.lesson.completed") == 1


def test_trainers_see_only_their_cohorts_and_their_trainees_progress(db: Database) -> None:
    mine, other = _trainer(db), _trainer(db, "other-trainer@example.com")
    lea, max_ = make_user(db, "lea@example.com"), make_user(db, "max@example.com")
    cohort = services.create_cohort(db.uow(), mine, "Mine")
    services.create_cohort(db.uow(), other, "Theirs")
    services.add_member(db.uow(), mine, cohort.id, lea.email)
    assert [r.cohort.name for r in results.cohorts_view(db.reader(), actor=mine)] == ["Mine"]
    seen = results.progress_view(db.reader(), actor=mine, user_id=lea.id)
    assert seen.user_id == lea.id and seen.percent == 0
    with pytest.raises(Forbidden):
        results.progress_view(db.reader(), actor=mine, user_id=max_.id)
    with pytest.raises(Forbidden):  # a trainee reads only their own progress
        results.progress_view(db.reader(), actor=actor(lea), user_id=max_.id)
    view = results.cohort_view(db.reader(), actor=mine, cohort_id=cohort.id, language="en")
    assert [m.email for m in view.members] == ["lea@example.com"]
    assert view.members[0].quiz.mocks_taken == 0 and view.members[0].runs == []


def test_the_certificate_waits_for_every_module(db: Database) -> None:
    me = actor(make_user(db, "lea@example.com"))
    services.mark_lesson_read(db.uow(), actor=me, module="product-vision")
    with pytest.raises(Conflict) as refused:
        results.certificate_for(db.reader(), actor=me)
    assert refused.value.params == {"done": 0, "total": 9}


def test_the_demo_cohort_is_seeded_once(db: Database) -> None:
    admin = actor(make_user(db, "root@example.com", admin=True))
    first = demo.seed_academy(db, admin=admin)
    assert demo.seed_academy(db, admin=admin) == first
    view = results.cohort_view(db.reader(), actor=admin, cohort_id=first, language="en")
    assert len(view.members) == 2 and len(view.assignments) == 2
    noah = next(m for m in view.members if m.label == "Noah Girard")
    vision = noah.progress.state("product-vision")
    assert vision.lesson_read and vision.exercise_passed and not vision.quiz_passed


def _passes(db: Database, me: Actor, module: str) -> bool:
    return all(c.passed for c in services.check_exercise(db.uow(), actor=me, module=module))


def test_every_other_exercise_passes_when_done_in_the_tool(db: Database) -> None:
    """Design thinking, market watch, KPIs, CSR, stakeholders and facilitation, each done
    through the areas' own services on the sandbox, as the pages would."""
    from jalon.backlog.rules import default_workflow
    from jalon.ceremonies import services as ceremonies
    from jalon.discovery import services as discovery
    from jalon.discovery.board import services as board
    from jalon.feedback import services as feedback
    from jalon.feedback.models import Feedback
    from jalon.refinement import services as refinement
    from jalon.refinement.rules import Draft
    from jalon.signals import services as signals
    from jalon.sprints.models import Sprint

    me = actor(make_user(db, "lea@example.com"))
    pid = services.open_sandbox(db.uow(), actor=me).product_id
    modules = ("design-thinking", "market-watch", "product-kpis", "csr-ethics",
               "stakeholders", "facilitation")  # fmt: skip
    assert not any(_passes(db, me, m) for m in modules)

    def node(kind: str, parent: int | None, title: str) -> int:
        return discovery.create_node(db.uow(), actor=me, product_id=pid, kind=kind,
                                     parent_id=parent, values={"title": title}).id  # fmt: skip

    outcome = node("outcome", None, "Median payment delay under 12 days")
    late = node("opportunity", outcome, "I do not know who is late")
    node("opportunity", outcome, "Reminding clients feels awkward")
    digest = node("solution", late, "Weekly late-payment digest")
    board.create_persona(
        db.uow(),
        actor=me,
        product_id=pid,
        values={"name": "Camille", "goals": "Get paid on time", "frustrations": "Chasing by phone"},
    )
    assert _passes(db, me, "design-thinking")

    signals.create_feed(
        db.uow(),
        actor=me,
        product_id=pid,
        values={"name": "Rival", "url": "https://rival.example/feed.xml"},
    )
    signals.create_watchlist(db.uow(), actor=me, product_id=pid, name="Compliance",
                             keywords="e-invoicing\nFactur-X")  # fmt: skip
    assert _passes(db, me, "market-watch")

    discovery.save_hypothesis(
        db.uow(),
        actor=me,
        node_id=digest,
        values={
            "capability": "a weekly digest",
            "people": "agency owners",
            "outcome": "earlier reminders",
            "signal": "30% of owners open it every week",
        },
    )
    trust = node("assumption", digest, "Owners read a weekly e-mail")
    discovery.create_experiment(
        db.uow(),
        actor=me,
        assumption_id=trust,
        values={
            "title": "Fake digest",
            "method": "fake_door",
            "metric": "open rate",
            "threshold": 30,
        },
    )
    assert _passes(db, me, "product-kpis")

    draft = Draft(
        statuses=default_workflow(),
        done=[
            "Tests pass",
            "Meets RGAA AA: keyboard and screen reader",
            "Page weight under 1 MB (RGESN)",
        ],
    )
    refinement.update_settings(db.uow(), actor=me, product_id=pid, draft=draft)
    assert _passes(db, me, "csr-ethics")

    with db.reader() as uow:
        said = list(uow.session.scalars(select(Feedback.id).where(Feedback.product_id == pid)))
        items = list(uow.session.scalars(select(Item.id).where(Item.product_id == pid)))
        sprint = uow.session.scalar(select(Sprint.id).where(Sprint.product_id == pid))
    for fid, iid, weight in zip(said, items, (3, 2, 2), strict=False):
        feedback.link_feedback(db.uow(), actor=me, feedback_id=fid, item_id=iid,
                               importance=weight)  # fmt: skip
    assert _passes(db, me, "stakeholders")

    assert sprint is not None
    for column, text in (("start", "Pair on reviews"), ("stop", "Late specs"),
                         ("continue", "Daily demos")):  # fmt: skip
        ceremonies.add_card(db.uow(), actor=me, sprint_id=sprint, column=column, text=text)
    ceremonies.add_action(
        db.uow(),
        actor=me,
        product_id=pid,
        sprint_id=sprint,
        values={"text": "Specs ready before planning", "owner_id": me.id},
    )
    assert _passes(db, me, "facilitation")
