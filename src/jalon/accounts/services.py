"""Account use cases. Each opens one unit of work and commits once."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from jalon import activity
from jalon.accounts import queries, rules
from jalon.accounts.models import ApiToken, LoginAttempt, User, UserSession
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import (
    N_,
    Conflict,
    Forbidden,
    Invalid,
    Label,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from jalon.permissions import CLI_ACTOR, Actor
from jalon.settings import Settings
from jalon.uow import NOT_FOUND, UnitOfWork

INVITE_DAYS = 14
LANGUAGES = ("en", "fr")


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(stored: str | None, password: str) -> bool:
    if not stored:
        _hasher().hash(password)  # same cost whether or not the account exists
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_new_user(uow: UnitOfWork, email: str, name: str, password: str | None) -> None:
    problems: dict[str, str] = {}
    if (p := rules.email_problem(email)) is not None:
        problems["email"] = p
    if len(name) > 120:
        problems["name"] = N_("Use at most 120 characters.")
    if password is not None and (p := rules.password_problem(password, email=email)):
        problems["password"] = p
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    if uow.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with this e-mail already exists.", field="email")


def _new_user(
    uow: UnitOfWork, *, email: str, name: str, password: str | None, is_admin: bool, actor: Actor
) -> User:
    email = rules.normalise_email(email)
    name = name.strip()
    _check_new_user(uow, email, name, password)
    user = User(
        email=email,
        name=name,
        is_admin=is_admin,
        password_hash=hash_password(password) if password is not None else None,
    )
    uow.add(user)
    uow.flush()
    activity.record(
        uow,
        "accounts.user.created",
        Subject("user", user.id, user.label),
        actor=actor,
        changes={"email": [None, email], "is_admin": [None, is_admin]},
    )
    return user


def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    name: str = "",
    password: str | None,
    is_admin: bool = False,
    actor: Actor = CLI_ACTOR,
) -> User:
    if not actor.is_admin:
        raise Forbidden("Only administrators can create users.")
    with uow:
        user = _new_user(
            uow, email=email, name=name, password=password, is_admin=is_admin, actor=actor
        )
        uow.commit()
    return user


def setup_first_admin(uow: UnitOfWork, *, email: str, name: str, password: str) -> User:
    """The first-run setup page: allowed only while no user exists."""
    with uow:
        if uow.session.scalar(select(func.count(User.id))):
            raise Conflict("Jalon is already set up; sign in instead.")
        user = _new_user(
            uow,
            email=email,
            name=name,
            password=password,
            is_admin=True,
            actor=Actor(None, "first-run setup"),
        )
        uow.commit()
    return user


def ensure_admin(uow: UnitOfWork, *, email: str) -> tuple[User, str | None]:
    """Return the first administrator; create one with a random password if none exists."""
    with uow:
        admin = uow.session.scalar(select(User).where(User.is_admin).order_by(User.id).limit(1))
        if admin is not None:
            return admin, None
        password = secrets.token_urlsafe(15)
        admin = _new_user(
            uow,
            email=email,
            name="Administrator",
            password=password,
            is_admin=True,
            actor=CLI_ACTOR,
        )
        uow.commit()
    return admin, password


def invite_user(uow: UnitOfWork, *, email: str, actor: Actor) -> tuple[User, str]:
    """Create an account without password, with a one-time invitation token (inside `uow`)."""
    user = _new_user(uow, email=email, name="", password=None, is_admin=False, actor=actor)
    return user, renew_invitation(user)


def renew_invitation(user: User) -> str:
    """Give a not-yet-joined account a fresh invitation token (the old link stops working)."""
    raw = secrets.token_urlsafe(24)
    user.invite_hash = rules.hash_token(raw)
    user.invite_expires_at = utcnow() + timedelta(days=INVITE_DAYS)
    return raw


def accept_invitation(uow: UnitOfWork, *, token: str, name: str, password: str) -> User:
    with uow:
        user = uow.session.scalar(select(User).where(User.invite_hash == rules.hash_token(token)))
        if user is None or user.invite_expires_at is None or user.invite_expires_at < utcnow():
            raise NotFound("This invitation link is not valid any more. Ask for a new one.")
        problems: dict[str, str] = {}
        if not name.strip() or len(name.strip()) > 120:
            problems["name"] = "Enter your name (at most 120 characters)."
        if (p := rules.password_problem(password, email=user.email)) is not None:
            problems["password"] = p
        if problems:
            raise Invalid("Some fields need your attention.", fields=problems)
        user.name, user.password_hash = name.strip(), hash_password(password)
        user.invite_hash = user.invite_expires_at = None
        activity.record(
            uow,
            "accounts.invitation.accepted",
            Subject("user", user.id, user.label),
            actor=Actor(user.id, user.label),
        )
        uow.commit()
    return user


def _check_throttle(uow: UnitOfWork, *, email: str, ip: str, settings: Settings) -> None:
    """Refuse while an e-mail (or, ten times over, an address) has failed too often."""
    now = utcnow()
    since = now - timedelta(seconds=settings.login_window_seconds)
    waits = [
        rules.retry_after(
            queries.failures_since_success(uow, email, since),
            now=now,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
        )
    ]
    if ip:
        waits.append(
            rules.retry_after(
                queries.failures_from(uow, ip, since),
                now=now,
                max_failures=settings.login_max_failures * 10,
                window_seconds=settings.login_window_seconds,
            )
        )
    if wait := max(waits):
        raise TooManyRequests(
            "Too many failed sign-in attempts. Try again in {seconds} s.",
            retry_after=wait,
            seconds=wait,
        )


def _open_session(
    uow: UnitOfWork, user: User, *, settings: Settings, ip: str, user_agent: str
) -> str:
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(days=settings.session_days)
    uow.add(
        UserSession(
            user_id=user.id,
            token_hash=rules.hash_token(raw),
            created_at=now,
            expires_at=expires,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return raw


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    settings: Settings,
    ip: str = "",
    user_agent: str = "",
) -> tuple[User, str]:
    """Check credentials (throttled) and open a server-side session.

    Returns the user and the raw session token for the cookie; only its hash is stored.
    """
    email = rules.normalise_email(email)
    with uow:
        _check_throttle(uow, email=email, ip=ip, settings=settings)
        user = uow.session.scalar(select(User).where(User.email == email))
        ok = _verify(user.password_hash if user else None, password)
        ok = ok and user is not None and user.is_active
        uow.add(LoginAttempt(email=email, ip=ip[:64], at=utcnow(), succeeded=ok))
        if not ok or user is None:
            uow.commit()
            raise Unauthenticated("Wrong e-mail or password.")
        raw = _open_session(uow, user, settings=settings, ip=ip, user_agent=user_agent)
        if _hasher().check_needs_rehash(user.password_hash or ""):
            user.password_hash = hash_password(password)
        uow.commit()
    return user, raw


def record_token_use(uow: UnitOfWork, *, token_id: int) -> None:
    """Note when a token was last used (the lookup itself is a read: see queries)."""
    with uow:
        uow.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
        )
        uow.commit()


def sign_out(uow: UnitOfWork, *, token: str) -> None:
    with uow:
        uow.session.execute(
            update(UserSession)
            .where(
                UserSession.token_hash == rules.hash_token(token), UserSession.revoked_at.is_(None)
            )
            .values(revoked_at=utcnow())
        )
        uow.commit()


def revoke_session(uow: UnitOfWork, *, session_id: int, actor: Actor) -> None:
    with uow:
        sess = uow.get(UserSession, session_id, what=N_("session"))
        if sess.user_id != actor.id and not actor.is_admin:
            raise NotFound(NOT_FOUND, what=Label("session", N_("session")), ident=session_id)
        sess.revoked_at = sess.revoked_at or utcnow()
        activity.record(uow, "accounts.session.revoked", Subject("session", sess.id), actor=actor)
        uow.commit()


def change_password(
    uow: UnitOfWork, *, actor: Actor, current: str, new: str, keep_session_token: str | None = None
) -> None:
    """Change one's password; every other session of the user is revoked."""
    with uow:
        user = uow.get(User, actor.id or 0, what=N_("user"))
        if not _verify(user.password_hash, current):
            raise Invalid("Your current password is not correct.", field="current_password")
        if (p := rules.password_problem(new, email=user.email)) is not None:
            raise Invalid(p, field="new_password")
        user.password_hash = hash_password(new)
        keep = rules.hash_token(keep_session_token) if keep_session_token else ""
        uow.session.execute(
            update(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.token_hash != keep,
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        activity.record(
            uow, "accounts.password.changed", Subject("user", user.id, user.label), actor=actor
        )
        uow.commit()


def create_api_token(
    uow: UnitOfWork, *, actor: Actor, name: str, user_email: str | None = None
) -> tuple[ApiToken, str]:
    """A new API token for the actor (or, for an administrator, another user)."""
    name = name.strip()
    if len(name) > 100:
        raise Invalid("Use at most 100 characters.", field="name")
    with uow:
        if user_email is not None:
            if not actor.is_admin:
                raise Forbidden("Only administrators can create tokens for others.")
            user = uow.session.scalar(
                select(User).where(User.email == rules.normalise_email(user_email))
            )
            if user is None:
                raise NotFound("No user has the e-mail {email}.", email=user_email)
        else:
            user = uow.get(User, actor.id or 0, what=N_("user"))
        raw = rules.TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user.id,
            name=name or "token",
            prefix=raw[:10],
            token_hash=rules.hash_token(raw),
            created_at=utcnow(),
        )
        uow.add(token)
        uow.flush()
        activity.record(
            uow, "accounts.token.created", Subject("api_token", token.id, token.name), actor=actor
        )
        uow.commit()
    return token, raw


def revoke_api_token(uow: UnitOfWork, *, token_id: int, actor: Actor) -> None:
    with uow:
        token = uow.get(ApiToken, token_id, what=N_("token"))
        if token.user_id != actor.id and not actor.is_admin:
            raise NotFound(NOT_FOUND, what=Label("token", N_("token")), ident=token_id)
        token.revoked_at = token.revoked_at or utcnow()
        activity.record(
            uow, "accounts.token.revoked", Subject("api_token", token.id, token.name), actor=actor
        )
        uow.commit()


def set_language(uow: UnitOfWork, *, actor: Actor, language: str) -> None:
    if language not in LANGUAGES:
        raise Invalid("Choose English or French.", field="language")
    with uow:
        user = uow.get(User, actor.id or 0, what=N_("user"))
        if user.language != language:
            activity.record(
                uow,
                "accounts.language.changed",
                Subject("user", user.id, user.label),
                actor=actor,
                changes={"language": [user.language, language]},
            )
            user.language = language
        uow.commit()
