"""Discovery JSON API: the opportunity solution tree, experiments and their decisions, and
the A/B calculator (a two-proportion test and a sample-size planner)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from jalon import web
from jalon.discovery import queries, rules, services, stats
from jalon.discovery.models import Experiment, Hypothesis
from jalon.discovery.queries import NodeView
from jalon.discovery.schemas import (
    ABTestIn,
    ABTestOut,
    DecisionIn,
    ExperimentIn,
    ExperimentOut,
    HypothesisIO,
    NodeIn,
    NodeOut,
    SampleSizeIn,
    SampleSizeOut,
    TreeOut,
)
from jalon.errors import Invalid
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["discovery"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    409: {"description": "Name already taken"},
}


def met(e: Experiment) -> bool | None:
    try:
        return rules.evaluate(services.as_mapping(e)).met
    except Invalid:
        return None


def experiment_out(e: Experiment, item_ids: list[int] | None = None) -> ExperimentOut:
    fields = {name: getattr(e, name) for name in ExperimentOut.model_fields if hasattr(e, name)}
    return ExperimentOut(**fields, met=met(e), item_ids=item_ids or [])


def _hypothesis(h: Hypothesis | None) -> HypothesisIO | None:
    if h is None:
        return None
    return HypothesisIO(capability=h.capability, people=h.people, outcome=h.outcome,
                        signal=h.signal)  # fmt: skip


def node_out(view: NodeView) -> NodeOut:
    n = view.node
    return NodeOut(
        id=n.id, kind=n.kind, parent_id=n.parent_id, title=n.title, description=n.description,
        importance=n.importance, evidence=n.evidence, evidence_count=view.evidence,
        signal_count=view.signals, hypothesis=_hypothesis(view.hypothesis),
        experiments=[experiment_out(e) for e in view.experiments],
        children=[node_out(c) for c in view.children],
    )  # fmt: skip


@router.get(
    "/products/{product_id}/tree",
    response_model=TreeOut,
    responses=ERRORS,
    summary="The opportunity solution tree: outcomes, opportunities (with their evidence), "
    "solutions, assumptions and their experiments",
)
def get_tree(product_id: int, ctx: CtxDep, actor: ActorDep) -> TreeOut:
    tree = queries.get_tree(ctx.db.reader(), actor=actor, product_id=product_id)
    return TreeOut(product_id=product_id, roots=[node_out(v) for v in tree.roots])


@router.post(
    "/products/{product_id}/tree/nodes",
    response_model=NodeOut,
    status_code=201,
    responses=ERRORS,
    summary="Add a node under a parent of the level above (team)",
)
def create_node(product_id: int, body: NodeIn, ctx: CtxDep, actor: ActorDep) -> NodeOut:
    values = body.model_dump(exclude={"kind", "parent_id"})
    made = services.create_node(
        ctx.db.uow(), actor=actor, product_id=product_id, kind=body.kind,
        parent_id=body.parent_id, values=values,
    )  # fmt: skip
    return node_out(queries.get_node(ctx.db.reader(), actor=actor, node_id=made.id).view)


@router.put(
    "/tree/nodes/{node_id}/hypothesis",
    response_model=HypothesisIO,
    responses=ERRORS,
    summary="Write the hypothesis of a solution or an assumption (team)",
)
def put_hypothesis(node_id: int, body: HypothesisIO, ctx: CtxDep, actor: ActorDep) -> HypothesisIO:
    saved = services.save_hypothesis(
        ctx.db.uow(), actor=actor, node_id=node_id, values=body.model_dump()
    )
    found = _hypothesis(saved)
    assert found is not None
    return found


@router.post(
    "/tree/nodes/{node_id}/experiments",
    response_model=ExperimentOut,
    status_code=201,
    responses=ERRORS,
    summary="Plan an experiment on an assumption (team)",
)
def create_experiment(
    node_id: int, body: ExperimentIn, ctx: CtxDep, actor: ActorDep
) -> ExperimentOut:
    made = services.create_experiment(
        ctx.db.uow(), actor=actor, assumption_id=node_id, values=body.model_dump()
    )
    return experiment_out(made)


@router.get(
    "/experiments/{experiment_id}",
    response_model=ExperimentOut,
    responses=ERRORS,
    summary="An experiment, whether it met its threshold, and the items its decision created",
)
def get_experiment(experiment_id: int, ctx: CtxDep, actor: ActorDep) -> ExperimentOut:
    page = queries.get_experiment(ctx.db.reader(), actor=actor, experiment_id=experiment_id)
    return experiment_out(page.experiment, page.item_ids)


@router.post(
    "/experiments/{experiment_id}/decision",
    response_model=ExperimentOut,
    responses=ERRORS,
    summary="Record the result if given, then persevere, pivot or stop; `items` become backlog "
    "items (team)",
)
def decide(experiment_id: int, body: DecisionIn, ctx: CtxDep, actor: ActorDep) -> ExperimentOut:
    values = body.model_dump(exclude_none=True)
    e, made = services.decide(ctx.db.uow(), actor=actor, experiment_id=experiment_id,
                              values=values)  # fmt: skip
    return experiment_out(e, made)


@router.post(
    "/ab/test",
    response_model=ABTestOut,
    responses=web.API_ERRORS,
    summary="Two-proportion z-test with a confidence interval of the difference and the lift",
)
def ab_test(body: ABTestIn, _actor: ActorDep) -> ABTestOut:
    return ABTestOut(**asdict(stats.two_proportion_test(**body.model_dump())))


@router.post(
    "/ab/sample-size",
    response_model=SampleSizeOut,
    responses=web.API_ERRORS,
    summary="Visitors per arm to detect a minimum effect on a baseline rate",
)
def ab_sample_size(body: SampleSizeIn, _actor: ActorDep) -> SampleSizeOut:
    return SampleSizeOut(**asdict(stats.sample_size(**body.model_dump())))
