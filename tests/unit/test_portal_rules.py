"""Portal rules, pure and instant: statuses from the backlog, merging votes, voter cookies,
rate limits, sorting, and what a submission must be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jalon.errors import Invalid
from jalon.portal import rules
from jalon.portal.rules import Listed, VoteKey

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("category", "status", "expected"),
    [
        ("done", "done", "shipped"),
        ("doing", "in_progress", "in_progress"),
        ("todo", "ready", "planned"),
        ("todo", "new", None),  # the workflow's first status: the PO's status stands
        ("rejected", "rejected", "declined"),
    ],
)
def test_the_status_a_backlog_item_gives(category: str, status: str, expected: str | None) -> None:
    assert rules.status_from_item(category, status, "new") == expected
    assert rules.effective_status("under_review", expected) == (expected or "under_review")


def test_a_visitor_who_voted_for_both_ideas_counts_once() -> None:
    survivor = [VoteKey(1, "a", None), VoteKey(2, "b", "b@example.org")]
    merged = [
        VoteKey(3, "a", None),  # same visitor
        VoteKey(4, "x", "b@example.org"),  # same e-mail from another browser
        VoteKey(5, "c", "c@example.org"),
        VoteKey(6, "d", "c@example.org"),  # c's e-mail again, within the merged idea
    ]
    assert rules.votes_to_move(survivor, merged) == ([5], [3, 4, 6])


def test_voter_cookies_are_signed() -> None:
    cookie = rules.sign_voter("abc", "secret")
    assert rules.read_voter(cookie, "secret") == "abc"
    assert rules.read_voter(cookie, "other secret") is None
    assert rules.read_voter("abd" + cookie[3:], "secret") is None
    assert rules.read_voter("", "secret") is None


def test_rate_limits_wait_until_the_oldest_counted_write_leaves_the_window() -> None:
    limit, window = rules.LIMITS["submit"]
    hits = [NOW - timedelta(seconds=60 * i) for i in range(limit - 1)]
    assert rules.wait_seconds("submit", hits, now=NOW) == 0
    hits.append(NOW - timedelta(seconds=600))
    assert rules.wait_seconds("submit", hits, now=NOW) == window - 600 + 1
    old = [NOW - timedelta(seconds=window + 1)] * 10
    assert rules.wait_seconds("submit", old, now=NOW) == 0


def test_arrange_sorts_by_votes_or_newest_and_keeps_shown_statuses() -> None:
    rows = [
        Listed(1, "planned", 3, NOW - timedelta(days=3)),
        Listed(2, "under_review", 5, NOW - timedelta(days=2)),
        Listed(3, "declined", 9, NOW - timedelta(days=1)),
        Listed(4, "planned", 3, NOW),
    ]
    shown = rules.DEFAULT_SHOWN
    assert rules.arrange(rows, sort="votes", status="", shown=shown) == [2, 4, 1]
    assert rules.arrange(rows, sort="newest", status="", shown=shown) == [4, 2, 1]
    assert rules.arrange(rows, sort="votes", status="planned", shown=shown) == [4, 1]


def test_a_submission_is_trimmed_and_checked_per_field() -> None:
    sub = rules.check_submission("  Dark mode  ", " At night ", " Ana ", " Ana@Example.ORG ")
    assert sub == rules.Submission("Dark mode", "At night", "Ana", "ana@example.org")
    with pytest.raises(Invalid) as bad:
        rules.check_submission("x" * 151, "y" * 5001, "n" * 101, "not an e-mail")
    assert set(bad.value.fields) == {"title", "description", "name", "email"}


def test_settings_and_slugs() -> None:
    assert rules.slugify("Atlas — Mobile App!") == "atlas-mobile-app"
    assert rules.slugify("ÉÉ") == "portal"
    assert rules.check_settings("atlas", "", ["shipped", "planned"]) == ["planned", "shipped"]
    with pytest.raises(Invalid) as bad:
        rules.check_settings("-atlas", "", ["nope"])
    assert set(bad.value.fields) == {"slug", "shown_statuses"}
