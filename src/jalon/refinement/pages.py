"""Refinement pages: one item (shown, ticked, linked; its edit conflicts side by side) and a
product's backlog settings. Services do the work; `item_response` renders the item page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.backlog import rules as backlog_rules
from jalon.errors import JalonError
from jalon.permissions import Action, can
from jalon.refinement import queries, rules, services
from jalon.refinement.queries import ItemPage
from jalon.refinement.schemas import ItemForm, SettingsForm
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
COMPARED = (
    "title", "type", "status", "estimate", "business_value", "assignee_id", "parent_id",
    "due_date", "tags", "description", "acceptance_criteria",
)  # fmt: skip


# --- the item page --------------------------------------------------------------------------


def estimate_choices(scale: str, current: float | None) -> list[str]:
    """The values the estimate menu offers on the product's scale (plus an odd stored one)."""
    if backlog_rules.parse_scale(scale) is backlog_rules.Scale.TSHIRT:
        choices = list(backlog_rules.TSHIRT_POINTS)
    else:
        choices = [f"{p:g}" for p in backlog_rules.FIBONACCI_POINTS]
    shown = backlog_rules.estimate_label(scale, current)
    return choices if not shown or shown in choices else [*choices, shown]


def _label_of(page: ItemPage, gettext: Callable[[str], str]) -> Callable[[str, str], str]:
    """How a field's raw value reads on the conflict page (statuses, types, people…)."""
    members = {str(m.user.id): m.user.label for m in page.members}
    parents = {str(i.id): f"#{i.id} {i.title}" for i in [*page.parent_choices, *page.ancestors]}
    types = {t.value: gettext(label) for t, label in backlog_rules.TYPE_LABELS.items()}
    statuses = {k: gettext(v) for k, v in page.status_labels.items()}

    def label(name: str, raw: str) -> str:
        table = {"type": types, "status": statuses, "assignee_id": members, "parent_id": parents}
        found = table.get(name, {})
        return found.get(raw, raw)

    return label


def _saved_values(page: ItemPage) -> dict[str, str]:
    item, view = page.view.item, page.view
    scale = view.settings.scale
    value = item.business_value
    return {
        "title": item.title,
        "type": item.type,
        "status": item.status,
        "estimate": backlog_rules.estimate_label(scale, item.estimate),
        "business_value": "" if value is None else f"{value:g}",
        "assignee_id": str(item.assignee_id or ""),
        "parent_id": str(item.parent_id or ""),
        "due_date": item.due_date.isoformat() if item.due_date else "",
        "tags": ", ".join(view.tags),
        "description": item.description,
        "acceptance_criteria": item.acceptance_criteria,
    }


def _typed_values(form: ItemForm) -> dict[str, str]:
    typed = form.model_dump()
    tags = sorted({t.strip().lower() for t in form.tags.replace(";", ",").split(",") if t.strip()})
    return {name: str(typed.get(name) or "").strip() for name in COMPARED} | {
        "tags": ", ".join(tags)
    }


def _typed_form(form: ItemForm) -> dict[str, str]:
    return {k: str(v) for k, v in form.model_dump().items()}


def conflict_rows(page: ItemPage, form: ItemForm, gettext: Callable[[str], str]) -> list[Any]:
    """Both versions field by field: saved meanwhile, and typed by this user."""
    label = _label_of(page, gettext)
    theirs = {k: label(k, v) for k, v in _saved_values(page).items()}
    mine = {k: label(k, v) for k, v in _typed_values(form).items()}
    return rules.compare(theirs, mine)


def item_response(
    request: Request,
    ctx: web.Ctx,
    item_id: int,
    *,
    status: int = 200,
    form: ItemForm | None = None,
    conflict: str | None = None,
    **extra: Any,
) -> Response:
    """The item page; after a refused save, with the typed form (and a conflict's versions)."""
    page = queries.item_page(ctx.db.reader(), actor=ctx.actor, item_id=item_id)
    item = page.view.item
    context: dict[str, Any] = {
        "page": page,
        "view": page.view,
        "item": item,
        "p": page.product,
        "can": {a: can(page.role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "errors": {},
        "form": form,
        "values": _typed_form(form) if form else _saved_values(page),
        "conflict": conflict,
        "type_labels": backlog_rules.TYPE_LABELS,
        "types": list(backlog_rules.TYPE_LABELS),
        "estimates": estimate_choices(page.view.settings.scale, item.estimate),
        "estimate_shown": backlog_rules.estimate_label(page.view.settings.scale, item.estimate),
        "link_choices": rules.LINK_CHOICES,
        "checklist_names": rules.CHECKLISTS,
        "warning": request.query_params.get("warning", ""),
        **extra,
    }
    if conflict and form is not None:
        context["diffs"] = conflict_rows(page, form, ctx.gettext)
        context["last_edit"] = queries.last_edit(
            ctx.db.reader(), item_id=item.id, product_id=item.product_id
        )
    return web.render(request, "backlog/item.html", context, status=status)


@router.post("/items/{item_id}/checks")
def tick(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    item_id: int,
    checklist: Text = "",
    ticked: Texts = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    services.set_ticks(ctx.db.uow(), actor=actor, item_id=item_id, ticks={checklist: ticked})
    return web.redirect(f"/items/{item_id}#checklist-{checklist}", request)


@router.post("/items/{item_id}/links")
def add_link(
    request: Request, ctx: CtxDep, actor: ActorDep, item_id: int, kind: Text = "", to: Text = ""
) -> Response:
    try:
        to_id = rules.parse_item_ref(to)
        services.add_link(ctx.db.uow(), actor=actor, item_id=item_id, kind=kind, to_id=to_id)
    except JalonError as exc:
        if not exc.refused_form:
            raise
        errors = exc.render_fields(ctx.gettext)
        link_form = {"kind": kind, "to": to}
        return item_response(
            request, ctx, item_id, status=exc.status, link_errors=errors, link_form=link_form
        )
    return web.redirect(f"/items/{item_id}#links", request)


@router.post("/items/{item_id}/links/{link_id}/remove")
def remove_link(
    request: Request, ctx: CtxDep, actor: ActorDep, item_id: int, link_id: int
) -> Response:
    services.remove_link(ctx.db.uow(), actor=actor, item_id=item_id, link_id=link_id)
    return web.redirect(f"/items/{item_id}#links", request)


# --- backlog settings -----------------------------------------------------------------------


def _settings_page(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    *,
    draft: rules.Draft | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    view = queries.get_settings(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    saved = view.settings
    draft = draft or rules.Draft(
        statuses=[dict(s) for s in saved.statuses],
        scale=saved.scale,
        ready=list(saved.definition_of_ready),
        done=list(saved.definition_of_done),
    )
    context = {
        "view": view,
        "p": view.product,
        "draft": draft,
        "statuses": [s for s in draft.statuses if s.get("key") or s.get("label")],
        "can_edit": can(view.role, Action.EDIT_PRODUCT, is_admin=ctx.actor.is_admin),
        "categories": backlog_rules.CATEGORY_LABELS,
        "scales": backlog_rules.SCALE_LABELS,
        "checklist_names": rules.CHECKLISTS,
        "saved_keys": {s["key"] for s in saved.statuses},
        "saved": request.query_params.get("saved") == "1",
        "errors": {},
        "move_to": "",
        **extra,
    }
    return web.render(request, "refinement/settings.html", context, status=status)


@router.get("/products/{product_id}/backlog-settings")
def show_settings(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _settings_page(request, ctx, product_id)


@router.post("/products/{product_id}/backlog-settings")
def save_settings(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    form: Annotated[SettingsForm, Form()],
) -> Response:
    """Save the settings; the button pressed may first move or remove a row (`op`)."""
    draft = rules.Draft(
        statuses=form.statuses(), scale=form.scale, ready=form.ready, done=form.done
    )
    draft = rules.apply_op(draft, form.op)
    move_to = form.move_to or None
    try:
        services.update_settings(
            ctx.db.uow(), actor=actor, product_id=product_id, draft=draft, move_to=move_to
        )
    except JalonError as exc:
        if not exc.refused_form:
            raise
        return _settings_page(
            request,
            ctx,
            product_id,
            draft=draft,
            status=exc.status,
            errors=exc.render_fields(ctx.gettext),
            message=exc.render(ctx.gettext),
            move_to=form.move_to,
        )
    return web.redirect(f"/products/{product_id}/backlog-settings?saved=1", request)
