"""A manager with a territory sends CRM data only for reps they manage: rows for anyone else's
reps are named as bad rows, on the upload page, at its confirmation and in the API, and stored
nowhere. Admins, managers of every territory and the command line import for everyone."""
import pytest
from sqlalchemy import func, select

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord, Quota
from tests.api.helpers import token_for
from tests.helpers import login, make_user
from tests.factories import make_cohort
from tests.ramp.test_upload_page import check, checked_token, confirm, page_text

ACTIVITIES = "external_id,rep_email,occurred_on,type,quantity,amount"
ROWS = "\n".join([ACTIVITIES, "crm-1,ann@example.com,2026-03-02,call,3,",
                  "crm-2,cy@example.com,2026-03-02,call,3,"]) + "\n"
NOT_THEIRS = "cy@example.com is not a rep in a cohort or territory you manage"


@pytest.fixture
def teams(api_track):
    """Ann in an EMEA cohort, Cy in a DACH one; Mae manages EMEA, Max every territory."""
    ann = make_user(Role.REP, email="ann@example.com")
    cy = make_user(Role.REP, email="cy@example.com", territory="DACH")
    make_cohort(name="North", territory="EMEA", reps=[ann])
    make_cohort(name="South", territory="DACH", reps=[cy])
    return {"mae": make_user(Role.MANAGER, territory="EMEA"), "max": make_user(Role.MANAGER),
            "ada": make_user(Role.ADMIN)}


def stored(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_rows_for_another_territorys_reps_stop_the_upload(client, teams):
    login(client, teams["mae"].email)
    response = check(client, ROWS)
    assert response.status_code == 400
    assert "line 3" in page_text(response).lower() and NOT_THEIRS in page_text(response)
    assert stored(ActivityRecord) == 0


def test_skipping_bad_rows_imports_only_the_managers_own_reps(client, teams):
    login(client, teams["mae"].email)
    token = checked_token(client, ROWS, skip_invalid="y")
    assert confirm(client, token).status_code == 302
    db.session.rollback()
    assert db.session.scalars(select(ActivityRecord.external_id)).all() == ["crm-1"]


def test_the_confirmation_checks_the_rows_again_for_who_uploaded(client, teams):
    login(client, teams["mae"].email)
    token = checked_token(client, ROWS.replace("cy@", "ann@"))  # all Ann's at the check
    db.session.execute(db.text("UPDATE cohort SET territory = 'DACH' WHERE name = 'North'"))
    db.session.commit()  # Ann's cohort moved to another territory meanwhile
    response = confirm(client, token)
    assert response.status_code == 400
    assert "ann@example.com is not a rep in a cohort or territory you manage" in page_text(response)
    assert stored(ActivityRecord) == 0


@pytest.mark.parametrize("who", ["max", "ada"])
def test_managers_of_every_territory_and_admins_import_for_everyone(client, teams, who):
    login(client, teams[who].email)
    assert confirm(client, checked_token(client, ROWS)).status_code == 302
    assert stored(ActivityRecord) == 2


def test_the_api_refuses_another_territorys_reps_and_stores_nothing(client, teams):
    headers = {"Authorization": f"Bearer {token_for(teams['mae'], Scope.WRITE)}"}
    quotas = {"quotas": [{"rep_email": "ann@example.com", "month": "2026-03", "amount": 100},
                         {"rep_email": "cy@example.com", "month": "2026-03", "amount": 100}]}
    response = client.post("/api/v1/quotas", json=quotas, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"pointer": "/quotas/1/rep_email",
                                              "detail": NOT_THEIRS}]
    assert stored(Quota) == 0
    quotas["quotas"].pop()
    assert client.post("/api/v1/quotas", json=quotas, headers=headers).status_code == 200
    assert stored(Quota) == 1
