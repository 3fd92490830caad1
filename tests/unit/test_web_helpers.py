"""Escaping, Markdown sanitising and redirects."""

from __future__ import annotations

import pytest

from jalon import web
from jalon.errors import Conflict, Message


def test_markdown_is_rendered_and_sanitised() -> None:
    html = str(web.markdown("**bold** <script>alert(1)</script> [x](javascript:alert(1))"))
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html


def test_markdown_links_get_safe_rel() -> None:
    html = str(web.markdown("[site](https://example.org)"))
    assert 'href="https://example.org"' in html
    assert "noopener" in html


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "javascript:x", "/\\evil", "", None]
)
def test_safe_next_refuses_offsite(target: str | None) -> None:
    assert web.safe_next(target) == "/products"


def test_safe_next_keeps_local_paths() -> None:
    assert web.safe_next("/products/3?tab=members") == "/products/3?tab=members"


def test_messages_translate_before_formatting() -> None:
    catalogue = {"Use at most {n} characters.": "Au plus {n} caractères."}
    msg = Message("Use at most {n} characters.", n=5)
    assert str(msg) == "Use at most 5 characters."
    assert msg.localise(lambda s: catalogue.get(s, s)) == "Au plus 5 caractères."
    err = Conflict("{email} is already a member.", field="email", email="a@b.org")
    assert err.body()["error"] == {
        "code": "conflict",
        "message": "a@b.org is already a member.",
        "fields": {"email": "a@b.org is already a member."},
    }


def test_every_page_template_compiles_for_the_warm_up() -> None:
    from pathlib import Path

    import jalon

    folder = Path(jalon.__file__).parent / "templates"
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}
    assert web.compile_templates() == len(on_disk) > 100
