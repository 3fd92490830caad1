"""Product use cases: create, edit, move through the lifecycle, manage members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from jalon import activity
from jalon.accounts import rules as account_rules
from jalon.accounts import services as account_services
from jalon.accounts.models import User
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Forbidden, Invalid, Label, NotFound
from jalon.permissions import Action, Actor, Role, can
from jalon.products import rules
from jalon.products.models import Membership, Product, StageTransition
from jalon.uow import NOT_FOUND, UnitOfWork

TEXT_FIELDS = ("name", "vision", "target_users", "product_goal")


def role_of(uow: UnitOfWork, *, product_id: int, user_id: int | None) -> Role | None:
    if user_id is None:
        return None
    role = uow.session.scalar(
        select(Membership.role).where(
            Membership.product_id == product_id, Membership.user_id == user_id
        )
    )
    return Role(role) if role else None


def authorise(uow: UnitOfWork, *, product_id: int, actor: Actor, action: Action) -> Product:
    """Load a product the actor may act on; 404 if they may not even see it, else 403."""
    product = uow.get(Product, product_id, what=N_("product"))
    role = role_of(uow, product_id=product_id, user_id=actor.id)
    if not can(role, Action.READ, is_admin=actor.is_admin):
        raise NotFound(NOT_FOUND, what=Label("product", N_("product")), ident=product_id)
    if not can(role, action, is_admin=actor.is_admin):
        raise Forbidden("Your role on this product does not allow this.")
    return product


def _clean(values: dict[str, str | None]) -> dict[str, str]:
    cleaned = {
        k: (v or "").strip() for k, v in values.items() if k in TEXT_FIELDS and v is not None
    }
    if problems := rules.product_field_problems(cleaned):
        raise Invalid("Some fields need your attention.", fields=problems)
    return cleaned


def _subject(product: Product) -> Subject:
    return Subject("product", product.id, product.name)


def _transition(
    product: Product,
    current: rules.Stage | None,
    target: rules.Stage,
    *,
    actor: Actor,
    reason: str,
    at: datetime,
) -> StageTransition:
    return StageTransition(
        product_id=product.id,
        from_stage=current.value if current else None,
        to_stage=target.value,
        reason=reason,
        actor_id=actor.id,
        actor_label=actor.label,
        at=at,
    )


def create_product(
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    vision: str = "",
    target_users: str = "",
    product_goal: str = "",
    stage: str = rules.Stage.IDEA,
) -> Product:
    """Create a product; its creator becomes its Product Owner."""
    values = _clean(
        {"name": name, "vision": vision, "target_users": target_users, "product_goal": product_goal}
    )
    first = rules.parse_stage(stage)
    with uow:
        now = utcnow()
        product = Product(**values, stage=first.value, created_at=now, updated_at=now)
        uow.add(product)
        uow.flush()
        if actor.id is not None:
            uow.add(Membership(product_id=product.id, user_id=actor.id, role=Role.OWNER.value))
        uow.add(_transition(product, None, first, actor=actor, reason="", at=now))
        activity.record(
            uow,
            "products.product.created",
            _subject(product),
            actor=actor,
            product_id=product.id,
            changes={k: [None, v] for k, v in values.items() if v} | {"stage": [None, first.value]},
        )
        uow.commit()
    return product


def update_product(
    uow: UnitOfWork, *, product_id: int, actor: Actor, changes: dict[str, str | None]
) -> Product:
    values = _clean(changes)
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        before = {k: getattr(product, k) for k in values}
        diff = activity.diff(before, values)
        if diff:
            for key, value in values.items():
                setattr(product, key, value)
            product.updated_at = utcnow()
            activity.record(
                uow,
                "products.product.updated",
                _subject(product),
                actor=actor,
                product_id=product.id,
                changes=diff,
            )
        uow.commit()
    return product


@dataclass(frozen=True)
class TransitionResult:
    product: Product
    transition: StageTransition


def change_stage(
    uow: UnitOfWork, *, product_id: int, actor: Actor, stage: str, reason: str = ""
) -> TransitionResult:
    target = rules.parse_stage(stage)
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.CHANGE_STAGE)
        current = rules.Stage(product.stage)
        reason = rules.check_transition(current, target, reason)
        now = utcnow()
        transition = _transition(product, current, target, actor=actor, reason=reason, at=now)
        uow.add(transition)
        product.stage, product.updated_at = target.value, now
        activity.record(
            uow,
            "products.stage.changed",
            _subject(product),
            actor=actor,
            product_id=product.id,
            changes={"stage": [current.value, target.value]}
            | ({"reason": [None, reason]} if reason else {}),
        )
        uow.commit()
    return TransitionResult(product, transition)


@dataclass(frozen=True)
class MemberResult:
    membership: Membership
    user: User
    invitation_token: str | None


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(
            "Unknown role {role!r}; roles are {roles}.",
            field="role",
            role=role,
            roles=", ".join(Role),
        ) from None


def add_member(
    uow: UnitOfWork, *, product_id: int, actor: Actor, email: str, role: str
) -> MemberResult:
    """Give someone a role on the product, inviting them if they have no account yet."""
    parsed = _parse_role(role)
    email = account_rules.normalise_email(email)
    if problem := account_rules.email_problem(email):
        raise Invalid(problem, field="email")
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.MANAGE_MEMBERS)
        user = uow.session.scalar(select(User).where(User.email == email))
        token = None
        if user is None:
            user, token = account_services.invite_user(uow, email=email, actor=actor)
        elif role_of(uow, product_id=product_id, user_id=user.id) is not None:
            raise Conflict(
                "{email} is already a member; change their role instead.",
                field="email",
                email=email,
            )
        elif user.password_hash is None and user.is_active:
            token = account_services.renew_invitation(user)  # the newest link is the one that works
        membership = Membership(product_id=product.id, user_id=user.id, role=parsed.value)
        uow.add(membership)
        uow.flush()
        activity.record(
            uow,
            "products.member.added",
            Subject("user", user.id, user.label),
            actor=actor,
            product_id=product.id,
            changes={"role": [None, parsed.value]},
        )
        uow.commit()
    return MemberResult(membership, user, token)


def _owner_count(uow: UnitOfWork, product_id: int) -> int:
    return len(
        list(
            uow.session.scalars(
                select(Membership.id).where(
                    Membership.product_id == product_id, Membership.role == Role.OWNER.value
                )
            )
        )
    )


def change_member_role(
    uow: UnitOfWork, *, product_id: int, actor: Actor, user_id: int, role: str
) -> Membership:
    parsed = _parse_role(role)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.MANAGE_MEMBERS)
        membership = _membership(uow, product_id, user_id)
        if (
            membership.role == Role.OWNER
            and parsed != Role.OWNER
            and _owner_count(uow, product_id) == 1
        ):
            raise Conflict("A product keeps at least one Product Owner.", field="role")
        if membership.role != parsed.value:
            user = uow.get(User, user_id, what=N_("user"))
            activity.record(
                uow,
                "products.member.role_changed",
                Subject("user", user.id, user.label),
                actor=actor,
                product_id=product_id,
                changes={"role": [membership.role, parsed]},
            )
            membership.role = parsed.value
        uow.commit()
    return membership


def remove_member(uow: UnitOfWork, *, product_id: int, actor: Actor, user_id: int) -> None:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.MANAGE_MEMBERS)
        membership = _membership(uow, product_id, user_id)
        if membership.role == Role.OWNER and _owner_count(uow, product_id) == 1:
            raise Conflict("A product keeps at least one Product Owner.", field="user_id")
        user = uow.get(User, user_id, what=N_("user"))
        activity.record(
            uow,
            "products.member.removed",
            Subject("user", user.id, user.label),
            actor=actor,
            product_id=product_id,
            changes={"role": [membership.role, None]},
        )
        uow.session.delete(membership)
        uow.commit()


def _membership(uow: UnitOfWork, product_id: int, user_id: int) -> Membership:
    membership = uow.session.scalar(
        select(Membership).where(Membership.product_id == product_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFound("user {ident} is not a member of this product", ident=user_id)
    return membership
