"""Feedback pages: the inbox with its filters, entering feedback (with the "similar feedback
already exists" panel), one feedback (edit, triage, delete, link as evidence), and an item's
evidence (shown on the item page, with "Use as RICE reach")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.backlog.rules import TYPE_LABELS
from jalon.errors import JalonError
from jalon.feedback import queries, rules, services
from jalon.permissions import Action, can
from jalon.products import queries as product_queries
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
FIELDS = ("text", "author_name", "author_email", "customer_id", "rating", "sentiment",
          "received_at")  # fmt: skip


def common(ctx: web.Ctx, role: Any) -> dict[str, Any]:
    return {
        "can": {a: can(role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "source_labels": rules.SOURCE_LABELS,
        "state_labels": rules.STATE_LABELS,
        "importance_labels": rules.IMPORTANCE_LABELS,
        "triage": rules.TRIAGE,
        "type_labels": TYPE_LABELS,
        "errors": {},
        "form": {},
    }


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.strip().isdigit() else None


def _filters(request: Request) -> queries.Filters:
    q = request.query_params
    return queries.Filters(
        source=q.get("source", "") if q.get("source", "") in rules.SOURCE_LABELS else "",
        state=q.get("state", "") if q.get("state", "") in (*rules.STATE_LABELS, "all") else "",
        customer_id=_int(q.get("customer_id")),
        segment_id=_int(q.get("segment_id")),
        linked=q.get("linked", "") if q.get("linked", "") in ("yes", "no") else "",
        q=q.get("q", "")[:200],
        page=_int(q.get("page")) or 1,
    )


# --- the inbox ----------------------------------------------------------------------------------


@router.get("/products/{product_id}/feedback")
def inbox(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    filters = _filters(request)
    view = queries.list_feedback(
        ctx.db.reader(), actor=actor, product_id=product_id, filters=filters
    )
    context = {
        **common(ctx, view.role),
        "view": view,
        "p": view.product,
        "filters": filters,
        "done": request.query_params.get("done", ""),
    }
    return web.render(request, "feedback/inbox.html", context)


def _entry_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = queries.list_feedback(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, filters=queries.Filters(),
        per_page=1,
    )  # fmt: skip
    context = {**common(ctx, view.role), "view": view, "p": view.product, **extra}
    return web.render(request, "feedback/new.html", context, status=status)


@router.get("/products/{product_id}/feedback/new")
def new_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _entry_page(request, ctx, product_id)


async def _form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, "")) for name in FIELDS}


FormValues = Annotated[dict[str, str], Depends(_form_values)]


@router.post("/products/{product_id}/feedback")
def create(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, values: FormValues
) -> Response:
    try:
        made = services.create_feedback(
            ctx.db.uow(), actor=actor, product_id=product_id, values=values
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _entry_page(request, ctx, product_id, status=exc.status, errors=errors, form=values)
    return web.redirect(f"/feedback/{made.id}?done=created", request)


@router.get("/products/{product_id}/feedback/similar")
def similar(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, text: str = ""
) -> Response:
    """The "similar feedback already exists" panel, for the text being typed."""
    found = queries.similar_feedback(
        ctx.db.reader(), actor=actor, product_id=product_id, text=text[: rules.MAX_TEXT]
    )
    context = {"similar": found, "text": text, "product_id": product_id,
               "quote": rules.quote}  # fmt: skip
    return web.render(request, "feedback/similar.html", context, fragment="feedback/_similar.html")


# --- one feedback -------------------------------------------------------------------------------


def _detail_page(
    request: Request, ctx: web.Ctx, feedback_id: int, *, status: int = 200, **extra: Any
) -> Response:
    detail = queries.get_feedback(ctx.db.reader(), actor=ctx.actor, feedback_id=feedback_id)
    f = detail.feedback
    q = request.query_params.get("q", "")
    candidates = None
    if q or request.query_params.get("link"):
        candidates = queries.link_candidates(
            ctx.db.reader(), actor=ctx.actor, product_id=f.product_id, q=q
        )
    values = {n: "" if getattr(f, n, None) is None else str(getattr(f, n)) for n in FIELDS}
    values["received_at"] = f.received_at.date().isoformat()
    context = {
        **common(ctx, detail.role),
        "d": detail,
        "f": f,
        "p": detail.product,
        "q": q,
        "candidates": candidates,
        "form": values,
        "done": request.query_params.get("done", ""),
        **extra,
    }
    return web.render(request, "feedback/detail.html", context, status=status)


@router.get("/feedback/{feedback_id}")
def show(request: Request, ctx: CtxDep, _actor: ActorDep, feedback_id: int) -> Response:
    return _detail_page(request, ctx, feedback_id)


@router.post("/feedback/{feedback_id}/edit")
def edit(
    request: Request, ctx: CtxDep, actor: ActorDep, feedback_id: int, values: FormValues
) -> Response:
    try:
        services.update_feedback(ctx.db.uow(), actor=actor, feedback_id=feedback_id, values=values)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        return _detail_page(
            request, ctx, feedback_id, status=exc.status, errors=errors, form=values, editing=True
        )
    return web.redirect(f"/feedback/{feedback_id}?done=saved", request)


@router.post("/feedback/{feedback_id}/state")
def triage(
    request: Request, ctx: CtxDep, actor: ActorDep, feedback_id: int, state: Text = ""
) -> Response:
    services.set_state(ctx.db.uow(), actor=actor, feedback_id=feedback_id, state=state)
    return web.redirect(f"/feedback/{feedback_id}?done={state}", request)


@router.post("/feedback/{feedback_id}/delete")
def delete(request: Request, ctx: CtxDep, actor: ActorDep, feedback_id: int) -> Response:
    product_id = services.delete_feedback(ctx.db.uow(), actor=actor, feedback_id=feedback_id)
    return web.redirect(f"/products/{product_id}/feedback?done=deleted", request)


@router.post("/feedback/{feedback_id}/links")
def link(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    feedback_id: int,
    target: Text = "",
    importance: Text = "2",
) -> Response:
    """Link to `item:<id>` or `opportunity:<id>` with an importance."""
    kind, _, ident = target.partition(":")
    ids = {"item_id": _int(ident) if kind == "item" else None,
           "opportunity_id": _int(ident) if kind == "opportunity" else None}  # fmt: skip
    try:
        services.link_feedback(
            ctx.db.uow(), actor=actor, feedback_id=feedback_id, importance=importance, **ids
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = {"link": " ".join(exc.render_fields(ctx.gettext).values()) or exc.render()}
        return _detail_page(request, ctx, feedback_id, status=exc.status, link_errors=errors)
    return web.redirect(f"/feedback/{feedback_id}?done=linked#evidence", request)


@router.post("/feedback/{feedback_id}/links/{link_id}/remove")
def unlink(
    request: Request, ctx: CtxDep, actor: ActorDep, feedback_id: int, link_id: int
) -> Response:
    services.unlink_feedback(ctx.db.uow(), actor=actor, link_id=link_id, feedback_id=feedback_id)
    return web.redirect(f"/feedback/{feedback_id}?done=unlinked#evidence", request)


# --- an item's evidence -------------------------------------------------------------------------


@router.get("/items/{item_id}/evidence")
def evidence(request: Request, ctx: CtxDep, actor: ActorDep, item_id: int) -> Response:
    found = queries.item_evidence(ctx.db.reader(), actor=actor, item_id=item_id)
    row = product_queries.get_product(ctx.db.reader(), product_id=found.product_id, actor=actor)
    context = {
        **common(ctx, found.role),
        "evidence": found,
        "item": found.item,
        "p": row.product,
        "reach_set": request.query_params.get("reach", ""),
    }
    return web.render(
        request, "feedback/evidence.html", context, fragment="feedback/_evidence.html"
    )


@router.post("/items/{item_id}/evidence/reach")
def use_as_reach(request: Request, ctx: CtxDep, actor: ActorDep, item_id: int) -> Response:
    """Set the item's RICE reach to its weighted demand."""
    reach = services.use_as_reach(ctx.db.reader(), ctx.db.uow(), actor=actor, item_id=item_id)
    return web.redirect(f"/items/{item_id}?reach={reach}#evidence", request)
