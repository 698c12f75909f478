"""cev_learn: rep onboarding for sales teams."""
import os

from flask import Flask

from cev_learn import config as default_config


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, CLI, template helpers."""
    instance_path = instance_path or os.environ.get("CEV_LEARN_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    default_config.load(app, test_config)

    from cev_learn import caching, db, extensions, observability, security
    from cev_learn import models  # noqa: F401  (every model, before the database is set up)

    app.url_map.converters["int"] = db.DatabaseId
    extensions.init_app(app)
    db.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    caching.init_app(app)
    from cev_learn.cohorts import services as cohort_services
    from cev_learn.ramp import facts

    facts.listen()  # services announce changed records; the ramp facts follow
    cohort_services.listen()  # a content sync announces changed tracks; their members follow

    from cev_learn.accounts.admin_views import bp as admin_bp
    from cev_learn.accounts.views import bp as accounts_bp
    from cev_learn.analytics.views import bp as analytics_bp
    from cev_learn.api.admin_views import bp as api_tokens_bp
    from cev_learn.api.routes import bp as api_bp
    from cev_learn.cohorts.import_views import bp as imports_bp
    from cev_learn.cohorts.manage_views import bp as cohort_admin_bp
    from cev_learn.cohorts.views import bp as cohorts_bp
    from cev_learn.content.views import bp as content_bp
    from cev_learn.core_views import bp as core_bp
    from cev_learn.quizzes.coach_views import bp as quiz_results_bp
    from cev_learn.quizzes.views import bp as quizzes_bp
    from cev_learn.ramp.upload_views import bp as ramp_import_bp
    from cev_learn.security import bp as security_bp

    for blueprint in (core_bp, accounts_bp, admin_bp, content_bp, quizzes_bp, quiz_results_bp,
                      cohorts_bp, cohort_admin_bp, analytics_bp, imports_bp, ramp_import_bp,
                      api_bp, api_tokens_bp, security_bp):
        app.register_blueprint(blueprint)
    extensions.csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing to forge

    from cev_learn import errors, navigation, templating
    from cev_learn.cli import register_commands

    errors.init_app(app)
    templating.init_app(app)
    app.context_processor(navigation.template_context)
    register_commands(app)
    return app
