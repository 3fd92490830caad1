"""The result chart: the share of right answers per topic, against the pass mark."""

from __future__ import annotations

from collections.abc import Callable

from jalon.academy.quiz import queries, rules
from jalon.charts.spec import Annotation, Axis, Chart, Point, Series
from jalon.charts.view import ChartView, view


def by_topic(quiz: queries.QuizView, gettext: Callable[[str], str]) -> ChartView:
    """The chart with its table and its downloads, for the result page."""
    return view(topics_chart(quiz, gettext), href=f"/academy/quizzes/{quiz.id}/topics")


def topics_chart(quiz: queries.QuizView, gettext: Callable[[str], str]) -> Chart:
    """A bar per topic: the share of right answers, against the pass mark."""
    scores = quiz.by_topic()
    labels = [gettext(rules.TOPIC_LABELS.get(s.topic, s.topic)) for s in scores]
    points = tuple(
        Point(label, s.percent, f"{s.right}/{s.total}")
        for label, s in zip(labels, scores, strict=True)
    )
    return Chart(
        key=f"quiz-{quiz.id}-topics",
        title=gettext("Right answers by topic"),
        description=gettext(
            "A bar per topic: the share of the questions of that topic you answered right. "
            "The line is the 85% pass mark."
        ),
        kind="bar",
        x=Axis(gettext("Topic"), kind="category", categories=tuple(labels)),
        y=Axis(gettext("Right answers"), minimum=0, maximum=100, unit="%"),
        series=(Series("right", gettext("Right answers"), points),),
        annotations=(Annotation("hline", rules.PASS_PERCENT, gettext("Pass mark")),),
        legend=False,
        height=max(320, 200 + 12 * len(scores)),
    )
