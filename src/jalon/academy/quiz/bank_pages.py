"""Trainers' bank pages (questions with statistics, import, export) and the attributions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from jalon import web
from jalon.academy.quiz import rules, services, stats
from jalon.errors import N_, Invalid
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
MAX_UPLOAD = 2_000_000
MEDIA = {"yaml": "application/yaml", "gift": "text/plain"}


@router.get("/academy/questions")
def questions_page(
    request: Request, ctx: CtxDep, actor: ActorDep, topic: str = "", flag: str = ""
) -> HTMLResponse:
    rows = stats.list_questions(ctx.db.reader(), actor=actor, topic=topic or None,
                                flag=flag or None)  # fmt: skip
    return web.render(
        request,
        "academy/quiz/questions.html",
        {"rows": rows, "topic": topic, "flag": flag, "rules": rules,
         "topic_labels": rules.TOPIC_LABELS, "flag_labels": rules.FLAG_LABELS},
    )  # fmt: skip


def _bank_page(
    request: Request, ctx: CtxDep, actor: ActorDep, *, status: int = 200,
    report: services.Imported | None = None, errors: str = "", message: str = "",
) -> HTMLResponse:  # fmt: skip
    rows = stats.list_questions(ctx.db.reader(), actor=actor)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.source] = counts.get(row.source, 0) + 1
    return web.render(
        request,
        "academy/quiz/bank.html",
        {"counts": counts, "report": report, "errors": errors, "message": message,
         "topics": rules.TOPICS, "topic_labels": rules.TOPIC_LABELS},
        status=status,
    )  # fmt: skip


@router.get("/academy/bank")
def bank_page(request: Request, ctx: CtxDep, actor: ActorDep) -> HTMLResponse:
    return _bank_page(request, ctx, actor)


@router.post("/academy/bank/import")
async def import_bank(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    file: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form()] = "yaml",
    dry_run: Annotated[str, Form()] = "",
) -> Response:
    raw = await file.read(MAX_UPLOAD + 1) if file is not None else b""
    try:
        text = _decode(raw)
        report = services.import_bank(
            ctx.db.uow(), actor=actor, text=text, fmt=format, dry_run=bool(dry_run),
            source=(file.filename if file is not None and file.filename else "upload"),
        )  # fmt: skip
    except Invalid as exc:
        fields = exc.render_fields(ctx.gettext)
        detail = fields.get("file") or "\n".join(fields.values())
        return _bank_page(request, ctx, actor, status=422, errors=detail,
                          message=exc.render(ctx.gettext))  # fmt: skip
    return _bank_page(request, ctx, actor, report=report)


def _decode(raw: bytes) -> str:
    if not raw:
        raise Invalid(N_("Choose a file to import."), field="file")
    if len(raw) > MAX_UPLOAD:
        raise Invalid(N_("The file is larger than 2 MB."), field="file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(N_("The file is not UTF-8 text."), field="file") from exc


@router.get("/academy/bank/export")
def export_bank(ctx: CtxDep, actor: ActorDep, format: str = "yaml", topic: str = "") -> Response:
    text = stats.export_bank(ctx.db.reader(), actor=actor, fmt=format, topic=topic or None)
    name = f"jalon-bank-{topic or 'all'}.{'gift.txt' if format == 'gift' else 'yaml'}"
    return Response(
        text,
        media_type=f"{MEDIA[format]}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/academy/attributions")
def attributions(request: Request, ctx: CtxDep) -> HTMLResponse:
    """Public: the licence credit and the notice that Jalon is not affiliated with Scrum.org
    must be readable without an account."""
    return web.render(request, "academy/quiz/attributions.html", {})
