"""cev-learn users create, and the console script itself."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db
from tests.helpers import login, make_user

CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))


def invoke(app, args, stdin=None):
    return app.test_cli_runner().invoke(args=args, input=stdin)


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_user_with_password_from_stdin(app):
    result = invoke(app, ["users", "create", "Coach.Kim@Example.com", "--name", "Kim Coach",
                          "--role", "coach", "--password-stdin"], "kim's long password\n")
    assert result.exit_code == 0, result.output
    assert "Created coach coach.kim@example.com" in result.output
    assert login(app.test_client(), "coach.kim@example.com",
                 "kim's long password").status_code == 302


def test_create_user_prompts_for_the_password_twice(app):
    result = invoke(app, ["users", "create", "rep@example.com", "--name", "Rep", "--role", "rep"],
                    "typed password one\ntyped password one\n")
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "rep@example.com", "typed password one").status_code == 302


@pytest.mark.parametrize("args,stdin,reason", [
    (["not-an-email", "--name", "X", "--role", "rep"], "long enough pw 1\n", "invalid email"),
    (["x@example.com", "--name", "X", "--role", "boss"], "long enough pw 1\n", "'boss' is not one of"),
    (["x@example.com", "--name", "  ", "--role", "rep"], "long enough pw 1\n", "--name must be"),
    (["x@example.com", "--name", "X", "--role", "rep"], "short\n", "must be 12 to 256"),
    (["x@example.com", "--name", "Evil\u202egnp.exe", "--role", "rep"], "long enough pw 1\n",
     "--name contains an invisible text-direction character (U+202E)"),
    (["x@example.com", "--name", "X", "--role", "rep", "--territory", "EMEA\u2066"],
     "long enough pw 1\n", "--territory contains an invisible text-direction character"),
])
def test_bad_input_exits_non_zero_with_a_reason(app, args, stdin, reason):
    before = user_count()
    result = invoke(app, ["users", "create", *args, "--password-stdin"], stdin)
    assert result.exit_code != 0
    assert reason in result.output
    assert user_count() == before


def test_duplicate_email_is_refused(app):
    make_user(Role.REP, email="dup@example.com")
    result = invoke(app, ["users", "create", "dup@example.com", "--name", "Dup", "--role", "rep",
                          "--password-stdin"], "long enough pw 1\n")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert user_count() == 1


@pytest.mark.slow  # a new process
def test_console_script_runs_the_same_commands(tmp_path):
    env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(tmp_path),
           "CEV_LEARN_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite",
           "CEV_LEARN_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [CEV_LEARN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    assert run("db", "upgrade").returncode == 0
    created = run("users", "create", "ops@example.com", "--name", "Ops", "--role", "admin",
                  "--password-stdin", stdin="ops long password\n")
    assert created.returncode == 0, created.stderr
    again = run("users", "create", "ops@example.com", "--name", "Ops", "--role", "admin",
                "--password-stdin", stdin="ops long password\n")
    assert again.returncode == 1
    assert again.stderr.strip().splitlines()[-1] == (
        "Error: A user with the email ops@example.com already exists.")
