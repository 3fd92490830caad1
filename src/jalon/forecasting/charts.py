"""The forecast page's charts as chart definitions (`jalon.charts`): the histogram of a
forecast, the calibration windows, and the throughput history. Texts come in translated."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from jalon.charts.spec import Annotation, Axis, Chart, Point, Series, X, series
from jalon.errors import N_, Message, translate
from jalon.forecasting import rules
from jalon.forecasting.calibration import Calibration

Gettext = Callable[[str], str]
HELD_COLOUR, MISSED_COLOUR, FORECAST_COLOUR = "#1d6b3a", "#b3261e", "#2b3596"
EXCLUDED_COLOUR = "#6b7280"


def _t(gettext: Gettext, text: str, **params: object) -> str:
    return translate(Message(text, **params), gettext)


def _lines(levels: Mapping[int, X]) -> tuple[Annotation, ...]:
    return tuple(Annotation("vline", levels[p], f"P{p}") for p in (50, 85, 95) if p in levels)


def when_histogram(forecast: rules.WhenForecast, gettext: Gettext) -> Chart:
    day = forecast.today - timedelta(days=1)  # simulated day d is today + d - 1
    pairs = [(day + timedelta(days=b.low), b.trials) for b in forecast.histogram]
    dates = forecast.percentiles or {}
    return Chart(
        key="forecast-histogram",
        title=_t(gettext, N_("When will {n} items be done?"), n=forecast.remaining),
        description=_t(
            gettext,
            N_(
                "How many of {trials} simulated futures finish on each day. 85% of them finish "
                "by {p85}."
            ),
            trials=forecast.trials,
            p85=dates[85].isoformat() if 85 in dates else "",
        ),
        kind="bar",
        x=Axis(gettext("Day the last item is done"), kind="date"),
        y=Axis(gettext("Trials")),
        series=(series("trials", gettext("Trials"), pairs),),
        annotations=_lines(dates),
        legend=False,
    )


def how_many_histogram(forecast: rules.HowManyForecast, gettext: Gettext) -> Chart:
    counts = forecast.percentiles or {}
    pairs = [(b.low, b.trials) for b in forecast.histogram]
    return Chart(
        key="forecast-histogram",
        title=_t(gettext, N_("How many items by {date}?"), date=forecast.target.isoformat()),
        description=_t(
            gettext,
            N_(
                "How many of {trials} simulated futures finish each number of items. 85% of them "
                "finish at least {p85}."
            ),
            trials=forecast.trials,
            p85=counts.get(85, ""),
        ),
        kind="bar",
        x=Axis(gettext("Items done"), kind="number"),
        y=Axis(gettext("Trials")),
        series=(series("trials", gettext("Trials"), pairs),),
        annotations=_lines(counts),
        legend=False,
    )


def calibration_chart(calibration: Calibration, gettext: Gettext) -> Chart:
    windows = calibration.windows
    labels = [w.start.isoformat() if w.start else str(i + 1) for i, w in enumerate(windows)]

    def bars(held: bool) -> tuple[Point, ...]:
        pairs = zip(labels, windows, strict=True)
        return tuple(Point(label, w.actual) for label, w in pairs if w.held is held)

    forecast = tuple(Point(label, w.forecast) for label, w in zip(labels, windows, strict=True))
    return Chart(
        key="forecast-calibration",
        title=gettext("The 85% forecast on past windows"),
        description=_t(
            gettext,
            N_(
                "For each of the last {n} windows of {days} days: the items really done, against "
                "what the 85% forecast promised from the history before it."
            ),
            n=len(windows),
            days=calibration.horizon,
        ),
        kind="bar",
        x=Axis(gettext("Window starting"), kind="category", categories=tuple(labels)),
        y=Axis(gettext("Items done")),
        series=(
            Series("held", gettext("Held"), bars(True), colour=HELD_COLOUR),
            Series("missed", gettext("Missed"), bars(False), colour=MISSED_COLOUR),
            Series(
                "forecast",
                gettext("85% forecast"),
                forecast,
                kind="scatter",
                colour=FORECAST_COLOUR,
            ),
        ),
        stacked=True,
        height=300,
    )


def throughput_chart(history: rules.History, gettext: Gettext) -> Chart:
    counted = [(d.day, d.count) for d in history.days if not d.excluded]
    excluded = [(d.day, d.count) for d in history.days if d.excluded]
    return Chart(
        key="forecast-throughput",
        title=gettext("Items done per day"),
        description=_t(
            gettext,
            N_(
                "{done} items done from {start} to {end}, {mean} a day on average; {excluded} days "
                "left out."
            ),
            done=history.total,
            start=history.start.isoformat(),
            end=history.end.isoformat(),
            mean=f"{history.mean:.1f}",
            excluded=history.excluded,
        ),
        kind="bar",
        x=Axis(gettext("Day"), kind="date"),
        y=Axis(gettext("Items done")),
        series=(
            series("done", gettext("Items done"), counted),
            series("excluded", gettext("Left out"), excluded, colour=EXCLUDED_COLOUR),
        ),
        annotations=(Annotation("hline", history.mean, gettext("Mean")),),
        height=260,
    )
