"""One entry point per chart kind, shared by the pages, the downloads and the API: read the
figures (queries), then build the chart definition (figures) in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from jalon.charts.spec import Chart
from jalon.errors import N_, Invalid, Label, NotFound
from jalon.history import figures, flow_queries, queries, rules, sprint_queries
from jalon.permissions import Actor
from jalon.uow import NOT_FOUND, Database

PRODUCT_KINDS = ("cumulative-flow", "cycle-time", "throughput", "aging-wip", "velocity")
SPRINT_KINDS = ("burndown", "burnup")
DEFAULT_DAYS = 90
Gettext = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Range:
    start: date
    end: date
    weekly: bool

    def query(self) -> str:
        values = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        return urlencode(values | ({"per": "week"} if self.weekly else {}))


def _day(raw: str | None, field: str, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid("Give the date as YYYY-MM-DD.", field=field) from None


def parse_range(start: str | None, end: str | None, per: str | None, *, today: date) -> Range:
    """The date range of a report: the last 90 days by default; throughput per day or week."""
    last = _day(end, "end", today)
    first = _day(start, "start", last - timedelta(days=DEFAULT_DAYS - 1))
    if per not in (None, "", "day", "week"):
        raise Invalid("Choose day or week.", field="per")
    return Range(first, last, per == "week")


def check_range(span: Range, *, today: date) -> None:
    rules.check_range(span.start, span.end, today=today)


def check_kind(kind: str, kinds: tuple[str, ...]) -> str:
    if kind not in kinds:
        raise Invalid(
            "Unknown chart {kind!r}: use one of {kinds}.",
            field="kind",
            kind=kind,
            kinds=", ".join(kinds),
        )
    return kind


def product_chart(
    db: Database,
    *,
    actor: Actor,
    product_id: int,
    kind: str,
    span: Range,
    today: date,
    gettext: Gettext,
) -> Chart:
    check_kind(kind, PRODUCT_KINDS)
    a, pid, first, last = actor, product_id, span.start, span.end
    if kind == "cumulative-flow":
        flow = queries.flow(
            db.reader(), actor=a, product_id=pid, start=first, end=last, today=today
        )
        return figures.cumulative_flow(flow, gettext)
    if kind == "cycle-time":
        cycles = flow_queries.cycle_times(
            db.reader(), actor=a, product_id=pid, start=first, end=last, today=today
        )
        return figures.cycle_time(cycles, gettext)
    if kind == "throughput":
        rows = flow_queries.throughput(
            db.reader(),
            actor=a,
            product_id=pid,
            start=first,
            end=last,
            today=today,
            weekly=span.weekly,
        )
        return figures.throughput(rows, weekly=span.weekly, gettext=gettext)
    if kind == "aging-wip":
        aging = flow_queries.aging_wip(db.reader(), actor=a, product_id=pid, today=today)
        return figures.aging_wip(aging, gettext)
    return figures.velocity(
        sprint_queries.velocity(db.reader(), actor=a, product_id=pid, today=today), gettext
    )


def sprint_chart(
    db: Database,
    *,
    actor: Actor,
    product_id: int,
    sprint_id: int,
    kind: str,
    today: date,
    gettext: Gettext,
) -> Chart:
    """Burndown or burnup of a sprint of this product (404 for another product's sprint)."""
    check_kind(kind, SPRINT_KINDS)
    progress = sprint_queries.sprint_progress(
        db.reader(), actor=actor, sprint_id=sprint_id, today=today
    )
    if progress.product_id != product_id:
        raise NotFound(NOT_FOUND, what=Label("sprint", N_("sprint")), ident=sprint_id)
    build = figures.burndown if kind == "burndown" else figures.burnup
    return build(progress, gettext)
