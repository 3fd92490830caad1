"""Pydantic models of the forecasting API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as Date

from pydantic import BaseModel, ConfigDict, Field

from jalon.errors import N_, Message, translate
from jalon.forecasting import rules
from jalon.forecasting.calibration import Calibration
from jalon.forecasting.models import ExcludedDay
from jalon.forecasting.queries import Result

Gettext = Callable[[str], str]
HELD = N_("On your last {windows} windows of {days} days, the {level}% forecast held {held} times.")
UNRELIABLE = N_("Below {rate}%: this forecast is unreliable on your history.")
UNCHECKED = N_("Not enough history to check this forecast against the past.")
METHOD = N_(
    "Each simulated future is made of whole weeks of the history drawn at random, so busy and "
    "quiet stretches stay together; when your past windows show the forecast to be too bold, "
    "its levels are made more cautious until they would have held, and a 'how many' forecast "
    "is made bolder when 20 separate past windows held more often than it promised."
)
ADJUSTED = N_(
    "On your earlier windows the forecast fell short more often than its level allows, so its "
    "levels were made more cautious."
)
BOLDER = N_(
    "On your last 20 separate windows the forecast held more often than its level promises, so "
    "its levels were made bolder, as far as those windows allow."
)


class ForecastIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: str = Field("when", examples=["when"], description="`when` or `how_many`")
    items: int | list[int] | None = Field(
        None, description="For `when`: a number of items, or a list of item ids", examples=[30]
    )
    epic_id: int | None = Field(None, description="For `when`: the open items under this item")
    date: Date | None = Field(None, description="For `how_many`: the last day counted")
    trials: int = Field(rules.DEFAULT_TRIALS, description="100 to 1,000,000")
    seed: int | None = Field(None, description="The same seed always gives the same result")
    window: int = Field(rules.DEFAULT_WINDOW, description="Days of history, ending yesterday")

    def request(self) -> rules.Request:
        count = self.items if isinstance(self.items, int) else None
        ids = tuple(self.items) if isinstance(self.items, list) else ()
        return rules.Request(
            mode=self.mode, count=count, item_ids=ids, epic_id=self.epic_id, target=self.date,
            trials=self.trials, seed=self.seed, window=self.window,
        )  # fmt: skip


class PercentileOut(BaseModel):
    level: int = Field(examples=[85])
    date: Date | None = Field(None, description="`when`: the day the last item is done")
    days: int | None = Field(None, description="`when`: days from today, today being day 1")
    items: int | None = Field(None, description="`how_many`: at least this many items done")


class BinOut(BaseModel):
    low: int
    high: int
    trials: int


class HistoryOut(BaseModel):
    start: Date
    end: Date
    days: int
    days_with_data: int
    done: int
    excluded_days: int
    mean_per_day: float


class CheckOut(BaseModel):
    start: Date | None
    forecast: int
    actual: int
    held: bool


class CalibrationOut(BaseModel):
    level: int
    horizon_days: int
    held: int
    windows: int
    reliable: bool
    adjusted: bool = Field(description="The levels were made more cautious by the past windows")
    bolder: bool = Field(
        description="The levels were made bolder by 20 separate past windows that held more "
        "often than promised ('how many' forecasts only)"
    )
    lower_tail: float = Field(
        description="The share of simulated futures below the 85% answer (0.15 unless adjusted "
        "or bolder)"
    )
    sentence: str
    checks: list[CheckOut]


class ScopeOut(BaseModel):
    remaining: int
    label: str
    item_ids: list[int]
    epic_id: int | None


class ForecastOut(BaseModel):
    mode: str
    method: str = Field(description="How the forecast is made, in one sentence")
    today: Date
    trials: int
    seed: int | None
    window: int
    scope: ScopeOut | None
    date: Date | None
    horizon_days: int | None
    percentiles: list[PercentileOut] | None
    explanation: str | None
    histogram: list[BinOut]
    history: HistoryOut
    calibration: CalibrationOut | None
    reliable: bool

    @classmethod
    def of(cls, result: Result, gettext: Gettext) -> ForecastOut:
        fc, request = result.forecast, result.request
        scope = result.scope
        how_many = result.how_many
        return cls(
            mode=request.mode, method=gettext(METHOD), today=fc.today, trials=fc.trials,
            seed=request.seed,
            window=request.window,
            scope=None if scope is None else ScopeOut(
                remaining=scope.remaining, label=translate(scope.label, gettext),
                item_ids=list(scope.item_ids), epic_id=scope.epic_id,
            ),
            date=how_many.target if how_many else None,
            horizon_days=how_many.horizon if how_many else None,
            percentiles=percentiles(result),
            explanation=translate(fc.explanation, gettext) if fc.explanation else None,
            histogram=[BinOut(low=b.low, high=b.high, trials=b.trials) for b in fc.histogram],
            history=history_out(fc.history),
            calibration=calibration_out(fc.calibration, gettext),
            reliable=fc.reliable,
        )  # fmt: skip


def percentiles(result: Result) -> list[PercentileOut] | None:
    if (when := result.when) is not None:
        if when.percentiles is None or when.days is None:
            return None
        return [
            PercentileOut(level=p, date=when.percentiles[p], days=when.days[p])
            for p in rules.LEVELS
        ]
    how_many = result.how_many
    if how_many is None or how_many.percentiles is None:
        return None
    return [PercentileOut(level=p, items=how_many.percentiles[p]) for p in rules.LEVELS]


def history_out(history: rules.History) -> HistoryOut:
    return HistoryOut(
        start=history.start,
        end=history.end,
        days=len(history.days),
        days_with_data=history.days_with_data,
        done=history.total,
        excluded_days=history.excluded,
        mean_per_day=round(history.mean, 3),
    )


def calibration_sentence(calibration: Calibration | None, gettext: Gettext) -> str:
    if calibration is None or calibration.hit_rate is None:
        return gettext(UNCHECKED)
    held, windows = calibration.hit_rate
    text = translate(
        Message(HELD, windows=windows, days=calibration.horizon, level=calibration.level,
                held=held), gettext,
    )  # fmt: skip
    if calibration.adjusted:
        text += " " + gettext(ADJUSTED)
    if calibration.bolder:
        text += " " + gettext(BOLDER)
    if not calibration.reliable:
        text += " " + translate(Message(UNRELIABLE, rate=65), gettext)
    return text


def calibration_out(calibration: Calibration | None, gettext: Gettext) -> CalibrationOut | None:
    if calibration is None or calibration.hit_rate is None:
        return None
    held, windows = calibration.hit_rate
    return CalibrationOut(
        level=calibration.level,
        horizon_days=calibration.horizon,
        held=held,
        windows=windows,
        reliable=calibration.reliable,
        adjusted=calibration.adjusted,
        bolder=calibration.bolder,
        lower_tail=round(calibration.lower_tail(calibration.level), 4),
        sentence=calibration_sentence(calibration, gettext),
        checks=[
            CheckOut(start=w.start, forecast=w.forecast, actual=w.actual, held=w.held)
            for w in calibration.windows
        ],
    )


class ExcludeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first: Date = Field(description="The first day left out")
    last: Date | None = Field(None, description="The last day left out (default: `first`)")
    reason: str = Field("", examples=["Public holiday"])


class ExcludedDayOut(BaseModel):
    day: Date
    reason: str

    @classmethod
    def of(cls, row: ExcludedDay) -> ExcludedDayOut:
        return cls(day=row.day, reason=row.reason)
