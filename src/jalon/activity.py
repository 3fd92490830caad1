"""The activity log: every write records actor, action, subject, time and changed fields.

Services call `record()` inside their unit of work, so the entry commits with the change
it describes, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow
from jalon.errors import N_
from jalon.permissions import Actor
from jalon.uow import UnitOfWork

Changes = dict[str, list[Any]]


class ActivityEntry(Base):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(200), default="")
    changes: Mapped[Changes] = mapped_column(JSON, default=dict)


@dataclass(frozen=True)
class Subject:
    type: str
    id: int | None
    label: str = ""


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """Changed fields as {field: [old, new]} (pure)."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    uow: UnitOfWork,
    action: str,
    subject: Subject,
    *,
    actor: Actor,
    product_id: int | None = None,
    changes: Changes | None = None,
) -> ActivityEntry:
    entry = ActivityEntry(
        action=action,
        subject_type=subject.type,
        subject_id=subject.id,
        subject_label=subject.label[:200],
        actor_id=actor.id,
        actor_label=actor.label[:200],
        product_id=product_id,
        changes=changes or {},
        at=utcnow(),
    )
    uow.add(entry)
    return entry


def list_activity(
    uow: UnitOfWork, *, product_id: int, limit: int = 50, before_id: int | None = None
) -> list[ActivityEntry]:
    stmt = select(ActivityEntry).where(ActivityEntry.product_id == product_id)
    if before_id is not None:
        stmt = stmt.where(ActivityEntry.id < before_id)
    stmt = stmt.order_by(ActivityEntry.id.desc()).limit(limit)
    return list(uow.session.scalars(stmt))


def list_account_activity(uow: UnitOfWork, *, limit: int = 30) -> list[ActivityEntry]:
    """Entries about accounts rather than products (users, tokens, rights), newest first."""
    stmt = select(ActivityEntry).where(ActivityEntry.product_id.is_(None))
    return list(uow.session.scalars(stmt.order_by(ActivityEntry.id.desc()).limit(limit)))


ACTIONS: dict[str, str] = {
    "products.product.created": N_("created the product {subject}"),
    "products.product.updated": N_("edited the product {subject}"),
    "products.stage.changed": N_("changed the stage of {subject}"),
    "products.member.added": N_("gave {subject} a role on the product"),
    "products.member.role_changed": N_("changed the role of {subject}"),
    "products.member.removed": N_("removed {subject} from the product"),
    "backlog.item.created": N_("added the item {subject}"),
    "backlog.item.updated": N_("edited the item {subject}"),
    "backlog.item.moved": N_("reordered the item {subject}"),
    "backlog.view.saved": N_("saved the shared view {subject}"),
    "backlog.view.deleted": N_("deleted the shared view {subject}"),
    "collaboration.comment.added": N_("commented on {subject}"),
    "refinement.settings.updated": N_("changed the backlog settings of {subject}"),
    "refinement.checks.changed": N_("ticked the Definition of Ready or Done of {subject}"),
    "refinement.link.added": N_("linked the item {subject}"),
    "refinement.link.removed": N_("removed a link of the item {subject}"),
    "prioritisation.score.set": N_("scored the item {subject}"),
    "prioritisation.scores.set": N_("scored several items of {subject}"),
    "prioritisation.formula.created": N_("created the formula {subject}"),
    "prioritisation.formula.updated": N_("edited the formula {subject}"),
    "prioritisation.formula.deleted": N_("deleted the formula {subject}"),
    "prioritisation.order.applied": N_("reordered the backlog of {subject} by a model"),
    "prioritisation.order.undone": N_("undid a reordering of the backlog of {subject}"),
    "transfer.batch.imported": N_("imported the file {subject}"),
    "transfer.batch.undone": N_("undid the import of {subject}"),
    "sprints.settings.updated": N_("changed the sprint settings"),
    "sprints.team.created": N_("created the team {subject}"),
    "sprints.team.updated": N_("renamed the team {subject}"),
    "sprints.team.deleted": N_("deleted the team {subject}"),
    "sprints.member.saved": N_("changed the members of the team {subject}"),
    "sprints.member.removed": N_("removed someone from the team {subject}"),
    "sprints.days_off.set": N_("recorded days off for {subject}"),
    "sprints.sprint.created": N_("created the sprint {subject}"),
    "sprints.sprint.updated": N_("edited the sprint {subject}"),
    "sprints.sprint.started": N_("started the sprint {subject}"),
    "sprints.sprint.closed": N_("closed the sprint {subject}"),
    "sprints.items.added": N_("planned items into the sprint {subject}"),
    "sprints.item.removed": N_("took the item {subject} out of its sprint"),
    "ceremonies.review.updated": N_("recorded the Sprint Review of {subject}"),
    "ceremonies.review.held": N_("marked the Sprint Review of {subject} held"),
    "ceremonies.review.reopened": N_("reopened the Sprint Review of {subject}"),
    "ceremonies.feedback.added": N_("noted feedback at the Sprint Review of {subject}"),
    "ceremonies.feedback.deleted": N_("deleted feedback of the Sprint Review of {subject}"),
    "ceremonies.feedback.converted": N_("made a backlog item of feedback on {subject}"),
    "ceremonies.retro.updated": N_("set up the retrospective of {subject}"),
    "ceremonies.card.added": N_("added a card to the retrospective of {subject}"),
    "ceremonies.card.edited": N_("edited a card of the retrospective of {subject}"),
    "ceremonies.card.deleted": N_("deleted a card of the retrospective of {subject}"),
    "ceremonies.card.voted": N_("voted in the retrospective of {subject}"),
    "ceremonies.card.unvoted": N_("took back a vote in the retrospective of {subject}"),
    "ceremonies.action.added": N_("added the action item {subject}"),
    "ceremonies.action.updated": N_("updated the action item {subject}"),
    "releases.settings.updated": N_("changed the release settings of {subject}"),
    "releases.release.created": N_("planned the release {subject}"),
    "releases.release.updated": N_("edited the release {subject}"),
    "releases.scope.changed": N_("changed the scope of the release {subject}"),
    "releases.checklist.changed": N_("ticked the readiness checklist of {subject}"),
    "releases.notes.generated": N_("generated the release notes of {subject}"),
    "releases.notes.edited": N_("edited the release notes of {subject}"),
    "releases.release.released": N_("released {subject}"),
    "portal.settings.updated": N_("changed the portal settings of {subject}"),
    "portal.idea.submitted": N_("suggested the idea {subject} on the portal"),
    "portal.idea.added": N_("added the idea {subject} to the portal"),
    "portal.idea.approved": N_("published the idea {subject} on the portal"),
    "portal.idea.rejected": N_("rejected the idea {subject}"),
    "portal.idea.status_changed": N_("changed the status of the idea {subject}"),
    "portal.idea.linked": N_("linked the idea {subject} to a backlog item"),
    "portal.idea.unlinked": N_("unlinked the idea {subject} from its backlog item"),
    "portal.idea.merged": N_("merged the idea {subject} into another"),
    "portal.comment.added": N_("answered on the idea {subject}"),
    "portal.comment.concealed": N_("hid a comment on the idea {subject}"),
    "portal.comment.restored": N_("showed again a comment on the idea {subject}"),
    "forecasting.day.excluded": N_("left {subject} out of the throughput history"),
    "forecasting.day.included": N_("put {subject} back into the throughput history"),
    "signals.feed.created": N_("followed the feed {subject}"),
    "signals.feed.updated": N_("changed the feed {subject}"),
    "signals.feed.deleted": N_("stopped following the feed {subject}"),
    "signals.watchlist.created": N_("created the watchlist {subject}"),
    "signals.watchlist.updated": N_("changed the watchlist {subject}"),
    "signals.watchlist.deleted": N_("deleted the watchlist {subject}"),
    "signals.entries.matched": N_("found new market signals in the feed {subject}"),
    "signals.signal.triaged": N_("triaged the market signal {subject}"),
    "signals.signal.linked": N_("linked the market signal {subject} to an opportunity"),
    "signals.signal.converted": N_("made a backlog item of the market signal {subject}"),
    "feedback.feedback.created": N_("added the feedback “{subject}”"),
    "feedback.feedback.updated": N_("edited the feedback “{subject}”"),
    "feedback.feedback.deleted": N_("deleted the feedback “{subject}”"),
    "feedback.state.changed": N_("triaged the feedback “{subject}”"),
    "feedback.link.added": N_("linked the feedback “{subject}” as evidence"),
    "feedback.link.removed": N_("unlinked the feedback “{subject}”"),
    "feedback.batch.imported": N_("imported feedback from {subject}"),
    "feedback.intake_token.created": N_("created a feedback intake token for {subject}"),
    "feedback.intake_token.revoked": N_("revoked the feedback intake token of {subject}"),
    "discovery.node.created": N_("added {subject} to the opportunity solution tree"),
    "discovery.node.updated": N_("edited {subject} in the opportunity solution tree"),
    "discovery.node.moved": N_("moved {subject} in the opportunity solution tree"),
    "discovery.node.deleted": N_("deleted {subject} from the opportunity solution tree"),
    "discovery.hypothesis.saved": N_("wrote the hypothesis of {subject}"),
    "discovery.experiment.created": N_("planned the experiment {subject}"),
    "discovery.experiment.updated": N_("updated the experiment {subject}"),
    "discovery.experiment.decided": N_("took a decision on the experiment {subject}"),
    "discovery.vision.updated": N_("edited the product vision board of {subject}"),
    "discovery.persona.created": N_("created the persona {subject}"),
    "discovery.persona.updated": N_("edited the persona {subject}"),
    "discovery.persona.deleted": N_("deleted the persona {subject}"),
    "themes.theme.renamed": N_("renamed the theme {subject}"),
    "themes.theme.merged": N_("merged the theme {subject} into another"),
    "themes.theme.split": N_("split the theme {subject}"),
    "themes.feedback.moved": N_("moved the feedback “{subject}” to another theme"),
    "themes.clustering.started": N_("started grouping the feedback of {subject} into themes"),
    "themes.clustering.finished": N_("grouped the feedback of {subject} into themes"),
    "themes.duplicate.merged": N_("merged the feedback “{subject}” into its duplicate"),
    "accounts.user.created": N_("created the account of {subject}"),
    "accounts.invitation.accepted": N_("accepted the invitation"),
    "accounts.password.changed": N_("changed their password"),
    "accounts.token.created": N_("created the API token {subject}"),
    "accounts.token.revoked": N_("revoked the API token {subject}"),
    "accounts.session.revoked": N_("signed out a session"),
    "accounts.language.changed": N_("changed their language"),
    "admin.invitation.renewed": N_("sent {subject} a new invitation link"),
    "admin.user.activated": N_("reactivated the account of {subject}"),
    "admin.user.deactivated": N_("deactivated the account of {subject}"),
    "admin.user.admin_changed": N_("changed the administrator rights of {subject}"),
    "admin.user.academy_role_changed": N_("changed the Academy role of {subject}"),
    # academy path
    "academy.lesson.completed": N_("read the lesson of the module {subject}"),
    "academy.exercise.passed": N_("passed the exercise of the module {subject}"),
    "academy.sandbox.created": N_("opened the practice sandbox of {subject}"),
    "academy.cohort.created": N_("created the cohort {subject}"),
    "academy.cohort.member_added": N_("added a trainee to the cohort {subject}"),
    "academy.cohort.member_removed": N_("removed a trainee from the cohort {subject}"),
    "academy.assignment.created": N_("assigned work to the cohort {subject}"),
    "academy.run.started": N_("started the Academy scenario {subject}"),
    "academy.run.played": N_("played a sprint of the Academy scenario {subject}"),
    "academy.run.abandoned": N_("abandoned the Academy scenario {subject}"),
    "academy.quiz.started": N_("started an Academy quiz ({subject})"),
    "academy.quiz.finished": N_("finished an Academy quiz ({subject})"),
    "academy.bank.imported": N_("imported questions into the Academy bank from {subject}"),
}

FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "vision": N_("Vision"),
    "target_users": N_("Target users"),
    "product_goal": N_("Product Goal"),
    "stage": N_("Stage"),
    "reason": N_("Reason"),
    "role": N_("Role"),
    "email": N_("E-mail"),
    "is_admin": N_("Administrator"),
    "academy_role": N_("Academy role"),
    "language": N_("Language"),
    "is_active": N_("Active"),
    "title": N_("Title"),
    "description": N_("Description"),
    "acceptance_criteria": N_("Acceptance criteria"),
    "type": N_("Type"),
    "status": N_("Status"),
    "estimate": N_("Estimate"),
    "business_value": N_("Business value"),
    "tags": N_("Tags"),
    "parent_id": N_("Parent"),
    "assignee_id": N_("Assignee"),
    "due_date": N_("Due date"),
    "rank": N_("Position"),
    "expression": N_("Expression"),
    "model": N_("Model"),
    "statuses": N_("Workflow"),
    "scale": N_("Estimation scale"),
    "definition_of_ready": N_("Definition of Ready"),
    "definition_of_done": N_("Definition of Done"),
    "link": N_("Link"),
    "target_date": N_("Target date"),
    "scope": N_("Scope"),
    "checklist": N_("Readiness checklist"),
    "public_changelog": N_("Public changelog"),
    "warnings": N_("Released despite"),
    "goal_verdict": N_("Sprint Goal"),
    "goal_note": N_("Note on the Sprint Goal"),
    "progress_percent": N_("Progress toward the Product Goal"),
    "progress_note": N_("Comment on the progress"),
    "attendees": N_("Attendees"),
    "feedback": N_("Feedback"),
    "card": N_("Card"),
    "owner_id": N_("Owner"),
    "due_sprint_id": N_("Due sprint"),
    "dots": N_("Dots per person"),
    "format": N_("Format"),
    "text": N_("Text"),
    "item_id": N_("Backlog item"),
    "enabled": N_("Portal open"),
    "slug": N_("Portal address"),
    "shown_statuses": N_("Statuses shown"),
    "merged_into": N_("Merged into"),
    "importance": N_("Importance"),
    "evidence": N_("Evidence"),
    "capability": N_("Capability"),
    "people": N_("People"),
    "signal": N_("Measurable signal"),
    "metric": N_("Metric"),
    "threshold": N_("Success threshold"),
    "result": N_("Result"),
    "decision": N_("Decision"),
    "vision_board": N_("Vision board"),
    "url": N_("Address"),
    "kind": N_("Kind"),
    "active": N_("Fetched"),
    "keywords": N_("Keywords"),
    "opportunity": N_("Opportunity"),
    "signals": N_("New signals"),
    "state": N_("State"),
}


def describe(entry: ActivityEntry, gettext: Callable[[str], str]) -> str:
    """A readable sentence for an entry, in the reader's language."""
    template = ACTIONS.get(entry.action)
    if template is None:
        return entry.action
    return gettext(template).format(subject=entry.subject_label)


def field_label(name: str, gettext: Callable[[str], str]) -> str:
    return gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name
