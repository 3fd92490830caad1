"""French and English from gettext catalogues.

The catalogues are the `.po` files under `locale/`; they are compiled in memory when the
app starts, so a source checkout and an installed wheel behave the same.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "fr": "Français"}
DOMAIN = "messages"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext_module.NullTranslations:
    if language == "en":
        return gettext_module.NullTranslations()
    po = files("jalon") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext_module.GNUTranslations(buf)


def gettext_for(language: str) -> Callable[[str], str]:
    return translations(language if language in LANGUAGES else "en").gettext


def negotiate(accept_language: str, default: str = "en") -> str:
    """The best supported language for an Accept-Language header (RFC 9110 weights)."""
    best, best_q = default, 0.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best
