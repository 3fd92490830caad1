"""Scenario files: the schema's messages, the built-in scenarios, and the sim's commands."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from jalon.academy.sim.scenario import (
    Scenario,
    ScenarioError,
    Text,
    list_scenarios,
    load_scenario,
    parse_data,
    parse_scenario,
    scenario_json_schema,
)
from jalon.cli import main

SAAS = Path(__file__).resolve().parents[2] / "src/jalon/academy/scenarios/saas.yaml"


@pytest.fixture(scope="module")
def saas_data() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load(SAAS.read_text(encoding="utf-8"), Loader=loader)
    return loaded


@pytest.fixture()
def data(saas_data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(saas_data)


def _messages(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_data(data)
    return caught.value.messages


def test_the_schema_names_the_path_of_each_problem(data: dict[str, Any]) -> None:
    del data["title"]["fr"]
    data["sprints"] = 0
    data["opportunities"][2]["kind"] = "saga"
    data["stakeholders"][0]["influence"] = 9
    messages = _messages(data)
    assert "title.fr: Field required" in messages
    assert any(
        m.startswith("sprints: Input should be greater than or equal to 1") for m in messages
    )
    assert any(m.startswith("opportunities.2.kind: Input should be") for m in messages)
    assert any(m.startswith("stakeholders.0.influence: ") for m in messages)


def test_cross_checks_catch_keys_references_and_ranges(data: dict[str, Any]) -> None:
    data["opportunities"][3]["value"] = {"low": 9, "high": 4}
    data["opportunities"][1]["key"] = data["opportunities"][0]["key"]
    data["opportunities"][4]["stakeholders"] = ["ghost"]
    data["events"][0]["options"][0]["informed"] = True  # now two informed options
    data["events"][1]["options"][0]["effects"]["unlock"] = ["nowhere"]
    data["feedback"][0]["sprint"] = 11
    messages = _messages(data)
    assert "opportunities.3.value: low (9) is above high (4)" in messages
    assert any(
        m.startswith("opportunities: the key 'onboarding-checklist' is used 2") for m in messages
    )
    assert "opportunities.4.stakeholders: 'ghost' is not a known stakeholder" in messages
    assert "events.0.options: exactly one option must be informed (found 2)" in messages
    assert "events.1.options.0.effects.unlock: 'nowhere' is not a known opportunity" in messages
    assert "feedback.0.sprint: 11 is after the last sprint (10)" in messages


def test_broken_yaml_and_wrong_shapes_get_a_message() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("key: saas\ntitle: [unclosed\n")
    assert caught.value.messages[0].startswith("yaml: line ")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("- a list\n")
    assert caught.value.messages == ["(root): a scenario is a mapping of fields (key, title, ...)"]


def test_tech_debt_may_be_written_with_a_dash(data: dict[str, Any]) -> None:
    data["opportunities"][0]["kind"] = "tech-debt"
    assert parse_data(data).opportunities[0].kind == "tech_debt"


def test_the_saas_scenario_is_complete_in_both_languages() -> None:
    saas = load_scenario("saas")
    assert 20 <= len(saas.opportunities) <= 30 and 5 <= len(saas.stakeholders) <= 6
    assert 6 <= len(saas.events) <= 10 and len(saas.feedback) >= 25
    kinds = {e.kind for e in saas.events}
    assert {"scope-change", "manager", "regulation", "competitor", "retire"} <= kinds
    assert any(f.weak_signal for f in saas.feedback)
    assert any({"a11y", "eco", "ethics"} & set(o.tags) for o in saas.opportunities)
    for event in saas.events:
        assert event.guide_ref and sum(o.informed for o in event.options) == 1
        assert all(o.explanation.en and o.explanation.fr for o in event.options)
    assert saas.title.get("fr").startswith("Relais\u00a0:")
    texts = list(_texts(saas))
    assert len(texts) > 150
    for path, text in texts:
        assert not re.search(r" [:;?!»%]|« ", text.fr), f"{path}: {text.fr!r}"
        assert "\u2019" not in text.en + text.fr, path
        assert len(text.en) <= 40 or text.en != text.fr, path


def _texts(node: object, path: str = "") -> Iterator[tuple[str, Text]]:
    if isinstance(node, Text):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _texts(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, tuple | list):
        for i, child in enumerate(node):
            yield from _texts(child, f"{path}.{i}")


def test_built_in_scenarios_are_listed_by_key_and_missing_ones_raise() -> None:
    keys = [s.key for s in list_scenarios()]
    assert keys == sorted(keys) and "saas" in keys
    assert isinstance(load_scenario("saas"), Scenario)
    with pytest.raises(KeyError):
        load_scenario("no-such-scenario")
    schema = scenario_json_schema()
    assert "opportunities" in schema["properties"] and "Text" in schema["$defs"]


# --- commands -----------------------------------------------------------------------------


def test_simulate_prints_statistics_of_a_policy() -> None:
    runner = CliRunner()
    table = runner.invoke(
        main, ["academy", "simulate", "--scenario", "saas", "--policy", "informed", "--seeds", "2"]
    )
    assert table.exit_code == 0, table.output
    assert "saas / informed / 2 seeds" in table.output and "EBM score" in table.output
    args = "academy simulate --scenario saas --policy random --seeds 3 --sprints 2 --json"
    result = runner.invoke(main, args.split())
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["seeds"] == 3 and set(body["scores"]["ebm"]) == {"mean", "median", "p5"}
    unknown = runner.invoke(
        main, ["academy", "simulate", "--scenario", "nope", "--policy", "random", "--seeds", "1"]
    )
    assert unknown.exit_code != 0 and "no scenario 'nope'" in unknown.output


def test_validate_scenario_reports_every_problem(tmp_path: Path, data: dict[str, Any]) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["academy", "validate-scenario", str(SAAS)])
    assert good.exit_code == 0 and good.output.startswith("saas: 10 sprints")
    data["opportunities"][0]["effort"] = {"low": 5, "high": 1}
    broken = tmp_path / "broken.yaml"
    broken.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML too
    bad = runner.invoke(main, ["academy", "validate-scenario", str(broken)])
    assert bad.exit_code == 1
    assert "opportunities.0.effort: low (5) is above high (1)" in bad.output
    schema = runner.invoke(main, ["academy", "schema"])
    assert schema.exit_code == 0 and json.loads(schema.output)["title"] == "Scenario"
