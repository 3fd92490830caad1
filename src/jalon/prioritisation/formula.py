"""Custom weighted formulas: checked when saved, evaluated per item or for a whole backlog.

A formula is parsed by `syntax.py` (no `eval`, no Python code) into a small tree. `parse`
refuses it when it names an unknown input or always fails (`x / 0`, `log(0)`). Evaluation
is absolute: an item's score depends on its own inputs only.

The language: numbers (`3`, `0.8`, `1.5e3`), input names (`reach`, `business_value`),
`+ - * /`, `^` (power, right-associative, above the unary minus: `-x^2` is `-(x^2)`),
parentheses, comparisons `< <= > >= == !=`, and the functions `min(a, b, ...)`,
`max(a, b, ...)`, `log(x)` (natural), `sqrt(x)`, `abs(x)`, `if(condition, then, else)` and
`clamp(x, low, high)`. `×`, `÷` and `**` are read as `*`, `/` and `^`; a leading `=` is
ignored. At most 500 characters and 25 nested levels.

Semantics, shared by `Formula.evaluate` and `evaluate_many` (a property test holds them
equal): IEEE floats, except that a division by zero, `log` of a number <= 0, `sqrt` of a
negative number, a power that cannot be computed, a missing input, or a result that is not
a finite number fail the item. `if(c, a, b)` only evaluates the branch it takes.
Comparisons give 1 or 0. `clamp(x, lo, hi)` is `min(max(x, lo), hi)`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jalon.errors import N_, Invalid
from jalon.prioritisation import vector
from jalon.prioritisation.syntax import FUNCTIONS, NAME_RE, FormulaError, parse_tree
from jalon.prioritisation.tree import (
    Binary,
    Call,
    Node,
    Num,
    Unary,
    Var,
    names_in,
    number_text,
    render,
    start,
    walk,
)

__all__ = [
    "FUNCTIONS",
    "NAME_RE",
    "EvaluationError",
    "Formula",
    "FormulaError",
    "Step",
    "display_number",
    "evaluate_many",
    "failure_reasons",
    "parse",
    "variables",
]


class EvaluationError(Invalid):
    """One item's formula cannot be computed; `node` is the part of the formula that failed."""

    def __init__(
        self,
        message: str,
        *,
        node: Node,
        field: str = "expression",
        kind: str = "value",
        **params: Any,
    ) -> None:
        super().__init__(message, field=field, **params)
        self.node = node
        self.kind = kind  # value, input, division


@dataclass(frozen=True, slots=True)
class Step:
    """One computed part of a formula: `reach × impact`, `8 × 3`, 24."""

    expression: str
    filled: str
    value: float


def display_number(value: float) -> str:
    """A computed number for people: at most 4 decimals, never `3.8400000000000003`."""
    if value == 0 or 1e-3 <= abs(value) < 1e15:
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return f"{value:.4g}"


def _power(base: float, exponent: float) -> float | None:
    try:
        return math.pow(base, exponent)
    except (ValueError, OverflowError):
        return None


class _Scalar:
    """Evaluates a tree for one item, optionally recording each computed part."""

    def __init__(self, inputs: Mapping[str, float], steps: list[Step] | None = None) -> None:
        self.inputs = inputs
        self.steps = steps

    def run(self, node: Node) -> float:
        value = self._value(node)
        if math.isnan(value):  # inf - inf, 0 × inf
            raise EvaluationError(
                N_("{part} gives no number for this item."), node=node, part=render(node)
            )
        if self.steps is not None and not isinstance(node, Num | Var):
            self.steps.append(Step(render(node, times="×"), self.filled(node), value))
        return value

    def filled(self, node: Node) -> str:
        return render(node, leaf=lambda leaf: _filled_leaf(leaf, self.inputs), times="×")

    def _value(self, node: Node) -> float:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Var):
            return self.input(node)
        if isinstance(node, Unary):
            return -self.run(node.operand)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def input(self, node: Var) -> float:
        value = self.inputs.get(node.name)
        if value is None:
            raise EvaluationError(
                N_("The input {name!r} is missing."),
                node=node,
                field=node.name,
                kind="input",
                name=node.name,
            )
        if not math.isfinite(value):
            raise EvaluationError(
                N_("The input {name!r} must be a finite number."),
                node=node,
                field=node.name,
                kind="input",
                name=node.name,
            )
        return float(value)

    def binary(self, node: Binary) -> float:
        left, right = self.run(node.left), self.run(node.right)
        if node.op == "/" and right == 0:
            raise EvaluationError(
                N_("Division by zero: {divisor} is 0 for this item."),
                node=node.right,
                kind="division",
                divisor=render(node.right),
            )
        if node.op == "^":
            if (value := _power(left, right)) is None:
                raise EvaluationError(
                    N_("{part} cannot be computed: {base}^{exponent}."),
                    node=node,
                    part=render(node),
                    base=display_number(left),
                    exponent=display_number(right),
                )
            return value
        return float(vector.SCALAR[node.op](left, right))

    def call(self, node: Call) -> float:
        if node.name == "if":
            condition = self.run(node.args[0])
            return self.run(node.args[1] if condition else node.args[2])
        values = [self.run(arg) for arg in node.args]
        if node.name == "log" and values[0] <= 0:
            message = N_("log() needs a number above 0, but {part} is {value} for this item.")
        elif node.name == "sqrt" and values[0] < 0:
            message = N_("sqrt() needs a number of at least 0, but {part} is {value} here.")
        else:
            return vector.FUNCTION_SCALAR[node.name](*values)
        raise EvaluationError(
            message, node=node, part=render(node.args[0]), value=display_number(values[0])
        )


def _filled_leaf(leaf: Num | Var, inputs: Mapping[str, float | str]) -> str:
    if isinstance(leaf, Num):
        return number_text(leaf.value)
    value = inputs.get(leaf.name)
    if value is None:
        return "?"
    if isinstance(value, str):
        return value
    text = display_number(value)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Formula:
    """A checked formula. `text` is what the PO wrote; `names` the inputs it reads."""

    text: str
    root: Node
    names: frozenset[str]

    def evaluate(self, inputs: Mapping[str, float]) -> float:
        """The item's score, or an EvaluationError (an Invalid) saying what failed."""
        value = _Scalar(inputs).run(self.root)
        if not math.isfinite(value):
            raise EvaluationError(
                N_("The score is too large to compute for this item."), node=self.root
            )
        return value

    def steps(self, inputs: Mapping[str, float]) -> list[Step]:
        """Each computed part of the formula for one item, innermost first, the whole last."""
        steps: list[Step] = []
        _Scalar(inputs, steps).run(self.root)
        return steps

    def explain(
        self, inputs: Mapping[str, float], *, shown: Mapping[str, str] | None = None
    ) -> str:
        """The formula filled in with the item's values: `(8 × 3 × 0.8) / 5 = 3.84`.

        `shown` replaces some values in the text, e.g. {"moscow": "must"} for a category.
        """
        value = self.evaluate(inputs)
        leaves: dict[str, float | str] = {**inputs, **(shown or {})}
        filled = render(self.root, leaf=lambda leaf: _filled_leaf(leaf, leaves), times="×")
        return f"{filled} = {display_number(value)}"

    def canonical(self) -> str:
        """The formula rewritten with the fewest parentheses; it parses back to the same tree."""
        return render(self.root, keep_parens=False)


# --- checks when the PO saves a formula ----------------------------------------------------


def parse(text: str, *, allowed_names: Collection[str]) -> Formula:
    """Check a formula and return it, or raise an Invalid on field "expression".

    Syntax errors, unknown names and functions, wrong argument counts and parts that
    always fail (`reach / 0`, `log(0)`) are FormulaErrors pointing at their position.
    """
    root = parse_tree(text)
    _check_names(text, root, frozenset(allowed_names))
    _check_constants(text, root)
    return Formula(text=text, root=root, names=names_in(root))


def variables(formula: Formula) -> set[str]:
    return set(formula.names)


def _check_names(text: str, root: Node, allowed: frozenset[str]) -> None:
    unknown = [n for n in walk(root) if isinstance(n, Var) and n.name not in allowed]
    if not unknown:
        return
    var, names = min(unknown, key=lambda n: n.pos), tuple(sorted(allowed))
    lowered = {name.lower(): name for name in allowed}
    close = difflib.get_close_matches(var.name.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        raise FormulaError(
            N_(
                "Unknown name {name!r} at position {pos}; did you mean {suggestion!r}? "
                "Names you can use: {names}."
            ),
            text=text,
            offset=var.pos,
            name=var.name,
            suggestion=lowered[close[0]],
            names=names,
        )
    raise FormulaError(
        N_("Unknown name {name!r} at position {pos}. Names you can use: {names}."),
        text=text,
        offset=var.pos,
        name=var.name,
        names=names,
    )


def _constant_value(text: str, node: Node) -> float:
    try:
        return _Scalar({}).run(node)
    except EvaluationError as error:
        failed = error.node
        if error.kind == "division":
            raise _division_by_zero(text, failed) from None
        raise FormulaError(
            N_("{part} at position {pos} can never be computed."),
            text=text,
            offset=start(failed),
            part=render(failed),
        ) from None


def _division_by_zero(text: str, divisor: Node) -> FormulaError:
    if isinstance(divisor, Num):
        message = N_("Division by zero at position {pos}.")
        return FormulaError(message, text=text, offset=divisor.pos)
    return FormulaError(
        N_("Division by zero at position {pos}: {divisor} is always 0."),
        text=text,
        offset=start(divisor),
        divisor=render(divisor),
    )


def _check_constants(text: str, root: Node) -> None:
    for node in walk(root):
        divisor = node.right if isinstance(node, Binary) and node.op == "/" else None
        if divisor is not None and not names_in(divisor) and _constant_value(text, divisor) == 0:
            raise _division_by_zero(text, divisor)
        if not isinstance(node, Num) and not names_in(node):
            _constant_value(text, node)


# --- many items at once --------------------------------------------------------------------


def evaluate_many(
    formula: Formula, columns: Mapping[str, Sequence[float | None]]
) -> list[float | None]:
    """Score many items at once: `columns` maps each input to one value per item (None when
    the item lacks it). Items that fail get None; `failure_reasons` says why."""
    lengths = {len(column) for column in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    prepared = {name: vector.column(columns[name]) for name in formula.names if name in columns}
    return vector.finite(vector.evaluate(formula.root, prepared, count))


def failure_reasons(
    formula: Formula,
    columns: Mapping[str, Sequence[float | None]],
    results: Sequence[float | None],
) -> dict[int, Invalid]:
    """Why each item that `evaluate_many` left without a score failed, by index."""
    reasons: dict[int, Invalid] = {}
    for index, result in enumerate(results):
        if result is not None:
            continue
        row = {name: column[index] for name, column in columns.items()}
        inputs = {name: value for name, value in row.items() if value is not None}
        try:
            formula.evaluate(inputs)
        except Invalid as error:
            reasons[index] = error
    return reasons
