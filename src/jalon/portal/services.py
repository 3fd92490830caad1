"""The team's portal use cases: settings, moderation, statuses, links to the backlog,
merging duplicates, and comments (hide, reply). One transaction each, with its activity.

The Product Owner (EDIT_PRODUCT) runs the portal; anyone who may comment on the product
(COMMENT) may answer on an idea as the team.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update

from jalon import activity
from jalon.activity import Subject
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid
from jalon.feedback.models import Feedback, FeedbackLink
from jalon.permissions import Action, Actor
from jalon.portal import queries, rules
from jalon.portal.models import Idea, IdeaComment, IdeaVote, PortalSettings
from jalon.products.models import Product
from jalon.products.services import authorise
from jalon.themes import placement
from jalon.uow import UnitOfWork

DECISIONS = ("approve", "reject")


def _subject(idea: Idea) -> Subject:
    return Subject("idea", idea.id, idea.title)


def _idea(uow: UnitOfWork, idea_id: int, actor: Actor, action: Action) -> Idea:
    idea = uow.get(Idea, idea_id, what=N_("idea"))
    authorise(uow, product_id=idea.product_id, actor=actor, action=action)
    return idea


# --- settings ---------------------------------------------------------------------------------


def _slug_taken(uow: UnitOfWork, slug: str, product_id: int) -> bool:
    stmt = select(PortalSettings.product_id).where(
        PortalSettings.slug == slug, PortalSettings.product_id != product_id
    )
    return uow.session.scalar(stmt) is not None


def ensure_settings(uow: UnitOfWork, product: Product) -> PortalSettings:
    """The product's portal settings row, created with the defaults (inside a uow)."""
    found = uow.session.get(PortalSettings, product.id)
    if found is None:
        found = queries.default_settings(product)
        if _slug_taken(uow, found.slug, product.id):
            found.slug = f"{found.slug[:50]}-{product.id}"
        uow.add(found)
    return found


def update_settings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    enabled: bool,
    slug: str,
    welcome: str = "",
    shown_statuses: Sequence[str] = rules.DEFAULT_SHOWN,
    group_by_theme: bool = False,
) -> PortalSettings:
    """Open or close the portal, and set its address, welcome text, shown statuses and
    whether the public list is grouped by theme."""
    slug, welcome = slug.strip().lower(), welcome.strip()
    shown = rules.check_settings(slug, welcome, shown_statuses)
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        if _slug_taken(uow, slug, product_id):
            raise Conflict("Another product's portal uses this address.", field="slug")
        row = ensure_settings(uow, product)
        before = {"enabled": row.enabled, "slug": row.slug, "shown_statuses": row.shown_statuses}
        row.enabled, row.slug, row.welcome, row.shown_statuses = enabled, slug, welcome, shown
        row.group_by_theme, row.updated_at = group_by_theme, utcnow()
        after = {"enabled": enabled, "slug": slug, "shown_statuses": shown}
        activity.record(
            uow, "portal.settings.updated", Subject("product", product.id, product.name),
            actor=actor, product_id=product.id, changes=activity.diff(before, after),
        )  # fmt: skip
        uow.commit()
    return row


# --- moderation ---------------------------------------------------------------------------------


def moderate(
    uow: UnitOfWork, *, actor: Actor, product_id: int, idea_ids: Sequence[int], decision: str
) -> int:
    """Approve (the idea goes public, its feedback joins the inbox as "new") or reject (the
    idea stays hidden, its feedback is "rejected") pending ideas; how many were decided.
    Ideas no longer pending (decided meanwhile) are left as they are."""
    if decision not in DECISIONS:
        raise Invalid("Choose to approve or to reject.", field="decision")
    if not idea_ids:
        raise Invalid("Tick at least one idea.", field="idea_ids")
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        stmt = select(Idea).where(Idea.id.in_(set(idea_ids)), Idea.product_id == product_id)
        ideas = [i for i in uow.session.scalars(stmt.order_by(Idea.id)) if i.state == "pending"]
        now, approve = utcnow(), decision == "approve"
        for idea in ideas:
            idea.state, idea.updated_at = ("published" if approve else "rejected"), now
            idea.published_at = now if approve else None
            _set_feedback_state(uow, idea, "new" if approve else "rejected")
            activity.record(
                uow, "portal.idea.approved" if approve else "portal.idea.rejected",
                _subject(idea), actor=actor, product_id=product_id,
            )  # fmt: skip
        uow.commit()
    return len(ideas)


def _set_feedback_state(uow: UnitOfWork, idea: Idea, state: str) -> None:
    if idea.feedback_id is not None:
        uow.session.execute(
            update(Feedback).where(Feedback.id == idea.feedback_id).values(state=state)
        )


# --- ideas the team adds ------------------------------------------------------------------------


def add_idea(
    uow: UnitOfWork, *, actor: Actor, product_id: int, title: str, description: str = "",
    author_name: str = "", author_email: str = "",
) -> Idea:  # fmt: skip
    """An idea heard elsewhere (a sales call, a support ticket), published at once with its
    feedback ("new", source "portal") placed in the themes."""
    sub = rules.check_submission(title, description, author_name, author_email)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        now = utcnow()
        feedback = Feedback(
            product_id=product_id, text=f"{sub.title}\n\n{sub.description}".strip(),
            source="portal", state="new", author_name=sub.name, author_email=sub.email,
            received_at=now, created_at=now, actor_label=actor.label,
        )  # fmt: skip
        uow.add(feedback)
        uow.flush()
        idea = Idea(
            product_id=product_id, feedback_id=feedback.id, title=sub.title,
            description=sub.description, author_name=sub.name, author_email=sub.email,
            state="published", status="under_review", created_at=now, published_at=now,
            updated_at=now,
        )  # fmt: skip
        uow.add(idea)
        uow.flush()
        placement.place_feedback(uow, product_id, [feedback.id])
        activity.record(
            uow, "portal.idea.added", _subject(idea), actor=actor, product_id=product_id
        )
        uow.commit()
    return idea


# --- status and backlog link ----------------------------------------------------------------


def _apply_status(uow: UnitOfWork, idea: Idea, status: str, actor: Actor) -> None:
    if status not in rules.STATUSES:
        raise Invalid("Choose one of the statuses.", field="status")
    if status != idea.status:
        activity.record(
            uow, "portal.idea.status_changed", _subject(idea), actor=actor,
            product_id=idea.product_id, changes={"status": [idea.status, status]},
        )  # fmt: skip
        idea.status, idea.updated_at = status, utcnow()


def _link_feedback(uow: UnitOfWork, feedback_id: int | None, item_id: int) -> None:
    """The idea's feedback becomes evidence for the item (once)."""
    if feedback_id is None:
        return
    stmt = select(FeedbackLink.id).where(
        FeedbackLink.feedback_id == feedback_id, FeedbackLink.item_id == item_id
    )
    if uow.session.scalar(stmt) is None:
        uow.add(FeedbackLink(feedback_id=feedback_id, item_id=item_id, importance=2))


def _apply_link(uow: UnitOfWork, idea: Idea, item_id: int | None, actor: Actor) -> None:
    if item_id is not None:
        item = uow.session.get(Item, item_id)
        if item is None or item.product_id != idea.product_id:
            raise Invalid("Choose an item of this product's backlog.", field="item_id")
        _link_feedback(uow, idea.feedback_id, item_id)
    if item_id != idea.item_id:
        activity.record(
            uow, "portal.idea.linked" if item_id else "portal.idea.unlinked", _subject(idea),
            actor=actor, product_id=idea.product_id, changes={"item_id": [idea.item_id, item_id]},
        )  # fmt: skip
        idea.item_id, idea.updated_at = item_id, utcnow()


UNCHANGED = -1


def update_idea(
    uow: UnitOfWork, *, actor: Actor, idea_id: int, status: str | None = None,
    item_id: int | None = UNCHANGED,
) -> Idea:  # fmt: skip
    """Set the status the PO gives (a linked backlog item's status overrides it while it
    gives one) and/or link the idea to a backlog item (None unlinks): its status then follows
    the item's, and its feedback becomes evidence for the item. All or nothing."""
    with uow:
        idea = _idea(uow, idea_id, actor, Action.EDIT_PRODUCT)
        if status is not None:
            _apply_status(uow, idea, status, actor)
        if item_id != UNCHANGED:
            _apply_link(uow, idea, item_id, actor)
        uow.commit()
    return idea


def set_status(uow: UnitOfWork, *, actor: Actor, idea_id: int, status: str) -> Idea:
    return update_idea(uow, actor=actor, idea_id=idea_id, status=status)


def link_item(uow: UnitOfWork, *, actor: Actor, idea_id: int, item_id: int | None) -> Idea:
    return update_idea(uow, actor=actor, idea_id=idea_id, item_id=item_id)


# --- merging duplicates ---------------------------------------------------------------------------


def _move_votes(uow: UnitOfWork, source: Idea, target: Idea) -> None:
    def keys(idea: Idea) -> list[rules.VoteKey]:
        stmt = select(IdeaVote.id, IdeaVote.voter, IdeaVote.email).where(
            IdeaVote.idea_id == idea.id
        )
        return [rules.VoteKey(*row) for row in uow.session.execute(stmt)]

    move, drop = rules.votes_to_move(keys(target), keys(source))
    if drop:
        uow.session.execute(delete(IdeaVote).where(IdeaVote.id.in_(drop)))
    if move:
        uow.session.execute(update(IdeaVote).where(IdeaVote.id.in_(move)).values(idea_id=target.id))


def merge_ideas(uow: UnitOfWork, *, actor: Actor, idea_id: int, into_id: int) -> Idea:
    """Merge a duplicate into another published idea: its votes (a visitor who voted for both
    counts once), comments and backlog link move over; its address leads to the survivor."""
    with uow:
        source = _idea(uow, idea_id, actor, Action.EDIT_PRODUCT)
        target = uow.session.get(Idea, into_id)
        if target is None or target.product_id != source.product_id or target.id == source.id:
            raise Invalid("Choose another idea of this product.", field="into_id")
        if source.state not in ("published", "pending") or target.state != "published":
            raise Conflict("Only a published or pending idea merges, into a published one.")
        _move_votes(uow, source, target)
        uow.session.execute(
            update(IdeaComment).where(IdeaComment.idea_id == source.id).values(idea_id=target.id)
        )
        target.item_id = target.item_id or source.item_id
        if target.item_id is not None:
            for feedback_id in (source.feedback_id, target.feedback_id):
                _link_feedback(uow, feedback_id, target.item_id)
        if source.state == "pending":
            _set_feedback_state(uow, source, "new")
        source.state, source.merged_into_id, source.updated_at = "merged", target.id, utcnow()
        activity.record(
            uow, "portal.idea.merged", _subject(source), actor=actor,
            product_id=source.product_id, changes={"merged_into": [None, target.title]},
        )  # fmt: skip
        uow.commit()
    return target


# --- comments -------------------------------------------------------------------------------------


def hide_comment(uow: UnitOfWork, *, actor: Actor, comment_id: int, hidden: bool) -> IdeaComment:
    with uow:
        comment = uow.get(IdeaComment, comment_id, what=N_("comment"))
        idea = _idea(uow, comment.idea_id, actor, Action.EDIT_PRODUCT)
        if comment.hidden != hidden:
            comment.hidden = hidden
            activity.record(
                uow, "portal.comment.concealed" if hidden else "portal.comment.restored",
                _subject(idea), actor=actor, product_id=idea.product_id,
            )  # fmt: skip
        uow.commit()
    return comment


def reply(uow: UnitOfWork, *, actor: Actor, idea_id: int, body: str) -> IdeaComment:
    """A comment from the team, shown on the portal with the author's name and a team badge."""
    text, _name = rules.check_comment(body, "")
    with uow:
        idea = _idea(uow, idea_id, actor, Action.COMMENT)
        comment = IdeaComment(
            idea_id=idea.id, author_name=actor.label[:100], body=text, from_team=True,
            hidden=False, created_at=utcnow(),
        )  # fmt: skip
        uow.add(comment)
        activity.record(
            uow, "portal.comment.added", _subject(idea), actor=actor, product_id=idea.product_id
        )
        uow.commit()
    return comment
