"""The learning path's content: every module has an original lesson of 600 to 900 words in
English and in French, rendered safely; the certificate says what it is not."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest

from jalon import web
from jalon.academy.path import certificate, content, rules


@pytest.mark.parametrize("language", content.LANGUAGES)
@pytest.mark.parametrize("module", rules.MODULE_KEYS)
def test_every_lesson_exists_with_a_sensible_length(module: str, language: str) -> None:
    text = content.lesson(module, language)
    assert text.startswith("# "), "a lesson starts with its title"
    assert 600 <= content.word_count(text) <= 900
    assert "**Exercise.**" in text or "**Exercice.**" in text
    html = web.markdown(content.without_title(text))
    assert "<h1>" not in html and "<h2>" in html and "<script" not in html


def test_french_lessons_use_french_typography() -> None:
    for module in rules.MODULE_KEYS:
        text = content.lesson(module, "fr")
        assert not re.search(r"\w [:;?!]", text), module  # a no-break space before : ; ? !
        assert "« " not in text and " »" not in text, module


def test_an_unknown_language_falls_back_to_english() -> None:
    assert content.lesson("facilitation", "de") == content.lesson("facilitation", "en")
    with pytest.raises(KeyError):
        content.lesson("astrology", "en")


def _pdf_text(pdf: bytes) -> str:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x").decode("latin-1")


def test_the_certificate_names_the_learner_and_disclaims_pspo() -> None:
    titles = [m.title for m in rules.MODULES]
    pdf = certificate.render(name="Léa Martin", completed=date(2027, 3, 1),
                             module_titles=titles, language="fr", gettext=str)  # fmt: skip
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Léa Martin" in text and "1 mars 2027" in text
    assert "Scrum.org" in text and "PSPO" in text
    assert "Workshop facilitation and communication" in text
