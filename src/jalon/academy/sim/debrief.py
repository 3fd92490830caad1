"""The debrief: a trainee's run beside the informed policy on the same seed, sprint by sprint.

The informed policy knows the hidden truth and the informed answer to every event; it plays as
many sprints as the trainee did. The biggest gaps (3 to 5 scores where the informed policy did
best) come with an explanation, a guide section and a learning path lesson; every answered
event is listed with the informed option and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jalon.academy.sim import engine, evidence, policies, scoring
from jalon.academy.sim.engine import Decisions
from jalon.academy.sim.outcome import jsonable
from jalon.academy.sim.scenario import Scenario, Text
from jalon.academy.sim.state import State

MAX_GAPS, MIN_GAPS, SMALL_GAP = 5, 3, 1.0

# score -> (explanation, guide section, learning path module)
ADVICE: dict[str, tuple[Text, str, str]] = {
    "current_value": (
        Text(
            en="The informed policy released more value, sooner. Order the Product Backlog by "
            "value for the effort, refine what you commit to, and release every Sprint: value "
            "is only realised once customers use the Increment.",
            fr="La politique informée a livré plus de valeur, plus tôt. Ordonnez le Product "
            "Backlog selon la valeur pour l'effort, affinez ce que vous engagez, et livrez à "
            "chaque Sprint\u00a0: la valeur ne se réalise que quand les clients utilisent "
            "l'incrément.",
        ),
        "EBM: Current Value",
        "needs-prioritisation",
    ),
    "unrealised_value": (
        Text(
            en="Opportunities were lost or left unexplored. Read the weak signals in the "
            "feedback and the market watch, bring new needs into the Product Backlog, and buy "
            "knowledge cheaply (refinement, experiments) before big bets.",
            fr="Des opportunités ont été perdues ou laissées inexplorées. Lisez les signaux "
            "faibles des retours et de la veille, faites entrer les nouveaux besoins dans le "
            "Product Backlog, et achetez de la connaissance à bas prix (affinage, "
            "expériences) avant les gros paris.",
        ),
        "EBM: Unrealized Value",
        "market-watch",
    ),
    "time_to_market": (
        Text(
            en="The first release came later, or releases were rarer. Small, refined items "
            "that fit a Sprint reach customers sooner and keep the feedback loop short.",
            fr="La première livraison est arrivée plus tard, ou les livraisons ont été plus "
            "rares. Des éléments petits et affinés, qui tiennent dans un Sprint, atteignent "
            "les clients plus tôt et raccourcissent la boucle de retour.",
        ),
        "EBM: Time to Market",
        "backlog-scrum",
    ),
    "ability_to_innovate": (
        Text(
            en="Technical debt, bugs and the upkeep of little-used features ate the team's "
            "capacity. Pay debt down before it grows, and retire what costs more than it "
            "brings.",
            fr="La dette technique, les bogues et la maintenance de fonctions peu utilisées "
            "ont mangé la capacité de l'équipe. Remboursez la dette avant qu'elle enfle, et "
            "retirez ce qui coûte plus qu'il ne rapporte.",
        ),
        "EBM: Ability to Innovate",
        "product-kpis",
    ),
    "trust": (
        Text(
            en="Stakeholders trusted you less. Trust follows Sprint Goals met, value delivered "
            "for them, and answers that meet their real need without breaking the framework.",
            fr="Les parties prenantes vous ont moins fait confiance. La confiance suit les "
            "objectifs de Sprint atteints, la valeur livrée pour elles, et des réponses qui "
            "servent leur vrai besoin sans casser le cadre.",
        ),
        "Product Owner",
        "stakeholders",
    ),
    "team_health": (
        Text(
            en="The team was overloaded: more was planned than its capacity, or work was "
            "pushed in mid-Sprint. Overload brings stress, shortcuts and debt; the Developers "
            "size the Sprint Backlog.",
            fr="L'équipe a été surchargée\u00a0: plus de travail que sa capacité, ou du "
            "travail imposé en cours de Sprint. La surcharge apporte stress, raccourcis et "
            "dette\u00a0; ce sont les Developers qui dimensionnent le Sprint Backlog.",
        ),
        "Sprint Planning",
        "facilitation",
    ),
    "responsible": (
        Text(
            en="Accessibility, eco-design and ethics were left behind. Such items and "
            "choices are part of the product's value, not extras.",
            fr="L'accessibilité, l'écoconception et l'éthique ont été laissées de côté. Ces "
            "éléments et ces choix font partie de la valeur du produit, ce ne sont pas des "
            "options.",
        ),
        "Scrum Values",
        "csr-ethics",
    ),
}
WELL_DONE = Text(
    en="You matched or beat the informed policy here.",
    fr="Vous avez égalé ou dépassé la politique informée sur ce point.",
)


@dataclass(frozen=True)
class Gap:
    score: str
    trainee: float
    informed: float
    difference: float  # informed - trainee
    explanation: Text
    guide_ref: str
    lesson: str  # a learning path module key
    evidence: tuple[Text, ...] = ()  # facts of the trainee's run behind the gap


@dataclass(frozen=True)
class AnswerReview:
    sprint: int
    event: str
    title: Text
    guide_ref: str
    lesson: str | None
    chosen: str
    chosen_label: Text
    informed_option: str
    informed_label: Text
    matched: bool
    explanation: Text  # why the chosen option works or not
    informed_explanation: Text


@dataclass(frozen=True)
class SprintComparison:
    sprint: int
    trainee: dict[str, float]
    informed: dict[str, float]
    trainee_ebm: float
    informed_ebm: float


@dataclass(frozen=True)
class Debrief:
    scenario: str
    seed: int
    sprints: int  # sprints played by the trainee
    finished: bool
    trainee: dict[str, float]  # final scores
    informed: dict[str, float]
    trainee_ebm: float
    informed_ebm: float
    per_sprint: list[SprintComparison]
    gaps: list[Gap]
    answers: list[AnswerReview]

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


def _gaps(scenario: Scenario, state: State, informed: dict[str, float]) -> list[Gap]:
    trainee = state.scores
    ranked = sorted(scoring.SCORES, key=lambda k: informed[k] - trainee[k], reverse=True)
    big = [k for k in ranked if informed[k] - trainee[k] > SMALL_GAP][:MAX_GAPS]
    chosen = big if len(big) >= MIN_GAPS else ranked[:MIN_GAPS]
    gaps = []
    for key in chosen:
        text, guide, lesson = ADVICE[key]
        difference = round(informed[key] - trainee[key], 2)
        explanation = text if difference > 0 else WELL_DONE
        facts = evidence.evidence(scenario, state, key) if difference > 0 else ()
        gaps.append(
            Gap(key, trainee[key], informed[key], difference, explanation, guide, lesson, facts)
        )
    return gaps


def _review(scenario: Scenario, sprint: int, event_key: str, chosen: str) -> AnswerReview:
    event = scenario.event(event_key)
    option = next(o for o in event.options if o.key == chosen)
    best = next(o for o in event.options if o.informed)
    return AnswerReview(
        sprint=sprint,
        event=event.key,
        title=event.title,
        guide_ref=event.guide_ref,
        lesson=event.lesson,
        chosen=option.key,
        chosen_label=option.label,
        informed_option=best.key,
        informed_label=best.label,
        matched=option.informed,
        explanation=option.explanation,
        informed_explanation=best.explanation,
    )


def debrief(scenario: Scenario, seed: int, log: Sequence[Decisions]) -> Debrief:
    """Compare the trainee's log with the informed policy on the same seed."""
    state, outcomes = engine.replay(scenario, seed, log)
    reference = engine.new_run(scenario, seed)
    informed_scores = []
    for _ in outcomes:
        decisions = policies.informed(scenario, reference)
        reference, outcome = engine.resolve_sprint(scenario, reference, decisions)
        informed_scores.append(outcome.scores)
    per_sprint = [
        SprintComparison(o.sprint, o.scores, i, engine.ebm_score(o.scores), engine.ebm_score(i))
        for o, i in zip(outcomes, informed_scores, strict=True)
    ]
    answers = [_review(scenario, o.sprint, a.event, a.option) for o in outcomes for a in o.answers]
    return Debrief(
        scenario=scenario.key,
        seed=seed,
        sprints=len(outcomes),
        finished=state.finished,
        trainee=dict(state.scores),
        informed=dict(reference.scores),
        trainee_ebm=engine.ebm_score(state.scores),
        informed_ebm=engine.ebm_score(reference.scores),
        per_sprint=per_sprint,
        gaps=_gaps(scenario, state, reference.scores),
        answers=answers,
    )
