"""schoolpeers: a school's peer-mentoring programme.

`create_app()` builds the app in a few named steps and has no side effects beyond the app:
no tables are created and no data is loaded here (migrations and `flask demo` do that).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from schoolpeers import collector

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

# Flask is imported where the app is built, not here: the pure cores (scoring, solver, screening,
# reports) live in this package and must import without Flask installed.


def create_app(config_name: str | None = None, test_config: dict | None = None) -> Flask:
    # Building the app imports some nine hundred modules; the cyclic garbage collector would scan
    # their objects again and again meanwhile (a fifth of the start-up time), for nothing to free.
    with collector.paused():
        return _built_app(config_name, test_config)


def _built_app(config_name: str | None, test_config: dict | None) -> Flask:
    from flask import Flask

    from config import CONFIGS, ProductionConfig

    app = Flask(__name__, instance_relative_config=True)
    config_name = config_name or os.environ.get("SCHOOLPEERS_ENV", "development")
    config_class = CONFIGS[config_name]
    if config_class is ProductionConfig:
        ProductionConfig.check()
    app.config.from_object(config_class)
    if config_class is ProductionConfig:
        app.config["TRUSTED_HOSTS"] = ProductionConfig.trusted_hosts()
    if test_config:
        app.config.update(test_config)
    apply_embedded_defaults(app)
    trust_proxies(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_signal_handlers()
    register_security_headers(app)
    register_request_guard(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, take the visitor's address and scheme from their headers."""
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def apply_embedded_defaults(app: Flask) -> None:
    """Without DATABASE_URL: a SQLite file under instance/; without keys: ones kept there too."""
    needs_instance = not app.config.get("SQLALCHEMY_DATABASE_URI") or not app.config.get("SECRET_KEY")
    if needs_instance:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "schoolpeers.sqlite"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = kept_key(Path(app.instance_path) / "secret_key", lambda: secrets.token_urlsafe(48))
    if not app.config.get("TOTP_KEYS"):  # outside production: a key kept beside the secret key
        from schoolpeers.accounts.secret_box import new_key

        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["TOTP_KEYS"] = [kept_key(Path(app.instance_path) / "totp_key", new_key)]


def kept_key(path: Path, make: Callable[[], str]) -> str:
    """The key kept in `path`, made by `make` the first time. It is written whole to a file of its own
    and then linked into place, which fails if a key is there already: processes that start together
    (`make run` starts the server and the job worker; tests run in several processes) all read the one
    key that got there first, never another or a half-written one."""
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        draft.write_text(make())
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    from schoolpeers import read_only_commit
    from schoolpeers.extensions import csrf, db, limiter, login_manager

    read_only_commit.use_last_connection_first(app)
    db.init_app(app)
    read_only_commit.register(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # Import the models so that metadata (and Alembic) know every table, and the listeners
    # (`accounts.topics` versions each school's topic list).
    from schoolpeers import audit, jobs  # noqa: F401
    from schoolpeers.accounts import access, models, sso_models, topics  # noqa: F401
    from schoolpeers.circles import models as circles_models  # noqa: F401
    from schoolpeers.districts import models as districts_models  # noqa: F401
    from schoolpeers.matching import models as matching_models  # noqa: F401
    from schoolpeers.mentors import models as mentors_models  # noqa: F401
    from schoolpeers.oversight import append_only  # noqa: F401  (guards concerns)
    from schoolpeers.oversight import models as oversight_models  # noqa: F401
    from schoolpeers.programme import models as programme_models  # noqa: F401
    from schoolpeers.reports import models as reports_models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from schoolpeers.accounts.admin_views import bp as admin_bp
    from schoolpeers.accounts.approval_views import bp as approvals_bp
    from schoolpeers.accounts.sso_views import bp as sso_bp
    from schoolpeers.accounts.two_factor_views import bp as two_factor_bp
    from schoolpeers.accounts.views import bp as accounts_bp
    from schoolpeers.circles import (
        circle_views,
        debrief_views,  # noqa: F401  (adds its page to the circles blueprint before it is registered)
        report_views,
        session_views,
    )
    from schoolpeers.districts import report_views as district_report_views
    from schoolpeers.districts import roster_views as district_roster_views
    from schoolpeers.districts import school_views as district_school_views
    from schoolpeers.districts import sign_in_views as district_sign_in_views
    from schoolpeers.districts import views as district_views
    from schoolpeers.families.views import bp as families_bp
    from schoolpeers.health import bp as health_bp
    from schoolpeers.home import bp as home_bp
    from schoolpeers.matching.views import bp as matching_bp
    from schoolpeers.mentors.views import bp as mentors_bp
    from schoolpeers.notifications.views import bp as notifications_bp
    from schoolpeers.oversight.audit_views import bp as audit_bp
    from schoolpeers.oversight.views import bp as oversight_bp
    from schoolpeers.overview.views import bp as overview_bp
    from schoolpeers.privacy.views import bp as privacy_bp
    from schoolpeers.programme import (
        closure_views,
        goal_views,
        outcome_views,
        recognition_views,
        supervision_views,
    )
    from schoolpeers.reports.views import bp as reports_bp
    from schoolpeers.resources import plan_views
    from schoolpeers.resources.views import bp as resources_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(two_factor_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(mentors_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(overview_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(families_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(notifications_bp)
    for programme in (goal_views, supervision_views, closure_views, outcome_views, recognition_views):
        app.register_blueprint(programme.bp)
    app.register_blueprint(plan_views.bp)
    for circles in (circle_views, session_views, report_views):
        app.register_blueprint(circles.bp)
    app.register_blueprint(sso_bp)
    for district in (district_views, district_school_views, district_roster_views, district_report_views,
                     district_sign_in_views):
        app.register_blueprint(district.bp)


def register_signal_handlers() -> None:
    """Oversight screens every check-in inside its transaction, and mails once it is committed; a
    deactivated student's open mentoring work ends in the deactivation's transaction (and their places in
    circles), and so does the work of a student whose family's consent stopped, in the answer's transaction."""
    from schoolpeers.accounts.signals import user_deactivated
    from schoolpeers.circles import places as circle_places
    from schoolpeers.families.signals import consent_stopped
    from schoolpeers.matching.leavers import on_consent_stopped, on_user_deactivated
    from schoolpeers.mentors.signals import (
        checkin_committed,
        checkin_next_step,
        checkin_saved,
        mentorship_closed,
        self_checkin_committed,
        self_checkin_saved,
    )
    from schoolpeers.notifications.meetings import on_mentorship_closed
    from schoolpeers.oversight.notify import on_checkin_committed, on_self_checkin_committed
    from schoolpeers.oversight.services import on_checkin_saved, on_self_checkin_saved
    from schoolpeers.programme.goal_views import next_step_after_checkin

    checkin_saved.connect(on_checkin_saved)
    checkin_committed.connect(on_checkin_committed)
    self_checkin_saved.connect(on_self_checkin_saved)
    self_checkin_committed.connect(on_self_checkin_committed)
    mentorship_closed.connect(on_mentorship_closed)
    checkin_next_step.connect(next_step_after_checkin)  # progress on goals, and how it was for the mentor
    user_deactivated.connect(on_user_deactivated)
    consent_stopped.connect(on_consent_stopped)
    user_deactivated.connect(circle_places.on_user_deactivated)  # leaves every circle, stops leading
    consent_stopped.connect(circle_places.on_consent_stopped)


def register_request_guard(app: Flask) -> None:
    from schoolpeers import request_guard

    request_guard.register(app)


def register_security_headers(app: Flask) -> None:
    from schoolpeers import security_headers

    security_headers.register(app)


def register_errorhandlers(app: Flask) -> None:
    from schoolpeers.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from schoolpeers.accounts.models import ROLE_LABELS
    from schoolpeers.navigation import navigation_for
    from schoolpeers.web import counted, csrf_field, days_since, noun, school_time

    app.jinja_env.globals.update(navigation_for=navigation_for, counted=counted, noun=noun, days_since=days_since,
                                csrf_field=csrf_field, role_label=lambda role: ROLE_LABELS[role].lower())
    app.add_template_filter(school_time)


def register_commands(app: Flask) -> None:
    from schoolpeers.accounts.cli import accounts_cli, roster_cli
    from schoolpeers.demo import demo_command
    from schoolpeers.districts.cli import districts_cli, schools_cli
    from schoolpeers.families.cli import families_cli
    from schoolpeers.jobs import jobs_cli
    from schoolpeers.matching.cli import matching_cli
    from schoolpeers.notifications.reminders import reminders_cli
    from schoolpeers.outbox import outbox_cli
    from schoolpeers.oversight.cli import oversight_cli
    from schoolpeers.privacy.cli import backup_command, retention_cli
    from schoolpeers.reports.cli import reports_cli
    from schoolpeers.schema import db_commands

    app.cli.add_command(roster_cli)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(matching_cli)
    app.cli.add_command(oversight_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(families_cli)
    app.cli.add_command(districts_cli)
    app.cli.add_command(schools_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(db_commands)
