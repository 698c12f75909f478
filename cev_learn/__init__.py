"""cev_learn: rep onboarding for sales teams."""
import os

from flask import Flask

from cev_learn.platform import config as default_config


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, CLI, template helpers."""
    instance_path = instance_path or os.environ.get("CEV_LEARN_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    default_config.load(app, test_config)

    from cev_learn.platform import caching, db, extensions, observability, security
    from cev_learn import models  # noqa: F401  (every model, before the database is set up)

    app.url_map.converters["int"] = db.DatabaseId
    extensions.init_app(app)
    db.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    caching.init_app(app)
    from cev_learn.accounts import sso
    from cev_learn.cohorts import services as cohort_services

    sso.init_app(app)  # the OpenID provider of the settings, if any
    from cev_learn.ramp import facts

    facts.listen()  # services announce changed records; the ramp facts follow
    from cev_learn.certifications import services as certifications

    certifications.listen()  # quiz results and sign-offs announced; certificates are earned
    cohort_services.listen()  # a content sync announces changed tracks; their members follow
    from cev_learn.notifications import services as notifications

    notifications.listen()  # services announce what people should hear about; they are told
    from cev_learn.quizzes import boosters

    boosters.listen()  # a module completed schedules its booster questions

    from cev_learn.accounts.routes import bp as accounts_bp
    from cev_learn.analytics.routes import bp as analytics_bp
    from cev_learn.certifications.routes import bp as certifications_bp
    from cev_learn.api.routes import bp as api_bp
    from cev_learn.api.scim_views import bp as scim_bp
    from cev_learn.cohorts.routes import bp as cohorts_bp
    from cev_learn.content.routes import bp as content_bp
    from cev_learn.core_views import bp as core_bp
    from cev_learn.notifications.routes import bp as notifications_bp
    from cev_learn.platform.security import bp as security_bp
    from cev_learn.practice.routes import bp as practice_bp
    from cev_learn.quizzes.routes import bp as quizzes_bp
    from cev_learn.ramp.routes import bp as ramp_bp
    from cev_learn.webhooks.routes import bp as webhooks_bp
    from cev_learn.xapi.routes import bp as xapi_bp

    # One blueprint per domain, its URLs listed in <domain>/routes.py; besides them, the home
    # page and health checks (core_views) and the browsers' security reports (platform).
    for blueprint in (core_bp, accounts_bp, content_bp, quizzes_bp, cohorts_bp, analytics_bp,
                      ramp_bp, api_bp, scim_bp, security_bp, webhooks_bp, xapi_bp,
                      notifications_bp, practice_bp, certifications_bp):
        app.register_blueprint(blueprint)
    extensions.csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing to forge
    extensions.csrf.exempt(scim_bp)

    from cev_learn import navigation
    from cev_learn.platform import errors, templating
    from cev_learn.cli import register_commands

    errors.init_app(app)
    templating.init_app(app)
    app.context_processor(navigation.template_context)
    register_commands(app)
    return app
