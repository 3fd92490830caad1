"""What is read from a run's log: the debrief against the informed policy, the replay check,
and the debrief's exports (printable HTML, PDF)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from jalon.academy.runs import charts, present, queries, rules
from jalon.academy.runs.models import FINISHED, SimRun
from jalon.academy.runs.schemas import ReplayOut
from jalon.academy.sim import debrief as sim_debrief
from jalon.academy.sim import engine
from jalon.academy.sim.scenario import Scenario, load_scenario
from jalon.charts.view import ChartView
from jalon.charts.view import view as chart_view
from jalon.permissions import Actor
from jalon.uow import UnitOfWork

if TYPE_CHECKING:
    from jalon.academy.pdf import Report

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class DebriefView:
    run: SimRun
    scenario: Scenario
    debrief: sim_debrief.Debrief
    complete: bool


def jsonable(value: Any) -> Any:
    """Dataclasses, pydantic models, tuples and mappings as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _normal(value: Any) -> Any:
    """The value as it reads back from a JSON column (tuples become lists...)."""
    return json.loads(json.dumps(value))


def log_of(run: SimRun) -> list[engine.Decisions]:
    return [engine.Decisions.from_dict(d) for d in run.log]


def debrief_of(uow: UnitOfWork, *, actor: Actor, run_id: int) -> DebriefView:
    run = queries.get_run(uow, actor=actor, run_id=run_id)
    scenario = load_scenario(run.scenario_key)
    found = sim_debrief.debrief(scenario, run.seed, log_of(run))
    return DebriefView(run, scenario, found, run.status == FINISHED)


def debrief_dict(found: sim_debrief.Debrief) -> dict[str, Any]:
    to_dict = getattr(found, "to_dict", None)
    data = to_dict() if callable(to_dict) else jsonable(found)
    return dict(_normal(data))


def replay_of(uow: UnitOfWork, *, actor: Actor, run_id: int) -> ReplayOut:
    """Replay the stored log from the seed and compare with the stored state."""
    run = queries.get_run(uow, actor=actor, run_id=run_id)
    scenario = load_scenario(run.scenario_key)
    state, outcomes = engine.replay(scenario, run.seed, log_of(run))
    identical = _normal(state.to_dict()) == _normal(run.state) and _normal(
        [o.to_dict() for o in outcomes]
    ) == _normal(run.outcomes)
    return ReplayOut(
        run_id=run.id, seed=run.seed, sprints=len(outcomes), identical=identical,
        scores=[{k: float(v) for k, v in o.scores.items()} for o in outcomes],
        ebm=[float(engine.ebm_score(o.scores)) for o in outcomes],
    )  # fmt: skip


# --- the debrief as pages, printable HTML and PDF read it ------------------------------------


def _label(key: str, gettext: Gettext) -> str:
    return gettext(rules.SCORE_LABELS[key]) if key in rules.SCORE_LABELS else key


def _charts(data: Mapping[str, Any], gettext: Gettext) -> list[ChartView]:
    per_sprint = data["per_sprint"]
    if not per_sprint:
        return []
    found = [
        charts.versus_chart(
            "ebm", _label("ebm", gettext),
            [s["trainee_ebm"] for s in per_sprint], [s["informed_ebm"] for s in per_sprint],
            gettext,
        )
    ]  # fmt: skip
    for key in rules.VALUE_AREAS:
        found.append(
            charts.versus_chart(
                key, _label(key, gettext), [s["trainee"][key] for s in per_sprint],
                [s["informed"][key] for s in per_sprint], gettext,
            )
        )  # fmt: skip
    return [chart_view(c, href="") for c in found]


def _gap(gap: Mapping[str, Any], gettext: Gettext) -> dict[str, Any]:
    guide, url = rules.guide_link(gap["guide_ref"])
    lesson = gap["lesson"]
    return {
        **gap, "label": _label(gap["score"], gettext), "guide": guide, "guide_url": url,
        "lesson_label": gettext(rules.LESSON_LABELS.get(lesson, lesson)),
        "lesson_url": f"/academy/modules/{lesson}",
    }  # fmt: skip


def debrief_context(found: DebriefView, language: str, gettext: Gettext) -> dict[str, Any]:
    """What the debrief page, its printable HTML and its PDF show, in the reader's language."""
    data = present.localise(debrief_dict(found.debrief), language)
    keys = [k for k in rules.SCORE_LABELS if k in data["trainee"]]
    return {
        "run": found.run,
        "complete": found.complete,
        "title": found.scenario.title.get(language),
        "d": data,
        "scores": [(_label(k, gettext), data["trainee"][k], data["informed"][k]) for k in keys],
        "charts": _charts(data, gettext),
        "gaps": [_gap(g, gettext) for g in data["gaps"]],
        "answers": [
            a | {"guide_url": rules.guide_link(a["guide_ref"])[1]} for a in data["answers"]
        ],
        "lesson_labels": rules.LESSON_LABELS,
        "gettext": gettext,
    }


def debrief_pdf(context: Mapping[str, Any]) -> bytes:
    """The debrief as an A4 PDF (`academy.pdf.Report`)."""
    from jalon.academy.pdf import Report  # fpdf2 loads only when a PDF is asked for

    _ = context["gettext"]
    d, run = context["d"], context["run"]
    report = Report(
        _("Debrief: %(title)s") % {"title": context["title"]},
        subtitle=_("Seed %(seed)s, %(n)s of %(m)s sprints played")
        % {"seed": run.seed, "n": d["sprints"], "m": run.sprints},
    )
    report.paragraph(
        _("EBM score: %(you)s for you, %(informed)s for the informed policy on the same seed.")
        % {"you": f"{d['trainee_ebm']:.0f}", "informed": f"{d['informed_ebm']:.0f}"}
    )
    if not context["complete"]:
        report.paragraph(_("The run is not finished: this debrief covers the sprints played."))
    rows = [(label, f"{you:.0f}", f"{informed:.0f}") for label, you, informed in context["scores"]]
    report.table([_("Score"), _("You"), _("Informed policy")], rows)
    _pdf_sprints(report, d, _)
    report.heading(_("The biggest gaps"))
    for gap in context["gaps"]:
        report.paragraph(
            f"{gap['label']} ({gap['difference']:+.0f}): {gap['explanation']} "
            f"[{gap['guide_ref']}; {_('lesson')}: {gap['lesson_label']}]"
        )
    _pdf_answers(report, context["answers"], _)
    return report.bytes()


def _pdf_sprints(report: Report, d: Mapping[str, Any], _: Gettext) -> None:
    if not d["per_sprint"]:
        return
    report.heading(_("Sprint by sprint"))
    rows = [
        (s["sprint"], f"{s['trainee_ebm']:.0f}", f"{s['informed_ebm']:.0f}")
        for s in d["per_sprint"]
    ]
    report.table([_("Sprint"), _("Your EBM score"), _("Informed policy")], rows)


def _pdf_answers(report: Report, answers: Sequence[Mapping[str, Any]], _: Gettext) -> None:
    if not answers:
        return
    report.heading(_("Your answers to events"))
    for a in answers:
        verdict = _("as an informed Product Owner") if a["matched"] else _("differently")
        report.paragraph(
            f"{_('Sprint')} {a['sprint']} - {a['title']}: {a['chosen_label']} ({verdict}). "
            f"{a['explanation']} {_('Informed answer')}: {a['informed_label']}. "
            f"{a['informed_explanation']} [{a['guide_ref']}]"
        )
