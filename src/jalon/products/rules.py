"""Pure product rules: lifecycle stages, allowed transitions and field limits."""

from __future__ import annotations

from enum import StrEnum

from jalon.errors import N_, Conflict, Invalid, Label, Message


class Stage(StrEnum):
    IDEA = "idea"
    DISCOVERY = "discovery"
    DELIVERY = "delivery"
    LAUNCHED = "launched"
    MATURE = "mature"
    SUNSETTING = "sunsetting"
    RETIRED = "retired"


STAGE_ORDER = tuple(Stage)

STAGE_LABELS = {
    Stage.IDEA: N_("Idea"),
    Stage.DISCOVERY: N_("Discovery"),
    Stage.DELIVERY: N_("Delivery"),
    Stage.LAUNCHED: N_("Launched"),
    Stage.MATURE: N_("Mature"),
    Stage.SUNSETTING: N_("Sunsetting"),
    Stage.RETIRED: N_("Retired"),
}

# Forward one step; back one step while the product is still being shaped (a pivot);
# any live stage may start sunsetting; a sunset may be called off. Retired is terminal.
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.IDEA: (Stage.DISCOVERY, Stage.SUNSETTING),
    Stage.DISCOVERY: (Stage.DELIVERY, Stage.IDEA, Stage.SUNSETTING),
    Stage.DELIVERY: (Stage.LAUNCHED, Stage.DISCOVERY, Stage.SUNSETTING),
    Stage.LAUNCHED: (Stage.MATURE, Stage.SUNSETTING),
    Stage.MATURE: (Stage.SUNSETTING,),
    Stage.SUNSETTING: (Stage.RETIRED, Stage.MATURE),
    Stage.RETIRED: (),
}

REASON_REQUIRED = frozenset({Stage.SUNSETTING})
MAX_REASON = 2000

LIMITS = {"name": 120, "vision": 5000, "target_users": 2000, "product_goal": 2000}


def stage_label(stage: Stage) -> Label:
    """A stage inside a message: its code in logs, its translated name for people."""
    return Label(stage.value, STAGE_LABELS[stage])


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        names = ", ".join(STAGE_ORDER)
        raise Invalid(
            "Unknown stage {value!r}; stages are {names}.", field="stage", value=value, names=names
        ) from None


def allowed_transitions(current: Stage) -> tuple[Stage, ...]:
    return TRANSITIONS[current]


def check_transition(current: Stage, target: Stage, reason: str) -> str:
    """Return the cleaned reason if `current -> target` is allowed, else raise.

    Conflict (HTTP 409) names the allowed transitions; Invalid (422) asks for a reason.
    """
    allowed = TRANSITIONS[current]
    if target not in allowed:
        if not allowed:
            raise Conflict("This product is retired; retirement is final.", field="stage")
        raise Conflict(
            "A product cannot move from {current} to {target}; allowed: {allowed}.",
            field="stage",
            current=stage_label(current),
            target=stage_label(target),
            allowed=tuple(stage_label(s) for s in allowed),
        )
    reason = reason.strip()
    if target in REASON_REQUIRED and not reason:
        raise Invalid(
            "Say why the product enters the {target} stage.",
            field="reason",
            target=stage_label(target),
        )
    if len(reason) > MAX_REASON:
        raise Invalid("Use at most {n} characters.", field="reason", n=MAX_REASON)
    return reason


def product_field_problems(values: dict[str, str]) -> dict[str, str]:
    """Per-field messages for product text fields (name required, lengths bounded)."""
    problems: dict[str, str] = {}
    if "name" in values and not values["name"].strip():
        problems["name"] = N_("Give the product a name.")
    for field, limit in LIMITS.items():
        if len(values.get(field, "")) > limit:
            problems[field] = Message("Use at most {n} characters.", n=limit)
    return problems
