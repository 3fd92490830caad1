"""The syntax of custom formulas: tokens and a Pratt parser that builds a `tree.py` tree.

Nothing here evaluates anything; `formula.py` validates and evaluates the tree. Every
syntax error is a `FormulaError` that points at a position in the text with a caret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from jalon.errors import N_, Invalid, Label, Message, fill
from jalon.prioritisation.tree import BINARY, PREFIX_BP, Binary, Call, Node, Num, Unary, Var, height

MAX_LENGTH = 500
MAX_DEPTH = 25  # nested parentheses, calls, signs and powers
MAX_HEIGHT = 100  # levels of the tree, `a + b + c...` included: evaluation recurses on them
NAME_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")

# name -> (fewest arguments, most arguments or None for "any number")
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "log": (1, 1),
    "sqrt": (1, 1),
    "abs": (1, 1),
    "if": (3, 3),
    "clamp": (3, 3),
}


ALIASES = {"×": "*", "÷": "/", "−": "-", "**": "^"}

_TOKEN = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op><=|>=|==|!=|\*\*|[-+*/^(),<>×÷−])"
    r"|(?P<space>\s+)"
)


def _phrase(text: str) -> Label:
    """An English phrase inside a message, translated when the message is shown."""
    return Label(text, text)


A_VALUE = _phrase(N_("a number, a name or '('"))
AN_OPERATOR = _phrase(N_("an operator or the end of the formula"))
IN_PARENS = _phrase(N_("an operator or ')'"))
IN_CALL = _phrase(N_("an operator, ',' or ')'"))
THE_END = _phrase(N_("the end of the formula"))


# --- errors that point at a position -------------------------------------------------------


def caret(text: str, offset: int, width: int = 60) -> str:
    """Two lines: the text around `offset` (whitespace flattened) and a caret under it."""
    flat = re.sub(r"\s", " ", text)
    start = max(0, min(offset - width // 2, len(flat) - width))
    end = start + width
    shown = ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
    return f"{shown}\n{' ' * (offset - start + (1 if start else 0))}^"


class _Located(Message):
    """A field message followed by the caret excerpt, which needs no translation."""

    excerpt: str

    def __new__(cls, template: str, *, excerpt: str, **params: Any) -> _Located:
        obj = str.__new__(cls, f"{fill(template, params, None)}\n{excerpt}")
        obj.template, obj.params, obj.excerpt = template, params, excerpt
        return obj

    def localise(self, gettext: Callable[[str], str]) -> str:
        return f"{super().localise(gettext)}\n{self.excerpt}"


class FormulaError(Invalid):
    """A formula refused when saved; `offset` is 0-based, the message says `position` 1-based."""

    def __init__(self, message: str, *, text: str, offset: int, **params: Any) -> None:
        super().__init__(message, pos=offset + 1, **params)
        self.offset = offset
        self.excerpt = caret(text, offset)
        self.fields["expression"] = _Located(message, excerpt=self.excerpt, **self.params)

    def render(self, gettext: Callable[[str], str] = str) -> str:
        return f"{super().render(gettext)}\n{self.excerpt}"

    def __str__(self) -> str:
        return self.render()


# --- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, name, op, end
    text: str
    pos: int

    @property
    def shown(self) -> str:
        return THE_END if self.kind == "end" else repr(self.text)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 1 if text.startswith("=") else 0  # a spreadsheet habit: "=reach * impact"
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FormulaError(
                N_("Unexpected character {char!r} at position {pos}."),
                text=text,
                offset=pos,
                char=text[pos],
            )
        kind, value = match.lastgroup or "", match.group()
        if kind != "space":
            tokens.append(Token(kind, ALIASES.get(value, value), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- the parser ------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: Token, **params: Any) -> FormulaError:
        return FormulaError(message, text=self.text, offset=token.pos, **params)

    def expect(self, text: str, expected: Label) -> Token:
        token = self.peek()
        if token.text != text or token.kind != "op":
            raise self.fail(
                N_("Expected {expected} at position {pos}, found {found}."),
                token,
                expected=expected,
                found=token.shown,
            )
        return self.advance()

    def expression(self, min_bp: int, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(
                N_("The formula nests too deeply at position {pos} (at most {max} levels)."),
                self.peek(),
                max=MAX_DEPTH,
            )
        left = self.prefix(depth)
        while (token := self.peek()).kind == "op" and token.text in BINARY:
            left_bp, right_bp = BINARY[token.text]
            if left_bp <= min_bp:
                break
            self.advance()
            right = self.expression(right_bp, depth + 1)
            left = Binary(token.text, left, right, pos=token.pos)
        return left

    def prefix(self, depth: int) -> Node:
        token = self.advance()
        if token.kind == "num":
            return Num(float(token.text), pos=token.pos)
        if token.kind == "name":
            return self.name(token, depth)
        if token.kind == "op" and token.text == "(":
            inner = self.expression(0, depth + 1)
            self.expect(")", IN_PARENS)
            return replace(inner, paren=True)
        if token.kind == "op" and token.text == "-":
            return Unary(self.expression(PREFIX_BP, depth + 1), pos=token.pos)
        raise self.fail(
            N_("Expected {expected} at position {pos}, found {found}."),
            token,
            expected=A_VALUE,
            found=token.shown,
        )

    def name(self, token: Token, depth: int) -> Node:
        is_call = self.peek().text == "(" and self.peek().kind == "op"
        if not is_call and token.text in FUNCTIONS:
            raise self.fail(
                N_("{name}() is a function and needs parentheses, at position {pos}."),
                token,
                name=token.text,
            )
        if not is_call:
            return Var(token.text, pos=token.pos)
        if token.text not in FUNCTIONS:
            raise self.unknown_function(token)
        self.advance()
        args: list[Node] = []
        if self.peek().text != ")":
            args.append(self.expression(0, depth + 1))
            while self.peek().text == ",":
                self.advance()
                args.append(self.expression(0, depth + 1))
        self.expect(")", IN_CALL)
        return self.check_arity(Call(token.text, tuple(args), pos=token.pos))

    def unknown_function(self, token: Token) -> FormulaError:
        return self.fail(
            N_("Unknown function {name!r} at position {pos}; functions are {names}."),
            token,
            name=token.text,
            names=tuple(sorted(FUNCTIONS)),
        )

    def check_arity(self, call: Call) -> Call:
        fewest, most = FUNCTIONS[call.name]
        given = len(call.args)
        if most is None and given < fewest:
            message = N_(
                "Wrong number of arguments for {name}() at position {pos}: "
                "expected at least {expected}, got {given}."
            )
        elif most is not None and given != fewest:
            message = N_(
                "Wrong number of arguments for {name}() at position {pos}: "
                "expected {expected}, got {given}."
            )
        else:
            return call
        raise FormulaError(
            message, text=self.text, offset=call.pos, name=call.name, expected=fewest, given=given
        )


def parse_tree(text: str) -> Node:
    """The tree of `text`, or a FormulaError that says where and what is wrong."""
    if len(text) > MAX_LENGTH:
        raise Invalid(
            N_("The formula is too long: {length} characters (at most {max})."),
            field="expression",
            length=len(text),
            max=MAX_LENGTH,
        )
    if not text.strip().lstrip("="):
        raise Invalid(N_("Write a formula, for example: value / effort"), field="expression")
    parser = _Parser(text)
    root = parser.expression(0, 0)
    if (token := parser.peek()).kind != "end":
        raise parser.fail(
            N_("Expected {expected} at position {pos}, found {found}."),
            token,
            expected=AN_OPERATOR,
            found=token.shown,
        )
    if (levels := height(root)) > MAX_HEIGHT:
        raise Invalid(
            N_("The formula has too many operations in a row: {levels} (at most {max})."),
            field="expression",
            levels=levels,
            max=MAX_HEIGHT,
        )
    return root
