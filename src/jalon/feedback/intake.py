"""The feedback intake endpoint: support tools and forms post feedback to it with the
product's intake token (`X-Intake-Token`, or `Authorization: Bearer jif_…`).

Its own router: an intake token stands on its own, like an API token, so a call bearing one
needs no CSRF token; a call without one is a person's (API token or session), checked as
everywhere else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request

from jalon import web
from jalon.errors import Unauthenticated
from jalon.feedback import services
from jalon.feedback.schemas import IntakeIn, IntakeOut
from jalon.web import CtxDep


def intake_token(request: Request) -> str:
    """The intake token sent as `X-Intake-Token`, or as a bearer token (`jif_…`)."""
    header = request.headers.get("x-intake-token", "").strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if not header and scheme.lower() == "bearer":
        header = value.strip() if value.strip().startswith(web.INTAKE_TOKEN_PREFIX) else ""
    return header


async def intake_auth(request: Request, ctx: CtxDep) -> None:
    """An intake token stands on its own (browsers never send it); without one, the caller
    is a person, and a browser's call carries its CSRF token."""
    if not intake_token(request):
        await web.verify_csrf(request, ctx)


router = APIRouter(prefix="/api/v1", tags=["feedback"], dependencies=[Depends(intake_auth)])
IntakeBody = Annotated[IntakeIn | list[IntakeIn], Body()]


@router.post(
    "/products/{product_id}/intake",
    response_model=IntakeOut,
    status_code=201,
    responses={**web.API_ERRORS, 401: {"description": "Missing or wrong intake token"}},
    summary="Send feedback with the product's intake token (one object, or a list of up to 500)",
)
def intake(product_id: int, body: IntakeBody, request: Request, ctx: CtxDep) -> IntakeOut:
    rows = [b.model_dump() for b in (body if isinstance(body, list) else [body])]
    token = intake_token(request)
    if not token and ctx.user is None:
        raise Unauthenticated(
            "Send the product's intake token as X-Intake-Token or Authorization: Bearer."
        )
    written = services.receive_intake(
        ctx.db.uow(), product_id=product_id, rows=rows, token=token,
        actor=None if token else ctx.actor,
    )  # fmt: skip
    return IntakeOut(created=written.created, updated=written.updated)
