"""What a gunicorn worker of cev_learn does as it starts, before its first request."""
import json
import subprocess
import sys
from pathlib import Path

from bench.servers import instance_env

ROOT = Path(__file__).resolve().parents[2]


FROZEN_CHECK = """
import gc, json, sys
from cev_learn import create_app
from cev_learn.ops.serving import _ReadTracksFirst

class Loaded:
    def load_wsgi(self):
        self.wsgi = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x"})

class Worker(_ReadTracksFirst, Loaded):
    pass

Worker().load_wsgi()
kept = [sys.modules["statsmodels.duration.hazard_regression"].PHReg,
        sys.modules["scipy.optimize"].lsq_linear, sys.modules["cev_learn.api.scim"].application]
walked = [found for found in gc.get_objects() if any(found is k for k in kept)]
print(json.dumps({"frozen": gc.get_freeze_count(), "walked": len(walked)}))
"""


def test_a_worker_starts_with_the_libraries_used_later_out_of_the_collectors_view(
        database_url, tmp_path):
    """statsmodels, scipy and the SCIM server, which the app imports on first use, are
    imported as a worker starts, before it freezes what it keeps: imported by a request
    instead, their objects would be walked by every full collection of the worker's life (a
    tenth of a second each, during page builds)."""
    done = subprocess.run([sys.executable, "-c", FROZEN_CHECK, database_url],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**instance_env(tmp_path, database_url)}, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["frozen"] > 10_000 and found["walked"] == 0
