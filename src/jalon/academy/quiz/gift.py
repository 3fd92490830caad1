"""Moodle GIFT import and export of the question bank (our own small parser and writer).

Why not a PyPI package: `pygiftparser` (last release 2017) is unmaintained, and the others
either only write GIFT or convert it to Moodle XML. We need only the GIFT that carries our
three question types, both languages and our metadata, and line-specific errors.

How a bank question is written:

    // jalon: {"difficulty": 2, "tags": ["inspection"], "ref": {"guide": "scrum", ...}}
    ::empiricism-01::[html]<span lang="en" class="multilang">…</span><span lang="fr" …>…</span>{
    =<right option>#<why it is right>
    ~<wrong option>#<why it is wrong>
    }

Both languages travel as Moodle's multi-language spans (its "Multi-language content"
filter shows the learner's). A multiple-answer question gives each right option an equal
positive weight (`~%50%`) and each wrong one `~%-100%`. True/false is `{T#…#…}` or
`{F#…#…}`: the first feedback explains the wrong answer, the second the right one.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from jalon.academy.quiz import bank, rules

SPECIAL = "~=#{}:\\"
SPAN = re.compile(r'<span lang="(en|fr)" class="multilang">(.*?)</span>', re.S)
META = "// jalon:"


def escape(text: str) -> str:
    return "".join(f"\\{c}" if c in SPECIAL else c for c in text).replace("\n", "\\n")


def _html(text: bank.Text) -> str:
    return "".join(
        f'<span lang="{lang}" class="multilang">{_escape_html(getattr(text, lang))}</span>'
        for lang in rules.LANGUAGES
    )


def _escape_html(value: str) -> str:
    return html.escape(value, quote=False)


def _weight(question: bank.Question) -> str:
    return f"{100 / len(question.correct):.5f}".rstrip("0").rstrip(".")


def dump_question(question: bank.Question) -> str:
    meta = question.model_dump(mode="json", include={"difficulty", "tags", "ref"})
    head = f"{META} {json.dumps(meta, ensure_ascii=False)}\n"
    head += f"::{question.id}::[html]{escape(_html(question.question))}{{\n"
    if question.type == rules.TRUE_FALSE:
        right, wrong = (0, 1) if question.options[0].correct else (1, 0)
        mark = "T" if right == 0 else "F"
        feedback = [escape(_html(question.options[i].why)) for i in (wrong, right)]
        return head + f"{mark}#{feedback[0]}#{feedback[1]}\n}}\n"
    lines = []
    for option in question.options:
        if question.type == rules.SINGLE:
            prefix = "=" if option.correct else "~"
        else:
            prefix = f"~%{_weight(question)}%" if option.correct else "~%-100%"
        text, why = escape(_html(option.text)), escape(_html(option.why))
        lines.append(f"{prefix}{text}#{why}")
    return head + "\n".join(lines) + "\n}\n"


def dump(questions: list[bank.Question]) -> str:
    intro = "// Jalon PSPO I practice bank, CC BY-SA 4.0. Not affiliated with Scrum.org.\n\n"
    return intro + "\n".join(dump_question(q) for q in questions)


# --- parsing -------------------------------------------------------------------------------


class GiftError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Block:
    line: int  # first line of the question text
    meta: dict[str, Any]
    body: str  # the question, lines joined with "\n"


def _blocks(text: str) -> Iterator[Block]:
    meta: dict[str, Any] = {}
    lines: list[str] = []
    start = 0
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line = raw.strip()
        if line.startswith(META):
            meta = _meta(line[len(META) :], number)
        elif line.startswith("//") or line.startswith("$CATEGORY"):
            continue
        elif line:
            start = start or number
            lines.append(raw)
        elif lines:
            yield Block(start, meta, "\n".join(lines))
            meta, lines, start = {}, [], 0


def _meta(text: str, line: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GiftError(line, f"the jalon comment is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise GiftError(line, "the jalon comment must be a JSON object")
    return value


def _split(text: str, marks: str) -> list[tuple[str, str]]:
    """Cut at unescaped `marks`: [(mark before the piece, piece)], escapes kept."""
    parts: list[tuple[str, str]] = []
    mark, current, i = "", "", 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if c in marks:
            parts.append((mark, current))
            mark, current = c, ""
        else:
            current += c
        i += 1
    parts.append((mark, current))
    return parts


def unescape(text: str) -> str:
    out, i = "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out += "\n" if nxt == "n" else nxt
            i += 2
        else:
            out += text[i]
            i += 1
    return out.strip()


def _texts(raw: str, line: int, what: str) -> dict[str, str]:
    plain = unescape(raw)
    found = {lang: html.unescape(value).strip() for lang, value in SPAN.findall(plain)}
    if not found:
        raise GiftError(line, f"{what}: give both languages as multilang spans (en and fr)")
    return found


def _body(block: Block) -> tuple[str, str, str]:
    """(id, question text, answers) of one block."""
    pieces = _split(block.body, "{}")
    marks = [m for m, _ in pieces[1:]]
    if marks != ["{", "}"]:
        raise GiftError(block.line, "expected one answer block between { and }")
    head, answers = pieces[0][1].strip(), pieces[1][1]
    if pieces[2][1].strip():
        head += " " + pieces[2][1].strip()  # text after the answers ("missing word" style)
    match = re.match(r"^::(.*?)::(.*)$", head, re.S)
    if match is None:
        raise GiftError(block.line, "every question needs a ::title:: holding its id")
    text = re.sub(r"^\[(html|markdown|plain|moodle)\]", "", match.group(2).strip())
    return match.group(1).strip(), text, answers


def _answers(answers: str, line: int) -> tuple[str, list[dict[str, Any]]]:
    body = answers.strip()
    tf = re.match(r"^(T|TRUE|F|FALSE)\s*(#.*)?$", body, re.S)
    if tf:
        pieces = [p for _, p in _split(tf.group(2) or "", "#")][1:]
        if len(pieces) != 2:
            raise GiftError(line, "a true/false question needs two feedbacks: #wrong#right")
        truth = tf.group(1).startswith("T")
        why_wrong, why_right = (_texts(p, line, "feedback") for p in pieces)
        labels = rules.TRUE_FALSE_TEXTS
        return rules.TRUE_FALSE, [
            {"correct": truth, "text": {k: labels[k][0] for k in labels},
             "why": why_right if truth else why_wrong},
            {"correct": not truth, "text": {k: labels[k][1] for k in labels},
             "why": why_wrong if truth else why_right},
        ]  # fmt: skip
    return _choices(body, line)


def _choices(body: str, line: int) -> tuple[str, list[dict[str, Any]]]:
    pieces = _split(body, "=~")
    if pieces[0][1].strip() or len(pieces) < 2:
        raise GiftError(line, "unsupported question type: options start with = or ~")
    options, weighted = [], False
    for mark, raw in pieces[1:]:
        weight = re.match(r"^%(-?[0-9.]+)%", raw.strip())
        text = raw.strip()[weight.end() :] if weight else raw
        weighted = weighted or weight is not None
        right = mark == "=" or (weight is not None and float(weight.group(1)) > 0)
        parts = [p for _, p in _split(text, "#")]
        if "->" in unescape(parts[0]):
            raise GiftError(line, "matching questions are not supported")
        why = _texts(parts[1], line, "feedback") if len(parts) > 1 else {}
        options.append({"correct": right, "text": _texts(parts[0], line, "option"), "why": why})
    kind = rules.MULTIPLE if weighted else rules.SINGLE
    return kind, options


def _question(block: Block) -> dict[str, Any]:
    qid, text, answers = _body(block)
    kind, options = _answers(answers, block.line)
    return {**block.meta, "id": qid, "type": kind,
            "question": _texts(text, block.line, "question"), "options": options}  # fmt: skip


def parse(text: str, source: str) -> bank.Parsed:
    """Parse GIFT text into bank questions; every defect carries its line."""
    questions: list[tuple[str, bank.Question]] = []
    defects: list[bank.Defect] = []
    ids: list[tuple[str, str, int | None]] = []
    try:
        blocks = list(_blocks(text))
    except GiftError as exc:
        return bank.Parsed((), (bank.Defect(source, exc.line, None, "file", str(exc)),))
    for block in blocks:
        try:
            raw = _question(block)
        except GiftError as exc:
            defects.append(bank.Defect(source, exc.line, None, "question", str(exc)))
            continue
        ids.append((source, raw["id"], block.line))
        defects_before = len(defects)
        question = _validate(raw, source, block.line, defects)
        if question is not None and len(defects) == defects_before:
            questions.append((question.topic, question))
    return bank.Parsed(tuple(questions), tuple(defects), tuple(ids))


def _validate(
    raw: dict[str, Any], source: str, line: int, defects: list[bank.Defect]
) -> bank.Question | None:
    qid = str(raw["id"])
    try:
        question = bank.Question.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            field = bank.field_name(error["loc"])
            message = "is missing" if error["type"] == "missing" else error["msg"]
            defects.append(bank.Defect(source, line, qid, field, message))
        return None
    if not question.topic:
        defects.append(bank.Defect(source, line, qid, "id", "must start with a known topic"))
        return None
    for field, message in bank.semantic_defects(question, question.topic):
        defects.append(bank.Defect(source, line, qid, field, message))
    return question
