"""Learning path pages: the Academy home, the path, a module (lesson, exercise, quiz), the
certificate. Services do the writes; `results` and `queries` the reads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.academy.path import content, exercises, results, rules, services
from jalon.db import utcnow
from jalon.errors import N_, JalonError, Label, NotFound
from jalon.uow import NOT_FOUND
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/academy", include_in_schema=False, dependencies=[Depends(web.verify_csrf)]
)
Text = Annotated[str, Form()]


def _module(key: str) -> rules.Module:
    if key not in rules.BY_KEY:
        raise NotFound(NOT_FOUND, what=Label("module", N_("module")), ident=key)
    return rules.BY_KEY[key]


def _labels() -> dict[str, Any]:
    return {"status_labels": rules.STATUS_LABELS, "kind_labels": rules.ASSIGNMENT_KIND_LABELS,
            "modules": rules.BY_KEY, "pass_mark": rules.QUIZ_PASS_PERCENT}  # fmt: skip


@router.get("")
def home(request: Request, ctx: CtxDep, actor: ActorDep) -> Response:
    found = results.home_view(ctx.db.reader(), actor=actor, language=ctx.language)
    return web.render(request, "academy/home.html", {"home": found, **_labels()})


@router.get("/path")
def path_page(
    request: Request, ctx: CtxDep, actor: ActorDep, user_id: int | None = None
) -> Response:
    """The learner's path; a trainer or an administrator may read a trainee's (`user_id`)."""
    who = user_id if user_id is not None else actor.id or 0
    found = results.progress_view(ctx.db.reader(), actor=actor, user_id=who)
    context = {"progress": found, "own": who == actor.id, "order": rules.MODULES, **_labels()}
    return web.render(request, "academy/path.html", context)


def _module_page(
    request: Request, ctx: web.Ctx, key: str, *, status: int = 200, **extra: Any
) -> Response:
    module = _module(key)
    page = results.module_page(ctx.db.reader(), actor=ctx.actor)
    where = module.where.format(product=page.sandbox_product, sprint=page.sandbox_sprint)
    context = {
        "module": module,
        "lesson": content.without_title(content.lesson(key, ctx.language)),
        "state": page.progress.state(key),
        "page": page,
        "where": where if page.sandbox_product else "",
        "position": rules.MODULE_KEYS.index(key) + 1,
        "criteria": None,
        "error": "",
        "quiz_count": rules.QUIZ_QUESTIONS,
        **_labels(),
        **extra,
    }
    return web.render(request, "academy/module.html", context, status=status)


@router.get("/modules/{key}")
def module_page(request: Request, ctx: CtxDep, _actor: ActorDep, key: str) -> Response:
    return _module_page(request, ctx, key)


@router.post("/modules/{key}/read")
def mark_read(request: Request, ctx: CtxDep, actor: ActorDep, key: str) -> Response:
    services.mark_lesson_read(ctx.db.uow(), actor=actor, module=_module(key).key)
    return web.redirect(f"/academy/modules/{key}#exercise", request)


@router.post("/modules/{key}/check")
def check(request: Request, ctx: CtxDep, actor: ActorDep, key: str) -> Response:
    try:
        criteria = services.check_exercise(ctx.db.uow(), actor=actor, module=_module(key).key)
    except JalonError as exc:
        if exc.status != 409:
            raise
        return _module_page(request, ctx, key, status=409, error=exc.render(ctx.gettext))
    return _module_page(request, ctx, key, criteria=criteria, passed=exercises.passed(criteria))


@router.post("/sandbox")
def open_sandbox(request: Request, ctx: CtxDep, actor: ActorDep, module: Text = "") -> Response:
    services.open_sandbox(ctx.db.uow(), actor=actor, language=ctx.language)
    target = f"/academy/modules/{module}#exercise" if module in rules.BY_KEY else "/academy/path"
    return web.redirect(target, request)


@router.get("/certificate.pdf")
def certificate_pdf(ctx: CtxDep, actor: ActorDep) -> Response:
    from jalon.academy.path import certificate  # fpdf2 loads only when a PDF is asked for

    done = results.certificate_for(ctx.db.reader(), actor=actor)
    when = rules.completed_on(done.states)
    body = certificate.render(
        name=done.label,
        completed=when.date() if when else utcnow().date(),
        module_titles=[ctx.gettext(m.title) for m in rules.MODULES],
        language=ctx.language,
        gettext=ctx.gettext,
    )
    headers = {"Content-Disposition": 'attachment; filename="jalon-po-path-certificate.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)
