"""The small chart of a theme's weekly volume against its own baseline (`jalon.charts`).

Earlier weeks and the recent weeks under test are two stacked bar series (one of them is zero
each week), so the weeks the test looks at stand out; the baseline rate is a reference line.
Texts come in translated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from jalon.charts.spec import Annotation, Axis, Chart, series
from jalon.errors import N_, Message, translate
from jalon.signals.queries import TrendRow
from jalon.signals.trends import RECENT

Gettext = Callable[[str], str]
EARLIER, RECENT_COLOUR, BASELINE = "#8a93a3", "#3340b0", "#b3261e"


def trend_chart(row: TrendRow, week_ends: Sequence[date], gettext: Gettext) -> Chart:
    counts, t = row.trend.counts, row.trend
    split = len(counts) - RECENT
    weeks = list(zip(week_ends, counts, strict=True))
    before = [(day, c if i < split else 0) for i, (day, c) in enumerate(weeks)]
    after = [(day, c if i >= split else 0) for i, (day, c) in enumerate(weeks)]
    description = translate(
        Message(
            N_(
                "Feedback per week on {theme} over {weeks} weeks: {recent} in the last {k} weeks, "
                "where its baseline of {rate} a week predicts {expected}."
            ),
            theme=row.label, weeks=len(counts), recent=t.recent, k=RECENT,
            rate=f"{t.baseline_rate:.1f}", expected=f"{t.expected:.1f}",
        ),
        gettext,
    )  # fmt: skip
    return Chart(
        key=f"theme-{row.theme_id}",
        title=row.label,
        description=description,
        kind="bar",
        x=Axis(gettext("Week ending"), kind="date"),
        y=Axis(gettext("Feedback"), integer=True),
        series=(
            series("earlier", gettext("Baseline weeks"), before, colour=EARLIER),
            series("recent", gettext("Recent weeks"), after, colour=RECENT_COLOUR),
        ),
        annotations=(Annotation("hline", t.baseline_rate, gettext("Baseline"), colour=BASELINE),),
        stacked=True,
        width=420,
        height=200,
        legend=False,
    )
