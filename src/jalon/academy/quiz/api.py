"""The quiz JSON API: the bank for trainers, quizzes, answers and results."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jalon import web
from jalon.academy.quiz import queries, services, stats
from jalon.academy.quiz.schemas import AnswerIn, AnswerOut, QuestionStatsOut, QuizIn, QuizOut
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1/academy", tags=["academy"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "The quiz is finished, or a mock's time is up"},
}


@router.get(
    "/questions",
    response_model=list[QuestionStatsOut],
    responses=ERRORS,
    summary="The question bank with item statistics (trainers)",
)
def list_questions(
    ctx: CtxDep, actor: ActorDep, topic: str | None = None, flag: str | None = None
) -> list[QuestionStatsOut]:
    rows = stats.list_questions(ctx.db.reader(), actor=actor, topic=topic, flag=flag)
    return [QuestionStatsOut.row(row) for row in rows]


@router.post(
    "/quizzes",
    response_model=QuizOut,
    status_code=201,
    responses=ERRORS,
    summary="Start a practice quiz or a mock assessment; returns its first question",
)
def post_quiz(body: QuizIn, ctx: CtxDep, actor: ActorDep) -> QuizOut:
    quiz_id = services.start_quiz(
        ctx.db.uow(), actor=actor, mode=body.mode, topics=body.topics, count=body.count,
        module=body.module,
    )  # fmt: skip
    return QuizOut.of(queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id))


@router.get(
    "/quizzes/{quiz_id}",
    response_model=QuizOut,
    responses=ERRORS,
    summary="A quiz: its next question, or its result and review once finished",
)
def get_quiz(quiz_id: int, ctx: CtxDep, actor: ActorDep) -> QuizOut:
    return QuizOut.of(queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id))


@router.post(
    "/quizzes/{quiz_id}/answers",
    response_model=AnswerOut,
    responses=ERRORS,
    summary="Answer a question (practice: corrected at once; mock: revealed at the end)",
)
def post_answer(quiz_id: int, body: AnswerIn, ctx: CtxDep, actor: ActorDep) -> AnswerOut:
    done = services.answer(
        ctx.db.uow(), actor=actor, quiz_id=quiz_id, question_id=body.question_id,
        chosen=body.chosen, unsure=body.unsure,
    )  # fmt: skip
    if done.next_position is not None:
        services.show_item(ctx.db.uow(), actor=actor, quiz_id=quiz_id, position=done.next_position)
    quiz = queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id)
    return AnswerOut.of(done, quiz)


@router.post(
    "/quizzes/{quiz_id}/finish",
    response_model=QuizOut,
    responses=ERRORS,
    summary="Hand in a quiz now; unanswered questions count as wrong",
)
def post_finish(quiz_id: int, ctx: CtxDep, actor: ActorDep) -> QuizOut:
    services.finish_quiz(ctx.db.uow(), actor=actor, quiz_id=quiz_id)
    return QuizOut.of(queries.get_quiz(ctx.db.reader(), actor=actor, quiz_id=quiz_id))
