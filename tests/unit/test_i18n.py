"""The French catalogue covers every string of the sources; language negotiation.

The msgids are extracted in process with babel.cfg, exactly as `make messages` does, so a
string added to a template or a service without a French translation fails here.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from jalon import i18n
from jalon.errors import Conflict, Invalid, Message
from jalon.products import rules
from jalon.products.rules import Stage

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "jalon"
PO = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
PERCENT_RE = re.compile(r"%\(\w+\)[sdifr]")
NBSP = "\u00a0"


@lru_cache(maxsize=1)
def source_msgids() -> frozenset[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map, options_map
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return frozenset(found)


@lru_cache(maxsize=1)
def catalogue() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="fr")


def entries() -> dict[str, str]:
    return {m.id: m.string for m in catalogue() if m.id and isinstance(m.id, str)}


def placeholders(text: str) -> Counter[str]:
    """`{name}` / `{value!r}` fields (str.format) and `%(name)s` fields (Jinja's |format)."""
    braces = [
        f"{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}"
        for _literal, name, spec, conv in Formatter().parse(text)
        if name is not None
    ]
    return Counter(braces + PERCENT_RE.findall(text))


def test_extraction_reaches_templates_and_python() -> None:
    msgids = source_msgids()
    assert {"Sign out", "Change stage", "Role of %(name)s"} <= msgids  # templates
    assert {"Sign in to continue.", "Sunsetting", "Use at most {n} characters."} <= msgids
    assert {"No such page.", "Unknown field.", "Stage changed."} <= msgids  # app, pages


def test_every_source_string_has_a_french_translation() -> None:
    translated = {m.id for m in catalogue() if m.id and m.string and not m.fuzzy}
    missing = sorted(source_msgids() - translated)
    assert not missing, "run `make messages` and translate: " + "; ".join(missing)


def test_the_catalogue_holds_no_stale_entry() -> None:
    stale = sorted(set(entries()) - source_msgids())
    assert not stale, "strings gone from the sources (run `make messages`): " + "; ".join(stale)


@pytest.mark.parametrize("msgid", sorted(entries()))
def test_translation_keeps_the_placeholders(msgid: str) -> None:
    assert placeholders(entries()[msgid]) == placeholders(msgid)


def test_french_typography_is_consistent() -> None:
    for msgid, text in entries().items():
        assert not re.search(r" [:;?!]", text), f"use a no-break space in {text!r} ({msgid!r})"
        assert "’" not in text, f"use the straight apostrophe, like the rest: {text!r}"


def test_catalogue_header_is_french() -> None:
    assert str(catalogue().locale) == "fr"
    assert catalogue().plural_forms == "nplurals=2; plural=(n > 1);"


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Products", "Produits"),
        ("Sign out", "Se déconnecter"),
        ("New product", "Nouveau produit"),
        ("Lifecycle", "Cycle de vie"),
        ("Change stage", "Changer d'étape"),
        ("Sign in", "Se connecter"),
        ("Product Goal", "Objectif de produit"),
        ("Stakeholder", "Partie prenante"),
        ("Sunsetting", "En fin de vie"),
    ],
)
def test_gettext_for_french(english: str, french: str) -> None:
    assert i18n.gettext_for("fr")(english) == french


def test_lifecycle_stages_in_french() -> None:
    fr = i18n.gettext_for("fr")
    assert [fr(rules.STAGE_LABELS[s]) for s in rules.STAGE_ORDER] == [
        "Idée",
        "Découverte",
        "Réalisation",
        "Lancé",
        "Mature",
        "En fin de vie",
        "Retiré",
    ]


def test_english_and_unknown_languages_read_the_source() -> None:
    assert i18n.gettext_for("en")("Products") == "Products"
    assert i18n.gettext_for("de")("Products") == "Products"


@pytest.mark.parametrize(
    ("header", "default", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "en", "fr"),
        ("en-US", "fr", "en"),
        ("FR-ca", "en", "fr"),
        ("en;q=0.2, fr;q=0.9", "en", "fr"),
        ("fr;q=0.2, en;q=0.9", "fr", "en"),
        ("de-DE, es;q=0.5, en;q=0.1", "fr", "en"),
        ("de-DE", "en", "en"),
        ("de-DE", "fr", "fr"),
        ("fr;q=0", "en", "en"),  # q=0 means "not acceptable"
        ("", "fr", "fr"),
        ("*", "fr", "fr"),
        (";;,,=q", "fr", "fr"),
        ("fr;q=lots", "en", "en"),
        ("\x00\xff garbage", "en", "en"),
    ],
)
def test_negotiate(header: str, default: str, expected: str) -> None:
    assert i18n.negotiate(header, default) == expected


def test_conflict_renders_translated_template_with_its_params() -> None:
    with pytest.raises(Conflict) as info:
        rules.check_transition(Stage.IDEA, Stage.RETIRED, "")
    error, fr = info.value, i18n.gettext_for("fr")
    assert str(error) == (
        "A product cannot move from idea to retired; allowed: discovery, sunsetting."
    )
    assert error.render() == (
        "A product cannot move from Idea to Retired; allowed: Discovery, Sunsetting."
    )
    assert error.render(fr) == (
        f"Un produit ne peut pas passer de l'étape Idée à l'étape Retiré{NBSP}; "
        f"étapes possibles{NBSP}: Découverte, En fin de vie."
    )
    assert error.render_fields(fr) == {"stage": error.render(fr)}


def test_invalid_and_messages_are_translated_before_formatting() -> None:
    fr = i18n.gettext_for("fr")
    with pytest.raises(Invalid) as info:
        rules.check_transition(Stage.MATURE, Stage.SUNSETTING, "  ")
    assert info.value.render(fr) == "Indiquez pourquoi le produit passe à l'étape En fin de vie."
    problem = rules.product_field_problems({"name": "x" * 121})["name"]
    assert isinstance(problem, Message)
    assert problem == "Use at most 120 characters."
    assert problem.localise(fr) == "Utilisez au plus 120 caractères."
