"""The tree of a formula: five node types, walks over them, and the renderer.

Positions (`pos`, 0-based in the text) and written parentheses (`paren`) are kept for
messages and explanations, but two trees are equal when their structure is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# operator -> (left binding power, right binding power); right < left makes it right-assoc.
BINARY: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("<", "<=", ">", ">=", "==", "!="), (10, 11)),
    **dict.fromkeys(("+", "-"), (20, 21)),
    **dict.fromkeys(("*", "/"), (30, 31)),
    "^": (51, 50),
}
PREFIX_BP = 40  # unary minus: -x^2 is -(x^2), -x*y is (-x)*y
ATOM_BP = 100


# --- the tree --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: float
    pos: int = field(default=0, compare=False)
    paren: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Var:
    name: str
    pos: int = field(default=0, compare=False)
    paren: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    operand: Node
    pos: int = field(default=0, compare=False)
    paren: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)
    paren: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int = field(default=0, compare=False)
    paren: bool = field(default=False, compare=False)


Node = Num | Var | Unary | Binary | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return node.args if isinstance(node, Call) else ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    return [node, *(n for child in children(node) for n in walk(child))]


def height(node: Node) -> int:
    return 1 + max((height(child) for child in children(node)), default=0)


def start(node: Node) -> int:
    """Where the text of `node` starts (its operator comes later for a binary operation)."""
    return start(node.left) if isinstance(node, Binary) else node.pos


def names_in(node: Node) -> frozenset[str]:
    return frozenset(n.name for n in walk(node) if isinstance(n, Var))


def number_text(value: float) -> str:
    """A number as a person writes it: 3, 0.8, 3.84, 1234567 (and it parses back)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return BINARY[node.op][0]
    return PREFIX_BP if isinstance(node, Unary) else ATOM_BP


def render(
    node: Node,
    *,
    leaf: Callable[[Num | Var], str] | None = None,
    times: str = "*",
    keep_parens: bool = True,
) -> str:
    """The formula as text. `leaf` replaces numbers and names (to show an item's values)."""

    def go(n: Node, need: int) -> str:
        text = _bare(n)
        if _precedence(n) < need or (keep_parens and n.paren):
            return f"({text})"
        return text

    def _bare(n: Node) -> str:
        if isinstance(n, Num | Var):
            return leaf(n) if leaf else (number_text(n.value) if isinstance(n, Num) else n.name)
        if isinstance(n, Unary):
            return f"-{go(n.operand, PREFIX_BP + 1)}"
        if isinstance(n, Call):
            return f"{n.name}({', '.join(go(a, 0) for a in n.args)})"
        left_bp, right_bp = BINARY[n.op]
        left, right = go(n.left, left_bp if n.op != "^" else left_bp + 1), go(n.right, right_bp)
        if n.op == "^":
            return f"{left}^{right}"
        return f"{left} {times if n.op == '*' else n.op} {right}"

    return _bare(node)  # a part shown on its own needs no parentheses around it
