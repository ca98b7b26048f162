"""The API against its own OpenAPI document, with schemathesis on the Flask app (its WSGI loader:
no server, no network): generated calls, valid and invalid, with a read token and a sanctions
token find no server error, and every answer matches the document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import bearer

#: generated calls per operation and kind (valid, invalid): enough to cover every parameter,
#: few enough that the run stays well under a minute
EXAMPLES = 10


def test_the_api_matches_its_document(app, world):
    """Does any generated call make a server error, or an answer the document does not
    describe, with either partner's token?"""
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # hundreds of calls in a few seconds
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        tokens = (world["read"], world["sanctions"])
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 7
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                          database=None, suppress_health_check=list(HealthCheck))
                def check(case):
                    for token in tokens:
                        # a lookup needs the NIB or the NPWP, which OpenAPI cannot say of
                        # two query parameters: a valid-looking call without either is a 422
                        case.call_and_validate(headers=bearer(token),
                                               excluded_checks=[positive_data_acceptance])

                check()
    finally:
        app.config["API_RATE_LIMIT"] = "120 per minute"
