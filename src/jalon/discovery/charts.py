"""The assumption map as a chart spec: importance against evidence, the "test first"
quadrant (important, little evidence) shaded. Texts arrive translated (`gettext`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jalon.charts import Annotation, Axis, Chart, Point, Series
from jalon.discovery import rules
from jalon.discovery.models import TreeNode

DANGER, CALM = "#b3261e", "#3340b0"


def assumption_map(nodes: Sequence[TreeNode], gettext: Callable[[str], str]) -> Chart:
    """Placed assumptions (importance and evidence known) as dots, two series."""

    def point(n: TreeNode) -> Point:
        return Point(float(n.evidence or 0), float(n.importance or 0), n.title)

    risky = [point(n) for n in nodes if rules.is_test_first(n.importance, n.evidence)]
    others = [point(n) for n in nodes if not rules.is_test_first(n.importance, n.evidence)]
    edge = rules.TEST_FIRST
    return Chart(
        key="assumption-map",
        title=gettext("Assumption map"),
        description=gettext(
            "Each assumption placed by how much the solution depends on it (up) and how much "
            "evidence backs it (right). The shaded top-left quadrant holds the assumptions to "
            "test first: important, with little evidence."
        ),
        kind="scatter",
        x=Axis(gettext("Evidence"), minimum=0.0, maximum=1.0),
        y=Axis(gettext("Importance"), minimum=0.0, maximum=1.0),
        series=(
            Series("test-first", gettext("Test first"), tuple(risky), colour=DANGER),
            Series("others", gettext("Other assumptions"), tuple(others), colour=CALM),
        ),
        annotations=(
            Annotation("hband", edge, gettext("Test first"), to=1.0, colour=DANGER, x_to=edge),
            Annotation("vline", edge, gettext("Some evidence"), colour="#505a6b"),
        ),
        height=460,
        extra={"empty": gettext("No assumption has an importance and an evidence yet.")},
    )
