"""Discovery pages: the opportunity solution tree, one node (edit, move, hypothesis,
children, experiments) and the assumption map with its SVG and PNG downloads.

Every page works without JavaScript: nodes fold with <details>, forms post and redirect.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.charts.view import MEDIA, download
from jalon.charts.view import view as chart_view
from jalon.discovery import charts, queries, rules, services
from jalon.errors import JalonError, NotFound
from jalon.permissions import Action, Role, can
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]


async def form_values(request: Request) -> dict[str, str]:
    """A posted form's text fields (for forms with many fields)."""
    form = await request.form()
    return {str(k): v for k, v in form.items() if isinstance(v, str)}


Fields = Annotated[dict[str, str], Depends(form_values)]
TREE = "/products/{}/discovery/tree"


def common(ctx: web.Ctx, role: Role | None, tab: str = "") -> dict[str, Any]:
    """What every discovery template reads: rights, labels, the open tab, no errors."""
    return {
        "can": {a.value: can(role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "kind_labels": rules.KIND_LABELS,
        "child_kind": rules.CHILD_KIND,
        "add_labels": rules.ADD_LABELS,
        "plural_labels": rules.PLURAL_LABELS,
        "method_labels": rules.METHOD_LABELS,
        "decision_labels": rules.DECISION_LABELS,
        "operators": rules.OPERATORS,
        "template": rules.HYPOTHESIS_TEMPLATE,
        "tab": tab,
        "met": _met,
        "errors": {},
        "form": {},
    }


def refused(exc: JalonError, ctx: web.Ctx) -> dict[str, str]:
    """The per-field messages of a refused form (other errors take the error page)."""
    if not exc.refused_form:
        raise exc
    return exc.render_fields(ctx.gettext) or {"": exc.render(ctx.gettext)}


# --- the tree ----------------------------------------------------------------------------------


def _tree_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    tree = queries.get_tree(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {**common(ctx, tree.role, "tree"), "p": tree.product, "tree": tree,
               "open_form": "", **extra}  # fmt: skip
    return web.render(request, "discovery/tree.html", context, status=status)


def _met(experiment: Any) -> bool | None:
    try:
        return rules.evaluate(services.as_mapping(experiment)).met
    except JalonError:
        return None


@router.get("/products/{product_id}/discovery/tree")
def tree_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _tree_page(request, ctx, product_id)


@router.post("/products/{product_id}/discovery/tree/nodes")
def add_node(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, form: Fields
) -> Response:
    kind, parent_id, back = form.get("kind", ""), form.get("parent_id", ""), form.get("back", "")
    values = {k: form.get(k, "") for k in ("title", "description", "importance", "evidence")}
    parent = int(parent_id) if parent_id.strip().isdigit() else None
    try:
        made = services.create_node(
            ctx.db.uow(), actor=actor, product_id=product_id, kind=kind, parent_id=parent,
            values=values,
        )  # fmt: skip
    except JalonError as exc:
        errors = refused(exc, ctx)
        if back == "node" and parent is not None:
            return node_page_response(request, ctx, parent, status=exc.status, errors=errors,
                                      form=values, open_form="child")  # fmt: skip
        return _tree_page(request, ctx, product_id, status=exc.status, errors=errors,
                          form=values, open_form=f"{kind}:{parent_id}")  # fmt: skip
    if back == "node" and parent is not None:
        return web.redirect(f"/discovery/nodes/{parent}?saved=child#children", request)
    return web.redirect(TREE.format(product_id) + f"#node-{made.id}", request)


# --- one node ----------------------------------------------------------------------------------


def node_page_response(
    request: Request, ctx: web.Ctx, node_id: int, *, status: int = 200, **extra: Any
) -> Response:
    page = queries.get_node(ctx.db.reader(), actor=ctx.actor, node_id=node_id)
    context = {
        **common(ctx, page.role, "tree"), "p": page.product, "page": page,
        "n": page.view.node, "saved": request.query_params.get("saved", ""),
        "open_form": "", **extra,
    }  # fmt: skip
    return web.render(request, "discovery/node.html", context, status=status)


@router.get("/discovery/nodes/{node_id}")
def node_page(request: Request, ctx: CtxDep, _actor: ActorDep, node_id: int) -> Response:
    return node_page_response(request, ctx, node_id)


@router.post("/discovery/nodes/{node_id}/edit")
def edit_node(
    request: Request, ctx: CtxDep, actor: ActorDep, node_id: int, title: Text = "",
    description: Text = "", importance: Text = "", evidence: Text = "",
) -> Response:  # fmt: skip
    values = {"title": title, "description": description, "importance": importance,
              "evidence": evidence}  # fmt: skip
    try:
        services.update_node(ctx.db.uow(), actor=actor, node_id=node_id, values=values)
    except JalonError as exc:
        errors = refused(exc, ctx)
        return node_page_response(request, ctx, node_id, status=exc.status, errors=errors,
                                  form=values, open_form="edit")  # fmt: skip
    return web.redirect(f"/discovery/nodes/{node_id}?saved=node", request)


@router.post("/discovery/nodes/{node_id}/move")
def move_node(
    request: Request, ctx: CtxDep, actor: ActorDep, node_id: int, parent_id: Text = "",
    step: Text = "", back: Text = "node",
) -> Response:  # fmt: skip
    """Up or down among its siblings (`step`), or under another parent (`parent_id`)."""
    parent = int(parent_id) if parent_id.strip().isdigit() else None
    moves = {"up": -1, "down": 1}
    try:
        node = services.move_node(ctx.db.uow(), actor=actor, node_id=node_id, parent_id=parent,
                                  step=moves.get(step, 0))  # fmt: skip
    except JalonError as exc:
        return node_page_response(
            request, ctx, node_id, status=exc.status, errors=refused(exc, ctx)
        )
    if back == "tree":
        return web.redirect(TREE.format(node.product_id) + f"#node-{node_id}", request)
    return web.redirect(f"/discovery/nodes/{node_id}?saved=moved", request)


@router.post("/discovery/nodes/{node_id}/delete")
def delete_node(request: Request, ctx: CtxDep, actor: ActorDep, node_id: int) -> Response:
    product_id = services.delete_node(ctx.db.uow(), actor=actor, node_id=node_id)
    return web.redirect(TREE.format(product_id) + "?deleted=1", request)


@router.post("/discovery/nodes/{node_id}/hypothesis")
def save_hypothesis(
    request: Request, ctx: CtxDep, actor: ActorDep, node_id: int, capability: Text = "",
    people: Text = "", outcome: Text = "", signal: Text = "",
) -> Response:  # fmt: skip
    values = {"capability": capability, "people": people, "outcome": outcome, "signal": signal}
    try:
        services.save_hypothesis(ctx.db.uow(), actor=actor, node_id=node_id, values=values)
    except JalonError as exc:
        errors = refused(exc, ctx)
        return node_page_response(request, ctx, node_id, status=exc.status, errors=errors,
                                  form=values, open_form="hypothesis")  # fmt: skip
    return web.redirect(f"/discovery/nodes/{node_id}?saved=hypothesis#hypothesis", request)


# --- the assumption map ------------------------------------------------------------------------


@router.get("/products/{product_id}/discovery/assumptions")
def map_page(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    found = queries.assumption_map(ctx.db.reader(), actor=actor, product_id=product_id)
    chart = charts.assumption_map(found.placed, ctx.gettext)
    href = f"/products/{product_id}/discovery/assumption-map"
    context = {
        **common(ctx, found.role, "map"), "p": found.product, "found": found,
        "chart": chart_view(chart, href=href), "is_test_first": rules.is_test_first,
    }  # fmt: skip
    return web.render(request, "discovery/map.html", context)


@router.get("/products/{product_id}/discovery/assumption-map.{extension}")
def map_download(ctx: CtxDep, actor: ActorDep, product_id: int, extension: str) -> Response:
    if extension not in MEDIA:
        raise NotFound("No such page.")
    found = queries.assumption_map(ctx.db.reader(), actor=actor, product_id=product_id)
    chart = charts.assumption_map(found.placed, ctx.gettext)
    return download(chart, extension, "assumption-map")
