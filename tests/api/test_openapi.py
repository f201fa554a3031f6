"""The OpenAPI document: valid OpenAPI 3.1, the reference page local, and property-based tests
generated from it (schemathesis): no server error, every response in its documented shape."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.api import clients
from app.models import db, utcnow
from tests.api.conftest import bearer
from tests.compliance.scenario import build
from tests.conftest import fresh_app


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any error
    paths = set(document["paths"])
    assert {
        "/api/v1/units",
        "/api/v1/units/{code}",
        "/api/v1/positions",
        "/api/v1/officials",
        "/api/v1/officials/{username}",
        "/api/v1/officials/{username}/records",
        "/api/v1/officials/{username}/external-training",
        "/api/v1/roster",
        "/api/v1/compliance/{year}/officials",
        "/api/v1/compliance/{year}/units",
        "/api/v1/standards/{year}",
        "/api/v1/certificates/{code}",
    } <= paths
    broken = {**document, "paths": {"/x": {"get": {"responses": {"200": {"$ref": 1}}}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_reference_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/api/v1/compliance/{year}/officials" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources), sources


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory):
    """One app and the compliance scenario for every operation (built once: the generated
    writes add external training; generated roster rows almost never name a unit code of the
    scenario, so the upsert refuses them: its checks and its problem document are exercised,
    and the world stays as built)."""
    root = tmp_path_factory.mktemp("fuzz")
    dirs = (root / "courses", root / "quizzes")
    for folder in dirs:
        folder.mkdir()
    for app in fresh_app(dirs):
        built = build(dirs)
        app.config["API_RATE_LIMIT"] = 1_000_000
        _client, token = clients.create_client(
            "fuzz", [built.units["P"]], can_write=True, days=None, created_by=None, now=utcnow()
        )
        db.session.commit()
        yield app, token, schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations() -> list[tuple[str, str]]:
    app = create_app("testing")
    with app.app_context():
        document = app.extensions["api_v1"].spec.to_dict()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_server_error_and_every_response_as_documented(fuzz_world, method, path):
    """A bounded number of generated requests per operation (``max_examples``), valid and
    invalid ones, with a token of the whole province."""
    _app, token, api_schema = fuzz_world
    operation = api_schema[path][method]
    headers = bearer(token)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(
            headers=headers,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
                negative_data_rejection,
            ],
        )

    run()
