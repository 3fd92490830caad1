"""Pure rules of themes: how a new clustering continues the existing themes, and which
corrections are valid. No database, no framework.

People's corrections are constraints every re-clustering honours:
- a pinned membership (a person moved the feedback, or split it off) is kept as it is;
- a theme a person named keeps its label;
- a merged theme stays merged: its members now belong to the survivor, so the cluster
  they fall in continues the survivor (several clusters may continue one theme);
- a split-off theme stays apart: its members are pinned.
Machine clusters continue the existing theme that held most of their previously themed
members, so theme ids and labels stay stable from one run to the next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jalon.errors import N_, Message

MAX_LABEL = 200
MIN_NEW_THEME = 3  # a cluster continuing no theme becomes one only from this size
CONTINUE_SHARE = 0.5  # share of a cluster's previously themed members a theme must hold


@dataclass(frozen=True)
class Plan:
    """What a re-clustering writes: the theme of each unpinned feedback (an existing theme
    id, or ("new", cluster) for a theme to create), and the clusters to create themes for."""

    continues: dict[int, int]  # cluster -> existing theme id
    new_clusters: list[int]
    placement: dict[int, int | tuple[str, int]]  # feedback id -> theme id or ("new", cluster)


def match_clusters(
    clusters: Mapping[int, Sequence[int]], previous: Mapping[int, int]
) -> dict[int, int]:
    """The existing theme each cluster continues: the one holding the largest share (at
    least CONTINUE_SHARE) of the cluster's members that had a theme before."""
    out: dict[int, int] = {}
    for cluster, members in clusters.items():
        before = Counter(previous[f] for f in members if f in previous)
        if not before:
            continue
        theme, held = before.most_common(1)[0]
        if held >= CONTINUE_SHARE * sum(before.values()):
            out[cluster] = theme
    return out


def plan(
    clusters: Mapping[int, Sequence[int]],
    previous: Mapping[int, int],
    pinned: Mapping[int, int],
) -> Plan:
    """The plan of a re-clustering. `previous` maps feedback to its theme before the run,
    `pinned` the memberships set by people (which stay)."""
    continues = match_clusters(clusters, previous)
    new_clusters = [
        c for c, members in clusters.items()
        if c not in continues and sum(1 for f in members if f not in pinned) >= MIN_NEW_THEME
    ]  # fmt: skip
    placement: dict[int, int | tuple[str, int]] = {}
    created = set(new_clusters)
    for cluster, members in clusters.items():
        for feedback_id in members:
            if feedback_id in pinned:
                continue
            if cluster in continues:
                placement[feedback_id] = continues[cluster]
            elif cluster in created:
                placement[feedback_id] = ("new", cluster)
    return Plan(continues, new_clusters, placement)


def label_problems(label: str) -> dict[str, str]:
    cleaned = " ".join(label.split())
    if not cleaned:
        return {"label": Message(N_("Give the theme a name."))}
    if len(cleaned) > MAX_LABEL:
        return {"label": Message(N_("A theme's name is at most {n} characters."), n=MAX_LABEL)}
    return {}


def weekly_buckets(
    week_starts: Sequence[int], counts: Mapping[tuple[int, int], int], theme_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Counts per theme per week (oldest first) from {(theme, week start ordinal): n}."""
    return {t: [counts.get((t, w), 0) for w in week_starts] for t in theme_ids}


def sparkline(counts: Sequence[int], *, width: float = 96, height: float = 24) -> str:
    """The `points` of an SVG polyline drawing weekly counts (pure; empty for none)."""
    if not counts:
        return ""
    top = max(*counts, 1)
    step = width / max(len(counts) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * c / top:.1f}" for i, c in enumerate(counts)
    )
