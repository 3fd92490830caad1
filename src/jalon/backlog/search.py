"""Full-text search of backlog items: titles, descriptions, acceptance criteria, comments.

Text is stemmed here, in Python, in French *and* English (Snowball stemmers), and accents
are folded, so both engines index and query the very same words: "paiements" and
"paiement" both give `pai`, "running" and "run" both give `run`. Each word of an item is
stored as its French stem and, when different, its English stem (`item_search` rows).

- SQLite: the FTS5 table `item_fts` indexes `item_search` (external content, kept in step
  by triggers of migration 0003); ranking by bm25.
- PostgreSQL: `item_search.document` is a `tsvector` built with the `simple` configuration
  from the stemmed text (no second stemming), under a GIN index; ranking by ts_rank.

Every write path that changes searchable text calls `refresh(uow, item_ids)` inside its
unit of work, after a flush, before the commit. This module is, with `db.py`, the only one
that speaks each engine's dialect: FTS5 and tsvector have no common SQL.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]
from sqlalchemy import (
    ColumnElement,
    Select,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    select,
    text,
    true,
)

from jalon.backlog.models import Comment, Item, ItemSearch
from jalon.backlog.quality import fold
from jalon.uow import UnitOfWork

MAX_QUERY_TERMS = 12
DENSE = 5000  # PostgreSQL: more matches than this and the list is read in rank order
SAMPLE = 200
MAX_SOURCE_CHARS = 200_000  # of comments per item: older ones beyond it are not indexed
_WORD = re.compile(r"[^\W_]+")
_LOCK = threading.Lock()  # Snowball stemmer objects keep state: one caller at a time
_STEMMERS = (snowballstemmer.stemmer("french"), snowballstemmer.stemmer("english"))
_STOP = """a an and are as at be by for from in is it of on or that the this to was with
au aux ce ces d de des du en et il l la le les leur mais ne ou par pas pour qu que qui s sa se
ses son sur un une y"""
STOP_WORDS = frozenset(_STOP.split())


def stems(word: str) -> tuple[str, ...]:
    """The French stem of a lower-case word then, if different, its English one, folded.
    Words that are not all letters (numbers, codes such as "v2" or "ab12") are kept as they
    are, and not cached: they are mostly one-offs (ticket numbers), which would crowd the
    cache."""
    if word.isalpha():
        return _word_stems(word)
    return (fold(word),)


def _indexed(word: str) -> str:
    """A word's stems as they are written in the index."""
    if word.isalpha():
        return _joined_stems(word)
    return fold(word)


@lru_cache(maxsize=65536)
def _joined_stems(word: str) -> str:
    return " ".join(_word_stems(word))


@lru_cache(maxsize=65536)
def _word_stems(word: str) -> tuple[str, ...]:
    with _LOCK:
        found = [stemmer.stemWord(word) for stemmer in _STEMMERS]
    out: list[str] = []
    for stem in found:
        folded = fold(stem)
        if folded and folded not in out:
            out.append(folded)
    return tuple(out)


def words(text: str) -> list[str]:
    """The words of a text, lower case, stop words left out."""
    normal = unicodedata.normalize("NFC", text or "").lower()
    return [w for w in _WORD.findall(normal) if w not in STOP_WORDS]


def stemmed(text: str) -> str:
    """A text as the space-separated stems that are indexed."""
    return " ".join(map(_indexed, words(text)))


@dataclass(frozen=True)
class Terms:
    """A query: each term is the set of its stems (any may match); all terms must match.
    The last term also matches as a prefix, so results follow what is being typed."""

    groups: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts5(self) -> str:
        """FTS5 MATCH syntax: ("pai" OR "paiement") AND ("run"*)."""
        parts = []
        for index, group in enumerate(self.groups):
            star = "*" if index == len(self.groups) - 1 else ""
            parts.append("(" + " OR ".join(f'"{s}"{star}' for s in group) + ")")
        return " AND ".join(parts)

    def tsquery(self) -> str:
        """to_tsquery syntax: (pai | paiement) & (run:*)."""
        parts = []
        for index, group in enumerate(self.groups):
            star = ":*" if index == len(self.groups) - 1 else ""
            parts.append("(" + " | ".join(f"{s}{star}" for s in group) + ")")
        return " & ".join(parts)


def parse(query: str) -> Terms:
    """The user's words as stems, at most MAX_QUERY_TERMS of them, repeats left out."""
    groups: list[tuple[str, ...]] = []
    for word in words(query[:500]):
        group = stems(word)
        if group and group not in groups:
            groups.append(group)
    return Terms(tuple(groups[:MAX_QUERY_TERMS]))


# --- the index ------------------------------------------------------------------------------


def _is_pg(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def _comments(uow: UnitOfWork, item_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {i: [] for i in item_ids}
    stmt = (
        select(Comment.item_id, Comment.body)
        .where(Comment.item_id.in_(item_ids))
        .order_by(Comment.id.desc())
    )
    for item_id, body in uow.session.execute(stmt):
        found[item_id].append(body)
    return found


def documents(uow: UnitOfWork, item_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The stemmed rows of these items (those that still exist)."""
    comments = _comments(uow, item_ids)
    stmt = select(Item.id, Item.title, Item.description, Item.acceptance_criteria).where(
        Item.id.in_(item_ids)
    )
    rows = []
    for item_id, title, description, criteria in uow.session.execute(stmt):
        said = "\n".join(comments.get(item_id, []))[:MAX_SOURCE_CHARS]
        rows.append(
            {
                "item_id": item_id,
                "title": stemmed(title),
                "body": stemmed(f"{description}\n{criteria}"),
                "comments": stemmed(said),
            }
        )
    return rows


# PostgreSQL's weighted document of an item_search row: the one expression every writer uses
# (this module, and the import's bulk insert in transfer/newitems.py).
VECTOR = (
    "setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', body), 'B') || "
    "setweight(to_tsvector('simple', comments), 'C')"
)


# PostgreSQL: the rows and their tsvector in one statement (one row version, one GIN entry).
_PG_INSERT = text(
    "INSERT INTO item_search (item_id, title, body, comments, document) "  # noqa: S608
    f"SELECT item_id, title, body, comments, {VECTOR} FROM unnest("
    "CAST(:ids AS integer[]), CAST(:titles AS text[]), CAST(:bodies AS text[]), "
    "CAST(:comments AS text[])) AS u(item_id, title, body, comments)"
)


def _pg_arrays(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {
        "ids": [row["item_id"] for row in rows],
        "titles": [row["title"] for row in rows],
        "bodies": [row["body"] for row in rows],
        "comments": [row["comments"] for row in rows],
    }


def refresh(uow: UnitOfWork, item_ids: Iterable[int]) -> None:
    """Bring the search index of these items up to date (inside the caller's transaction)."""
    ids = sorted(set(item_ids))
    uow.session.flush()  # read the text as the caller just set it (autoflush is off)
    postgres = _is_pg(uow)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        uow.session.execute(delete(ItemSearch).where(ItemSearch.item_id.in_(chunk)))
        rows = documents(uow, chunk)
        if rows and postgres:
            uow.session.execute(_PG_INSERT, _pg_arrays(rows))
        elif rows:
            uow.session.execute(insert(ItemSearch), rows)


def rebuild(uow: UnitOfWork, product_id: int) -> int:
    """Index every item of a product again (after an import, or to repair); returns the count."""
    ids = list(uow.session.scalars(select(Item.id).where(Item.product_id == product_id)))
    refresh(uow, ids)
    return len(ids)


# --- readiness --------------------------------------------------------------------------


def ready_clause(uow: UnitOfWork, definition_of_ready: Sequence[str], *, ready: bool) -> Any:
    """SQL for "every entry of the Definition of Ready is ticked" (or not), the test of
    `rules.readiness`, on `Item.checks` as refinement keeps it: `{"ready": [entries]}`.
    An empty Definition of Ready makes every item ready."""
    entries = [e.strip() for e in definition_of_ready if e.strip()]
    if not entries:
        return true() if ready else false()
    if _is_pg(uow):
        sql = "coalesce((CAST(items.checks AS jsonb) -> 'ready') @> CAST(:dor AS jsonb), false)"
    else:
        sql = (
            "NOT EXISTS (SELECT 1 FROM json_each(:dor) AS d WHERE d.value NOT IN "
            "(SELECT t.value FROM json_each(items.checks, '$.ready') AS t))"
        )
    clause = sql if ready else f"NOT ({sql})"
    return text(clause).bindparams(dor=json.dumps(entries))


# --- queries --------------------------------------------------------------------------------


def matching(uow: UnitOfWork, terms: Terms, product_id: int) -> ColumnElement[bool]:
    """A condition on `Item` keeping the items that match.

    SQLite: FTS5 gives the matching ids fast whatever their number. PostgreSQL's planner
    guesses the selectivity of a tsquery badly (prefixes, several words), and a wrong guess
    costs seconds, so the plan is chosen here from a sample: when the first SAMPLE items of
    the backlog hold matches, the words are common and the backlog is read in rank order,
    testing each row (`OFFSET 0` keeps that test per row); otherwise the GIN index gives
    the few matching ids, which are joined.
    """
    if not _is_pg(uow):
        fts: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("item_fts"))
            .where(text("item_fts MATCH :fts").bindparams(fts=terms.fts5()))
        )
        return Item.id.in_(fts)
    query = func.to_tsquery("simple", terms.tsquery())
    probe = exists(
        select(ItemSearch.item_id)
        .where(ItemSearch.item_id == Item.id, ItemSearch.document.op("@@")(query))
        .offset(0)
    )
    if _sampled_hits(uow, product_id, query) >= 2:
        return probe
    found = select(ItemSearch.item_id).where(ItemSearch.document.op("@@")(query))
    ids = list(uow.session.scalars(found.limit(DENSE + 1)))
    if len(ids) > DENSE:
        return probe
    return Item.id.in_(ids) if ids else false()


def _sampled_hits(uow: UnitOfWork, product_id: int, query: ColumnElement[Any]) -> int:
    """How many of the first SAMPLE items of the backlog match."""
    first = (
        select(Item.id)
        .where(Item.product_id == product_id)
        .order_by(Item.rank, Item.id)
        .limit(SAMPLE)
        .subquery()
    )
    hit = exists(
        select(ItemSearch.item_id)
        .where(ItemSearch.item_id == first.c.id, ItemSearch.document.op("@@")(query))
        .offset(0)
    )
    return int(uow.session.scalar(select(func.count()).select_from(first).where(hit)) or 0)


def relevance(uow: UnitOfWork, terms: Terms) -> Any:
    """A subquery (item_id, score) of matching items; a lower score is more relevant."""
    if _is_pg(uow):
        query = func.to_tsquery("simple", terms.tsquery())
        score = -func.ts_rank(ItemSearch.document, query)
        return (
            select(ItemSearch.item_id.label("item_id"), score.label("score"))
            .where(ItemSearch.document.op("@@")(query))
            .subquery()
        )
    return (
        select(
            literal_column("rowid").label("item_id"),
            literal_column("bm25(item_fts, 10.0, 3.0, 1.0)").label("score"),
        )
        .select_from(text("item_fts"))
        .where(text("item_fts MATCH :fts").bindparams(fts=terms.fts5()))
        .subquery()
    )
