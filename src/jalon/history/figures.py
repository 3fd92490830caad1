"""Chart definitions (jalon.charts.spec) built from history's figures, in the reader's
language. One definition per chart feeds the page's SVG, the .svg/.png downloads, the data
table and the API's JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jalon.charts.scale import number
from jalon.charts.spec import Annotation, Axis, Chart, Point, Series, series
from jalon.history.flow_queries import AgingWork, CycleTimes
from jalon.history.queries import Flow
from jalon.history.rules import percentile
from jalon.history.sprint_queries import SprintProgress, Velocity

Gettext = Callable[[str], str]
GREY, DONE, SCOPE = "#505a6b", "#1d6b3a", "#c2410c"
PERCENTILE_COLOURS = {50: "#1d6b3a", 85: "#c2410c", 95: "#b3261e"}


def _percentile_lines(values: dict[int, float], gettext: Gettext) -> tuple[Annotation, ...]:
    """One line per distinct value: percentiles that coincide share a line and a label."""
    by_value: dict[float, list[int]] = {}
    for p, v in sorted(values.items()):
        by_value.setdefault(v, []).append(p)
    return tuple(
        Annotation(
            "hline",
            v,
            gettext("{p}: {days} d").format(p=", ".join(f"{p}%" for p in ps), days=number(v)),
            colour=PERCENTILE_COLOURS.get(ps[-1]),
        )
        for v, ps in sorted(by_value.items())
    )


def _flow_colours(shown: list[tuple[str, str, str]]) -> dict[str, str]:
    """Done in greens, in progress in blues, to do in warm tones: the bands read by kind."""
    families = {
        "done": ["#1d6b3a", "#2f7d4f", "#3f8f5f"],
        "doing": ["#3340b0", "#0e7490", "#5b3fc4"],
        "todo": ["#c2410c", "#6b5d00", "#7b2cbf", "#505a6b"],
    }
    used: dict[str, int] = {}
    out = {}
    for key, _label, category in shown:
        family = families.get(category, families["todo"])
        out[key] = family[used.get(category, 0) % len(family)]
        used[category] = used.get(category, 0) + 1
    return out


def cumulative_flow(flow: Flow, gettext: Gettext) -> Chart:
    """Stacked items per status and day; done at the bottom, rejected left out."""
    shown = [s for s in reversed(flow.statuses) if s[2] != "rejected"]
    days = sorted(flow.days)
    ink = _flow_colours(shown)
    lines = tuple(
        series(
            key,
            gettext(label),
            [(d, flow.days[d].get(key, (0, 0.0))[0]) for d in days],
            colour=ink[key],
        )
        for key, label, _category in shown
    )
    last = flow.days[days[-1]] if days else {}
    summary = ", ".join(f"{gettext(label)} {last.get(key, (0, 0))[0]}" for key, label, _c in shown)
    description = gettext(
        "Items in each status, day by day, from {start} to {end}. On the last day: {summary}."
    ).format(start=flow.start.isoformat(), end=flow.end.isoformat(), summary=summary or "—")
    return Chart(
        "cumulative-flow",
        gettext("Cumulative flow"),
        description,
        "area",
        Axis(gettext("Day"), "date"),
        Axis(gettext("Items"), integer=True),
        lines,
        stacked=True,
        extra={"empty": gettext("No snapshot in this range yet.")},
    )


def cycle_time(data: CycleTimes, gettext: Gettext) -> Chart:
    points = tuple(Point(d.done_on, d.cycle_days, f"#{d.item_id} {d.title}") for d in data.done)
    p = data.percentiles
    if p:
        description = gettext(
            "Items done from {start} to {end}: {n}. Half of them took at most {p50} d, 85% "
            "at most {p85} d and 95% at most {p95} d, from their first day in progress."
        ).format(
            n=data.total,
            start=data.start.isoformat(),
            end=data.end.isoformat(),
            p50=number(p[50]),
            p85=number(p[85]),
            p95=number(p[95]),
        )
    else:
        description = gettext("No item was done in this range.")
    if data.total > len(data.done):
        description += " " + gettext("The chart shows the {shown} most recent.").format(
            shown=len(data.done)
        )
    return Chart(
        "cycle-time",
        gettext("Cycle time"),
        description,
        "scatter",
        Axis(gettext("Done on"), "date", minimum=data.start, maximum=data.end),
        Axis(gettext("Cycle time (days)"), integer=True),
        (Series("items", gettext("Items done"), points),),
        _percentile_lines(p, gettext),
        extra={"empty": gettext("No item was done in this range.")},
    )


def throughput(rows: list[tuple[date, int]], *, weekly: bool, gettext: Gettext) -> Chart:
    counts = [n for _d, n in rows]
    median = percentile(counts, 50) if counts else None
    unit = gettext("Week starting") if weekly else gettext("Day")
    description = gettext("Items done: {total}; {per} per {period} at the median.").format(
        total=sum(counts),
        per=number(median or 0),
        period=gettext("week") if weekly else gettext("day"),
    )
    notes: tuple[Annotation, ...] = ()
    if median is not None:
        label = gettext("Median: {n}").format(n=number(median))
        notes = (Annotation("hline", median, label),)
    return Chart(
        "throughput",
        gettext("Throughput"),
        description,
        "line",
        Axis(unit, "date"),
        Axis(gettext("Items done"), integer=True),
        (series("done", gettext("Items done"), rows),),
        notes,
        extra={"empty": gettext("No item was done in this range.")},
    )


def aging_wip(data: AgingWork, gettext: Gettext) -> Chart:
    doing = [(key, gettext(label)) for key, label, category in data.statuses if category == "doing"]
    names = dict(doing)
    points = tuple(
        Point(names.get(a.status, a.status), a.age, f"#{a.item_id} {a.title}") for a in data.items
    )
    description = gettext(
        "Items in progress: {n}. Age of the oldest: {age} d. The lines are the cycle-time "
        "percentiles of the items done in the last 90 days."
    ).format(n=data.total, age=data.items[0].age if data.items else 0)
    if data.total > len(data.items):
        description += " " + gettext("The chart shows the {shown} oldest.").format(
            shown=len(data.items)
        )
    return Chart(
        "aging-wip",
        gettext("Aging work in progress"),
        description,
        "scatter",
        Axis(gettext("Status"), "category", categories=tuple(label for _k, label in doing)),
        Axis(gettext("Age (days)"), integer=True),
        (Series("items", gettext("Items in progress"), points),),
        _percentile_lines(data.percentiles, gettext),
        extra={"empty": gettext("Nothing is in progress.")},
    )


def _use_points(progress: SprintProgress) -> bool:
    return any(d.scope_points > 0 for d in progress.days)


def _sprint_axes(progress: SprintProgress, gettext: Gettext) -> tuple[bool, Axis, Axis]:
    points = _use_points(progress)
    return (
        points,
        Axis(gettext("Day"), "date"),
        Axis(gettext("Points") if points else gettext("Items")),
    )


def burndown(progress: SprintProgress, gettext: Gettext) -> Chart:
    """Remaining work per day, the scope as a line of its own, and the ideal line."""
    points, x, y = _sprint_axes(progress, gettext)
    days = progress.days
    remaining = [(d.day, d.remaining_points if points else d.remaining_items) for d in days]
    scope = [(d.day, d.scope_points if points else d.scope_items) for d in days]
    start = scope[0][1] if scope else 0.0
    lines = (
        series("remaining", gettext("Remaining"), remaining, kind="step"),
        series("scope", gettext("Scope"), scope, kind="step", colour=SCOPE, dashed=True),
        series(
            "ideal",
            gettext("Ideal"),
            [(days[0].day, start), (progress.ends_on, 0)] if days else [],
            colour=GREY,
            dashed=True,
        ),
    )
    return Chart(
        f"burndown-{progress.sprint_id}",
        gettext("Burndown: {name}").format(name=progress.name),
        _sprint_description(progress, points, gettext),
        "line",
        x,
        y,
        lines,
        _scope_marks(progress, gettext),
        extra={"empty": gettext("No snapshot of this sprint yet.")},
    )


def burnup(progress: SprintProgress, gettext: Gettext) -> Chart:
    points, x, y = _sprint_axes(progress, gettext)
    done = [(d.day, d.done_points if points else d.done_items) for d in progress.days]
    scope = [(d.day, d.scope_points if points else d.scope_items) for d in progress.days]
    lines = (
        series("done", gettext("Done"), done, kind="step", colour=DONE),
        series("scope", gettext("Scope"), scope, kind="step", colour=SCOPE, dashed=True),
    )
    return Chart(
        f"burnup-{progress.sprint_id}",
        gettext("Burnup: {name}").format(name=progress.name),
        _sprint_description(progress, points, gettext),
        "line",
        x,
        y,
        lines,
        _scope_marks(progress, gettext),
        extra={"empty": gettext("No snapshot of this sprint yet.")},
    )


def _scope_marks(progress: SprintProgress, gettext: Gettext) -> tuple[Annotation, ...]:
    """The three largest scope changes, marked where they happened."""
    biggest = sorted(progress.scope_changes, key=lambda c: -abs(c[1]))[:3]
    return tuple(
        Annotation("vline", day, gettext("Scope {delta}").format(delta=f"{delta:+g}"))
        for day, delta in sorted(biggest)
    )


def _sprint_description(progress: SprintProgress, points: bool, gettext: Gettext) -> str:
    if not progress.days:
        return gettext("No snapshot of this sprint yet.")
    first, last = progress.days[0], progress.days[-1]
    unit = gettext("points") if points else gettext("items")
    return gettext(
        "{name}, {start} to {end}. Scope {committed} {unit} at the start, {scope} on "
        "{day}, of which {done} done; the scope changed {changes} times."
    ).format(
        name=progress.name,
        start=progress.starts_on.isoformat(),
        end=progress.ends_on.isoformat(),
        unit=unit,
        day=last.day.isoformat(),
        committed=number(first.scope_points if points else first.scope_items),
        scope=number(last.scope_points if points else last.scope_items),
        done=number(last.done_points if points else last.done_items),
        changes=len(progress.scope_changes),
    )


def _velocity_marks(data: Velocity, gettext: Gettext) -> tuple[tuple[Annotation, ...], str]:
    """The range band and the mean line, and the chart in words."""
    s = data.spread
    if s is None:
        return (), gettext("No finished sprint yet.")
    low, high, mean = number(s.low), number(s.high), number(s.mean)
    marks = (
        Annotation("hband", s.low, gettext("Range: {low} to {high}").format(low=low, high=high),
                   to=s.high, colour=DONE),
        Annotation("hline", s.mean, gettext("Mean: {mean}").format(mean=mean), colour=DONE),
    )  # fmt: skip
    description = gettext(
        "Points done in the last {n} sprints: {mean} on average, from {low} to {high}."
    ).format(n=len(data.sprints), mean=mean, low=low, high=high)
    return marks, description


def velocity(data: Velocity, gettext: Gettext) -> Chart:
    committed = [(v.name, v.committed) for v in data.sprints]
    done = [(v.name, v.done) for v in data.sprints]
    bars = (
        series("committed", gettext("Committed"), committed, colour=GREY),
        series("done", gettext("Done"), done, colour=DONE),
    )
    marks, description = _velocity_marks(data, gettext)
    return Chart(
        "velocity",
        gettext("Velocity"),
        description,
        "bar",
        Axis(gettext("Sprint"), "category", categories=tuple(v.name for v in data.sprints)),
        Axis(gettext("Points")),
        bars,
        marks,
        extra={"empty": gettext("No finished sprint yet.")},
    )
