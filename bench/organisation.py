"""The large demo organisation the page benchmark runs against: seeded once into bench/cache/
and reused while the seed parameters, the migrations, the content and the demo code stay the
same; and the people and URLs in it worth measuring."""
import hashlib
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / "cache"
CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))
SEED = 1
# Whatever changes the seeded database changes its file name, so it is seeded again.
KEY_SOURCES = ("migrations/versions", "courses", "cev_learn/demo")


class SetupError(RuntimeError):
    """The organisation could not be seeded, or lacks someone or something to measure."""


@dataclass(frozen=True)
class Organisation:
    database: Path
    reps: int
    cohorts: int | None  # None: this cev-learn seeds its two current cohorts (no --cohorts)
    seeded_in_seconds: float | None  # None: taken from the cache


def app_env(env: dict, database: Path, instance: Path) -> dict:
    return {**env, "CEV_LEARN_DATABASE_URL": f"sqlite:///{database}",
            "CEV_LEARN_INSTANCE_PATH": str(instance)}


def seed_supports_cohorts(env: dict) -> bool:
    with tempfile.TemporaryDirectory() as instance:
        done = subprocess.run([CEV_LEARN, "demo", "seed", "--help"],
                              env=app_env(env, Path(instance) / "unused.sqlite", Path(instance)),
                              check=True, capture_output=True, text=True)
    return "--cohorts" in done.stdout


def seed_arguments(reps: int, cohorts: int | None) -> list[str]:
    arguments = ["demo", "seed", "--reps", str(reps), "--seed", str(SEED)]
    return arguments + ["--cohorts", str(cohorts)] if cohorts is not None else arguments


def cache_key(arguments: list[str]) -> str:
    digest = hashlib.sha256(" ".join(arguments).encode())
    for source in KEY_SOURCES:
        root = REPO / source
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def organisation(env: dict, reps: int, cohorts: int) -> Organisation:
    """The cached organisation for these parameters, seeding it first if there is none."""
    wanted = cohorts if seed_supports_cohorts(env) else None
    arguments = seed_arguments(reps, wanted)
    stem = f"org-reps{reps}-cohorts{wanted if wanted is not None else 'default'}-seed{SEED}"
    database = CACHE / f"{stem}-{cache_key(arguments)}.sqlite"
    if database.exists():
        return Organisation(database, reps, wanted, None)
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"Seeding {' '.join(arguments[2:])} into {database.relative_to(REPO)} "
          "(once; cached)", flush=True)
    started = time.perf_counter()
    _seed(env, database, arguments)
    for stale in CACHE.glob(f"{stem}-*"):
        if stale != database:
            stale.unlink()
    return Organisation(database, reps, wanted, time.perf_counter() - started)


def _seed(env: dict, database: Path, arguments: list[str]) -> None:
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as instance:
        seed_env = app_env(env, partial, Path(instance))
        for command in (["db", "upgrade"], ["content", "sync"], arguments):
            done = subprocess.run([CEV_LEARN, *command], env=seed_env, capture_output=True,
                                  text=True)
            if done.returncode:
                for leftover in partial.parent.glob(f"{partial.name}*"):  # and its -wal, -shm
                    leftover.unlink()
                raise SetupError(f"cev-learn {' '.join(command)} failed:\n"
                                 f"{done.stdout}{done.stderr}")
    with closing(sqlite3.connect(partial)) as db:  # one self-contained file, no -wal beside it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    partial.rename(database)


def working_copy(database: Path, target: Path) -> Path:
    """A copy to run against, so logins, reads and tokens leave the cached one as it was."""
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


@dataclass(frozen=True)
class Subjects:
    """Who signs in and what they open: a current-cohort rep with progress and a coach of
    that cohort, the rep's track, a module the rep has opened and a quiz of the track."""
    rep_id: int
    rep_email: str
    cohort_id: int
    coach_email: str
    track_slug: str
    module_slug: str
    quiz_slug: str
    migration_head: str


# Reps still in their cohort, in the most recently started cohort that has reps who have
# both read modules and taken quizzes; of those, the rep with the most progress.
REP_SQL = """
WITH rep AS (
  SELECT m.user_id, u.email, m.cohort_id, c.track_id, c.start_on,
         (SELECT count(*) FROM module_progress p
           WHERE p.user_id = m.user_id AND p.completed_at IS NOT NULL) AS modules_done,
         (SELECT count(*) FROM attempt a WHERE a.user_id = m.user_id) AS attempts
  FROM membership m JOIN cohort c ON c.id = m.cohort_id JOIN "user" u ON u.id = m.user_id
  WHERE m.moved_out_at IS NULL AND m.end_on IS NULL AND u.active AND u.role = 'rep'
    AND c.start_on <= date('now'))
SELECT user_id, email, cohort_id, track_id FROM rep WHERE modules_done > 0 AND attempts > 0
ORDER BY start_on DESC, modules_done + attempts DESC, user_id LIMIT 1
"""
COACH_SQL = """
SELECT u.email FROM cohort_coach cc JOIN "user" u ON u.id = cc.coach_id
WHERE cc.cohort_id = ? AND u.active ORDER BY u.id LIMIT 1
"""
MODULE_SQL = """
SELECT s.slug FROM schedule_item s
JOIN module mo ON mo.track_id = s.track_id AND mo.slug = s.slug AND mo.retired_at IS NULL
JOIN module_progress p ON p.module_id = mo.id AND p.user_id = ? AND p.opened_at IS NOT NULL
WHERE s.track_id = ? AND s.kind = 'module' ORDER BY s.position LIMIT 1
"""
QUIZ_SQL = """
SELECT s.slug FROM schedule_item s
JOIN quiz q ON q.track_id = s.track_id AND q.slug = s.slug AND q.retired_at IS NULL
WHERE s.track_id = ? AND s.kind = 'quiz'
ORDER BY EXISTS (SELECT 1 FROM attempt a WHERE a.quiz_id = q.id AND a.user_id = ?) DESC,
         s.position LIMIT 1
"""


def subjects(database: Path) -> Subjects:
    with closing(sqlite3.connect(database)) as db:
        rep = db.execute(REP_SQL).fetchone()
        if rep is None:
            raise SetupError("the seeded organisation has no current rep with progress")
        rep_id, rep_email, cohort_id, track_id = rep
        coach = db.execute(COACH_SQL, (cohort_id,)).fetchone()
        module = db.execute(MODULE_SQL, (rep_id, track_id)).fetchone()
        quiz = db.execute(QUIZ_SQL, (track_id, rep_id)).fetchone()
        if coach is None or module is None or quiz is None:
            raise SetupError(f"cohort {cohort_id} lacks a coach, an opened module or a quiz")
        track_slug = db.execute("SELECT slug FROM track WHERE id = ?", (track_id,)).fetchone()
        head = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return Subjects(rep_id, rep_email, cohort_id, coach[0], track_slug[0], module[0], quiz[0],
                    head[0])


def create_token(env: dict, email: str) -> str:
    """A read-only API token acting as `email`; its secret."""
    done = subprocess.run([CEV_LEARN, "tokens", "create", "--user", email, "--name", "bench"],
                          env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]
