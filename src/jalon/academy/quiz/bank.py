"""The question bank: its YAML schema (pydantic), the loader and the validator.

A bank file is `bank/<topic>.yaml` holding `topic:` and `questions:`. The validator reports
every defect with the file, the line, the question id and the field, so a writer can fix them
all in one pass; `jalon academy validate-bank` prints them. The built-in bank is parsed once
per process (`builtin_bank()`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jalon.academy.quiz import rules

BUILTIN_DIR = Path(__file__).parent / "bank"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*-[0-9]{2,}$"


class Text(BaseModel):
    """One text in English (as in the assessment) and in French."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)

    @field_validator("en", "fr")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class Ref(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    guide: Literal["scrum", "ebm"]
    section: str = Field(min_length=1)


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    correct: bool
    text: Text
    why: Text


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN, max_length=80)
    type: Literal["single", "multiple", "true_false"]
    difficulty: int = Field(ge=1, le=3)
    tags: tuple[str, ...] = ()
    ref: Ref
    question: Text
    options: tuple[Option, ...]

    @property
    def topic(self) -> str:
        """The topic its id starts with ("scrum-team-04" → "scrum-team"), or ""."""
        found = [t for t in rules.TOPICS if self.id.startswith(f"{t}-")]
        return max(found, key=len, default="")

    @property
    def correct(self) -> tuple[int, ...]:
        return tuple(i for i, option in enumerate(self.options) if option.correct)

    def content_hash(self) -> str:
        data = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()[:32]


class BankFile(BaseModel):
    """A whole bank file; `jalon academy bank-schema` prints its JSON Schema."""

    topic: str = Field(json_schema_extra={"enum": list(rules.TOPICS)})
    questions: list[Question]


@dataclass(frozen=True)
class Defect:
    source: str
    line: int | None
    question_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        qid = f" [{self.question_id}]" if self.question_id else ""
        return f"{where}{qid} {self.field}: {self.message}"


@dataclass(frozen=True)
class Parsed:
    """Questions that passed the schema (keyed by topic) and every defect found."""

    questions: tuple[tuple[str, Question], ...]
    defects: tuple[Defect, ...]
    ids: tuple[tuple[str, str, int | None], ...] = ()  # (source, id, line) of every question

    def per_topic(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for topic, _ in self.questions:
            counts[topic] = counts.get(topic, 0) + 1
        return counts


# --- semantic checks (after the schema) ---------------------------------------------------


def semantic_defects(q: Question, topic: str) -> Iterator[tuple[str, str]]:
    """(field, message) for every rule the schema alone does not express."""
    if not q.id.startswith(f"{topic}-"):
        yield "id", f"must be '{topic}-NN' (the topic of its file)"
    yield from _answer_defects(q)
    if q.ref.section not in rules.SECTIONS[q.ref.guide]:
        yield "ref.section", f"'{q.ref.section}' is not a section of the {q.ref.guide} guide"
    for lang in rules.LANGUAGES:
        seen: set[str] = set()
        for i, option in enumerate(q.options):
            text = getattr(option.text, lang).casefold()
            if text in seen:
                yield f"options[{i}].text.{lang}", "duplicate option text"
            seen.add(text)


def _answer_defects(q: Question) -> Iterator[tuple[str, str]]:
    right, count = len(q.correct), len(q.options)
    if right == 0:
        yield "options", "no correct option"
    elif q.type in (rules.SINGLE, rules.TRUE_FALSE) and right != 1:
        yield "options", f"a {q.type} question needs exactly 1 correct option, not {right}"
    elif q.type == rules.MULTIPLE and right < 2:
        yield "options", "a multiple question needs at least 2 correct options"
    if q.type == rules.TRUE_FALSE:
        if count != 2:
            yield "options", f"a true_false question has exactly 2 options, not {count}"
        elif not _true_false_texts(q):
            yield "options", "a true_false question lists True/Vrai first, then False/Faux"
    elif count < 2:
        yield "options", "a question needs at least 2 options"
    if q.type == rules.MULTIPLE and count and right == count:
        yield "options", "a multiple question needs at least one wrong option"


def _true_false_texts(q: Question) -> bool:
    return all(
        tuple(getattr(o.text, lang) for o in q.options) == rules.TRUE_FALSE_TEXTS[lang]
        for lang in rules.LANGUAGES
    )


# --- parsing with line numbers ------------------------------------------------------------


def _line_of(node: yaml.Node | None, path: Iterable[str | int]) -> int | None:
    """The 1-based line of the deepest node reached along `path`."""
    if node is None:
        return None
    line = int(node.start_mark.line) + 1
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        node, line = child, int(child.start_mark.line) + 1
    return line


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == step:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None


def field_name(loc: Iterable[str | int]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "question"


def _schema_defects(
    exc: ValidationError, source: str, node: yaml.Node | None, qid: str | None
) -> Iterator[Defect]:
    for error in exc.errors():
        loc = tuple(error["loc"])
        message = "is missing" if error["type"] == "missing" else error["msg"]
        yield Defect(source, _line_of(node, loc), qid, field_name(loc), message)


def parse_text(text: str, source: str, *, expected_topic: str | None = None) -> Parsed:
    """Parse one bank file's YAML text. Never raises on bad content: returns defects."""
    return parse_stream(text, source, expected_topic=expected_topic, single=True)


def parse_stream(
    text: str, source: str, *, expected_topic: str | None = None, single: bool = False
) -> Parsed:
    """Parse YAML holding one bank file, or several separated by `---` (an export)."""
    try:
        documents = _documents(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return Parsed((), (Defect(source, line, None, "file", f"not valid YAML: {exc}"),))
    if single and len(documents) > 1:
        return Parsed((), (Defect(source, None, None, "file", "one YAML document per file"),))
    questions: list[tuple[str, Question]] = []
    defects: list[Defect] = []
    ids: list[tuple[str, str, int | None]] = []
    for root, data in documents:
        _parse_document(root, data, source, expected_topic, (questions, defects, ids))
    return Parsed(tuple(questions), tuple(defects), tuple(ids))


# libyaml's loader is about ten times faster, with the same nodes and line marks.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _documents(text: str) -> list[tuple[yaml.Node, Any]]:
    loader = Loader(text)
    try:
        found = []
        while loader.check_node():
            node = loader.get_node()
            found.append((node, loader.construct_document(node)))
        return found
    finally:
        loader.dispose()


Sink = tuple[list[tuple[str, Question]], list[Defect], list[tuple[str, str, int | None]]]


def _parse_document(
    root: yaml.Node, data: Any, source: str, expected_topic: str | None, sink: Sink
) -> None:
    questions, defects, ids = sink
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        line = root.start_mark.line + 1
        defects.append(Defect(source, line, None, "file", "needs `topic:` and `questions:`"))
        return
    topic = str(data.get("topic", ""))
    if topic not in rules.TOPICS:
        defects.append(Defect(source, _line_of(root, ["topic"]), None, "topic", "unknown topic"))
    elif expected_topic is not None and topic != expected_topic:
        line = _line_of(root, ["topic"])
        defects.append(Defect(source, line, None, "topic", "must equal the file name"))
    questions += _parse_questions(data["questions"], topic, source, root, defects, ids)


def _parse_questions(
    items: list[Any],
    topic: str,
    source: str,
    root: yaml.Node | None,
    defects: list[Defect],
    ids: list[tuple[str, str, int | None]],
) -> Iterator[tuple[str, Question]]:
    seq = _child(root, "questions") if root is not None else None
    for index, raw in enumerate(items):
        node = _child(seq, index) if seq is not None else None
        qid = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else None
        if qid is not None:
            ids.append((source, qid, _line_of(node, ["id"])))
        try:
            question = Question.model_validate(raw)
        except ValidationError as exc:
            defects.extend(_schema_defects(exc, source, node, qid))
            continue
        found = [
            Defect(source, _line_of(node, _path(field)), qid, field, message)
            for field, message in semantic_defects(question, topic)
        ]
        defects.extend(found)
        if not found and topic in rules.TOPICS:
            yield topic, question


def _path(field: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in field.replace("[", ".[").split("."):
        if part.startswith("["):
            steps.append(int(part.strip("[]")))
        elif part:
            steps.append(part)
    return steps


def check_duplicates(parsed: Iterable[Parsed]) -> tuple[Defect, ...]:
    """A duplicate id across files is a defect of the second occurrence."""
    seen: dict[str, str] = {}
    found = []
    for part in parsed:
        for source, qid, line in part.ids:
            if qid in seen:
                message = f"duplicate id (first in {seen[qid]})"
                found.append(Defect(source, line, qid, "id", message))
            seen.setdefault(qid, source)
    return tuple(found)


def load_dir(path: Path) -> Parsed:
    """Every `<topic>.yaml` of a directory, with cross-file checks."""
    parts = []
    for file in sorted(path.glob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        parts.append(parse_text(text, file.name, expected_topic=file.stem))
    duplicates = check_duplicates(parts)
    dup_ids = {d.question_id for d in duplicates}
    questions = tuple(
        (topic, q) for part in parts for topic, q in part.questions if q.id not in dup_ids
    )
    defects = tuple(d for part in parts for d in part.defects) + duplicates
    return Parsed(questions, defects)


@functools.cache
def builtin_bank() -> Parsed:
    """The bank shipped with Jalon, parsed once per process."""
    return load_dir(BUILTIN_DIR)


def bank_hash(questions: Iterable[Question]) -> str:
    digest = hashlib.sha256()
    for question in sorted(questions, key=lambda q: q.id):
        digest.update(f"{question.id}:{question.content_hash()}\n".encode())
    return digest.hexdigest()[:32]


def dump_yaml(questions: Iterable[Question]) -> str:
    """Bank files for these questions: one YAML document per topic, in TOPICS order."""
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for question in questions:
        by_topic.setdefault(question.topic, []).append(question.model_dump(mode="json"))
    documents = [
        {"topic": topic, "questions": by_topic[topic]}
        for topic in rules.TOPICS
        if topic in by_topic
    ]
    return str(yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False, width=100))
