"""Account reads shared by pages, API and CLI."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from jalon.accounts import rules
from jalon.accounts.models import ApiToken, LoginAttempt, User, UserSession
from jalon.db import utcnow
from jalon.uow import UnitOfWork


def count_users(uow: UnitOfWork) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count(User.id))) or 0)


def user_for_session(uow: UnitOfWork, token: str) -> tuple[User, UserSession] | None:
    """The active user behind a session cookie, or None if unknown, expired or revoked."""
    with uow:
        row = uow.session.execute(
            select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.token_hash == rules.hash_token(token),
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > utcnow(),
                User.is_active,
            )
        ).first()
        return (row[0], row[1]) if row else None


def user_for_api_token(uow: UnitOfWork, raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, and the token, or None."""
    with uow:
        row = uow.session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(
                ApiToken.token_hash == rules.hash_token(raw),
                ApiToken.revoked_at.is_(None),
                User.is_active,
            )
        ).first()
        return (row[0], row[1]) if row else None


def get_user_by_email(uow: UnitOfWork, email: str) -> User | None:
    with uow:
        return uow.session.scalar(select(User).where(User.email == rules.normalise_email(email)))


def list_sessions(uow: UnitOfWork, user_id: int) -> list[UserSession]:
    with uow:
        return list(
            uow.session.scalars(
                select(UserSession)
                .where(
                    UserSession.user_id == user_id,
                    UserSession.revoked_at.is_(None),
                    UserSession.expires_at > utcnow(),
                )
                .order_by(UserSession.created_at.desc())
            )
        )


def list_tokens(uow: UnitOfWork, user_id: int) -> list[ApiToken]:
    with uow:
        return list(
            uow.session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.created_at.desc())
            )
        )


def user_by_invitation(uow: UnitOfWork, token: str) -> User | None:
    with uow:
        user = uow.session.scalar(select(User).where(User.invite_hash == rules.hash_token(token)))
        if user is None or user.invite_expires_at is None or user.invite_expires_at < utcnow():
            return None
        return user


def failures_since_success(uow: UnitOfWork, email: str, since: datetime) -> list[datetime]:
    """Failed sign-ins for an e-mail since `since` and after its last success (in a uow)."""
    last_ok = uow.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.succeeded)
    )
    stmt = select(LoginAttempt.at).where(
        LoginAttempt.email == email, ~LoginAttempt.succeeded, LoginAttempt.at >= since
    )
    if last_ok is not None:
        stmt = stmt.where(LoginAttempt.at > last_ok)
    return list(uow.session.scalars(stmt))


def failures_from(uow: UnitOfWork, ip: str, since: datetime) -> list[datetime]:
    """Failed sign-ins from an address since `since`, whatever the e-mail (in a uow)."""
    stmt = select(LoginAttempt.at).where(
        LoginAttempt.ip == ip[:64], ~LoginAttempt.succeeded, LoginAttempt.at >= since
    )
    return list(uow.session.scalars(stmt))
