"""Pure text rules of the backlog, in English and French: Given/When/Then scenarios, story
quality hints and @mentions. Re-exported by `backlog.rules`.

Matching is case- and accent-insensitive: the text is folded one character for one
character (`Étant donné` → `etant donne`), so a match found in the folded text slices the
original text at the same place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from jalon.errors import N_, Message


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    base = [c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)]
    folded = base[0].lower() if base else char
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """Lower case, accents removed, exactly as long as `text` (which should be NFC)."""
    return "".join(_fold_char(c) for c in text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- Given / When / Then --------------------------------------------------------------------

_LEAD = r"^\s*(?:[-*•+>]|\d+[.)])?\s*(?:\*\*|__)?"
_STEP_RE = re.compile(
    _LEAD + r"(?P<kw>(?:given|when|then|and|but|etant\s+donnee?s?|soit|quand|lorsque|alors"
    r"|et|mais)(?!\w)|lorsqu['’])(?:\*\*|__)?\s*[:,]?\s*(?P<text>.*)$"
)
_TITLE_RE = re.compile(
    r"^\s*(?:#+\s*)?(?:\*\*|__)?(?:scenario(?:\s+outline|\s+template)?|plan\s+du\s+scenario"
    r"|example|exemple)(?!\w)[^:\n]{0,20}:\s*(?P<title>.*)$"
)
_KINDS = {
    "given": "given",
    "soit": "given",
    "when": "when",
    "quand": "when",
    "lorsque": "when",
    "then": "then",
    "alors": "then",
}


@dataclass
class Scenario:
    """One acceptance scenario; `And`/`But` steps join the kind before them."""

    title: str = ""
    given: list[str] = field(default_factory=list)
    when: list[str] = field(default_factory=list)
    then: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """A scenario says what happens (when) and what is expected (then)."""
        return bool(self.when and self.then)

    def steps(self) -> int:
        return len(self.given) + len(self.when) + len(self.then)


def _kind(keyword: str, previous: str) -> str:
    if keyword.startswith("etant"):
        return "given"
    if keyword.startswith("lorsqu"):
        return "when"
    return _KINDS.get(keyword, previous)  # and, but, et, mais


def _clean_step(text: str) -> str:
    return text.strip().strip("*_").strip()


def parse_scenarios(text: str) -> list[Scenario]:
    """Given/When/Then/And/But scenarios (Étant donné/Soit, Quand/Lorsque, Alors, Et,
    Mais in French), one step a line, with or without bullets, bold or `Scenario:` titles.
    Lines that are no step are ignored; a Given after a Then starts a new scenario."""
    scenarios: list[Scenario] = []
    current, previous = Scenario(), "given"
    for line in _nfc(text).splitlines():
        folded = fold(line)
        if title := _TITLE_RE.match(folded):
            scenarios.append(current)
            current, previous = Scenario(title=_clean_step(line[title.start("title") :])), "given"
            continue
        step = _STEP_RE.match(folded)
        if step is None or not _clean_step(line[step.start("text") :]):
            continue
        kind = _kind(re.sub(r"\s+", " ", step["kw"]), previous)
        if kind == "given" and (current.when or current.then) and previous != "given":
            scenarios.append(current)
            current = Scenario()
        getattr(current, kind).append(_clean_step(line[step.start("text") :]))
        previous = kind
    scenarios.append(current)
    return [s for s in scenarios if s.steps()]


# --- story quality hints --------------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    """Advice about an item (never a block): a stable code and an English message."""

    code: str
    message: str


NO_CRITERIA = N_("No acceptance criteria yet: say how the team will know this is done.")
NO_VALUE = N_('The story does not say why: add the value it brings ("so that …", "afin de …").')
TOO_BIG = N_(
    "The estimate {estimate} is more than twice the team's usual {typical}: "
    "consider splitting the story."
)
VAGUE = N_("Vague words: {words}. Say what you will check instead (a time, a number, a step).")
SEVERAL = N_("This looks like several stories in one: consider one story for each goal.")

_WITHOUT_CRITERIA = frozenset({"epic", "spike"})
_SIZED = frozenset({"story", "bug", "tech_debt", "spike"})

VAGUE_WORDS = {
    "en": (
        "fast", "faster", "quick", "quickly", "easy", "easily", "user-friendly",
        "user friendly", "intuitive", "intuitively", "simple", "simply", "flexible",
        "seamless", "seamlessly", "efficient", "robust", "etc", "and so on", "as needed",
        "if needed", "as appropriate",
    ),
    "fr": (
        "rapide", "rapidement", "facile", "facilement", "intuitif", "intuitive",
        "intuitivement", "convivial", "conviviale", "ergonomique", "simple", "simplement",
        "flexible", "souple", "fluide", "efficace", "performant", "performante", "etc",
        "et cetera", "et ainsi de suite", "si besoin", "au besoin",
    ),
}  # fmt: skip
VALUE_PHRASES = {
    "en": ("so that", "in order to", "so i can", "so we can"),
    "fr": ("afin de", "afin d'", "afin d’", "afin que", "pour que", "de sorte que"),
}
_STORY_RE = {
    "en": r"\bas an?\b[^.\n]{0,120}?\bi (?:want|would like|need|wish)\b",
    "fr": r"\ben tant qu(?:e\b|['’])[^.\n]{0,120}?\bje (?:veux|voudrais|souhaite|dois)\b",
}
# Inside one "I want …" goal (up to its "so that"), a second goal joined by and/et.
_SECOND_GOAL_RE = {
    "en": r"\bi (?:want|would like|need) to\b[^.\n]*?\band (?:also |then )?(?:to|i)\b",
    "fr": r"\bje (?:veux|voudrais|souhaite)\b[^.\n]*?\bet (?:aussi |ensuite )?"
    r"(?:je|pouvoir|\w+er)\b",
}


def _languages(language_hint: str | None) -> tuple[str, ...]:
    hint = (language_hint or "").lower()[:2]
    return (hint,) if hint in VAGUE_WORDS else ("en", "fr")


def _phrase(phrase: str) -> str:
    """A whole phrase; one ending with an elided apostrophe (`afin d'`) runs into a word."""
    body = re.escape(phrase).replace(r"\ ", r"\s+")
    return body if phrase[-1] in "'’" else body + r"(?![\w-])"


def _phrase_re(phrases: Iterable[str]) -> re.Pattern[str]:
    words = sorted({_phrase(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + ")")


def vague_words(text: str, language_hint: str | None = None) -> list[str]:
    """The vague words of `text` as written there (whole words, any case or accents)."""
    text = _nfc(text)
    pattern = _phrase_re(w for lang in _languages(language_hint) for w in VAGUE_WORDS[lang])
    folded = fold(text)
    found: dict[str, str] = {}  # folded word -> its first spelling in the text
    for match in pattern.finditer(folded):
        found.setdefault(match.group(), text[match.start() : match.end()])
    return list(found.values())


def _says_why(text: str, languages: tuple[str, ...]) -> bool:
    pattern = _phrase_re(p for lang in languages for p in VALUE_PHRASES[lang])
    return pattern.search(fold(_nfc(text))) is not None


def several_stories(text: str, language_hint: str | None = None) -> bool:
    """Two "As a … I want" in one item, or one goal joining a second with and/et."""
    folded = fold(_nfc(text))
    for lang in _languages(language_hint):
        if len(re.findall(_STORY_RE[lang], folded)) >= 2:
            return True
        for goal in re.split(r"\b(?:so that|afin|pour que|de sorte que)\b", folded):
            if re.search(_SECOND_GOAL_RE[lang], goal):
                return True
    return False


def typical_estimate(done_estimates: Iterable[float | None]) -> float | None:
    """The team's usual size: the median estimate of its done stories (None without any)."""
    values = sorted(v for v in done_estimates if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _too_big(estimate: float | None, typical: float | None) -> Message | None:
    if estimate is None or not typical or typical <= 0 or estimate <= 2 * typical:
        return None
    return Message(TOO_BIG, estimate=f"{estimate:g}", typical=f"{typical:g}")


def quality_hints(
    title: str,
    *,
    description: str = "",
    acceptance_criteria: str = "",
    estimate: float | None = None,
    typical_estimate: float | None = None,
    language_hint: str | None = None,
    item_type: str = "story",
) -> list[Hint]:
    """Advice on an item, in a stable order. Both languages are checked unless
    `language_hint` ("en"/"fr") narrows them: teams often mix French and English."""
    languages = _languages(language_hint)
    story = f"{title}\n{description}"
    hints: list[Hint] = []
    if item_type not in _WITHOUT_CRITERIA and not acceptance_criteria.strip():
        hints.append(Hint("no_acceptance_criteria", NO_CRITERIA))
    if item_type == "story" and not _says_why(story, languages):
        hints.append(Hint("no_value", NO_VALUE))
    if item_type in _SIZED and (big := _too_big(estimate, typical_estimate)) is not None:
        hints.append(Hint("estimate_too_big", big))
    words = vague_words(f"{story}\n{acceptance_criteria}", language_hint)
    if words:
        hints.append(Hint("vague_words", Message(VAGUE, words=tuple(words))))
    if item_type == "story" and several_stories(story, language_hint):
        hints.append(Hint("several_stories", SEVERAL))
    return hints


# --- @mentions ------------------------------------------------------------------------------

_MENTION_RE = re.compile(r"(?<![\w.@+-])@(?P<handle>\w[\w.+-]*(?:@\w[\w-]*(?:\.[\w-]+)+)?)")


def mentions(text: str) -> set[str]:
    """The @handles of a comment, lower-cased: `@camille`, `@camille.martin` or a whole
    e-mail `@camille@example.org`. A bare e-mail address (`camille@example.org`) is no
    mention, nor is anything inside `code` or a fenced code block."""
    text = re.sub(r"```.*?```|`[^`\n]*`", " ", _nfc(text), flags=re.S)
    return {m["handle"].rstrip(".-+").lower() for m in _MENTION_RE.finditer(text)}
