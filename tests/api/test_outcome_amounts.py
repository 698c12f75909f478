"""Amounts sent to the API are bounded as in quotas.csv and activities.csv: one above the
maximum is a 422 pointing at it, and nothing is stored."""
import pytest

from cev_learn.ramp.models import ActivityRecord, Quota
from tests.api.test_outcomes_api import count, manager_api, people, record  # noqa: F401

QUOTA = {"rep_email": "ana@example.com", "month": "2026-03"}


@pytest.mark.parametrize("path,key,item,detail", [
    ("/api/v1/activities", "records", record(type="deal_won", amount=1e308),
     "amount '1e+308' is above the maximum of 1,000,000,000,000"),
    ("/api/v1/activities", "records", record(type="deal_won", amount=1_000_000_000_001),
     "amount '1000000000001' is above the maximum of 1,000,000,000,000"),
    ("/api/v1/quotas", "quotas", {**QUOTA, "amount": 1e308},
     "amount '1e+308' is above the maximum of 1,000,000,000,000"),
    ("/api/v1/quotas", "quotas", {**QUOTA, "amount": 1e12 + 0.5},
     "amount '1000000000000.5' is above the maximum of 1,000,000,000,000"),
])
def test_an_amount_above_the_maximum_is_pointed_at_and_nothing_is_stored(manager_api, path, key,
                                                                         item, detail):
    response = manager_api.post(path, json={key: [item]})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["errors"] == [{"pointer": f"/{key}/0/amount", "detail": detail}]
    assert count(ActivityRecord) == count(Quota) == 0


def test_the_maximum_itself_is_stored_and_the_document_names_it(app, manager_api):
    big = record(type="deal_won", amount=1_000_000_000_000)
    assert manager_api.post("/api/v1/activities", json={"records": [big]}).status_code == 200
    quota = {**QUOTA, "amount": 1e12}
    assert manager_api.post("/api/v1/quotas", json={"quotas": [quota]}).status_code == 200
    assert count(ActivityRecord) == count(Quota) == 1
    schemas = app.test_client().get("/api/v1/openapi.json").json["components"]["schemas"]
    assert {schemas[name]["properties"]["amount"]["maximum"]
            for name in ("ActivityIn", "QuotaIn")} == {1_000_000_000_000}
