"""Academy access checks that need the database: the `require_*` guards services call.

Each raises `Forbidden` (403) with a message; they never write.
"""

from __future__ import annotations

from sqlalchemy import select

from jalon.academy import rules
from jalon.academy.models import Cohort, CohortMember
from jalon.accounts.models import User
from jalon.errors import N_, Forbidden
from jalon.permissions import Actor
from jalon.uow import UnitOfWork


def academy_role(uow: UnitOfWork, actor: Actor) -> str | None:
    if actor.id is None:
        return None
    return uow.session.scalar(select(User.academy_role).where(User.id == actor.id))


def require_trainer(uow: UnitOfWork, actor: Actor) -> None:
    if not rules.is_trainer(academy_role(uow, actor), is_admin=actor.is_admin):
        raise Forbidden(N_("Only trainers may do this."))


def trains(uow: UnitOfWork, trainer_id: int | None, learner_id: int) -> bool:
    """Is `learner_id` in one of the cohorts of trainer `trainer_id`?"""
    if trainer_id is None:
        return False
    found = uow.session.scalar(
        select(CohortMember.id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.trainer_id == trainer_id, CohortMember.user_id == learner_id)
        .limit(1)
    )
    return found is not None


def require_work_visible(uow: UnitOfWork, actor: Actor, owner_id: int) -> None:
    """The actor may read the work (run, quiz, progress) of user `owner_id`, or 403."""
    allowed = rules.may_see_work_of(
        actor.id,
        owner_id,
        viewer_is_admin=actor.is_admin,
        viewer_trains_owner=actor.id != owner_id and trains(uow, actor.id, owner_id),
    )
    if not allowed:
        raise Forbidden(N_("This belongs to another learner."))


def require_own(actor: Actor, owner_id: int) -> None:
    """Only the learner acts on their own work (a trainer reads it, never plays it)."""
    if actor.id != owner_id:
        raise Forbidden(N_("This belongs to another learner."))
