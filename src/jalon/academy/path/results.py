"""What a learner has done across the Academy, and a cohort's results for its trainer.

Reads the path's progress, the runs area's `runs_of` and the quiz area's `results_of` and
`best_module_scores`. Each `*_view` opens the reader it is given; the others take an open one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from jalon.academy import access
from jalon.academy import rules as academy_rules
from jalon.academy.models import Assignment, Cohort, CohortMember
from jalon.academy.path import queries, rules
from jalon.academy.path.models import ModuleProgress
from jalon.academy.path.services import cohort_for
from jalon.academy.quiz import queries as quiz_queries
from jalon.academy.runs import queries as runs_queries
from jalon.academy.runs.queries import RunRow
from jalon.accounts.models import User
from jalon.errors import N_, Conflict
from jalon.permissions import Actor
from jalon.uow import UnitOfWork


def module_states(uow: UnitOfWork, user_id: int) -> list[rules.ModuleState]:
    rows = uow.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id))
    done = {r.module: (r.lesson_read_at, r.exercise_passed_at) for r in rows}
    return rules.module_states(done, quiz_queries.best_module_scores(uow, user_id))


@dataclass(frozen=True)
class Progress:
    user_id: int
    label: str
    states: list[rules.ModuleState]

    @property
    def percent(self) -> int:
        return rules.percent_complete(self.states)

    @property
    def complete(self) -> int:
        return rules.modules_complete(self.states)

    @property
    def finished(self) -> bool:
        return rules.path_complete(self.states)

    def state(self, key: str) -> rules.ModuleState:
        return next(s for s in self.states if s.key == key)


def progress(uow: UnitOfWork, user_id: int) -> Progress:
    user = uow.get(User, user_id, what=N_("user"))
    return Progress(user.id, user.label, module_states(uow, user_id))


def progress_view(reader: UnitOfWork, *, actor: Actor, user_id: int) -> Progress:
    """A learner's progress, for themselves, their trainer or an administrator (else 403)."""
    with reader:
        access.require_work_visible(reader, actor, user_id)
        return progress(reader, user_id)


@dataclass(frozen=True)
class LearnerResults:
    """One trainee's line on the trainer's dashboard."""

    user_id: int
    label: str
    email: str
    progress: Progress
    quiz: quiz_queries.QuizResults
    runs: list[RunRow]

    @property
    def best_ebm(self) -> float | None:
        scores = [r.ebm for r in self.runs if r.ebm is not None]
        return max(scores) if scores else None

    @property
    def runs_finished(self) -> int:
        return sum(1 for r in self.runs if r.finished)


def learner_results(uow: UnitOfWork, user: User, language: str | None = None) -> LearnerResults:
    quiz = quiz_queries.results_of(uow, user.id)
    runs = runs_queries.runs_of(uow, user.id, language=language)
    return LearnerResults(user.id, user.label, user.email, progress(uow, user.id), quiz, runs)


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    cohort: str
    label: str  # the scenario title, the module title (N_) or the quiz kind
    done: bool | None = None  # for a learner's own list


@dataclass(frozen=True)
class CohortView:
    cohort: Cohort
    trainer: str
    members: list[LearnerResults]
    assignments: list[AssignmentRow]

    def mock_scores(self) -> list[tuple[str, float]]:
        return [
            (m.label, m.quiz.best_mock_percent)
            for m in self.members
            if m.quiz.best_mock_percent is not None
        ]


def _label(assignment: Assignment, language: str) -> str:
    if assignment.kind == "module" and assignment.ref in rules.BY_KEY:
        return rules.BY_KEY[assignment.ref].title
    if assignment.kind == "scenario":
        return runs_queries.scenario_title(assignment.ref, language)
    return N_("Mock assessment") if assignment.ref == "mock" else N_("Practice quiz")


def assignments(uow: UnitOfWork, cohort_ids: list[int], language: str) -> list[AssignmentRow]:
    rows = uow.session.execute(
        select(Assignment, Cohort.name)
        .join(Cohort, Cohort.id == Assignment.cohort_id)
        .where(Assignment.cohort_id.in_(cohort_ids))
        .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id)
    )
    return [AssignmentRow(a, name, _label(a, language)) for a, name in rows]


def cohort_view(reader: UnitOfWork, *, actor: Actor, cohort_id: int, language: str) -> CohortView:
    """A cohort with every trainee's results, for its trainer or an administrator."""
    with reader:
        cohort = cohort_for(reader, actor, cohort_id)
        trainer = reader.get(User, cohort.trainer_id, what=N_("user"))
        users = reader.session.scalars(
            select(User)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(User.name, User.email)
        )
        members = [learner_results(reader, u, language) for u in users]
        return CohortView(
            cohort, trainer.label, members, assignments(reader, [cohort.id], language)
        )


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    members: int
    trainer: str


def cohorts_view(reader: UnitOfWork, *, actor: Actor) -> list[CohortRow]:
    """The cohorts the actor trains (every cohort for an administrator)."""
    with reader:
        access.require_trainer(reader, actor)
        count = (
            select(func.count(CohortMember.id))
            .where(CohortMember.cohort_id == Cohort.id)
            .scalar_subquery()
        )
        stmt = select(Cohort, count, User).join(User, User.id == Cohort.trainer_id)
        if not actor.is_admin:
            stmt = stmt.where(Cohort.trainer_id == actor.id)
        rows = reader.session.execute(stmt.order_by(Cohort.created_at.desc(), Cohort.id.desc()))
        return [CohortRow(c, int(n or 0), u.label) for c, n, u in rows]


@dataclass(frozen=True)
class Home:
    """The Academy home page of one person."""

    results: LearnerResults
    assignments: list[AssignmentRow]
    is_trainer: bool
    cohorts: list[CohortRow]


def _done(row: AssignmentRow, me: LearnerResults) -> AssignmentRow:
    finished = {r.scenario_key for r in me.runs if r.finished}
    modules = {s.key for s in me.progress.states if s.status == rules.COMPLETE}
    done = rules.assignment_done(
        row.assignment.kind, row.assignment.ref, modules_done=modules,
        scenarios_finished=finished, mocks_taken=me.quiz.mocks_taken,
        practice_answers=me.quiz.practice_answers,
    )  # fmt: skip
    return AssignmentRow(row.assignment, row.cohort, row.label, done)


def home_view(reader: UnitOfWork, *, actor: Actor, language: str) -> Home:
    with reader:
        user = reader.get(User, actor.id or 0, what=N_("user"))
        me = learner_results(reader, user, language)
        cohort_ids = list(
            reader.session.scalars(
                select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
            )
        )
        mine = [_done(r, me) for r in assignments(reader, cohort_ids, language)]
        trainer = academy_rules.is_trainer(user.academy_role, is_admin=actor.is_admin)
    cohorts = cohorts_view(reader, actor=actor) if trainer else []
    return Home(me, mine, trainer, cohorts)


def certificate_for(reader: UnitOfWork, *, actor: Actor) -> Progress:
    """The learner's own progress once every module is complete, else 409 saying what is left."""
    with reader:
        done = progress(reader, actor.id or 0)
    if not done.finished:
        raise Conflict(
            N_("The certificate comes once every module is complete: {done} of {total} so far."),
            done=done.complete, total=len(rules.MODULES),
        )  # fmt: skip
    return done


@dataclass(frozen=True)
class ModulePage:
    progress: Progress
    sandbox_product: int | None
    sandbox_sprint: int | None


def module_page(reader: UnitOfWork, *, actor: Actor) -> ModulePage:
    """What a module's page needs about the learner: progress and their sandbox."""
    with reader:
        me = progress(reader, actor.id or 0)
        box = queries.sandbox_of(reader, me.user_id)
        sprint = queries.sandbox_sprint(reader, box.product_id) if box else None
        return ModulePage(me, box.product_id if box else None, sprint)
