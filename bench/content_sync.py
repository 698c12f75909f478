"""Benchmark: content sync of a generated 500-module track, then an unchanged re-sync.

Run with `make bench`. Prints a table and writes bench/results/content_sync.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULES = int(os.environ.get("BENCH_MODULES", "500"))
ROOT = Path(__file__).resolve().parent
CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))

PARAGRAPH = ("When the buyer says the price is too high, ask what they are comparing it with, "
             "then walk back to the cost of the problem they told you about in discovery. ")


def module_text(n: int, total: int) -> str:
    nxt = f"{n + 1:03d}-topic-{n + 1}.md" if n + 1 <= total else f"{1:03d}-topic-1.md"
    sections = "\n\n".join(
        f"## Section {s}\n\n{PARAGRAPH * 6}\n\n| Step | Owner |\n|---|---|\n| Ask | You |\n\n"
        f"See [the next topic]({nxt})."
        for s in range(1, 6))
    return f"---\ntitle: Topic {n}\nminutes: 8\nsummary: Generated module {n}.\n---\n\n{sections}\n"


def build_tree(root: Path, total: int) -> None:
    track = root / "bench-track"
    (track / "modules").mkdir(parents=True)
    schedule = "\n".join(f"  - {{module: topic-{n}, due_day: {n % 90}}}" for n in range(1, total + 1))
    (track / "track.yaml").write_text(f"title: Benchmark track\nschedule:\n{schedule}\n")
    for n in range(1, total + 1):
        (track / "modules" / f"{n:03d}-topic-{n}.md").write_text(module_text(n, total))


def timed(env, *args) -> float:
    started = time.perf_counter()
    subprocess.run([CEV_LEARN, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_tree(tmp / "courses", MODULES)
        env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(tmp),
               "CEV_LEARN_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite"}
        subprocess.run([CEV_LEARN, "db", "upgrade"], env=env, check=True, capture_output=True)
        results = {
            "modules": MODULES,
            "startup_seconds": timed(env, "--help"),
            "check_seconds": timed(env, "content", "check", str(tmp / "courses")),
            "first_sync_seconds": timed(env, "content", "sync", str(tmp / "courses")),
            "unchanged_resync_seconds": timed(env, "content", "sync", str(tmp / "courses")),
        }
        module = tmp / "courses/bench-track/modules/250-topic-250.md"
        module.write_text(module.read_text() + "\nOne more line.\n")
        results["one_changed_resync_seconds"] = timed(env, "content", "sync", str(tmp / "courses"))
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "content_sync.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'content sync (' + str(MODULES) + ' modules)':<40}{'seconds':>10}")
    for key, value in results.items():
        if key.endswith("_seconds"):
            print(f"{key[:-8].replace('_', ' '):<40}{value:>10.2f}")
    print("(times include starting the cev-learn process; see 'startup')")


if __name__ == "__main__":
    main()
