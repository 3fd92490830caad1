"""Guardrails as tests: the conventions of docs/architecture.md, checked on every run.

Each test reads the source (with `ast`) or the running app, and names every offender with
its file and line, so a failure says exactly what to fix. Only the last one needs a
database: it replays the examples of docs/api.md against the app.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from jalon import activity
from jalon.accounts import services as accounts
from jalon.app import create_app
from jalon.cli import main
from jalon.permissions import CLI_ACTOR
from jalon.settings import SETTING_NAMES, load_settings
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "jalon"
DOCS = ROOT / "docs"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40

# What a pure rules module may not import, directly or through a jalon module it imports:
# frameworks, the database, templates, and every source of I/O, time or randomness.
IMPURE_MODULES = frozenset(
    {
        "fastapi",
        "starlette",
        "sqlalchemy",
        "alembic",
        "psycopg",
        "sqlite3",
        "jinja2",
        "markupsafe",
        "uvicorn",
        "click",
        "httpx",
        "httpx2",
        "argon2",
        "babel",
        "nh3",
        "markdown_it",
        "os",
        "io",
        "sys",
        "shutil",
        "subprocess",
        "socket",
        "pathlib",
        "tempfile",
        "logging",
        "random",
        "secrets",
        "time",
        "uuid",
    }
)
# Attribute names a route module must never touch: the session and its writes.
WRITE_ATTRIBUTES = frozenset({"session", "commit", "add", "flush", "delete"})
# Past participles that do not end in -ed, for activity action names.
IRREGULAR_PAST = frozenset(
    {"sent", "set", "reset", "built", "held", "kept", "made", "done", "undone", "split", "won"}
    | {"lost", "sold", "taken", "given", "written", "chosen", "drawn", "frozen", "withdrawn"}
)
ACTION_RE = re.compile(r"^(?P<area>[a-z]+)\.(?P<noun>[a-z][a-z_]*)\.(?P<verb>[a-z][a-z_]*)$")


def _modules(*, exclude_migrations: bool = True) -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if exclude_migrations and "migrations" in path.relative_to(SRC).parts:
            continue
        yield path


def _named(name: str) -> list[Path]:
    return [p for p in _modules() if p.name == name]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST | None = None) -> str:
    line = f":{getattr(node, 'lineno', 0)}" if node is not None else ""
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return f"{shown}{line}"


def _docs_text() -> str:
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))]
    return "\n".join(texts)


# --- everything a user can set or type is documented --------------------------------------


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [
        f"JALON_{name.upper()}"
        for name in SETTING_NAMES
        if not re.search(rf"\bJALON_{name.upper()}\b", text)
    ]
    assert not missing, f"docs/configuration.md does not document: {', '.join(missing)}"


def _command_paths(group: click.Group, prefix: str = "jalon") -> Iterator[str]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path
        if isinstance(command, click.Group):
            yield from _command_paths(command, path)


def test_every_cli_command_is_documented() -> None:
    paths = list(_command_paths(main))
    assert "jalon serve" in paths and "jalon user add" in paths  # the walk itself works
    text = _docs_text()
    missing = [p for p in paths if not re.search(rf"`{re.escape(p)}(?![\w-])", text)]
    assert not missing, (
        "these commands appear nowhere in README.md or docs/*.md as `jalon <command>`: "
        + ", ".join(missing)
    )


# --- rules are pure ------------------------------------------------------------------------


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """(node, absolute module name) for every import, skipping `if TYPE_CHECKING:` blocks."""
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module
            for alias in node.names:  # `from jalon import activity` imports a module
                yield node, f"{node.module}.{alias.name}"


def _jalon_file(module: str) -> Path | None:
    parts = module.split(".")[1:]
    for candidate in (SRC.joinpath(*parts).with_suffix(".py"), SRC.joinpath(*parts, "__init__.py")):
        if parts and candidate.is_file():
            return candidate
    return None


def _impure_imports(path: Path, seen: set[Path]) -> Iterator[str]:
    """Impure imports of `path` and of the jalon modules it imports, as 'file:line module'."""
    seen.add(path)
    for node, module in _imports(_tree(path)):
        top = module.split(".")[0]
        if top in IMPURE_MODULES:
            yield f"{_where(path, node)} imports {module}"
        elif top == "jalon" and (target := _jalon_file(module)) and target not in seen:
            yield from _impure_imports(target, seen)


def test_rules_import_no_framework_and_no_io() -> None:
    rules = _named("rules.py")
    assert rules, "no rules.py module found"
    offenders = [hit for path in rules for hit in _impure_imports(path, set())]
    assert not offenders, "rules.py must stay pure:\n  " + "\n  ".join(sorted(set(offenders)))


# --- routes write nothing ------------------------------------------------------------------


def _route_modules() -> list[Path]:
    return _named("pages.py") + _named("api.py")


def _route_writes(path: Path) -> Iterator[str]:
    tree = _tree(path)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in WRITE_ATTRIBUTES:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("router", "app"):
            continue  # @router.delete(...) declares a route; it writes nothing
        yield f"{_where(path, node)} uses .{node.attr}"
    for node, module in _imports(tree):
        if module.split(".")[0] == "sqlalchemy":
            yield f"{_where(path, node)} imports {module}"


def test_routes_never_touch_the_session() -> None:
    routes = _route_modules()
    assert routes, "no pages.py or api.py module found"
    offenders = [hit for path in routes for hit in _route_writes(path)]
    assert not offenders, (
        "routes must call services (writes) and queries (reads), never the session:\n  "
        + "\n  ".join(offenders)
    )


def _routes(app: FastAPI) -> list[tuple[str, BaseRoute]]:
    """(full path, route) for every route, looking inside included routers.

    Recent FastAPI keeps included routers lazily (`app.routes` then holds wrappers), and
    `fastapi.routing.iter_route_contexts` flattens them; older releases list routes directly.
    """
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    if iterate is None:
        return [(getattr(r, "path", ""), r) for r in app.routes]
    return [(c.path or "", c.original_route) for c in iterate(app.routes)]


def test_every_api_route_declares_its_response(tmp_path: Path) -> None:
    settings = load_settings({}, overrides={"data_dir": tmp_path, "secret_key": "conventions"})
    exempt = ("/api/v1/docs", "/api/v1/openapi.json")
    api_routes = [
        (path, route)
        for path, route in _routes(create_app(settings))
        if path.startswith("/api/v1") and path not in exempt
    ]
    assert len(api_routes) > 5, "the walk over the app's routes found no API route"
    offenders: list[str] = []
    for path, route in api_routes:
        if not isinstance(route, APIRoute):
            offenders.append(f"{path} is not a FastAPI route (no OpenAPI schema)")
            continue
        explicit_class = not isinstance(route.response_class, DefaultPlaceholder)
        if route.response_model is None and not explicit_class and route.status_code != 204:
            offenders.append(f"{sorted(route.methods)} {path} ({route.endpoint.__name__})")
    assert not offenders, "API routes without a response_model:\n  " + "\n  ".join(offenders)


# --- services own the transaction; activity names are consistent --------------------------


def _uow_blocks(tree: ast.Module) -> Iterator[tuple[ast.With, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.With):
            for item in node.items:
                if isinstance(item.context_expr, ast.Name):
                    yield node, item.context_expr.id


def _calls_commit(block: ast.With, uow_name: str) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == uow_name
        for node in ast.walk(block)
    )


def test_every_unit_of_work_in_services_commits() -> None:
    services = _named("services.py")
    assert services, "no services.py module found"
    blocks = [(path, block, name) for path in services for block, name in _uow_blocks(_tree(path))]
    assert blocks, "no `with uow:` block found in services"
    offenders = [
        f"{_where(path, block)} opens `with {name}:` without `{name}.commit()`"
        for path, block, name in blocks
        if name == "uow" and not _calls_commit(block, name)
    ]
    assert not offenders, "a service's unit of work commits once:\n  " + "\n  ".join(offenders)


def _record_calls() -> Iterator[tuple[Path, ast.Call]]:
    for path in _modules():
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "record"
                and isinstance(func.value, ast.Name)
                and func.value.id == "activity"
            ):
                yield path, node


def _action_problem(action: str) -> str | None:
    match = ACTION_RE.match(action)
    if match is None:
        return "is not area.noun.verb_past"
    if not (SRC / match["area"]).is_dir():
        return f"names no area package (src/jalon/{match['area']}/)"
    verb = match["verb"].split("_")[-1]
    if not (verb.endswith("ed") or verb in IRREGULAR_PAST):
        return f"ends with {verb!r}, not a past participle"
    return None


def _action_literals(arg: ast.expr | None) -> list[str] | None:
    """The action names an argument can take: a string literal, or `"a" if c else "b"`."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        body, orelse = _action_literals(arg.body), _action_literals(arg.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def test_activity_actions_are_named_and_described() -> None:
    calls = list(_record_calls())
    assert calls, "no activity.record(...) call found"
    offenders: list[str] = []
    used: set[str] = set()
    for path, call in calls:
        where = _where(path, call)
        if path.name != "services.py":
            offenders.append(f"{where} records activity outside a services module")
        names = _action_literals(call.args[1] if len(call.args) > 1 else None)
        if names is None:
            offenders.append(f"{where} passes an action that is not a string literal")
            continue
        for name in names:
            used.add(name)
            if (problem := _action_problem(name)) is not None:
                offenders.append(f"{where} action {name!r} {problem}")
            if name not in activity.ACTIONS:
                offenders.append(f"{where} action {name!r} has no entry in activity.ACTIONS")
    offenders += [
        f"activity.ACTIONS[{name!r}] is never recorded"
        for name in sorted(set(activity.ACTIONS) - used)
    ]
    assert not offenders, "activity actions:\n  " + "\n  ".join(offenders)


# --- small pieces --------------------------------------------------------------------------


def test_modules_and_functions_stay_small() -> None:
    offenders: list[str] = []
    for path in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{_where(path)} has {lines} lines (max {MAX_MODULE_LINES})")
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    offenders.append(
                        f"{_where(path, node)} {node.name}() has {size} lines "
                        f"(max {MAX_FUNCTION_LINES})"
                    )
    assert not offenders, "split these into smaller pieces:\n  " + "\n  ".join(offenders)


@pytest.mark.parametrize(
    ("action", "ok"),
    [
        ("products.product.created", True),
        ("products.member.role_changed", True),
        ("accounts.token.reset", True),
        ("products.product.create", False),
        ("products.created", False),
        ("nowhere.product.created", False),
        ("Products.product.created", False),
    ],
)
def test_action_name_check_itself(action: str, ok: bool) -> None:
    assert (_action_problem(action) is None) is ok


# --- the checks themselves catch what they should ------------------------------------------


def test_the_checks_catch_violations(tmp_path: Path) -> None:
    impure = tmp_path / "rules.py"
    impure.write_text(
        "import os\nfrom typing import TYPE_CHECKING\nfrom jalon import activity\n"
        "if TYPE_CHECKING:\n    import fastapi\n"
    )
    hits = list(_impure_imports(impure, set()))
    assert any("rules.py:1 imports os" in h for h in hits)
    assert any("activity.py" in h and "sqlalchemy" in h for h in hits)  # found transitively
    assert not any("fastapi" in h for h in hits)  # type-only imports are allowed

    route = tmp_path / "pages.py"
    route.write_text(
        "@router.delete('/x')\ndef x(ctx):\n    ctx.db.uow().session.add(1)\n    uow.commit()\n"
    )
    assert sorted(h.rsplit(" ", 1)[1] for h in _route_writes(route)) == [
        ".add",
        ".commit",
        ".session",
    ]

    service = ast.parse(
        "def ok(uow):\n    with uow:\n        uow.commit()\n"
        "def forgot(uow):\n    with uow:\n        uow.add(1)\n    uow.commit()\n"
    )
    assert [_calls_commit(block, name) for block, name in _uow_blocks(service)] == [True, False]


# --- docs/api.md shows what the server really answers --------------------------------------


def _curl(command: str) -> tuple[str, str, dict[str, str], str | None, bool]:
    """(method, path, headers, body, status_only) of one documented curl command."""
    args = iter(shlex.split(command.replace("\\\n", " "), comments=True))
    method, path, headers, body, status_only = "", "", {}, None, False
    for arg in args:
        if arg in ("-X", "-H", "-d", "-o", "-w"):
            value = next(args)
            if arg == "-X":
                method = value
            elif arg == "-H":
                name, _, header = value.partition(":")
                headers[name.strip()] = header.strip()
            elif arg == "-d":
                body = value
            elif arg == "-w":
                status_only = True
        elif arg.startswith("$JALON"):
            path = arg.removeprefix("$JALON")
    return method or ("POST" if body is not None else "GET"), path, headers, body, status_only


def _api_examples() -> list[tuple[str, str, str]]:
    """(command, expected language, expected text) for each example with an answer.

    Those are the single-curl examples, plus the cookie-session one of "Authentication".
    """
    blocks = re.findall(r"```(\w+)\n(.*?)```", (DOCS / "api.md").read_text(), re.S)
    return [
        (code, blocks[i + 1][0], blocks[i + 1][1])
        for i, (lang, code) in enumerate(blocks[:-1])
        if lang == "sh"
        and (code.count("curl ") == 1 or "X-CSRF-Token" in code)
        and blocks[i + 1][0] in ("json", "text")
    ]


def _stable(value: object, key: str = "") -> object:
    """A response without what changes from run to run: times and invitation secrets."""
    if isinstance(value, dict):
        return {k: _stable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if key in ("at", "created_at", "updated_at", "decided_at"):
        return "<time>"
    if key == "invitation_url" and isinstance(value, str):
        return "/invite/<token>"
    return value


def test_api_examples_are_what_the_server_answers(client: TestClient, db: Database) -> None:
    """Replays docs/api.md in order, on a fresh database, like the reader would."""
    po = make_user(db, "po@example.org", name="Camille Martin")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="docs")
    tokens = {"$TOKEN": raw}
    # The cookie example of "Authentication", done the way it describes.
    cookie = client.post(
        "/api/v1/products",
        json={"name": "Atlas"},
        headers={"X-CSRF-Token": sign_in(client, "po@example.org")},
    )
    assert cookie.status_code == 201, cookie.text
    examples = _api_examples()
    assert len(examples) > 15, "docs/api.md lost its examples"
    for command, lang, expected in examples:
        if "$MEMBER_TOKEN" in command and "$MEMBER_TOKEN" not in tokens:
            tokens["$MEMBER_TOKEN"] = accounts.create_api_token(
                db.uow(), actor=CLI_ACTOR, name="docs", user_email="dev@example.org"
            )[1]
        method, path, headers, body, status_only = _curl(command)
        for name, value in tokens.items():
            headers = {k: v.replace(name, value) for k, v in headers.items()}
        if "X-CSRF-Token" in command:
            got: object = cookie.json()
        else:
            response = client.request(method, path, headers=headers, content=body)
            got = str(response.status_code) if status_only else response.json()
        want = expected.strip() if lang == "text" else json.loads(expected)
        assert _stable(got) == _stable(want), f"docs/api.md is out of date for:\n{command}"
