"""JSON shapes of the learning path API: progress, cohorts, members and assignments."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from jalon.academy.path import rules
from jalon.academy.path.results import AssignmentRow, CohortRow, CohortView, LearnerResults
from jalon.academy.path.results import Progress as PathProgress


class ModuleOut(BaseModel):
    key: str
    title: str
    status: str = Field(description="not_started, in_progress or complete")
    lesson_read_at: datetime | None
    exercise_passed_at: datetime | None
    best_quiz_percent: float | None
    quiz_passed: bool


class ProgressOut(BaseModel):
    user_id: int
    name: str
    percent: int = Field(description="share of the path's parts done (three per module)")
    modules_complete: int
    finished: bool = Field(description="every module complete: the certificate is available")
    modules: list[ModuleOut]

    @classmethod
    def of(cls, found: PathProgress) -> ProgressOut:
        modules = [
            ModuleOut(
                key=s.key, title=rules.BY_KEY[s.key].title, status=s.status,
                lesson_read_at=s.lesson_read_at, exercise_passed_at=s.exercise_passed_at,
                best_quiz_percent=s.best_quiz, quiz_passed=s.quiz_passed,
            )
            for s in found.states
        ]  # fmt: skip
        return cls(
            user_id=found.user_id, name=found.label, percent=found.percent,
            modules_complete=found.complete, finished=found.finished, modules=modules,
        )  # fmt: skip


class CohortIn(BaseModel):
    name: str = Field(examples=["Spring 2027"])


class MemberIn(BaseModel):
    email: str = Field(examples=["lea@example.com"])


class AssignmentIn(BaseModel):
    kind: str = Field(description="scenario, quiz or module", examples=["module"])
    ref: str = Field(
        description="a scenario key, mock or practice, or a module key", examples=["csr-ethics"]
    )
    due_on: date | None = None


class CohortOut(BaseModel):
    id: int
    name: str
    trainer_id: int
    trainer: str
    members: int
    created_at: datetime

    @classmethod
    def of(cls, row: CohortRow) -> CohortOut:
        c = row.cohort
        return cls(id=c.id, name=c.name, trainer_id=c.trainer_id, trainer=row.trainer,
                   members=row.members, created_at=c.created_at)  # fmt: skip


class MemberOut(BaseModel):
    cohort_id: int
    user_id: int
    joined_at: datetime


class AssignmentOut(BaseModel):
    id: int
    cohort_id: int
    kind: str
    ref: str
    label: str = ""
    due_on: date | None

    @classmethod
    def of(cls, row: AssignmentRow) -> AssignmentOut:
        a = row.assignment
        return cls(id=a.id, cohort_id=a.cohort_id, kind=a.kind, ref=a.ref, label=row.label,
                   due_on=a.due_on)  # fmt: skip


class RunOut(BaseModel):
    id: int
    scenario: str
    sprint: int
    sprints: int
    finished: bool
    ebm: float | None


class TraineeOut(BaseModel):
    user_id: int
    name: str
    email: str
    path_percent: int
    modules_complete: int
    best_mock_percent: float | None
    last_mock_passed: bool | None
    practice_answers: int
    runs: list[RunOut]
    best_ebm: float | None

    @classmethod
    def of(cls, m: LearnerResults) -> TraineeOut:
        runs = [RunOut(id=r.id, scenario=r.scenario_key, sprint=r.sprint, sprints=r.sprints,
                       finished=r.finished, ebm=r.ebm) for r in m.runs]  # fmt: skip
        return cls(
            user_id=m.user_id, name=m.label, email=m.email, path_percent=m.progress.percent,
            modules_complete=m.progress.complete, best_mock_percent=m.quiz.best_mock_percent,
            last_mock_passed=m.quiz.last_mock_passed, practice_answers=m.quiz.practice_answers,
            runs=runs, best_ebm=m.best_ebm,
        )  # fmt: skip


class CohortDetailOut(BaseModel):
    id: int
    name: str
    trainer_id: int
    trainer: str
    trainees: list[TraineeOut]
    assignments: list[AssignmentOut]

    @classmethod
    def of(cls, found: CohortView) -> CohortDetailOut:
        c = found.cohort
        return cls(
            id=c.id, name=c.name, trainer_id=c.trainer_id, trainer=found.trainer,
            trainees=[TraineeOut.of(m) for m in found.members],
            assignments=[AssignmentOut.of(a) for a in found.assignments],
        )  # fmt: skip
