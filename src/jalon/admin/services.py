"""Administration use cases: invite people, deactivate and reactivate them, grant admin rights."""

from __future__ import annotations

from sqlalchemy import func, select, update

from jalon import activity
from jalon.academy import rules as academy_rules
from jalon.accounts import rules as account_rules
from jalon.accounts import services as accounts
from jalon.accounts.models import ApiToken, User, UserSession
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Forbidden, Invalid
from jalon.permissions import Actor
from jalon.uow import UnitOfWork


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators can manage users.")


def invite_account(
    uow: UnitOfWork, *, actor: Actor, email: str, is_admin: bool = False
) -> tuple[User, str]:
    """Create an account without password and return its one-time invitation token."""
    _require_admin(actor)
    with uow:
        existing = uow.session.scalar(
            select(User).where(User.email == account_rules.normalise_email(email))
        )
        if existing is not None and existing.password_hash is None:
            user, token = existing, accounts.renew_invitation(existing)  # a lost or expired link
            activity.record(
                uow, "admin.invitation.renewed", Subject("user", user.id, user.label), actor=actor
            )
        else:
            user, token = accounts.invite_user(uow, email=email, actor=actor)
        user.is_admin = user.is_admin or is_admin
        uow.commit()
    return user, token


def _active_admins(uow: UnitOfWork) -> int:
    stmt = select(func.count(User.id)).where(User.is_admin, User.is_active)
    return int(uow.session.scalar(stmt) or 0)


def set_active(uow: UnitOfWork, *, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivating signs the person out everywhere and revokes their API tokens."""
    _require_admin(actor)
    with uow:
        user = uow.get(User, user_id, what=N_("user"))
        if not active and user.id == actor.id:
            raise Conflict("You cannot deactivate your own account.")
        if not active and user.is_admin and user.is_active and _active_admins(uow) == 1:
            raise Conflict("Jalon keeps at least one active administrator.")
        if user.is_active != active:
            activity.record(
                uow,
                "admin.user.activated" if active else "admin.user.deactivated",
                Subject("user", user.id, user.label),
                actor=actor,
                changes={"is_active": [user.is_active, active]},
            )
            user.is_active = active
        if not active:
            now = utcnow()
            for model in (UserSession, ApiToken):
                uow.session.execute(
                    update(model)
                    .where(model.user_id == user.id, model.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
        uow.commit()
    return user


def set_admin(uow: UnitOfWork, *, actor: Actor, user_id: int, is_admin: bool) -> User:
    _require_admin(actor)
    with uow:
        user = uow.get(User, user_id, what=N_("user"))
        if not is_admin and user.is_admin and user.is_active and _active_admins(uow) == 1:
            raise Conflict("Jalon keeps at least one active administrator.")
        if user.is_admin != is_admin:
            activity.record(
                uow,
                "admin.user.admin_changed",
                Subject("user", user.id, user.label),
                actor=actor,
                changes={"is_admin": [user.is_admin, is_admin]},
            )
            user.is_admin = is_admin
        uow.commit()
    return user


def set_academy_role(uow: UnitOfWork, *, actor: Actor, user_id: int, role: str | None) -> User:
    """Set a person's Academy role: none, trainee or trainer."""
    _require_admin(actor)
    clean = (role or "").strip() or None
    if clean is not None and clean not in academy_rules.ACADEMY_ROLES:
        raise Invalid(N_("Choose no role, trainee or trainer."), field="academy_role")
    with uow:
        user = uow.get(User, user_id, what=N_("user"))
        if user.academy_role != clean:
            activity.record(
                uow, "admin.user.academy_role_changed", Subject("user", user.id, user.label),
                actor=actor, changes={"academy_role": [user.academy_role, clean]},
            )  # fmt: skip
            user.academy_role = clean
        uow.commit()
    return user
