"""Benchmark: 10,000 webhook events drained by `cev-learn worker --once` to a real receiver on
localhost (a threaded HTTP/1.1 server in this process), every message signed.

The events (BENCH_EVENTS, default 10,000) are about BENCH_WEBHOOK_REPS reps (default 500),
written to the outbox in one transaction as services write them; the clock starts when the
worker starts and stops when it exits with everything delivered (dispatching included). Run
with `make bench` (SQLite, then PostgreSQL through scripts/with-postgres: with
CEV_LEARN_TEST_DATABASE_URL set, that database is used). Prints the rate and writes
bench/results/webhooks.json (one section per database).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.receiver import Receiver  # noqa: E402
from bench.servers import CEV_LEARN, instance_env  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "10000"))
REPS = int(os.environ.get("BENCH_WEBHOOK_REPS", "500"))


def prepare(env: dict[str, str], receiver_url: str) -> None:
    """Migrate, add the reps and an admin, register the endpoint and write the events."""
    subprocess.run([CEV_LEARN, "db", "upgrade"], env=env, check=True, capture_output=True)
    os.environ.update({k: v for k, v in env.items() if k.startswith("CEV_LEARN_")})
    from sqlalchemy import insert

    from cev_learn import create_app
    from cev_learn.accounts.models import Role, User
    from cev_learn.platform import outbox
    from cev_learn.platform.db import db, utcnow
    from cev_learn.webhooks import endpoints

    app = create_app()
    with app.app_context():
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"bench.rep{n}@example.com", "name": f"Bench Rep {n}", "role": Role.REP,
             "active": True, "session_generation": 0, "created_at": now}
            for n in range(REPS)] + [
            {"email": "bench.admin@example.com", "name": "Bench Admin", "role": Role.ADMIN,
             "active": True, "session_generation": 0, "created_at": now}])
        db.session.commit()
        admin = db.session.query(User).filter_by(email="bench.admin@example.com").one()
        rep_ids = [u.id for u in db.session.query(User.id).filter(User.role == Role.REP)]
        endpoints.save_settings(allow_private_addresses=True, actor=admin, now=now)
        endpoints.register(url=receiver_url, description="Benchmark receiver",
                           event_types=list(outbox.EVENT_TYPES), secret=None, actor=admin,
                           now=now)
        db.session.commit()
        for number in range(EVENTS):
            outbox.emit("module.completed", rep_ids[number % len(rep_ids)],
                        {"module": {"slug": f"topic-{number % 13}", "title": "Topic"},
                         "completed_at": now.isoformat()})
        db.session.commit()  # one statement writes them all
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    database = os.environ.get("CEV_LEARN_TEST_DATABASE_URL")
    kind = "postgresql" if database else "sqlite"
    with tempfile.TemporaryDirectory() as tmp, Receiver(keep_bodies=False) as receiver:
        tmp = Path(tmp)
        env = instance_env(tmp, database or f"sqlite:///{tmp}/bench.sqlite",
                           SECRET_KEY="bench-webhooks")
        prepare(env, receiver.url)
        started = time.perf_counter()
        done = subprocess.run([CEV_LEARN, "worker", "--once"], env=env, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"cev-learn worker --once failed:\n{done.stdout}{done.stderr}")
        received = Counter(r.message_id for r in receiver.requests)
    if len(received) != EVENTS or set(received.values()) != {1}:
        raise SystemExit(f"{len(received)} distinct events received, not {EVENTS} once each")
    rate = EVENTS / seconds
    result = {"events": EVENTS, "reps": REPS, "seconds": round(seconds, 2),
              "events_per_second": round(rate), "worker": done.stdout.strip()}
    print(f"webhooks ({kind}): {EVENTS:,} events about {REPS:,} reps delivered, signed, to a "
          f"local receiver in {seconds:.1f} s: {rate:,.0f} events/s")
    path = ROOT / "results" / "webhooks.json"
    path.parent.mkdir(exist_ok=True)
    results = json.loads(path.read_text()) if path.exists() else {}
    results[kind] = result
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
