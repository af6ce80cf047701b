"""The API describes itself truthfully: schemathesis calls every operation of /schema/openapi.json, as
each role, with valid and invalid data, and checks each answer against the document.

Checks: every check schemathesis has that applies to a single call (`not_a_server_error`,
`status_code_conformance`, `content_type_conformance`, `response_headers_conformance`,
`response_schema_conformance`, `negative_data_rejection`, `positive_data_acceptance`,
`missing_required_header`, `unsupported_method`, `allow_header_conformance`). Left out, and why:
`use_after_free`, `ensure_resource_availability` and `object_level_authorization` follow links between
calls (the stateful phase, which this app's schema has no links for); `ignored_auth` needs a declared
security scheme, and sign-in here is a session cookie the run sets itself.

`positive_data_acceptance` also takes 422 as a right answer to a schema-valid request: the schema states
types, the values a field takes and what is required, but not the rules that tie one value to another
or to the record and the clock (a score on this patient's own scale, a time still to come, a period
whose start is before its end, a technique the order allows, a reason beside a restricted region);
the services refuse those with 422 naming the field, and nothing is stored. A wrong session state is
409, which the check takes by default.

Not called: `POST /signout` and `POST /lock`, which would end or lock the very sign-in the rest of the
run uses (both have their own tests). Sign-in is called in the therapist's run only. Every run uses a
fixed seed and a bounded number of examples per operation: fewer where the policy table refuses the role
outright. A page form with no path or query parameters whose fields are all optional text has no invalid
request a browser could send (every field is a string, and each may be left out), so it gets no invalid
examples: looking for one cost schemathesis 5-7 s per role and form and found nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from schemathesis import Case, GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation

from server.app import create_app
from server.auth.models import Role
from server.auth.policy import POLICY
from server.clock import SetClock
from server.settings import Settings
from tests.factories import PASSWORD, World
from tests.integration.test_guards import policy_of

pytestmark = pytest.mark.contract
ROLES = ["therapist", "nurse", "physician", "hospice", "admin"]
SEED = 20261123
EXAMPLES = 4
STATEFUL_ONLY = {"use_after_free", "ensure_resource_availability", "object_level_authorization"}
NEEDS_SECURITY_SCHEME = {"ignored_auth"}
NOT_CALLED = {("POST", "/signout"), ("POST", "/lock")}
FORM = "application/x-www-form-urlencoded"
SIGN_IN = {("GET", "/signin"), ("POST", "/signin")}
"""Public and the same for everyone, so called in the therapist's run only (each unknown username costs
real Argon2 work, by design)."""
ACCEPTED_OR_REFUSED_BY_A_RULE = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
"""What a schema-valid request may get: schemathesis's default without 5xx (a 500 is never right), with
422 for the rules a schema cannot state (see the docstring), and 429 once the run's own wrong passwords
(sign-in, password change) trip the sign-in throttle."""


@dataclass(frozen=True)
class SignedIn:
    """One role's sign-in on the in-process app: its cookies, and the CSRF header POSTs must carry."""

    role: Role
    cookies: dict[str, str]
    headers: dict[str, str]


def checks() -> list:  # type: ignore[type-arg]
    load_all_checks()
    return [c for c in CHECKS.get_all() if c.__name__ not in STATEFUL_ONLY | NEEDS_SECURITY_SCHEME]


def contract_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"mode": "all", "max-examples": EXAMPLES, "with-security-parameters": False},
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_REFUSED_BY_A_RULE}},
        }
    )


@pytest.fixture(params=ROLES)
def contract_app(
    request: pytest.FixtureRequest, settings: Settings, clock: SetClock, world: World
) -> Iterator[tuple[Litestar, SignedIn]]:
    """A fresh app and world per role, signed in through schemathesis's own ASGI client (its lifespan runs
    on schemathesis's event-loop thread, so it is stopped here, before the test database goes)."""
    app = create_app(settings, clock)
    try:
        with asgi.get_client(app) as client:
            client.get("/signin")
            csrf = client.cookies["csrftoken"]
            signed = client.post(
                "/signin",
                data={"username": request.param, "password": PASSWORD},
                headers={"x-csrftoken": csrf},
                allow_redirects=False,
            )
            assert signed.status_code == 303, signed.text
            yield app, SignedIn(Role(request.param), dict(client.cookies), {"x-csrftoken": csrf})
    finally:
        asgi.shutdown_lifespans()


def refused_operations(app: Litestar, role: Role) -> set[tuple[str, str]]:
    """(method, path) of the operations the policy table refuses this role: the guard answers 403 before
    reading anything, so one valid and one invalid example each are enough."""
    refused = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            policy = policy_of(handler)
            if policy in POLICY and role not in POLICY[policy]:
                refused |= {(method, route.path_format) for method in handler.http_methods}
    return refused


def operations(app: Litestar, person: SignedIn) -> list[APIOperation]:
    """Every operation of the document the app serves to this signed-in person."""
    schema = schemathesis.openapi.from_asgi(
        "/schema/openapi.json", app, config=contract_config(), cookies=person.cookies
    )
    found = [result.ok() for result in schema.get_all_operations()]
    skipped = NOT_CALLED | (set() if person.role == Role.therapist else SIGN_IN)
    return [op for op in found if (op.method.upper(), op.path) not in skipped]


def test_every_operation_answers_as_its_schema_says(contract_app: tuple[Litestar, SignedIn]) -> None:
    """Valid and invalid examples for each operation; every finding is collected, then all are shown."""
    app, person = contract_app
    all_checks = checks()
    findings: dict[str, str] = {}
    calls = 0

    def call(case: Case) -> None:
        nonlocal calls
        calls += 1
        try:
            case.call_and_validate(headers=person.headers, cookies=person.cookies, checks=all_checks)
        except (Exception, BaseExceptionGroup) as failure:
            findings.setdefault(summary(case, failure), str(failure)[:1500])

    run = settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    ops = operations(app, person)
    refused = refused_operations(app, person.role)
    for operation in ops:
        examples = 1 if (operation.method.upper(), operation.path) in refused else EXAMPLES
        budget = run if examples == EXAMPLES else settings(run, max_examples=examples)
        budget(given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))(call))()
        if nothing_invalid_to_send(operation):
            continue
        with contextlib.suppress(Unsatisfiable):  # nothing to make invalid: no parameters, no body
            budget(given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))(call))()
    print(f"{len(ops)} operations, {calls} calls")
    assert not findings, "\n".join(sorted(findings))


def nothing_invalid_to_send(operation: APIOperation) -> bool:
    """A page form without parameters whose fields are all optional strings (see the docstring)."""
    bodies = list(operation.body)
    if any(True for _ in operation.iter_parameters()) or [body.media_type for body in bodies] != [FORM]:
        return False
    schema = bodies[0].resolved_schema
    fields = schema.get("properties", {}).values()
    return not schema.get("required") and all(field.get("type") == "string" for field in fields)


def summary(case: Case, failure: BaseException) -> str:
    """One line per kind of finding: the operation, what failed, and the call that shows it."""
    lines = [line.strip() for line in str(failure).splitlines()]
    failed = sorted({line.removeprefix("- ") for line in lines if line.startswith("- ST")}) or lines[:1]
    reproduce = next((line for line in lines if line.startswith("curl ")), "")
    status = next((line for line in lines if line.startswith("[") and "]" in line), "")
    return f"{case.operation.label} {status} {'; '.join(failed)}\n    {reproduce}"
