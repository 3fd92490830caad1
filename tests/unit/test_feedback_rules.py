"""Pure feedback rules: field checks, triage, weighted demand and quotes; e-mail and CSV
reading helpers."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import UTC, datetime

import pytest

from jalon import web
from jalon.errors import Invalid
from jalon.feedback import csvimport, mail, rules, services

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _support(ident: int, importance: int, cw: float | None = None, sw: float | None = None,
             text: str = "", day: int = 1) -> rules.Support:  # fmt: skip
    return rules.Support(ident, text or f"quote {ident}", importance, cw, sw, "",
                         datetime(2026, 11, day, tzinfo=UTC))  # fmt: skip


def test_every_bad_field_is_named() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_feedback(
            {"text": "x" * 10_001, "rating": "4.5", "sentiment": "2", "received_at": "31/02/2026",
             "author_email": "a@b"}, now=NOW,
        )  # fmt: skip
    assert set(caught.value.fields) == {
        "text",
        "rating",
        "sentiment",
        "received_at",
        "author_email",
    }


@pytest.mark.parametrize(
    ("raw", "expected"), [("", None), ("3", 3), (5, 5), ("4.0", 4), ("1,0", 1)]
)
def test_ratings_are_whole_numbers_from_one_to_five(raw: object, expected: int | None) -> None:
    assert rules.parse_rating(raw) == expected


@pytest.mark.parametrize("raw", ["0", "6", "2.5", "abc", True, "nan"])
def test_bad_ratings_are_refused(raw: object) -> None:
    with pytest.raises(Invalid):
        rules.parse_rating(raw)


def test_dates_read_iso_and_french_and_refuse_the_future() -> None:
    assert rules.parse_received("2026-10-01", now=NOW) == datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert rules.parse_received("01/10/2026", now=NOW) == datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert rules.parse_received("2026-10-01T08:00:00+02:00", now=NOW) == datetime(
        2026, 10, 1, 6, tzinfo=UTC
    )
    assert rules.parse_received("2026-11-26", now=NOW) == NOW  # today at noon is not yet
    assert rules.parse_received("", now=NOW) is None
    with pytest.raises(Invalid):
        rules.parse_received("2026-11-27", now=NOW)


def test_triage_transitions() -> None:
    rules.check_transition("new", "triaged")
    rules.check_transition("archived", "triaged")
    for current, wanted in (("new", "pending"), ("archived", "new"), ("pending", "triaged")):
        with pytest.raises(Invalid):
            rules.check_transition(current, wanted)


def test_weighted_demand_multiplies_weights_and_importance() -> None:
    supports = [_support(1, 3, 2.0, 3.0), _support(2, 1), _support(3, 2, None, 1.5)]
    assert rules.weighted_demand(supports) == 18 + 1 + 3
    assert rules.weighted_demand([]) == 0


def test_quotes_are_the_heaviest_then_newest_without_repeats() -> None:
    supports = [
        _support(1, 1, text="Same words", day=3),
        _support(2, 1, text="same  WORDS", day=5),
        _support(3, 3, text="Critical", day=1),
        _support(4, 1, text="Old", day=2),
        _support(5, 2, text="Important", day=1),
    ]
    assert [s.feedback_id for s in rules.representative(supports)] == [3, 5, 2]


def test_weights_must_be_positive() -> None:
    assert rules.parse_weight("1,5") == 1.5
    for raw in ("0", "-2", "x", "1001"):
        with pytest.raises(Invalid):
            rules.parse_weight(raw)


def test_batch_errors_name_the_row() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_batch([("2", {"text": "ok"}), ("3", {"text": "", "rating": "0"})], now=NOW)
    assert set(caught.value.fields) == {"3.text", "3.rating"}
    single = rules.clean_batch([("", {"text": " hi ", "customer": "Sanofi"})], now=NOW)
    assert single[0]["text"] == "hi" and single[0]["customer"] == "Sanofi"


def test_the_token_prefix_is_the_one_the_web_layer_sets_aside() -> None:
    assert services.TOKEN_PREFIX == web.INTAKE_TOKEN_PREFIX
    assert rules.hash_token("jif_x") != "jif_x" and len(rules.hash_token("jif_x")) == 64


# --- CSV ---------------------------------------------------------------------------------------


def test_mapping_is_guessed_from_french_and_english_headers() -> None:
    header = ["Référence", "Commentaire", "Reçu le", "Société", "E-mail", "Note"]
    assert csvimport.guess_mapping(header) == {
        "text": "Commentaire", "received_at": "Reçu le", "customer": "Société",
        "author_email": "E-mail", "rating": "Note", "external_key": "Référence",
    }  # fmt: skip


def test_a_mapping_without_text_or_with_unknown_columns_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        csvimport.check_mapping({"rating": "Stars"}, ["Note"])
    assert set(caught.value.fields) == {"text", "rating"}
    with pytest.raises(Invalid):
        csvimport.parse_mapping("text=Comment,colour=Red")
    assert csvimport.parse_mapping("text=Comment, rating = Note") == {
        "text": "Comment", "rating": "Note"
    }  # fmt: skip


def test_reading_a_file_gives_each_row_its_problems() -> None:
    data = b"Feedback,Rating\nGreat,5\n,2\nSlow,9\n"
    found = csvimport.read(io.BytesIO(data), None, now=NOW)
    assert [r.line for r in found.rows] == [2, 3, 4] and not found.ok
    assert [sorted(r.problems) for r in found.rows] == [[], ["text"], ["rating"]]
    assert found.rows[0].values["rating"] == 5


# --- e-mail ------------------------------------------------------------------------------------


def test_quoted_replies_and_signatures_are_cut() -> None:
    text = "Merci !\nÇa marche.\n\nLe 3 nov. 2026 à 10:00, Bob <b@x.org> a écrit :\n> vieux"
    assert mail.strip_quoted(text) == "Merci !\nÇa marche."
    assert mail.strip_quoted("Hi\n-- \nBob, CEO") == "Hi"
    assert mail.strip_quoted("Yes\n> earlier") == "Yes"


def test_html_is_turned_into_text() -> None:
    html = "<html><head><style>p{}</style></head><p>Hello&nbsp;<b>you</b></p><p>Bye</p></html>"
    assert mail.html_to_text(html) == "Hello you\n\nBye"


def test_a_message_becomes_feedback_values() -> None:
    raw = (
        b"From: =?utf-8?q?L=C3=A9a?= <LEA@example.org>\nSubject: Nuit\n"
        b"Message-ID: <x1@example.org>\nDate: Tue, 03 Nov 2026 21:14:00 +0100\n\nBonjour\n"
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    values = mail.values_of(message, "a.eml")
    assert values == {
        "text": "Nuit\n\nBonjour", "author_name": "Léa", "author_email": "lea@example.org",
        "external_key": "<x1@example.org>", "received_at": "2026-11-03T21:14:00+01:00",
    }  # fmt: skip
    with pytest.raises(Invalid):
        mail.values_of(email.message_from_bytes(b"no headers at all"), "b.eml")
