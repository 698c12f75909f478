"""Benchmark: `cev-learn import activities` of a generated 1,000,000-row file on SQLite, then
the same file again (every row unchanged).

Run with `make bench`. Prints a table and writes bench/results/activity_import.json.
"""
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ACTIVITY_ROWS", "1000000"))
REPS = int(os.environ.get("BENCH_REPS", "500"))
ROOT = Path(__file__).resolve().parent
CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))
TYPES = ("call", "email", "meeting", "demo", "opportunity", "deal_won")
FIRST_DAY = dt.date(2025, 1, 1)


def write_reps(path: Path, reps: int) -> None:
    lines = ["email,name,role"] + [f"rep{n}@example.com,Rep {n},rep" for n in range(reps)]
    path.write_text("\n".join(lines) + "\n")


def write_activities(path: Path, rows: int, reps: int) -> None:
    days = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(365)]
    with path.open("w", newline="") as out:
        out.write("external_id,rep_email,occurred_on,type,quantity,amount\n")
        for n in range(rows):
            kind = TYPES[n % 6]
            amount = f"{(n % 997) * 125.5:.2f}" if kind == "deal_won" else ""
            out.write(f"crm-{n:08d},rep{n % reps}@example.com,{days[n % 365]},{kind},"
                      f"{1 + n % 3},{amount}\n")


def timed(env, *args) -> float:
    started = time.perf_counter()
    subprocess.run([CEV_LEARN, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_reps(tmp / "reps.csv", REPS)
        write_activities(tmp / "activities.csv", ROWS, REPS)
        env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(tmp),
               "CEV_LEARN_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite"}
        subprocess.run([CEV_LEARN, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([CEV_LEARN, "import", "users", str(tmp / "reps.csv")], env=env,
                       check=True, capture_output=True)
        results = {
            "rows": ROWS,
            "reps": REPS,
            "startup_seconds": timed(env, "--help"),
            "first_import_seconds": timed(env, "import", "activities", str(tmp / "activities.csv")),
            "unchanged_reimport_seconds": timed(env, "import", "activities",
                                                str(tmp / "activities.csv")),
        }
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "activity_import.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'activity import (' + f'{ROWS:,}' + ' rows)':<40}{'seconds':>10}")
    for key, value in results.items():
        if key.endswith("_seconds"):
            print(f"{key[:-8].replace('_', ' '):<40}{value:>10.2f}")
    print("(times include starting the cev-learn process; see 'startup')")


if __name__ == "__main__":
    main()
