"""Property-based run against the live app: generated requests for every operation of the
OpenAPI document, valid and invalid, must never get a 5xx or a response that breaks the
document (status code, content type, body schema)."""
import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_schema_conformance, status_code_conformance)

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import token_for
from tests.helpers import make_user
from tests.factories import make_cohort
from tests.quizzes.fixtures import quiz_track

EXAMPLES = 30  # per operation and mode; derandomized so every run checks the same cases
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def api_app(make_app, tmp_path):
    """An organisation to talk to: a track, a cohort with reps and CRM data, an admin token."""
    app = make_app(API_RATE_LIMIT="100000 per minute")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["content", "sync", str(quiz_track(tmp_path))])
        assert result.exit_code == 0, result.output
        coach, reps = make_user(Role.COACH), [make_user(Role.REP) for _ in range(3)]
        make_cohort(name="Schema AEs", reps=reps, coaches=[coach],
                    start_on=dt.date.today() - dt.timedelta(days=30))
        db.session.add(ActivityRecord(external_id="schema-1", user_id=reps[0].id,
                                      occurred_on=dt.date.today(), type="meeting"))
        refresh_reps([reps[0].id], dt.date.today())
        db.session.commit()
        app.config["SCHEMA_TOKEN"] = token_for(make_user(Role.ADMIN), Scope.WRITE)
    return app


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid requests", "invalid requests"])
def test_no_server_errors_and_responses_match_the_document(api_app, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_app.config['SCHEMA_TOKEN']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            with api_app.app_context():
                case.call_and_validate(headers=headers, checks=CHECKS)

        call()
