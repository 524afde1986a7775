"""Schemathesis against the app's own OpenAPI document, in-process (issue 14, point 6): requests
built from the document, valid and invalid (every boundary of every parameter and body field,
methods an address does not accept, then generated scenarios), seeded so that every run sends
the same ones. Not one 5xx, and every answer as the document describes it: status codes, media
types, response bodies, invalid input refused, 405 with Allow.

Left out, with the reason: `positive_data_acceptance` (a body the JSON Schema allows must be
accepted). The scenario format has rules a JSON Schema cannot state (a partner id must be in the
partnership's directory, no field may hold a control character, who decided comes in the query
or the body), so many bodies the schema allows are refused, rightly, with 422 and the reason.
The stateful phase is left out too: no operation's answer is another's input.
"""

from __future__ import annotations

import collections
import re

import pytest

schemathesis = pytest.importorskip("schemathesis")

SEED = 20261207
MIN_REQUESTS = 5000


def test_the_api_answers_as_its_openapi_document_says_with_no_5xx(tmp_path):
    from schemathesis.engine import events, from_schema

    from isp_rules.web import create_app

    # Schemathesis's in-process client sends Host: testserver; the allow-list is the server's own.
    app = create_app(database_url=str(tmp_path / "register.sqlite"), allowed_hosts=["testserver"])
    statuses: collections.Counter[int] = collections.Counter()
    operations: collections.Counter[tuple[str, str]] = collections.Counter()

    async def counted(scope, receive, send):  # every answer the app gives, counted at the app
        async def counting_send(message):
            if message["type"] == "http.response.start":
                statuses[message["status"]] += 1
                operations[(scope["method"], scope["path"])] += 1
            await send(message)

        await app(scope, receive, counting_send)

    schema = schemathesis.openapi.from_asgi("/openapi.json", counted)
    config = schema.config
    config.seed = SEED
    config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
                             max_examples=40, deterministic=True, database="none")
    config.phases.update(phases=["examples", "coverage", "fuzzing"])
    config.checks.update(excluded_check_names=["positive_data_acceptance"])

    failures: list[str] = []
    errors: list[str] = []
    finished = None
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status.value in ("failure", "error"):
            recorder = event.recorder
            for checks in recorder.checks.values():
                failures += [f"{event.phase.value} {recorder.label}: {c.name}: {c.failure_info.failure.title if c.failure_info else ''}"
                             for c in checks if c.status.value != "success"]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(f"{type(event).__name__}: {getattr(event, 'value', None) or getattr(event, 'exception', None)!r}")
        elif isinstance(event, events.EngineFinished):
            finished = event
    assert errors == []
    assert failures == [], "\n".join(sorted(set(failures)))
    assert finished is not None and finished.stop_reason.value == "completed"
    assert [s for s in statuses if s >= 500] == [], statuses
    assert sum(statuses.values()) >= MIN_REQUESTS, statuses
    # Every operation of the document was exercised, invalid input as well as valid.
    # A path with a parameter ({seq}) is matched by what was asked at it.
    documented = {(method.upper(), path) for path, item in schema.raw_schema["paths"].items() for method in item}
    asked = {(method, template) for method, template in documented for m, path in operations
             if m == method and re.fullmatch(re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)), path)}
    assert documented <= asked, documented - asked
    assert statuses[422] > 1000 and statuses[200] > 1000 and statuses[201] > 100 and statuses[405] > 10, statuses
