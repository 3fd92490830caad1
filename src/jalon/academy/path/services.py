"""Learning path use cases: lessons read, the practice sandbox, exercise checks, cohorts.

Cohorts belong to their trainer: another trainer's cohort answers 404 (as if it did not
exist), a learner without the trainer role gets 403. Administrators manage every cohort.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from jalon import activity
from jalon.academy import access
from jalon.academy import rules as academy_rules
from jalon.academy.models import Assignment, Cohort, CohortMember
from jalon.academy.path import exercises, queries, rules, sandbox
from jalon.academy.path.models import ModuleProgress, PracticeSandbox
from jalon.accounts import rules as account_rules
from jalon.accounts.models import User
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, Label, NotFound
from jalon.permissions import Actor
from jalon.uow import NOT_FOUND, UnitOfWork


def _learner(actor: Actor) -> int:
    if actor.id is None:
        raise Invalid(N_("Only a signed-in learner follows the path."))
    return actor.id


def _progress(uow: UnitOfWork, user_id: int, module: str) -> ModuleProgress:
    found = uow.session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module == module
        )
    )
    if found is None:
        found = ModuleProgress(user_id=user_id, module=module, updated_at=utcnow())
        uow.add(found)
    return found


def _module_subject(module: str) -> Subject:
    return Subject("module", None, module)


def mark_lesson_read(uow: UnitOfWork, *, actor: Actor, module: str) -> ModuleProgress:
    """Record that the learner read the module's lesson (the first time counts)."""
    key, user_id = rules.check_module(module), _learner(actor)
    with uow:
        progress = _progress(uow, user_id, key)
        if progress.lesson_read_at is None:
            progress.lesson_read_at = progress.updated_at = utcnow()
            activity.record(uow, "academy.lesson.completed", _module_subject(key), actor=actor)
        uow.commit()
    return progress


def open_sandbox(uow: UnitOfWork, *, actor: Actor, language: str = "en") -> PracticeSandbox:
    """The learner's practice sandbox, created and seeded on first use."""
    user_id = _learner(actor)
    with uow:
        found = queries.sandbox_of(uow, user_id)
        if found is None:
            found = sandbox.seed(uow, actor, language=language)
            activity.record(
                uow, "academy.sandbox.created", Subject("product", found.product_id, actor.label),
                actor=actor, product_id=found.product_id,
            )  # fmt: skip
        uow.commit()
    return found


def check_exercise(uow: UnitOfWork, *, actor: Actor, module: str) -> list[exercises.Criterion]:
    """Run the module's checker on the learner's sandbox; a pass is stored with its time."""
    key, user_id = rules.check_module(module), _learner(actor)
    with uow:
        box = queries.sandbox_of(uow, user_id)
        if box is None:
            raise Conflict(N_("Open your practice sandbox first, then do the exercise there."))
        criteria = exercises.check(key, queries.workspace(uow, box.product_id, user_id))
        progress = _progress(uow, user_id, key)
        progress.checked_at = progress.updated_at = utcnow()
        if exercises.passed(criteria) and progress.exercise_passed_at is None:
            progress.exercise_passed_at = progress.checked_at
            activity.record(uow, "academy.exercise.passed", _module_subject(key), actor=actor)
        uow.commit()
    return criteria


# --- cohorts ------------------------------------------------------------------------------


def cohort_for(uow: UnitOfWork, actor: Actor, cohort_id: int) -> Cohort:
    """A cohort the actor manages: 403 for a non-trainer, 404 for another trainer's."""
    access.require_trainer(uow, actor)
    cohort = uow.get(Cohort, cohort_id, what=N_("cohort"))
    if not actor.is_admin and cohort.trainer_id != actor.id:
        raise NotFound(NOT_FOUND, what=Label("cohort", N_("cohort")), ident=cohort_id)
    return cohort


def _cohort_subject(cohort: Cohort) -> Subject:
    return Subject("cohort", cohort.id, cohort.name)


def create_cohort(uow: UnitOfWork, actor: Actor, name: str) -> Cohort:
    """A new cohort trained by `actor` (a trainer or an administrator)."""
    clean = rules.check_cohort_name(name)
    with uow:
        access.require_trainer(uow, actor)
        if actor.id is None:
            raise Invalid(N_("A cohort needs a trainer: sign in as one."))
        cohort = Cohort(name=clean, trainer_id=actor.id, created_at=utcnow())
        uow.add(cohort)
        uow.flush()
        activity.record(
            uow, "academy.cohort.created", _cohort_subject(cohort), actor=actor,
            changes={"name": [None, clean]},
        )  # fmt: skip
        uow.commit()
    return cohort


def _user_by_email(uow: UnitOfWork, email: str) -> User:
    clean = account_rules.normalise_email(email or "")
    if not clean:
        raise Invalid(N_("Give the trainee's e-mail address."), field="email")
    user = uow.session.scalar(select(User).where(User.email == clean))
    if user is None:
        raise Invalid(
            N_("Nobody uses {email} in Jalon: invite them first (People)."),
            field="email", email=clean,
        )  # fmt: skip
    return user


def add_member(uow: UnitOfWork, actor: Actor, cohort_id: int, email: str) -> CohortMember:
    """Add an existing user to the cohort; one without an Academy role becomes a trainee."""
    with uow:
        cohort = cohort_for(uow, actor, cohort_id)
        user = _user_by_email(uow, email)
        if queries.member_row(uow, cohort.id, user.id) is not None:
            raise Conflict(N_("{who} is already in this cohort."), field="email", who=user.label)
        if user.academy_role is None:
            user.academy_role = academy_rules.TRAINEE
        member = CohortMember(cohort_id=cohort.id, user_id=user.id, joined_at=utcnow())
        uow.add(member)
        activity.record(
            uow, "academy.cohort.member_added", _cohort_subject(cohort), actor=actor,
            changes={"email": [None, user.email]},
        )  # fmt: skip
        uow.commit()
    return member


def remove_member(uow: UnitOfWork, actor: Actor, cohort_id: int, user_id: int) -> None:
    with uow:
        cohort = cohort_for(uow, actor, cohort_id)
        member = queries.member_row(uow, cohort.id, user_id)
        if member is None:
            raise NotFound(NOT_FOUND, what=Label("member", N_("member")), ident=user_id)
        uow.session.delete(member)
        activity.record(
            uow, "academy.cohort.member_removed", _cohort_subject(cohort), actor=actor,
            changes={"user_id": [user_id, None]},
        )  # fmt: skip
        uow.commit()


def assign(
    uow: UnitOfWork, actor: Actor, cohort_id: int, *, kind: str, ref: str,
    due_on: str | date | None = None,
) -> Assignment:  # fmt: skip
    """Set the cohort a scenario, a quiz (mock or practice) or a module, maybe with a date."""
    clean_kind, clean_ref = rules.check_assignment(kind, ref, scenario_keys=queries.scenario_keys())
    due = due_on if isinstance(due_on, date) else rules.parse_due(due_on)
    with uow:
        cohort = cohort_for(uow, actor, cohort_id)
        made = Assignment(cohort_id=cohort.id, kind=clean_kind, ref=clean_ref, due_on=due,
                          created_at=utcnow())  # fmt: skip
        uow.add(made)
        uow.flush()
        activity.record(
            uow, "academy.assignment.created", _cohort_subject(cohort), actor=actor,
            changes={"kind": [None, clean_kind], "ref": [None, clean_ref]},
        )  # fmt: skip
        uow.commit()
    return made
