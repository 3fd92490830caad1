"""Quiz rules, the bank validator and GIFT, without a database."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from jalon.academy.quiz import bank, gift, rules
from tests.support.academy_quiz import synthetic_bank

FIXTURES = Path(__file__).parent.parent / "fixtures" / "academy_bank"


# --- answers and ratings ------------------------------------------------------------------


def test_an_answer_is_right_only_with_exactly_the_right_set() -> None:
    assert rules.is_correct([2, 0], [0, 2])
    assert not rules.is_correct([0], [0, 2])
    assert not rules.is_correct([0, 1, 2], [0, 2])


@pytest.mark.parametrize(
    ("correct", "seconds", "unsure", "expected"),
    [
        (False, 5, False, rules.AGAIN),
        (False, 5, True, rules.AGAIN),
        (True, 5, False, rules.GOOD),
        (True, 5, True, rules.HARD),
        (True, rules.SLOW_ANSWER_SECONDS + 1, False, rules.HARD),
        (True, rules.SLOW_ANSWER_SECONDS, False, rules.GOOD),
    ],
)
def test_the_fsrs_rating_of_an_answer(
    correct: bool, seconds: float, unsure: bool, expected: str
) -> None:
    assert rules.rating(correct=correct, seconds=seconds, unsure=unsure) == expected


def test_the_pass_mark_is_85_percent() -> None:
    assert rules.passed(68, 80)  # 85.0%
    assert not rules.passed(67, 80)  # 83.75%
    assert not rules.passed(0, 0)


def test_a_mock_spreads_its_questions_evenly_over_topics() -> None:
    spread = rules.spread(80, {t: 17 for t in rules.TOPICS})
    assert sum(spread.values()) == 80
    assert max(spread.values()) - min(spread.values()) <= 1
    short = rules.spread(80, {"empiricism": 2, "events": 100})
    assert short == {"empiricism": 2, "events": 78}


# --- item statistics ----------------------------------------------------------------------


def test_item_statistics_on_a_known_matrix() -> None:
    # Four attempts of three questions. "a" is answered right by the two best learners only.
    matrix = [
        {"a": 1, "b": 1, "c": 1},
        {"a": 1, "b": 1, "c": 0},
        {"a": 0, "b": 0, "c": 1},
        {"a": 0, "b": 0, "c": 0},
    ]
    stats = rules.item_statistics(matrix)
    assert stats["a"].difficulty == 0.5
    # rest scores of "a": (1+1)/2, (1+0)/2, (0+1)/2, 0 → 1, .5, .5, 0; mean .5, sd sqrt(.125)
    expected = (0.75 - 0.5) / math.sqrt(0.125) * math.sqrt(0.5 / 0.5)
    assert stats["a"].discrimination == pytest.approx(expected)
    # "c" is right once among the two strong learners and once among the two weak: rest
    # scores 1, 1, 0, 0 and a mean rest score of the right answers equal to the overall mean.
    assert stats["c"].difficulty == 0.5
    assert stats["c"].discrimination == pytest.approx(0.0)
    assert stats["a"].flags == ()  # fewer than 20 answers: never flagged


def test_no_discrimination_without_variance() -> None:
    stats = rules.item_statistics([{"a": 1, "b": 1}, {"a": 1, "b": 0}])
    assert stats["a"].difficulty == 1.0
    assert stats["a"].discrimination is None


def test_flags_need_enough_answers() -> None:
    assert rules.flags(19, 0.1, 0.5) == ()
    assert rules.flags(20, 0.1, 0.5) == (rules.FLAG_TOO_HARD,)
    assert rules.flags(20, 0.96, 0.05) == (rules.FLAG_TOO_EASY, rules.FLAG_LOW_DISCRIMINATION)
    assert rules.flags(40, 0.6, 0.3) == ()


# --- the validator ------------------------------------------------------------------------

GOOD = """\
topic: events
questions:
  - id: events-01
    type: single
    difficulty: 2
    tags: [sprint]
    ref: {guide: scrum, section: "The Sprint"}
    question: {en: "How long is a Sprint at most?", fr: "Durée maximale d'un Sprint ?"}
    options:
      - correct: true
        text: {en: "One month", fr: "Un mois"}
        why: {en: "The Guide says so.", fr: "Le Guide le dit."}
      - correct: false
        text: {en: "Six weeks", fr: "Six semaines"}
        why: {en: "Too long.", fr: "Trop long."}
"""


def _defects(text: str) -> list[tuple[int | None, str | None, str, str]]:
    parsed = bank.parse_text(text, "events.yaml", expected_topic="events")
    return [(d.line, d.question_id, d.field, d.message) for d in parsed.defects]


def test_a_good_file_has_no_defect() -> None:
    parsed = bank.parse_text(GOOD, "events.yaml", expected_topic="events")
    assert parsed.defects == ()
    assert [q.id for _, q in parsed.questions] == ["events-01"]
    assert parsed.questions[0][1].correct == (0,)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("correct: true", "correct: false", "options", "no correct option"),
        ("correct: false", "correct: true", "options", "exactly 1 correct option"),
        ("difficulty: 2", "difficulty: 4", "difficulty", "less than or equal to 3"),
        ('"The Sprint"', '"Sprint Length"', "ref.section", "not a section of the scrum guide"),
        ("guide: scrum", "guide: agile", "ref.guide", "'scrum' or 'ebm'"),
        ("    ref: {guide: scrum, section: \"The Sprint\"}\n", "", "ref", "is missing"),
        ('why: {en: "Too long.", fr: "Trop long."}', 'why: {en: "Too long."}', "options[1].why.fr",
         "is missing"),
        ('text: {en: "Six weeks"', 'text: {en: "One month"', "options[1].text.en",
         "duplicate option text"),
        ("id: events-01", "id: sprint-01", "id", "must be 'events-NN'"),
        ("type: single", "type: multiple", "options", "at least 2 correct"),
    ],
)  # fmt: skip
def test_each_defect_names_its_question_field_and_line(
    old: str, new: str, field: str, message: str
) -> None:
    found = _defects(GOOD.replace(old, new, 1))
    assert any(f == field and message in m for _, _, f, m in found), found
    line, qid = next((ln, q) for ln, q, f, _ in found if f == field)
    assert line is not None and line >= 3
    assert qid in ("events-01", "sprint-01")


def test_true_false_has_exactly_true_then_false() -> None:
    tf = GOOD.replace("type: single", "type: true_false")
    assert any("True/Vrai first" in m for *_, m in _defects(tf))
    three = tf.replace('{en: "One month", fr: "Un mois"}', '{en: "True", fr: "Vrai"}').replace(
        '{en: "Six weeks", fr: "Six semaines"}', '{en: "False", fr: "Faux"}'
    )
    assert _defects(three) == []


def test_unknown_topic_and_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "events.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "scrum-team.yaml").write_text(
        GOOD.replace("topic: events", "topic: scrum-team"), encoding="utf-8"
    )
    (tmp_path / "agile.yaml").write_text("topic: agile\nquestions: []\n", encoding="utf-8")
    parsed = bank.load_dir(tmp_path)
    messages = [(d.source, d.field, d.message) for d in parsed.defects]
    assert ("agile.yaml", "topic", "unknown topic") in messages
    assert any(f == "id" and "duplicate id" in m for _, f, m in messages)


def test_broken_yaml_is_a_defect_with_its_line() -> None:
    found = _defects(GOOD + "  - id: [unclosed\n")
    assert found[0][2] == "file" and found[0][0] == 17


# --- the whole built-in bank (the content helpers write it; this fails until they finish) --


def test_the_whole_bank_is_valid_and_complete() -> None:
    parsed = bank.load_dir(bank.BUILTIN_DIR)
    assert parsed.defects == (), "\n".join(str(d) for d in parsed.defects)
    counts = parsed.per_topic()
    assert set(counts) == set(rules.TOPICS), f"missing topics: {set(rules.TOPICS) - set(counts)}"
    assert sum(counts.values()) >= 200
    for _, question in parsed.questions:
        assert question.correct, question.id
        assert all(o.why.en and o.why.fr for o in question.options), question.id
        assert question.ref.section in rules.SECTIONS[question.ref.guide], question.id


# --- GIFT ---------------------------------------------------------------------------------


def test_gift_round_trip_keeps_every_question() -> None:
    original = [q for _, q in synthetic_bank(3).questions]
    tricky = original[0].model_copy(
        update={
            "question": bank.Text(
                en="Is {a} = b: #1 ~ <ok> & \\ fine?", fr="Vrai : «\u00a0a\u00a0» ?"
            )
        }
    )
    questions = [tricky, *original[1:]]
    parsed = gift.parse(gift.dump(questions), "bank.gift")
    assert parsed.defects == ()
    assert [q for _, q in parsed.questions] == questions


def test_gift_round_trip_of_the_fixture_file() -> None:
    parsed = bank.load_dir(FIXTURES)
    questions = [q for _, q in parsed.questions]
    assert len(questions) == 3 and parsed.defects == ()
    assert [q for _, q in gift.parse(gift.dump(questions), "x").questions] == questions
    assert [q for _, q in bank.parse_stream(bank.dump_yaml(questions), "x").questions] == questions


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("::events-01::Q {\n=A\n", 1, "one answer block"),
        ("// c\n\nQuestion without title {=a ~b}\n", 3, "::title::"),
        ("::events-01::[html]<span lang=\"en\" class=\"multilang\">Q</span>{\n1 -> 2\n}\n", 1,
         "options start with = or ~"),
        ("// jalon: {not json\n::events-01::Q{T#a#b}\n", 1, "not valid JSON"),
    ],
)  # fmt: skip
def test_gift_syntax_errors_name_their_line(text: str, line: int, message: str) -> None:
    parsed = gift.parse(text, "bad.gift")
    assert parsed.questions == ()
    assert any(d.line == line and message in d.message for d in parsed.defects), parsed.defects


def test_gift_without_metadata_reports_missing_fields() -> None:
    one = next(q for _, q in synthetic_bank(1).questions)
    text = "\n".join(line for line in gift.dump([one]).splitlines() if "jalon:" not in line)
    fields = {d.field for d in gift.parse(text, "x").defects}
    assert {"difficulty", "ref"} <= fields
