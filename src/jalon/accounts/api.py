"""Accounts JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jalon import web
from jalon.accounts.schemas import UserOut
from jalon.web import CtxDep

router = APIRouter(prefix="/api/v1", tags=["accounts"], dependencies=[Depends(web.verify_csrf)])


@router.get("/me", response_model=UserOut, summary="The authenticated user")
def me(ctx: CtxDep) -> UserOut:
    ctx.actor  # noqa: B018  (raises 401 when nobody is signed in)
    return UserOut.model_validate(ctx.user)
