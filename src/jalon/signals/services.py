"""Market-watch use cases: feeds, watchlists, fetching, and triaging market signals.

One transaction each, with its activity entry. The Product Owner (EDIT_PRODUCT) manages the
feeds and watchlists; the team (CONTRIBUTE) triages signals, links them to opportunities and
turns them into backlog items. Fetching runs one transaction per feed, after its network
call, so a slow or broken feed holds no lock and stops no other feed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import services as backlog_services
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.discovery.models import TreeNode
from jalon.errors import N_, Conflict, Invalid, JalonError
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.signals import feeds, queries, rules
from jalon.signals.models import Feed, FeedEntry, MarketSignal, Watchlist
from jalon.uow import Database, UnitOfWork

REMATCH_DAYS = 90  # a new or changed watchlist looks this far back in the stored entries


def _feed(uow: UnitOfWork, feed_id: int, actor: Actor) -> Feed:
    feed = uow.get(Feed, feed_id, what=N_("feed"))
    authorise(uow, product_id=feed.product_id, actor=actor, action=Action.EDIT_PRODUCT)
    return feed


def _on(product_id: int, actor: Actor, **changes: list[Any]) -> dict[str, Any]:
    return {"actor": actor, "product_id": product_id, "changes": changes}


def _check_url_free(uow: UnitOfWork, product_id: int, url: str, feed_id: int = 0) -> None:
    stmt = select(Feed.id).where(Feed.product_id == product_id, Feed.url == url, Feed.id != feed_id)
    if uow.session.scalar(stmt) is not None:
        raise Conflict("This product already follows the feed {url}.", field="url", url=url)


# --- feeds ----------------------------------------------------------------------------------


def create_feed(
    uow: UnitOfWork, *, actor: Actor, product_id: int, values: Mapping[str, Any]
) -> Feed:
    """Follow an RSS or Atom feed (fetched at the next round, or with "Fetch now")."""
    clean = rules.clean_feed(values)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        _check_url_free(uow, product_id, clean["url"])
        feed = Feed(product_id=product_id, created_at=utcnow(), **clean)
        uow.add(feed)
        uow.flush()
        activity.record(
            uow, "signals.feed.created", Subject("feed", feed.id, feed.name),
            **_on(product_id, actor, url=[None, feed.url], kind=[None, feed.kind]),
        )  # fmt: skip
        uow.commit()
    return feed


def update_feed(uow: UnitOfWork, *, actor: Actor, feed_id: int, values: Mapping[str, Any]) -> Feed:
    """Rename, re-classify, move or pause a feed (only the fields given)."""
    clean = rules.clean_feed(values, partial=True)
    with uow:
        feed = _feed(uow, feed_id, actor)
        if "url" in clean:
            _check_url_free(uow, feed.product_id, clean["url"], feed.id)
        changes = {k: [getattr(feed, k), v] for k, v in clean.items() if getattr(feed, k) != v}
        for key, (_old, new) in changes.items():
            setattr(feed, key, new)
        if "url" in changes:  # another address: forget what the old one said
            feed.etag, feed.modified, feed.error_code, feed.error_detail = "", "", "", ""
        if changes:
            activity.record(
                uow, "signals.feed.updated", Subject("feed", feed.id, feed.name),
                **_on(feed.product_id, actor, **changes),
            )  # fmt: skip
        uow.commit()
    return feed


def delete_feed(uow: UnitOfWork, *, actor: Actor, feed_id: int) -> None:
    """Stop following a feed; its entries and their signals go with it."""
    with uow:
        feed = _feed(uow, feed_id, actor)
        activity.record(
            uow, "signals.feed.deleted", Subject("feed", feed.id, feed.name),
            **_on(feed.product_id, actor, url=[feed.url, None]),
        )  # fmt: skip
        uow.session.delete(feed)
        uow.commit()


# --- watchlists -----------------------------------------------------------------------------


def _check_list_name_free(uow: UnitOfWork, product_id: int, name: str, list_id: int = 0) -> None:
    stmt = select(Watchlist.id).where(
        Watchlist.product_id == product_id, Watchlist.name == name, Watchlist.id != list_id
    )
    if uow.session.scalar(stmt) is not None:
        raise Conflict(
            "This product already has a watchlist named {name!r}.", field="name", name=name
        )


def create_watchlist(
    uow: UnitOfWork, *, actor: Actor, product_id: int, name: str, keywords: Any
) -> Watchlist:
    """A list of keywords; stored entries of the last 90 days that match become signals."""
    clean_name, words = rules.clean_watchlist(name, keywords)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        _check_list_name_free(uow, product_id, clean_name)
        found = Watchlist(
            product_id=product_id, name=clean_name, keywords=words, created_at=utcnow()
        )
        uow.add(found)
        uow.flush()
        activity.record(
            uow, "signals.watchlist.created", Subject("watchlist", found.id, clean_name),
            **_on(product_id, actor, keywords=[None, ", ".join(words)]),
        )  # fmt: skip
        rematch(uow, product_id)
        uow.commit()
    return found


def _watchlist(uow: UnitOfWork, list_id: int, actor: Actor) -> Watchlist:
    found = uow.get(Watchlist, list_id, what=N_("watchlist"))
    authorise(uow, product_id=found.product_id, actor=actor, action=Action.EDIT_PRODUCT)
    return found


def update_watchlist(
    uow: UnitOfWork, *, actor: Actor, watchlist_id: int, name: str, keywords: Any
) -> Watchlist:
    """Rename a watchlist or change its keywords (signals already found stay)."""
    clean_name, words = rules.clean_watchlist(name, keywords)
    with uow:
        found = _watchlist(uow, watchlist_id, actor)
        _check_list_name_free(uow, found.product_id, clean_name, found.id)
        changes: dict[str, list[Any]] = {}
        if clean_name != found.name:
            changes["name"] = [found.name, clean_name]
        if words != list(found.keywords):
            changes["keywords"] = [", ".join(found.keywords), ", ".join(words)]
        found.name, found.keywords = clean_name, words
        if changes:
            activity.record(
                uow, "signals.watchlist.updated", Subject("watchlist", found.id, clean_name),
                **_on(found.product_id, actor, **changes),
            )  # fmt: skip
            uow.flush()
            rematch(uow, found.product_id)
        uow.commit()
    return found


def delete_watchlist(uow: UnitOfWork, *, actor: Actor, watchlist_id: int) -> None:
    """Delete a watchlist; the signals it found stay (they are evidence)."""
    with uow:
        found = _watchlist(uow, watchlist_id, actor)
        activity.record(
            uow, "signals.watchlist.deleted", Subject("watchlist", found.id, found.name),
            **_on(found.product_id, actor, keywords=[", ".join(found.keywords), None]),
        )  # fmt: skip
        uow.session.delete(found)
        uow.commit()


# --- matching -------------------------------------------------------------------------------


def match_entries(uow: UnitOfWork, product_id: int, entries: Sequence[FeedEntry]) -> int:
    """Signals for the entries that match a watchlist of the product (inside a uow); how many
    were new. An entry has at most one signal."""
    keywords = queries.product_keywords(uow, product_id)
    taken = queries.entries_with_signal(uow, [e.id for e in entries])
    now, made = utcnow(), 0
    for entry in entries:
        found = rules.matching(keywords, f"{entry.title}\n{entry.summary}")
        if found and entry.id not in taken:
            uow.add(
                MarketSignal(
                    product_id=product_id, entry_id=entry.id, state="new", matched=found,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            made += 1
    return made


def rematch(uow: UnitOfWork, product_id: int) -> int:
    """Look again at the recent stored entries with no signal (after a watchlist change)."""
    since = utcnow() - timedelta(days=REMATCH_DAYS)
    return match_entries(uow, product_id, queries.unmatched_entries(uow, product_id, since))


# --- fetching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchReport:
    feed_id: int
    name: str
    product_id: int
    error_code: str = ""
    error_detail: str = ""
    not_modified: bool = False
    new_entries: int = 0
    new_signals: int = 0


def _note_fetch(feed: Feed, fetched: feeds.Fetched, now: datetime) -> None:
    feed.last_fetched_at = now
    feed.error_code, feed.error_detail = fetched.error_code, fetched.error_detail[:500]
    if fetched.ok:
        feed.last_ok_at = now
        feed.etag, feed.modified = fetched.etag or feed.etag, fetched.modified or feed.modified


def record_fetch(
    uow: UnitOfWork, *, feed_id: int, fetched: feeds.Fetched, now: datetime
) -> FetchReport:
    """Store what one fetch gave: new entries (by key and link), their signals, or the error."""
    with uow:
        feed = uow.get(Feed, feed_id, what=N_("feed"))
        _note_fetch(feed, fetched, now)
        known_keys, known_links = queries.known_entries(uow, feed.id)
        fresh: list[FeedEntry] = []
        for e in fetched.entries:
            if e.key in known_keys or (e.link and e.link in known_links):
                continue
            known_keys.add(e.key)
            known_links.add(e.link)
            fresh.append(FeedEntry(feed_id=feed.id, fetched_at=now, **e.__dict__))
        uow.session.add_all(fresh)
        uow.flush()
        made = match_entries(uow, feed.product_id, fresh)
        if made:
            activity.record(
                uow, "signals.entries.matched", Subject("feed", feed.id, feed.name),
                actor=Actor(None, "market watch"), product_id=feed.product_id,
                changes={"signals": [None, made]},
            )  # fmt: skip
        uow.commit()
        return FetchReport(
            feed.id, feed.name, feed.product_id, fetched.error_code, fetched.error_detail,
            fetched.not_modified, len(fresh), made,
        )  # fmt: skip


Fetcher = Callable[..., feeds.Fetched]


PARALLEL_FETCHES = 4  # network calls at once; the database writes stay one after the other


def _fetch_one(fetcher: Fetcher, target: queries.FeedTarget) -> feeds.Fetched:
    try:
        return fetcher(target.url, etag=target.etag, modified=target.modified)
    except Exception as exc:  # a parser bug on one feed must not stop the rest
        return feeds.Fetched(error_code="not_feed", error_detail=repr(exc)[:300])


def fetch_feeds(
    database: Database,
    *,
    actor: Actor,
    product_id: int | None = None,
    fetcher: Fetcher = feeds.fetch,
    now: Callable[[], datetime] = utcnow,
) -> list[FetchReport]:
    """Fetch the active feeds of one product (its Product Owner) or of every product
    (administrators: the command line and the server's scheduler). The network calls run a
    few at a time; each feed's result is then stored in its own transaction."""
    targets = queries.feeds_to_fetch(database.reader(), actor=actor, product_id=product_id)
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=min(PARALLEL_FETCHES, len(targets))) as pool:
        results = list(pool.map(lambda t: _fetch_one(fetcher, t), targets))
    reports = []
    for target, fetched in zip(targets, results, strict=True):
        try:
            reports.append(
                record_fetch(database.uow(), feed_id=target.id, fetched=fetched, now=now())
            )
        except (JalonError, SQLAlchemyError) as exc:  # busy database, feed deleted meanwhile
            detail = str(exc)[:300]
            reports.append(FetchReport(target.id, target.name, target.product_id, "store", detail))
    return reports


# --- signals --------------------------------------------------------------------------------


def _signal(uow: UnitOfWork, signal_id: int, actor: Actor) -> MarketSignal:
    found = uow.get(MarketSignal, signal_id, what=N_("signal"))
    authorise(uow, product_id=found.product_id, actor=actor, action=Action.CONTRIBUTE)
    return found


def _subject(uow: UnitOfWork, found: MarketSignal) -> Subject:
    entry = uow.session.get(FeedEntry, found.entry_id)
    return Subject("signal", found.id, entry.title if entry else "")


def set_state(uow: UnitOfWork, *, actor: Actor, signal_id: int, state: str) -> MarketSignal:
    """Triage a signal: new, watching or dismissed."""
    clean = rules.check_state(state)
    with uow:
        found = _signal(uow, signal_id, actor)
        if found.state != clean:
            activity.record(
                uow, "signals.signal.triaged", _subject(uow, found),
                **_on(found.product_id, actor, state=[found.state, clean]),
            )  # fmt: skip
            found.state, found.updated_at = clean, utcnow()
        uow.commit()
    return found


def _opportunity(uow: UnitOfWork, product_id: int, node_id: int) -> TreeNode:
    node = uow.session.get(TreeNode, node_id)
    if node is None or node.product_id != product_id or node.kind != "opportunity":
        raise Invalid("Choose an opportunity of this product's tree.", field="opportunity_id")
    return node


def link_opportunity(
    uow: UnitOfWork, *, actor: Actor, signal_id: int, opportunity_id: int | None
) -> MarketSignal:
    """Link the signal to an opportunity of the tree (None unlinks); a new signal linked is
    being watched."""
    with uow:
        found = _signal(uow, signal_id, actor)
        title = None
        if opportunity_id is not None:
            title = _opportunity(uow, found.product_id, opportunity_id).title
        if found.opportunity_id != opportunity_id:
            old = queries.opportunity_title(uow, found.opportunity_id)
            activity.record(
                uow, "signals.signal.linked", _subject(uow, found),
                **_on(found.product_id, actor, opportunity=[old, title]),
            )  # fmt: skip
            found.opportunity_id, found.updated_at = opportunity_id, utcnow()
            if opportunity_id is not None and found.state == "new":
                found.state = "watching"
        uow.commit()
    return found


def make_item(
    uow: UnitOfWork, *, actor: Actor, signal_id: int, values: Mapping[str, Any] | None = None
) -> Item:
    """A backlog item from the signal (title and source by default), in one transaction."""
    with uow:
        found = _signal(uow, signal_id, actor)
        entry = uow.get(FeedEntry, found.entry_id, what=N_("signal"))
        feed = uow.get(Feed, entry.feed_id, what=N_("feed"))
        defaults = rules.item_values(entry.title, entry.link, entry.summary, feed.name)
        made = {**defaults, **{k: v for k, v in (values or {}).items() if v}}
        item = backlog_services.add_item(uow, actor=actor, product_id=found.product_id, values=made)
        activity.record(
            uow, "signals.signal.converted", _subject(uow, found),
            **_on(found.product_id, actor, item_id=[found.item_id, item.id]),
        )  # fmt: skip
        found.item_id, found.updated_at = item.id, utcnow()
        if found.state == "new":
            found.state = "watching"
        uow.commit()
    return item
