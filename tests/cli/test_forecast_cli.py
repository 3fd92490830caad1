"""`jalon forecast`, through the command in-process: text and JSON answers, and clear errors
on bad input."""

from __future__ import annotations

import json
from datetime import timedelta

from jalon import db as db_module
from jalon.db import utcnow
from jalon.permissions import CLI_ACTOR
from jalon.products import services as products
from jalon.uow import Database
from tests.integration.test_forecasting_history import seed_done
from tests.support.processes import Target


def _steady_product(target: Target) -> int:
    """A product whose team finished two items a day for the last 120 days."""
    database = Database(target.settings())
    db_module.upgrade(database.engine)
    pid = products.create_product(database.uow(), actor=CLI_ACTOR, name="Atlas").id
    today = utcnow().date()
    seed_done(database, pid, {today - timedelta(days=d): 2 for d in range(1, 121)})
    database.dispose()
    return pid


def test_forecast_when_and_how_many(target: Target) -> None:
    pid = _steady_product(target)
    today = utcnow().date()
    when = target.invoke("forecast", "--product", str(pid), "--items", "10", "--seed", "1")
    assert when.returncode == 0, when.stderr
    assert "When will 10 items be done?" in when.stdout
    assert f"P85: {(today + timedelta(days=4)).isoformat()} (day 5)" in when.stdout
    assert "the 85% forecast held 20 times" in when.stdout
    target_day = (today + timedelta(days=13)).isoformat()
    how_many = target.invoke("forecast", "--product", str(pid), "--date", target_day, "--json",
                          "--trials", "500")  # fmt: skip
    assert how_many.returncode == 0, how_many.stderr
    body = json.loads(how_many.stdout)
    assert body["mode"] == "how_many" and body["trials"] == 500
    assert [p["items"] for p in body["percentiles"]] == [28, 28, 28, 28]


def test_bad_input_exits_non_zero_with_a_clear_message(sqlite_target: Target) -> None:
    pid = _steady_product(sqlite_target)
    cases = [
        (["--items", "0"], "Forecast at least one item."),
        (["--date", "2001-01-01"], "Choose today or a later date."),
        (["--items", "5", "--trials", "50"], "Use between 100 and 1000000 trials."),
        (["--items", "5", "--date", "2030-01-01"], "Give exactly one of --items, --epic or"),
        (["--date", "tomorrow"], "Enter a date as YYYY-MM-DD."),
    ]
    for args, message in cases:
        result = sqlite_target.invoke("forecast", "--product", str(pid), *args)
        assert result.returncode == 2, (args, result.stdout)
        assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
        assert message in result.stderr, (args, result.stderr)
    missing = sqlite_target.invoke("forecast", "--product", "999", "--items", "3")
    assert missing.returncode == 4 and "does not exist" in missing.stderr
