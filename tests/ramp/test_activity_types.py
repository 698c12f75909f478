"""Activity types beyond the built-in six come from configuration (docs/formats.md)."""
import pytest

from cev_learn import create_app
from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import token_for
from tests.helpers import make_user
from tests.content.trees import TRACK_YAML, good_track
from tests.factories import make_cohort

CSV = "external_id,rep_email,occurred_on,type\nr-1,{email},2026-03-03,Referral\n"


def test_a_configured_type_is_accepted_everywhere_and_unknown_ones_are_named(make_app,
                                                                             tmp_path):
    app = make_app(EXTRA_ACTIVITY_TYPES=["referral"])
    yaml = TRACK_YAML.replace("  call: [10, 20]\n", "  call: [10, 20]\n  referral: [1]\n")
    track = good_track(tmp_path / "courses", **{"track.yaml": yaml})
    with app.app_context():
        runner = app.test_cli_runner()
        synced = runner.invoke(args=["content", "sync", str(track)])
        assert synced.exit_code == 0, synced.output
        rep = make_user(Role.REP)
        email = rep.email
        make_cohort(reps=[rep])
        csv_file = tmp_path / "activities.csv"
        csv_file.write_text(CSV.format(email=email))
        imported = runner.invoke(args=["import", "activities", str(csv_file)])
        assert imported.exit_code == 0, imported.output
        secret = token_for(make_user(Role.MANAGER), Scope.WRITE)
    posted = app.test_client().post("/api/v1/activities", headers={
        "Authorization": f"Bearer {secret}"}, json={"records": [
            {"external_id": "r-2", "rep_email": email, "occurred_on": "2026-03-04",
             "type": "referral"}]})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    with app.app_context():
        assert sorted(db.session.scalars(db.select(ActivityRecord.type))) == ["referral",
                                                                              "referral"]

    plain = make_app()
    with plain.app_context():
        csv_file.write_text(CSV.format(email=email).replace("r-1", "r-3"))
        refused = plain.test_cli_runner().invoke(args=["import", "activities", str(csv_file)])
        checked = plain.test_cli_runner().invoke(args=["content", "check", str(track)])
    assert refused.exit_code == 1
    assert "unknown type 'Referral'; use call, email, meeting, demo, opportunity or deal_won" in (
        refused.output)
    assert checked.exit_code == 1 and "referral" in checked.output


@pytest.mark.parametrize("extra", ["referral", ["Referral"], ["two words"], [3]])
def test_a_bad_setting_stops_the_app_from_starting(extra):
    with pytest.raises(ValueError, match="EXTRA_ACTIVITY_TYPES"):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "REQUEST_LOG": False,
                    "EXTRA_ACTIVITY_TYPES": extra})
