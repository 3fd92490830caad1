"""JSON shapes of the products API. Unknown fields are refused; lengths are bounded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jalon.permissions import Role
from jalon.products.rules import LIMITS, MAX_REASON, Stage


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProductCreate(_In):
    name: str = Field(min_length=1, max_length=LIMITS["name"])
    vision: str = Field("", max_length=LIMITS["vision"])
    target_users: str = Field("", max_length=LIMITS["target_users"])
    product_goal: str = Field("", max_length=LIMITS["product_goal"])


class ProductUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=LIMITS["name"])
    vision: str | None = Field(None, max_length=LIMITS["vision"])
    target_users: str | None = Field(None, max_length=LIMITS["target_users"])
    product_goal: str | None = Field(None, max_length=LIMITS["product_goal"])


class ProductForm(BaseModel):
    """The product form of the pages; lengths are checked by the service, per field."""

    name: str = ""
    vision: str = ""
    target_users: str = ""
    product_goal: str = ""


class StageChange(_In):
    stage: Stage
    reason: str = Field("", max_length=MAX_REASON)


class MemberAdd(_In):
    email: str = Field(min_length=3, max_length=254)
    role: Role


class MemberRoleChange(_In):
    role: Role


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    vision: str
    target_users: str
    product_goal: str
    stage: Stage
    created_at: datetime
    updated_at: datetime
    role: Role | None = None
    allowed_stages: list[Stage] = []


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_stage: Stage | None
    to_stage: Stage
    reason: str
    actor_id: int | None
    actor_label: str
    at: datetime


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: Role
    invited: bool
    invitation_url: str | None = None


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    subject_type: str
    subject_id: int | None
    subject_label: str
    changes: dict[str, list[Any]]
