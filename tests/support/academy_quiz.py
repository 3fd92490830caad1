"""A small synthetic question bank for the quiz tests (the real bank is content, not fixture)."""

from __future__ import annotations

import pytest

from jalon.academy.quiz import bank, rules


def _text(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)"}


def question(topic: str, n: int, kind: str = rules.SINGLE) -> bank.Question:
    """Question `<topic>-NN`; option 0 is right (and option 1 too for a multiple one)."""
    if kind == rules.TRUE_FALSE:
        options = [
            {"correct": True, "text": {"en": "True", "fr": "Vrai"}, "why": _text("Yes")},
            {"correct": False, "text": {"en": "False", "fr": "Faux"}, "why": _text("No")},
        ]
    else:
        right = (0, 1) if kind == rules.MULTIPLE else (0,)
        options = [
            {"correct": i in right, "text": _text(f"Option {i} of {n}"), "why": _text(f"Why {i}")}
            for i in range(4)
        ]
    return bank.Question.model_validate(
        {
            "id": f"{topic}-{n:02d}",
            "type": kind,
            "difficulty": 1 + n % 3,
            "tags": ["test"],
            "ref": {"guide": "scrum", "section": "Scrum Theory"},
            "question": _text(f"Question {n} on {topic}?"),
            "options": options,
        }
    )


def synthetic_bank(per_topic: int = 7) -> bank.Parsed:
    kinds = (rules.SINGLE, rules.MULTIPLE, rules.TRUE_FALSE)
    questions = tuple(
        (topic, question(topic, n, kinds[n % 3]))
        for topic in rules.TOPICS
        for n in range(1, per_topic + 1)
    )
    return bank.Parsed(questions, ())


def use_synthetic_bank(monkeypatch: pytest.MonkeyPatch, per_topic: int = 7) -> bank.Parsed:
    """Make the "built-in" bank the synthetic one for this test."""
    parsed = synthetic_bank(per_topic)
    monkeypatch.setattr(bank, "builtin_bank", lambda: parsed)
    return parsed
