"""The modules' lessons: original Markdown in English and French, shipped in the package
(`academy/path/lessons/<module>.<language>.md`), shown through the app's sanitising renderer."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jalon.academy.path.rules import BY_KEY

LANGUAGES = ("en", "fr")


@cache
def lesson(module: str, language: str) -> str:
    """The lesson of a module in `language` (English when that language has none)."""
    if module not in BY_KEY:
        raise KeyError(module)
    folder = files("jalon.academy.path").joinpath("lessons")
    for lang in (language, "en"):
        found = folder.joinpath(f"{module}.{lang}.md")
        if lang in LANGUAGES and found.is_file():
            return found.read_text(encoding="utf-8")
    return ""


def word_count(text: str) -> int:
    """Words of a lesson's prose (Markdown marks and link targets aside)."""
    words = [w for w in text.replace("](", "] (").split() if any(c.isalpha() for c in w)]
    return len([w for w in words if not w.startswith(("(/", "(http"))])


def without_title(text: str) -> str:
    """The lesson without its first-level title (the module page shows the title already)."""
    first, _, rest = text.partition("\n")
    return rest.lstrip("\n") if first.startswith("# ") else text
