"""Quiz pages: the practice home, a quiz one question at a time, its result and review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from jalon import web
from jalon.academy.quiz import charts, queries, rules, services
from jalon.charts.view import MEDIA, download
from jalon.errors import N_, Conflict, Invalid, NotFound
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]


def _home(
    request: Request, ctx: CtxDep, actor: ActorDep, *, errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    user_id = services.access_user(actor)
    return web.render(
        request,
        "academy/quiz/home.html",
        {
            "topics": rules.TOPICS,
            "topic_labels": rules.TOPIC_LABELS,
            "counts": queries.topic_counts(ctx.db.reader()),
            "quizzes": queries.list_quizzes(ctx.db.reader(), user_id=user_id),
            "due": queries.count_due(ctx.db.reader(), user_id=user_id),
            "rules": rules,
            "errors": errors or {},
            "is_trainer": _is_trainer(ctx),
        },
        status=status,
    )


def _is_trainer(ctx: CtxDep) -> bool:
    user = ctx.user
    return user is not None and (user.is_admin or user.academy_role == "trainer")


@router.get("/academy/quiz")
def quiz_home(request: Request, ctx: CtxDep, actor: ActorDep) -> HTMLResponse:
    return _home(request, ctx, actor)


@router.post("/academy/quizzes")
def start_quiz(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    mode: Text = rules.PRACTICE,
    module: Text = "",
    topics: Annotated[list[str] | None, Form()] = None,
    count: Text = "",
) -> Response:
    try:
        n = int(count) if count.strip() else None
    except ValueError:
        return _home(request, ctx, actor, errors={"count": ctx.gettext("Give a number.")},
                     status=422)  # fmt: skip
    try:
        quiz_id = services.start_quiz(
            ctx.db.uow(), actor=actor, mode=mode, topics=topics or [], count=n,
            module=module.strip() or None,
        )  # fmt: skip
    except Invalid as exc:
        return _home(request, ctx, actor, errors=exc.render_fields(ctx.gettext), status=422)
    return web.redirect(f"/academy/quizzes/{quiz_id}", request)


@router.get("/academy/quizzes/{quiz_id}")
def quiz_page(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    quiz_id: int,
    after: int | None = None,
    q: int | None = None,
) -> HTMLResponse:
    quiz = queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id)
    own = actor.id == quiz.user_id
    if own and after is not None and quiz.mode == rules.PRACTICE:
        done = next((i for i in quiz.items if i.position == after and i.answered), None)
        if done is not None:
            return _page(request, quiz, "academy/quiz/feedback.html", {"item": done})
    if quiz.finished or not own:
        return _result(request, quiz)
    item = _item_to_show(quiz, q)
    if item is None:
        return _result(request, quiz)
    services.show_item(ctx.db.uow(), actor=actor, quiz_id=quiz.id, position=item.position)
    return _page(request, quiz, "academy/quiz/question.html", {"item": item})


@router.get("/academy/quizzes/{quiz_id}/topics.{extension}")
def topics_chart(ctx: CtxDep, actor: ActorDep, quiz_id: int, extension: str) -> Response:
    """The result chart as SVG or PNG, for whoever may read the quiz, once it is handed in."""
    quiz = queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id)
    if extension not in MEDIA or not quiz.finished:
        raise NotFound(N_("This chart exists once the quiz is handed in."))
    chart = charts.topics_chart(quiz, ctx.gettext)
    return download(chart, extension, f"quiz-{quiz_id}-topics")


def _item_to_show(quiz: queries.QuizView, q: int | None) -> queries.ItemView | None:
    if q is not None and quiz.mode == rules.MOCK:
        found = next((i for i in quiz.items if i.position == q), None)
        if found is not None:
            return found
    return quiz.current


def _page(
    request: Request, quiz: queries.QuizView, template: str, extra: dict[str, object],
    *, status: int = 200, message: str = "",
) -> HTMLResponse:  # fmt: skip
    context = {"quiz": quiz, "rules": rules, "topic_labels": rules.TOPIC_LABELS,
               "message": message, **extra}  # fmt: skip
    return web.render(request, template, context, status=status)


def _result(request: Request, quiz: queries.QuizView, *, status: int = 200,
            message: str = "") -> HTMLResponse:  # fmt: skip
    ctx = web.current_ctx(request)
    chart = charts.by_topic(quiz, ctx.gettext) if quiz.finished else None
    return _page(request, quiz, "academy/quiz/result.html", {"chart": chart},
                 status=status, message=message)  # fmt: skip


@router.post("/academy/quizzes/{quiz_id}/answers")
def answer(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    quiz_id: int,
    question_id: Text,
    chosen: Annotated[list[int] | None, Form()] = None,
    unsure: Text = "",
) -> Response:
    try:
        done = services.answer(
            ctx.db.uow(), actor=actor, quiz_id=quiz_id, question_id=question_id,
            chosen=chosen or [], unsure=bool(unsure),
        )  # fmt: skip
    except Conflict as exc:
        quiz = queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id)
        return _result(request, quiz, status=409, message=exc.render(ctx.gettext))
    except Invalid as exc:
        quiz = queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id)
        item = next((i for i in quiz.items if i.question.id == question_id), quiz.current)
        return _page(request, quiz, "academy/quiz/question.html", {"item": item},
                     status=422, message=exc.render(ctx.gettext))  # fmt: skip
    if done.correct is not None:
        return web.redirect(f"/academy/quizzes/{quiz_id}?after={done.position}", request)
    return web.redirect(f"/academy/quizzes/{quiz_id}", request)


@router.post("/academy/quizzes/{quiz_id}/finish")
def finish(request: Request, ctx: CtxDep, actor: ActorDep, quiz_id: int) -> Response:
    services.finish_quiz(ctx.db.uow(), actor=actor, quiz_id=quiz_id)
    return web.redirect(f"/academy/quizzes/{quiz_id}", request)
