"""The trainer's dashboard chart: each trainee's path progress and best mock assessment, side
by side, with the mock's pass mark as a line. Texts arrive translated (`gettext`)."""

from __future__ import annotations

from collections.abc import Callable

from jalon.academy.path.results import CohortView
from jalon.charts import Annotation, Axis, Chart
from jalon.charts.spec import series

MOCK_PASS = 85.0  # the PSPO I pass mark the mock assessment uses
PATH, MOCK = "#3340b0", "#1a7f4b"


def cohort_chart(found: CohortView, gettext: Callable[[str], str]) -> Chart:
    names = tuple(m.label for m in found.members)
    path = [(m.label, float(m.progress.percent)) for m in found.members]
    mock = [(m.label, m.quiz.best_mock_percent) for m in found.members]
    return Chart(
        key="cohort-results",
        title=gettext("Path progress and best mock assessment"),
        description=gettext(
            "For each trainee, the share of the learning path done and the best mock "
            "assessment score, in percent; the line marks the mock's 85% pass mark."
        ),
        kind="bar",
        x=Axis(gettext("Trainee"), kind="category", categories=names),
        y=Axis(gettext("Percent"), minimum=0.0, maximum=100.0, unit="%"),
        series=(
            series("path", gettext("Path progress"), path, colour=PATH),
            series(
                "mock",
                gettext("Best mock"),
                [(n, v) for n, v in mock if v is not None],
                colour=MOCK,
            ),
        ),
        annotations=(Annotation("hline", MOCK_PASS, gettext("Pass mark"), colour="#b3261e"),),
        height=360,
    )
