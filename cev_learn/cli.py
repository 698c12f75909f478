"""The cev-learn command: a Flask CLI group for the app (same as `flask --app cev_learn`)."""
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from cev_learn import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="cev_learn: rep onboarding for sales teams.")


def register_commands(app: Flask) -> None:
    from cev_learn.accounts.cli import users_cli
    from cev_learn.analytics.cli import ramp_cli
    from cev_learn.api.cli import tokens_cli
    from cev_learn.ops.backup_cli import backup_command, restore_command
    from cev_learn.certifications.cli import certifications_cli
    from cev_learn.cohorts.cli import import_cli
    from cev_learn.cohorts.cohort_cli import cohorts_cli
    from cev_learn.ramp.reminder_cli import reminders_cli
    from cev_learn.content.cli import content_cli
    from cev_learn.demo import demo_cli
    from cev_learn.notifications.cli import notifications_cli
    from cev_learn.practice.cli import practice_cli
    from cev_learn.quizzes.cli import quiz_cli
    import cev_learn.ramp.import_cli  # noqa: F401  (adds import quotas|activities)
    from cev_learn.webhooks.cli import worker_command
    from cev_learn.xapi.cli import xapi_cli

    for group in (users_cli, content_cli, quiz_cli, cohorts_cli, import_cli, reminders_cli,
                  notifications_cli, ramp_cli, demo_cli, tokens_cli, backup_command,
                  restore_command, worker_command, xapi_cli, practice_cli,
                  certifications_cli):
        app.cli.add_command(group)
