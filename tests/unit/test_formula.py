"""Custom formulas: parsing, save-time checks, evaluation, explanation, many items at once."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.errors import Invalid
from jalon.prioritisation import formula as f
from jalon.prioritisation import syntax, tree
from jalon.prioritisation.tree import Binary, Call, Node, Num, Unary, Var

NAMES = {"reach", "impact", "confidence", "effort", "value", "done", "x"}
RICE = "(reach * impact * confidence) / effort"
RICE_INPUTS = {"reach": 8.0, "impact": 3.0, "confidence": 0.8, "effort": 5.0}


def parse(text: str) -> f.Formula:
    return f.parse(text, allowed_names=NAMES)


def refused(text: str) -> Invalid:
    with pytest.raises(Invalid) as info:
        parse(text)
    assert set(info.value.fields) == {"expression"}
    return info.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("1 - 2 - 3", -4),
        ("8 / 4 / 2", 1),
        ("2 ^ 3 ^ 2", 512),  # right-associative
        ("-2 ^ 2", -4),  # the power binds tighter than the minus
        ("(-2) ^ 2", 4),
        ("2 * -3", -6),
        ("- -2", 2),
        ("3 > 2", 1),
        ("3 <= 2", 0),
        ("2 == 2", 1),
        ("2 != 2", 0),
        ("1 + 1 == 2", 1),
        ("min(3, 1, 2)", 1),
        ("max(1, 5)", 5),
        ("log(1)", 0),
        ("sqrt(16)", 4),
        ("abs(0 - 3)", 3),
        ("if(1, 2, 3)", 2),
        ("if(0, 2, 3)", 3),
        ("clamp(15, 0, 10)", 10),
        ("clamp(-1, 0, 10)", 0),
        ("1.5e2", 150),
        (".5 * 4", 2),
        ("2 × 3 ÷ 4", 1.5),  # as the explanations print it
        ("2 ** 3", 8),
        ("=1 + 1", 2),  # a spreadsheet habit
        ("  7\n", 7),
    ],
)
def test_arithmetic(text: str, expected: float) -> None:
    assert parse(text).evaluate({}) == pytest.approx(expected)


def test_inputs_and_variables() -> None:
    formula = parse(RICE)
    assert formula.evaluate(RICE_INPUTS) == pytest.approx(3.84)
    assert f.variables(formula) == {"reach", "impact", "confidence", "effort"}
    assert f.variables(parse("if(x > 1, value, 0)")) == {"x", "value"}


def test_if_only_evaluates_the_branch_it_takes() -> None:
    formula = parse("if(effort > 0, value / effort, 0)")
    assert formula.evaluate({"effort": 0, "value": 5}) == 0
    assert formula.evaluate({"effort": 2, "value": 5}) == 2.5


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        (
            "reach * (impact",
            "Expected an operator or ')' at position 16, found the end of the formula.",
            15,
        ),
        ("reach +", "Expected a number, a name or '(' at position 8", 7),
        ("reach reach", "Expected an operator or the end of the formula at position 7", 6),
        ("min(1,, 2)", "Expected a number, a name or '(' at position 7, found ','.", 6),
        ("max(1 2)", "Expected an operator, ',' or ')' at position 7, found '2'.", 6),
        ("reach # 2", "Unexpected character '#' at position 7.", 6),
        ("raech * 2", "Unknown name 'raech' at position 1; did you mean 'reach'?", 0),
        ("2 * Reach", "Unknown name 'Reach' at position 5; did you mean 'reach'?", 4),
        ("1 + zzz", "Unknown name 'zzz' at position 5. Names you can use: confidence, done,", 4),
        ("1 + foo(2)", "Unknown function 'foo' at position 5; functions are abs, clamp,", 4),
        ("log + 1", "log() is a function and needs parentheses, at position 1.", 0),
        ("x + min(1)", "for min() at position 5: expected at least 2, got 1.", 4),
        ("log(1, 2)", "for log() at position 1: expected 1, got 2.", 0),
        ("if(x, 1)", "for if() at position 1: expected 3, got 2.", 0),
        ("reach / 0", "Division by zero at position 9.", 8),
        ("reach / (2 - 2)", "Division by zero at position 10: 2 - 2 is always 0.", 9),
        ("if(x, 1 / 0, 2)", "Division by zero at position 11.", 10),
        ("reach + log(0)", "log(0) at position 9 can never be computed.", 8),
        ("reach * sqrt(0 - 1)", "sqrt(0 - 1) at position 9 can never be computed.", 8),
        ("x + 10 ^ 400", "10^400 at position 5 can never be computed.", 4),
    ],
)
def test_refused_formulas_point_at_the_error(text: str, message: str, offset: int) -> None:
    error = refused(text)
    assert message in str(error)
    assert isinstance(error, syntax.FormulaError)
    assert error.offset == offset
    excerpt, marker = error.excerpt.splitlines()
    assert excerpt == text.replace("\n", " ")
    assert marker == " " * offset + "^"
    assert str(error.fields["expression"]).endswith(error.excerpt)


def test_long_formulas_show_a_window_around_the_error() -> None:
    text = " + ".join(["reach"] * 25) + " + oops + " + " + ".join(["reach"] * 25)
    error = refused(text)
    assert isinstance(error, syntax.FormulaError)
    excerpt, marker = error.excerpt.splitlines()
    assert excerpt.startswith("…") and excerpt.endswith("…") and len(excerpt) == 62
    assert excerpt[marker.index("^") :].startswith("oops")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write a formula, for example: value / effort"),
        ("  = ", "Write a formula, for example: value / effort"),
        ("1 + " * 130 + "1", "The formula is too long: 521 characters (at most 500)."),
        ("(" * 25 + "1" + ")" * 25 + " / 0", "Division by zero at position 55."),  # deep is fine
        ("x+" * 100 + "x", "too many operations in a row: 101 (at most 100)."),
        ("(" * 30 + "1" + ")" * 30, "The formula nests too deeply at position 27 (at most 25"),
    ],
)
def test_empty_long_and_deep_formulas_are_refused(text: str, message: str) -> None:
    assert message in str(refused(text))


def test_messages_are_translated_before_the_excerpt_is_added() -> None:
    french = {
        "Expected {expected} at position {pos}, found {found}.": (
            "{expected} attendu en position {pos}, trouvé {found}."
        ),
        "an operator or ')'": "un opérateur ou ')'",
        "the end of the formula": "la fin de la formule",
    }
    error = refused("(x")
    gettext = lambda text: french.get(text, text)  # noqa: E731
    expected = "un opérateur ou ')' attendu en position 3, trouvé la fin de la formule."
    assert error.render(gettext) == f"{expected}\n(x\n  ^"
    assert error.body(gettext)["error"]["fields"] == {"expression": f"{expected}\n(x\n  ^"}


# --- evaluation errors, for one item ---------------------------------------------------------


def failure(text: str, inputs: dict[str, float]) -> Invalid:
    with pytest.raises(Invalid) as info:
        parse(text).evaluate(inputs)
    return info.value


def test_a_missing_input_is_named() -> None:
    error = failure(RICE, {"reach": 1, "impact": 1, "confidence": 1})
    assert str(error) == "The input 'effort' is missing."
    assert set(error.fields) == {"effort"}


def test_division_by_zero_names_the_divisor() -> None:
    error = failure("value / (effort - done)", {"value": 3, "effort": 2, "done": 2})
    assert str(error) == "Division by zero: effort - done is 0 for this item."
    assert set(error.fields) == {"expression"}


@pytest.mark.parametrize(
    ("text", "inputs", "message"),
    [
        ("log(x)", {"x": 0}, "log() needs a number above 0, but x is 0 for this item."),
        ("sqrt(x - 5)", {"x": 1}, "sqrt() needs a number of at least 0, but x - 5 is -4 here."),
        ("x ^ 0.5", {"x": -4}, "x^0.5 cannot be computed: -4^0.5."),
        ("x * 1e300", {"x": 1e10}, "The score is too large to compute for this item."),
        ("x * 1e300 - x * 1e300", {"x": 1e10}, "x * 1e+300 - x * 1e+300 gives no number"),
        ("x", {"x": math.inf}, "The input 'x' must be a finite number."),
    ],
)
def test_evaluation_errors_say_what_failed(
    text: str, inputs: dict[str, float], message: str
) -> None:
    assert message in str(failure(text, inputs))


# --- explanations ----------------------------------------------------------------------------


def test_explain_fills_the_formula_with_the_item_values() -> None:
    assert parse(RICE).explain(RICE_INPUTS) == "(8 × 3 × 0.8) / 5 = 3.84"
    assert parse("x ^ 2 - x").explain({"x": -3}) == "(-3)^2 - (-3) = 12"
    assert parse("min(value, 10) / 3").explain({"value": 40}) == "min(40, 10) / 3 = 3.3333"


def test_steps_show_each_computed_part_innermost_first() -> None:
    steps = parse(RICE).steps(RICE_INPUTS)
    assert [(s.expression, s.filled) for s in steps] == [
        ("reach × impact", "8 × 3"),
        ("reach × impact × confidence", "8 × 3 × 0.8"),
        ("(reach × impact × confidence) / effort", "(8 × 3 × 0.8) / 5"),
    ]
    assert [s.value for s in steps] == pytest.approx([24, 19.2, 3.84])


def test_steps_skip_the_branch_not_taken() -> None:
    steps = parse("if(effort > 0, value / effort, 0)").steps({"effort": 0, "value": 1})
    assert [s.expression for s in steps] == ["effort > 0", "if(effort > 0, value / effort, 0)"]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("(reach + impact) * effort", "(reach + impact) * effort"),
        ("reach + (impact * effort)", "reach + impact * effort"),
        ("-(x ^ 2)", "-x^2"),
        ("(-x) ^ 2", "(-x)^2"),
        ("2 ^ (3 ^ x)", "2^3^x"),
        ("(2 ^ 3) ^ x", "(2^3)^x"),
        ("x - (done - value)", "x - (done - value)"),
        ("x ^ (-1)", "x^(-1)"),
        ("MAX(x,1)".lower(), "max(x, 1)"),
    ],
)
def test_canonical_text_keeps_only_the_needed_parentheses(text: str, canonical: str) -> None:
    formula = parse(text)
    assert formula.canonical() == canonical
    assert parse(canonical).root == formula.root


@pytest.mark.parametrize("value", [3.0, 0.8, 3.8400000000000007, 1234567.0, 1e-7, -0.0, 2e20])
def test_display_number(value: float) -> None:
    shown = f.display_number(value)
    assert float(shown) == pytest.approx(value, rel=1e-3, abs=1e-4)
    assert len(shown) <= 9


# --- many items ------------------------------------------------------------------------------


def test_evaluate_many_scores_every_item_and_explains_failures() -> None:
    formula = parse(RICE)
    columns = {
        "reach": [8.0, 1.0, None, 4.0],
        "impact": [3.0, 3.0, 3.0, 1.0],
        "confidence": [0.8, 1.0, 1.0, 0.5],
        "effort": [5.0, 0.0, 1.0, 2.0],
        "unused": [1.0, 1.0, 1.0, 1.0],
    }
    results = f.evaluate_many(formula, columns)
    assert results == [pytest.approx(3.84), None, None, 1.0]
    reasons = f.failure_reasons(formula, columns, results)
    assert {i: str(e) for i, e in reasons.items()} == {
        1: "Division by zero: effort is 0 for this item.",
        2: "The input 'reach' is missing.",
    }


@pytest.mark.parametrize(
    "text",
    [
        "if(x, 1, 2)",
        "if(1 / x, 1, 2)",
        "(1 / x) ^ 0",
        "1 ^ (1 / x)",
        "x ^ 0",
        "min(1 / x, 1)",
        "min(1, 1 / x, 2)",
        "max(1, 1 / x)",
        "max(1 / x, 1)",
        "clamp(x, 0.5, 2)",
        "clamp(x, 2, 0.5)",
        "x < 0.5",
        "x <= 0.5",
        "x > 0.5",
        "x >= 0.5",
        "x == 0.5",
        "x != 0.5",
        "clamp(1 / x, 0, 1)",
        "(1 / x) < 1",
        "(1 / x) == (1 / x)",
        "0 * (1 / x)",
        "abs(log(x))",
        "sqrt(x - 1)",
        "-x",
    ],
)
def test_a_failure_anywhere_fails_the_item_in_both_evaluations(text: str) -> None:
    formula = parse(text)
    column: list[float | None] = [None, 0.0, -0.0, 0.5, -1.0, 4.0, 1e308]
    expected = [_one(formula, {"x": value}) for value in column]
    assert f.evaluate_many(formula, {"x": column}) == expected
    assert None in expected


def test_evaluate_many_edge_cases() -> None:
    assert f.evaluate_many(parse("2 * 3"), {"x": [1.0, 2.0]}) == [6.0, 6.0]
    assert f.evaluate_many(parse("x"), {"reach": [1.0]}) == [None]  # no column: missing
    assert f.evaluate_many(parse("x"), {}) == []
    with pytest.raises(ValueError, match="different lengths"):
        f.evaluate_many(parse("x + reach"), {"x": [1.0], "reach": [1.0, 2.0]})


# --- properties ------------------------------------------------------------------------------

VARIABLES = ("x", "value", "effort")
OPERATORS = ("+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=")
numbers = st.one_of(
    st.integers(0, 12).map(float),
    st.sampled_from([0.5, 0.25, 1e-5, 1e16, 123.456]),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
)
names = st.sampled_from(VARIABLES).map(Var)
leaves = st.one_of(names, names, numbers.map(Num))


def _branches(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    calls = [
        st.tuples(children, children).map(lambda a: Call("min", a)),
        st.lists(children, min_size=2, max_size=3).map(lambda a: Call("max", tuple(a))),
        *(children.map(lambda a, n=name: Call(n, (a,))) for name in ("log", "sqrt", "abs")),
        st.tuples(children, children, children).map(lambda a: Call("if", a)),
        st.tuples(children, children, children).map(lambda a: Call("clamp", a)),
    ]
    binary = st.builds(Binary, st.sampled_from(OPERATORS), children, children)
    return st.one_of(binary, binary, binary, children.map(Unary), st.one_of(calls), *calls)


trees = st.recursive(leaves, _branches, max_leaves=8)
values = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 1e300, -1e300]),
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
)
rows = st.lists(st.fixed_dictionaries({n: values for n in VARIABLES}), min_size=1, max_size=8)


def _formula(root: Node) -> f.Formula:
    return f.Formula(tree.render(root), root, tree.names_in(root))


def _one(formula: f.Formula, row: dict[str, float | None]) -> float | None:
    try:
        return formula.evaluate({k: v for k, v in row.items() if v is not None})
    except Invalid:
        return None


@settings(max_examples=200)
@given(root=trees, rows=rows)
def test_evaluate_many_agrees_with_evaluate(
    root: Node, rows: list[dict[str, float | None]]
) -> None:
    formula = _formula(root)
    columns = {name: [row[name] for row in rows] for name in VARIABLES}
    assert f.evaluate_many(formula, columns) == [_one(formula, row) for row in rows]


@given(root=trees, rows=rows, more=rows)
def test_adding_items_never_changes_other_scores(
    root: Node, rows: list[dict[str, float | None]], more: list[dict[str, float | None]]
) -> None:
    formula = _formula(root)
    before = f.evaluate_many(formula, {n: [r[n] for r in rows] for n in VARIABLES})
    after = f.evaluate_many(formula, {n: [r[n] for r in rows + more] for n in VARIABLES})
    assert after[: len(rows)] == before


@given(root=trees)
def test_rendered_text_parses_back_to_the_same_tree(root: Node) -> None:
    assert syntax.parse_tree(tree.render(root)) == root
    assert syntax.parse_tree(tree.render(root, keep_parens=False)) == root
