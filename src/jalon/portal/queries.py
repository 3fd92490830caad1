"""Portal reads: the public list, an idea, similar ideas; the team's overview, moderation
queue, idea page and settings; and the demand that votes add to a feedback's evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from jalon.backlog.models import Item
from jalon.backlog.queries import backlog_settings
from jalon.errors import N_, Label, NotFound
from jalon.feedback.models import Customer, Segment
from jalon.portal import rules
from jalon.portal.models import Idea, IdeaComment, IdeaVote, PortalSettings
from jalon.products.models import Product
from jalon.themes import placement
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import NOT_FOUND, UnitOfWork

PORTAL = Label("portal", N_("portal"))
IDEA = Label("idea", N_("idea"))
SIMILAR = 5
MERGE_CHAIN = 20


def default_settings(product: Product) -> PortalSettings:
    return PortalSettings(
        product_id=product.id,
        enabled=False,
        slug=rules.slugify(product.name),
        welcome="",
        shown_statuses=list(rules.DEFAULT_SHOWN),
        group_by_theme=False,
    )


def portal_settings(uow: UnitOfWork, product: Product) -> PortalSettings:
    return uow.session.get(PortalSettings, product.id) or default_settings(product)


@dataclass(frozen=True)
class IdeaRow:
    idea: Idea
    status: str  # the effective status (the linked item's, when it gives one)
    votes: int
    comments: int
    voted: bool = False
    theme_id: int | None = None  # the theme of its feedback
    theme: str = ""


def _item_statuses(uow: UnitOfWork, product_id: int, ideas: Sequence[Idea]) -> dict[int, str]:
    """Idea id → the status its linked backlog item gives (when it gives one)."""
    item_ids = {i.item_id for i in ideas if i.item_id is not None}
    if not item_ids:
        return {}
    workflow = backlog_settings(uow, product_id).statuses
    category = {s["key"]: s["category"] for s in workflow}
    first = str(workflow[0]["key"]) if workflow else ""
    stmt = select(Item.id, Item.status).where(Item.id.in_(item_ids))
    item_status = {int(i): str(s) for i, s in uow.session.execute(stmt)}
    found: dict[int, str] = {}
    for idea in ideas:
        status = item_status.get(idea.item_id or 0)
        if status is not None:
            derived = rules.status_from_item(category.get(status, "todo"), status, first)
            if derived is not None:
                found[idea.id] = derived
    return found


def _counts(
    uow: UnitOfWork, column: InstrumentedAttribute[int], ids: Sequence[int], *extra: Any
) -> dict[int, int]:
    if not ids:
        return {}
    stmt = select(column, func.count()).where(column.in_(ids), *extra).group_by(column)
    return {int(k): int(n) for k, n in uow.session.execute(stmt)}


def _voted(uow: UnitOfWork, ids: Sequence[int], voter: str | None) -> set[int]:
    if not ids or not voter:
        return set()
    stmt = select(IdeaVote.idea_id).where(IdeaVote.idea_id.in_(ids), IdeaVote.voter == voter)
    return set(uow.session.scalars(stmt))


def idea_rows(
    uow: UnitOfWork, product_id: int, ideas: Sequence[Idea], voter: str | None = None
) -> list[IdeaRow]:
    """Ideas with their effective status, vote and visible comment counts (4 queries)."""
    ids = [i.id for i in ideas]
    derived = _item_statuses(uow, product_id, ideas)
    votes = _counts(uow, IdeaVote.idea_id, ids)
    comments = _counts(uow, IdeaComment.idea_id, ids, IdeaComment.hidden.is_(False))
    mine = _voted(uow, ids, voter)
    themes = _themes(uow, ideas)
    return [
        IdeaRow(i, rules.effective_status(i.status, derived.get(i.id)), votes.get(i.id, 0),
                comments.get(i.id, 0), i.id in mine, *themes.get(i.id, (None, "")))
        for i in ideas
    ]  # fmt: skip


def _themes(uow: UnitOfWork, ideas: Sequence[Idea]) -> dict[int, tuple[int, str]]:
    """Idea id → (theme id, label) of its feedback's active theme."""
    by_feedback = {i.feedback_id: i.id for i in ideas if i.feedback_id is not None}
    if not by_feedback:
        return {}
    stmt = (
        select(ThemeMember.feedback_id, Theme.id, Theme.label)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .where(ThemeMember.feedback_id.in_(by_feedback), Theme.state == "active")
    )
    return {by_feedback[f]: (int(t), str(label)) for f, t, label in uow.session.execute(stmt)}


def topics(rows: Iterable[IdeaRow]) -> list[tuple[int, str, int]]:
    """The themes of these ideas, by label: (theme id, label, how many ideas)."""
    found: dict[int, tuple[str, int]] = {}
    for r in rows:
        if r.theme_id is not None:
            label, n = found.get(r.theme_id, (r.theme, 0))
            found[r.theme_id] = (label, n + 1)
    return sorted(((t, label, n) for t, (label, n) in found.items()), key=lambda x: x[1].lower())


def published(uow: UnitOfWork, product_id: int) -> list[Idea]:
    stmt = select(Idea).where(Idea.product_id == product_id, Idea.state == "published")
    return list(uow.session.scalars(stmt.order_by(Idea.id)))


def arranged(
    rows: Iterable[IdeaRow], *, sort: str, status: str, shown: Sequence[str],
    topic: int | None = None,
) -> list[IdeaRow]:  # fmt: skip
    by_id = {r.idea.id: r for r in rows}
    listed = [
        rules.Listed(r.idea.id, r.status, r.votes, r.idea.published_at or r.idea.created_at,
                     r.theme_id)
        for r in by_id.values()
    ]  # fmt: skip
    order = rules.arrange(listed, sort=sort, status=status, shown=shown, topic=topic)
    return [by_id[i] for i in order]


# --- public -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPortal:
    product_name: str
    settings: PortalSettings
    rows: list[IdeaRow] = field(default_factory=list)
    topics: list[tuple[int, str, int]] = field(default_factory=list)  # when grouped by theme


def open_portal(uow: UnitOfWork, slug: str) -> tuple[PortalSettings, Product]:
    """The enabled portal at this slug, or NotFound (a disabled portal does not exist)."""
    found = uow.session.scalar(select(PortalSettings).where(PortalSettings.slug == slug))
    product = uow.session.get(Product, found.product_id) if found is not None else None
    if found is None or product is None or not found.enabled:
        raise NotFound(NOT_FOUND, what=PORTAL, ident=slug)
    return found, product


def public_portal(
    uow: UnitOfWork, *, slug: str, sort: str = "votes", status: str = "",
    voter: str | None = None, topic: int | None = None,
) -> PublicPortal:  # fmt: skip
    """The published ideas the public sees; by theme (`topic`) when the portal groups them."""
    with uow:
        settings, product = open_portal(uow, slug)
        rows = idea_rows(uow, product.id, published(uow, product.id), voter)
        shown = list(settings.shown_statuses)
        if not settings.group_by_theme:
            rows = [replace(r, theme_id=None, theme="") for r in rows]
        listed = arranged(rows, sort=sort, status=status, shown=shown, topic=topic)
        visible = arranged(rows, sort=sort, status="", shown=shown)
        return PublicPortal(product.name, settings, listed, topics(visible))


@dataclass(frozen=True)
class PublicIdea:
    product_name: str
    settings: PortalSettings
    row: IdeaRow | None  # None when the idea was merged: see moved_to
    comments: list[IdeaComment] = field(default_factory=list)
    moved_to: int | None = None


def survivor_of(uow: UnitOfWork, idea: Idea) -> Idea:
    """The idea a merged idea lives on in (following merges of merges)."""
    for _ in range(MERGE_CHAIN):
        if idea.state != "merged" or idea.merged_into_id is None:
            break
        idea = uow.get(Idea, idea.merged_into_id, what=N_("idea"))
    return idea


def _public_idea(uow: UnitOfWork, product_id: int, idea_id: int) -> Idea:
    idea = uow.session.get(Idea, idea_id)
    if idea is None or idea.product_id != product_id or idea.state not in ("published", "merged"):
        raise NotFound(NOT_FOUND, what=IDEA, ident=idea_id)
    return idea


def public_idea(
    uow: UnitOfWork, *, slug: str, idea_id: int, voter: str | None = None
) -> PublicIdea:
    with uow:
        settings, product = open_portal(uow, slug)
        idea = _public_idea(uow, product.id, idea_id)
        if idea.state == "merged":
            alive = survivor_of(uow, idea)
            return PublicIdea(product.name, settings, None, moved_to=alive.id)
        row = idea_rows(uow, product.id, [idea], voter)[0]
        if row.status not in settings.shown_statuses:
            raise NotFound(NOT_FOUND, what=IDEA, ident=idea_id)
        stmt = select(IdeaComment).where(
            IdeaComment.idea_id == idea.id, IdeaComment.hidden.is_(False)
        )
        comments = list(uow.session.scalars(stmt.order_by(IdeaComment.id)))
        return PublicIdea(product.name, settings, row, comments)


def similar_ideas(uow: UnitOfWork, *, slug: str, text: str) -> list[IdeaRow]:
    """Published ideas like `text`, best first: the themes area finds similar portal
    feedback, mapped back to the ideas (or the ideas they were merged into)."""
    if len(text.strip()) < rules.MIN_TITLE:
        return []
    with uow:
        settings, product = open_portal(uow, slug)
        pairs = placement.similar(uow, product.id, text, limit=SIMILAR * 2, sources=("portal",))
        ranked = [fid for fid, score in pairs if score >= rules.SIMILAR_MIN]
        stmt = select(Idea).where(Idea.product_id == product.id, Idea.feedback_id.in_(ranked))
        by_feedback = {i.feedback_id: i for i in uow.session.scalars(stmt)}
        ideas: dict[int, Idea] = {}
        for fid in ranked:
            if (idea := by_feedback.get(fid)) is not None and idea.state in ("published", "merged"):
                alive = survivor_of(uow, idea)
                if alive.state == "published":
                    ideas.setdefault(alive.id, alive)
        rows = idea_rows(uow, product.id, list(ideas.values()))
        return [r for r in rows if r.status in settings.shown_statuses][:SIMILAR]


# --- evidence -----------------------------------------------------------------------------------


def vote_demand(uow: UnitOfWork, feedback_ids: Sequence[int]) -> dict[int, float]:
    """The demand that votes add to portal feedback (inside a unit of work).

    Feedback id → the sum of its idea's voters' weights: a voter whose e-mail is a customer's
    of the product weighs that customer's weight × their segment's weight, any other voter 1.
    A feedback's weighted demand for an item = importance × (its own weight + this)."""
    if not feedback_ids:
        return {}
    same_customer = (Customer.product_id == Idea.product_id) & (
        func.lower(Customer.email) == IdeaVote.email
    )
    stmt = (
        select(Idea.feedback_id, Customer.weight, Segment.weight)
        .join(IdeaVote, IdeaVote.idea_id == Idea.id)
        .outerjoin(Customer, same_customer)
        .outerjoin(Segment, Segment.id == Customer.segment_id)
        .where(Idea.feedback_id.in_(feedback_ids))
    )
    found: dict[int, float] = {}
    for fid, weight, segment in uow.session.execute(stmt):
        if fid is None:
            continue
        voice = (weight if weight is not None else 1.0) * (segment if segment is not None else 1.0)
        found[int(fid)] = found.get(int(fid), 0.0) + voice
    return found
