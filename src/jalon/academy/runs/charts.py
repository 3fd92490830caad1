"""Charts of a run (`jalon.charts`): the scores sprint by sprint, and the debrief's trainee
against the informed policy. Texts come in translated."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from jalon.academy.runs import rules
from jalon.charts.spec import Axis, Chart, series

Gettext = Callable[[str], str]
TRAINEE, INFORMED = "#3340b0", "#8a5a00"


def _numbered(values: Sequence[float]) -> list[tuple[str, float]]:
    """(sprint number as a category, value): sprints are counted, never fractions."""
    return [(str(i), float(v)) for i, v in enumerate(values, start=1)]


def scores_chart(per_sprint: Sequence[Mapping[str, float]], gettext: Gettext) -> Chart:
    """One line per score (0-100) over the sprints played."""
    keys = [k for k in rules.SCORE_LABELS if any(k in s for s in per_sprint)]
    lines = tuple(
        series(k, gettext(rules.SCORE_LABELS[k]),
               [(str(i), float(s[k])) for i, s in enumerate(per_sprint, start=1) if k in s])
        for k in keys
    )  # fmt: skip
    return Chart(
        key="run-scores",
        title=gettext("Scores, sprint by sprint"),
        description=gettext(
            "Each score from 0 to 100 after each sprint played: the four EBM value areas, "
            "stakeholder trust, team health and the responsible-product index."
        ),
        kind="line",
        x=Axis(gettext("Sprint"), kind="category"),
        y=Axis(gettext("Score"), minimum=0, maximum=100),
        series=lines,
        width=640,
        height=300,
    )


def versus_chart(
    key: str,
    title: str,
    trainee: Sequence[float],
    informed: Sequence[float],
    gettext: Gettext,
) -> Chart:
    """The trainee's score and the informed policy's on the same seed, sprint by sprint."""
    return Chart(
        key=f"debrief-{key}",
        title=title,
        description=gettext(
            "%(score)s after each sprint: your run and the informed policy on the same seed."
        )
        % {"score": title},
        kind="line",
        x=Axis(gettext("Sprint"), kind="category"),
        y=Axis(gettext("Score"), minimum=0, maximum=100),
        series=(
            series("trainee", gettext("You"), _numbered(trainee), colour=TRAINEE),
            series(
                "informed",
                gettext("Informed policy"),
                _numbered(informed),
                colour=INFORMED,
                dashed=True,
            ),
        ),
        width=520,
        height=260,
    )
