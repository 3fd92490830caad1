"""The import stems its new items' text with a memo: the same words as `search.stemmed`."""

from __future__ import annotations

import pytest

from jalon.backlog import search
from jalon.transfer import newitems

TEXTS = [
    "",
    "Payer par carte bancaire, les paiements échouent",
    "As a user I want running exports so that the teams run reports #4521 v2",
    "Étés ÉTÉ été — naïve café, Straße 12ab _under_score",
    "Given a cart\nWhen I pay\nThen it's paid; etc. 3.5 points",
    "the and of le la les",  # stop words only
]


@pytest.mark.parametrize("text", TEXTS)
def test_memo_stems_are_those_search_indexes(text: str) -> None:
    stems = newitems.Stems()
    assert stems.text(text) == search.stemmed(text)
    assert stems.text(text) == search.stemmed(text)  # from the memo this time


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(newitems, "MEMO_SIZE", 3)
    stems = newitems.Stems()
    assert stems.text("alpha beta gamma delta epsilon 42 v2") == search.stemmed(
        "alpha beta gamma delta epsilon 42 v2"
    )
    assert len(stems) <= 3
    assert "42" not in stems and "v2" not in stems  # one-offs are not remembered
