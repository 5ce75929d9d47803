"""Property-based fuzzing of the REST API from its own OpenAPI document (schemathesis).

Every operation of ``/api/v1`` gets generated requests, valid and invalid ones, sent in-process
through ASGI with an analyst's bearer token; no request may make the server fail (5xx). Besides
schemathesis' own valid and invalid requests, operations on a path get valid requests that name
a real path of the demo region with generated calendar dates, so that periods, reaches and map
settings reach the analytics instead of stopping at "no such path" or "not a date".

The app runs over a private copy of the demo store (``POST /imports`` writes to it) with its own
SQLite app database. The operations are listed from the router modules of ``sujuva.api`` at
collection time (schemathesis' lazy ``from_fixture`` loader does not work with pytest 9); a test
checks that the list is exactly the set of operations in the app's OpenAPI document.

Runs are deterministic (``derandomize``) so that the suite is not flaky; for a deeper, random
search set ``SUJUVA_FUZZ_EXAMPLES`` (e.g. 300).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

import sujuva.api
from sujuva.config import Settings, override_settings, reset_settings
from sujuva.services import accounts, cache
from sujuva.store.appdb import dispose_engine
from tests.web.conftest import make_app

DEEP = os.environ.get("SUJUVA_FUZZ_EXAMPLES")
EXAMPLES = int(DEEP) if DEEP else 15
REAL_PATH = "entrepreneur"
DATE_PARAMETERS = {"start", "end", "a_start", "a_end", "b_start", "b_end"}
#: Quarter starts of the demo's years and the ends of the calendar, mixed into generated dates.
BOUNDARY_DAYS = [date(y, m, 1) for y in range(2016, 2020) for m in (1, 4, 7, 10)] + [
    date.min,
    date.max,
]


def _api_operations() -> list[tuple[str, str]]:
    """(method, path) of every documented route of every router module in ``sujuva.api``."""
    found = set()
    for module in pkgutil.iter_modules(sujuva.api.__path__):
        routes = getattr(importlib.import_module(f"sujuva.api.{module.name}"), "router", None)
        for route in getattr(routes, "routes", ()):
            if isinstance(route, APIRoute) and route.include_in_schema:
                found.update((m, route.path) for m in route.methods or () if m != "HEAD")
    return sorted(found)


OPERATIONS = _api_operations()


@dataclass
class FuzzTarget:
    app: FastAPI
    settings: Settings
    token: str
    schema: schemathesis.BaseSchema


@pytest.fixture(scope="module")
def target(demo_region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    folder = tmp_path_factory.mktemp("fuzz")
    data_dir = folder / "data"
    shutil.copytree(demo_region, data_dir, ignore=shutil.ignore_patterns("uploads"))
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SUJUVA_DATA_DIR", "SUJUVA_DATABASE_URL", "SUJUVA_SECRET_KEY"):
            patch.delenv(name, raising=False)
        patch.chdir(folder)
        reset_settings()
        cache.clear()
        found = override_settings(
            data_dir=data_dir, database_url=f"sqlite:///{folder / 'app.sqlite'}"
        )
        app, _ = make_app(found)
        analyst = next(u for u in accounts.list_users(settings=found) if u.username == "analyst")
        token = accounts.create_token(user_id=analyst.id, name="fuzz", settings=found)
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
        try:
            yield FuzzTarget(app, found, token, schema)
        finally:
            dispose_engine(settings=found)
            reset_settings()
            cache.clear()


def test_every_operation_is_fuzzed(target: FuzzTarget) -> None:
    documented = {
        (method.upper(), path)
        for path, item in target.schema.raw_schema["paths"].items()
        for method in item
    }
    assert documented == set(OPERATIONS)


def _on_real_path(target: FuzzTarget, method: str, path: str) -> st.SearchStrategy[Any]:
    """Valid requests on the demo's real path, every date parameter a calendar date (or
    empty where optional); the other parameters generated."""
    operation = target.schema[path][method]
    parameters = target.schema.raw_schema["paths"][path][method.lower()].get("parameters", [])
    days = st.one_of(st.dates(), st.sampled_from(BOUNDARY_DAYS)).map(date.isoformat)
    query = {
        p["name"]: days if p.get("required") else st.one_of(st.just(""), days)
        for p in parameters
        if p["in"] == "query" and p["name"] in DATE_PARAMETERS
    }
    return st.fixed_dictionaries(query).flatmap(
        lambda chosen: operation.as_strategy(
            GenerationMode.POSITIVE, path_parameters={"path": REAL_PATH}, query=chosen
        )
    )


@pytest.mark.parametrize(
    ("method", "path"), OPERATIONS, ids=[f"{method} {path}" for method, path in OPERATIONS]
)
def test_no_server_errors(target: FuzzTarget, method: str, path: str) -> None:
    operation = target.schema[path][method]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if "{path}" in path:
        strategies.append(_on_real_path(target, method, path))
    headers = {"Authorization": f"Bearer {target.token}"}

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not DEEP,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    fuzz()


#: Requests that once made the server fail, kept as fixed regression cases.
REGRESSIONS = (
    # a job id beyond SQLite's 64-bit INTEGER: OverflowError in the app-state query
    "/api/v1/imports/9223372036854775808",
    "/api/v1/pilots/9223372036854775808",
    "/api/v1/pilots/9223372036854775808/evaluation",
    # the quarter after 9999-10-01 does not exist: ValueError in access.quarter_of
    "/api/v1/paths/entrepreneur/lead-time?start=9999-10-01",
    "/api/v1/paths/entrepreneur/tables/arcs?start=9999-12-31",
    "/api/v1/paths/entrepreneur/map.svg?start=9999-10-01",
    "/api/v1/paths/entrepreneur/compare?a_start=9998-10-01&b_start=9999-10-01",
)


@pytest.mark.parametrize("url", REGRESSIONS)
def test_known_edge_requests(target: FuzzTarget, url: str) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(target.app, raise_server_exceptions=False)
    response = client.get(url, headers={"Authorization": f"Bearer {target.token}"})
    assert response.status_code < 500, f"GET {url} -> {response.status_code}: {response.text}"
