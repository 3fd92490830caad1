"""Pure prioritisation rules: the built-in models, their inputs, scores and explanations.

Every score is absolute: it depends on the item's own inputs only, never on other items,
so adding an item never changes another's score. Each built-in model is a formula of the
same language as custom formulas (`formula.py`), so any score can be explained the same way.

Decisions worth knowing:
- RICE confidence is a fraction from 0 to 1 (80% is 0.8); a percentage gets a clear message.
  Impact uses Intercom's scale: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal.
- WSJF is (business value + time criticality + risk reduction) / job size, with the values
  as given (SAFe's relative "smallest job is 1" would make scores depend on other items).
- MoSCoW and Kano are categories turned into an ordinal. Kano classifies rather than scores:
  must-be 4 (expected; dissatisfies when absent), performance 3, attractive 2,
  indifferent 1, reverse 0 (some users do not want it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from jalon.errors import N_, Invalid, Label, Message
from jalon.prioritisation.formula import Formula, Step, parse
from jalon.prioritisation.ranking import (
    RankShift,
    agreement,
    apply_order,
    kendall_tau,
    rank_differences,
    ranks,
)
from jalon.prioritisation.swaps import Swap, find_swaps
from jalon.prioritisation.tree import number_text

__all__ = [
    "MODELS",
    "Choice",
    "InputSpec",
    "ModelSpec",
    "RankShift",
    "Scored",
    "Swap",
    "agreement",
    "apply_order",
    "kendall_tau",
    "rank_differences",
    "ranks",
    "resolve",
    "score",
    "swap_analysis",
    "validate_inputs",
    "validate_some",
]

InputValue = float | str


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: str
    value: float


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input of a model. A number within [minimum, maximum] (minimum excluded when
    `above_minimum`), or one of `choices`: numbers for RICE impact, codes for categories."""

    name: str
    label: str
    minimum: float | None = None
    maximum: float | None = None
    above_minimum: bool = False
    step: float = 1.0  # the increment a person thinks in, for swap suggestions
    choices: tuple[Choice, ...] = ()
    categorical: bool = False  # the input is a choice's code, not a number
    percent_hint: bool = False
    hint: str = ""  # the unit or scale, shown next to the label

    def ordinal(self, value: InputValue) -> float:
        """The number a formula reads: a category's value, or the number itself."""
        if isinstance(value, str):
            return next(c.value for c in self.choices if c.code == value)
        return value

    def allows(self, value: float) -> bool:
        if self.choices:
            return any(c.value == value for c in self.choices)
        low, high = self.minimum, self.maximum
        too_low = low is not None and (value <= low if self.above_minimum else value < low)
        return not too_low and (high is None or value <= high)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    key: str
    label: str
    formula_text: str
    inputs: tuple[InputSpec, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Scored:
    value: float
    formula_text: str
    explanation: str  # `(8 × 3 × 0.8) / 5 = 3.84`
    steps: tuple[Step, ...]


def _positive(name: str, label: str, *, step: float = 0.5, hint: str = "") -> InputSpec:
    return InputSpec(name, label, minimum=0, above_minimum=True, step=step, hint=hint)


IMPACT_SCALE = (
    Choice("3", N_("3 = massive"), 3),
    Choice("2", N_("2 = high"), 2),
    Choice("1", N_("1 = medium"), 1),
    Choice("0.5", N_("0.5 = low"), 0.5),
    Choice("0.25", N_("0.25 = minimal"), 0.25),
)
MOSCOW = (
    Choice("must", N_("Must have"), 4),
    Choice("should", N_("Should have"), 3),
    Choice("could", N_("Could have"), 2),
    Choice("wont", N_("Won't have this time"), 1),
)
KANO = (
    Choice("must_be", N_("Must-be"), 4),
    Choice("performance", N_("Performance"), 3),
    Choice("attractive", N_("Attractive"), 2),
    Choice("indifferent", N_("Indifferent"), 1),
    Choice("reverse", N_("Reverse"), 0),
)

MODELS: dict[str, ModelSpec] = {
    "rice": ModelSpec(
        "rice",
        N_("RICE"),
        "(reach * impact * confidence) / effort",
        (
            InputSpec("reach", N_("Reach"), minimum=0, hint=N_("people or events per period")),
            InputSpec("impact", N_("Impact"), choices=IMPACT_SCALE),
            InputSpec(
                "confidence",
                N_("Confidence"),
                hint=N_("from 0 to 1"),
                minimum=0,
                maximum=1,
                step=0.05,
                percent_hint=True,
            ),
            _positive("effort", N_("Effort"), hint=N_("person-months")),
        ),
    ),
    "ice": ModelSpec(
        "ice",
        N_("ICE"),
        "impact * confidence * ease",
        tuple(
            InputSpec(name, label, minimum=1, maximum=10, hint=N_("from 1 to 10"))
            for name, label in (
                ("impact", N_("Impact")),
                ("confidence", N_("Confidence")),
                ("ease", N_("Ease")),
            )
        ),
    ),
    "wsjf": ModelSpec(
        "wsjf",
        N_("WSJF"),
        "(business_value + time_criticality + risk_reduction) / job_size",
        (
            InputSpec("business_value", N_("Business value"), minimum=0),
            InputSpec("time_criticality", N_("Time criticality"), minimum=0),
            InputSpec("risk_reduction", N_("Risk reduction or opportunity enablement"), minimum=0),
            _positive("job_size", N_("Job size"), step=1),
        ),
        N_("Cost of delay divided by job size; the values are used as given."),
    ),
    "value_effort": ModelSpec(
        "value_effort",
        N_("Value / effort"),
        "value / effort",
        (InputSpec("value", N_("Value"), minimum=0), _positive("effort", N_("Effort"))),
    ),
    "moscow": ModelSpec(
        "moscow",
        N_("MoSCoW"),
        "moscow",
        (InputSpec("moscow", N_("MoSCoW"), choices=MOSCOW, categorical=True),),
        N_("Must 4, should 3, could 2, won't 1."),
    ),
    "kano": ModelSpec(
        "kano",
        N_("Kano"),
        "kano",
        (InputSpec("kano", N_("Kano category"), choices=KANO, categorical=True),),
        N_(
            "Kano classifies rather than scores. The order puts expected features first: "
            "must-be 4, performance 3, attractive 2, indifferent 1, reverse 0."
        ),
    ),
}


@cache
def _builtin_formula(key: str) -> Formula:
    spec = MODELS[key]
    return parse(spec.formula_text, allowed_names={i.name for i in spec.inputs})


def resolve(model: str | Formula) -> tuple[tuple[InputSpec, ...], Formula]:
    """The inputs and formula of a built-in model's key, or of a custom formula."""
    if isinstance(model, Formula):
        return tuple(InputSpec(name, name, step=0) for name in sorted(model.names)), model
    if model not in MODELS:
        raise Invalid(
            N_("Unknown model {model!r}; models are {models}."),
            field="model",
            model=model,
            models=tuple(MODELS),
        )
    return MODELS[model].inputs, _builtin_formula(model)


# --- inputs ----------------------------------------------------------------------------------


class _Problem(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def _as_number(raw: object) -> float:
    if isinstance(raw, str):
        raw = raw.strip().replace(",", ".")  # French decimal comma
    if isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except ValueError:
            pass
        else:
            if math.isfinite(value):
                return value
    raise _Problem(Message(N_("Enter a number.")))


def _choice_labels(spec: InputSpec) -> tuple[Label, ...]:
    return tuple(Label(c.code, c.label) for c in spec.choices)


def _category(spec: InputSpec, raw: object) -> str:
    code = str(raw).strip().lower().replace("'", "").replace("-", "_").replace(" ", "_")
    if code not in {c.code for c in spec.choices}:
        raise _Problem(Message(N_("Choose one of: {choices}."), choices=_choice_labels(spec)))
    return code


def _range_problem(spec: InputSpec, value: float) -> Message:
    low, high = number_text(spec.minimum or 0), number_text(spec.maximum or 0)
    if spec.percent_hint and 1 < value <= 100:
        return Message(
            N_("Write a fraction from 0 to 1: {fraction} for {percent}%."),
            fraction=number_text(value / 100),
            percent=number_text(value),
        )
    if spec.maximum is not None:
        return Message(N_("Use a number from {low} to {high}."), low=low, high=high)
    if spec.above_minimum:
        return Message(N_("Use a number above {low}."), low=low)
    return Message(N_("Use a number of at least {low}."), low=low)


def _check_input(spec: InputSpec, raw: object) -> InputValue:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _Problem(Message(N_("Required.")))
    if spec.categorical:
        return _category(spec, raw)
    value = _as_number(raw)
    if spec.choices and not spec.allows(value):
        raise _Problem(Message(N_("Choose one of: {choices}."), choices=_choice_labels(spec)))
    if not spec.allows(value):
        raise _Problem(_range_problem(spec, value))
    return value


def validate_inputs(model: str | Formula, raw: Mapping[str, object]) -> dict[str, InputValue]:
    """The inputs of one item, cleaned (numbers as floats, categories as codes).

    Raises Invalid with one message per bad input in `fields`. A built-in model refuses
    inputs it does not know; a custom formula ignores inputs it does not read.
    """
    specs, _formula = resolve(model)
    values: dict[str, InputValue] = {}
    problems: dict[str, str] = {}
    for spec in specs:
        try:
            values[spec.name] = _check_input(spec, raw.get(spec.name))
        except _Problem as problem:
            problems[spec.name] = problem.message
    if isinstance(model, str):
        names = tuple(spec.name for spec in specs)
        for extra in sorted(set(raw) - set(names)):
            problems[extra] = Message(N_("Not an input of this model; use {names}."), names=names)
    if problems:
        raise Invalid(
            N_("Check these inputs: {names}."), fields=problems, names=tuple(sorted(problems))
        )
    return values


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_some(
    model: str | Formula, raw: Mapping[str, object]
) -> tuple[dict[str, InputValue], tuple[str, ...]]:
    """The inputs given so far, cleaned, and the names still missing (a grid fills an
    item's inputs one cell at a time). Blank values count as missing; a bad value, or a
    name the model does not know, raises Invalid as `validate_inputs` does."""
    specs, _formula = resolve(model)
    given = {name: value for name, value in raw.items() if not _blank(value)}
    missing = tuple(spec.name for spec in specs if spec.name not in given)
    try:
        return validate_inputs(model, given), ()
    except Invalid as error:
        problems = {name: m for name, m in error.fields.items() if name not in missing}
        if problems:
            raise Invalid(
                N_("Check these inputs: {names}."), fields=problems, names=tuple(sorted(problems))
            ) from None
    values = {
        spec.name: _check_input(spec, given[spec.name]) for spec in specs if spec.name in given
    }
    return values, missing


def score(model: str | Formula, inputs: Mapping[str, object]) -> Scored:
    """An item's score under a model, with its explanation (formula filled in, steps)."""
    specs, formula = resolve(model)
    values = validate_inputs(model, inputs)
    numbers = {spec.name: spec.ordinal(values[spec.name]) for spec in specs}
    shown = {name: value for name, value in values.items() if isinstance(value, str)}
    return Scored(
        value=formula.evaluate(numbers),
        formula_text=formula.text,
        explanation=formula.explain(numbers, shown=shown),
        steps=tuple(formula.steps(numbers)),
    )


def swap_analysis(
    model: str | Formula, inputs_a: Mapping[str, object], inputs_b: Mapping[str, object]
) -> list[Swap]:
    """For A ranked above B, each single-input change that would put B above A.

    `swap.message(name_a=..., name_b=...)` reads "Raise B's reach from 200 to 451."
    """
    specs, formula = resolve(model)
    a, b = validate_inputs(model, inputs_a), validate_inputs(model, inputs_b)
    return find_swaps(specs, formula, a, b)
