"""The codebase's shape: pure cores that import without Flask or SQLAlchemy, from any directory."""
from __future__ import annotations

import subprocess
import sys
import textwrap

# Rules computed on plain data: tested and benchmarked without an app or a database.
PURE_CORES = (
    "schoolpeers.matching.scoring", "schoolpeers.matching.solver",
    "schoolpeers.oversight.risk", "schoolpeers.oversight.risk_text", "schoolpeers.oversight.risk_patterns",
    "schoolpeers.oversight.risk_model",
    "schoolpeers.reports.trends", "schoolpeers.reports.lattice", "schoolpeers.reports.protection",
    "schoolpeers.reports.perturbation", "schoolpeers.reports.report", "schoolpeers.reports.differential",
    "schoolpeers.reports.charts",
    "schoolpeers.accounts.sign_in_delays", "schoolpeers.accounts.roster_files", "schoolpeers.accounts.roster_bundles",
    "schoolpeers.accounts.usernames", "schoolpeers.accounts.totp", "schoolpeers.accounts.secret_box",
)
BLOCKED = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_limiter", "sqlalchemy", "werkzeug",
           "wtforms")


def run_elsewhere(tmp_path, code: str) -> subprocess.CompletedProcess:
    """Python run from a directory outside the repository, as an installed package is used."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


def test_the_pure_cores_import_without_flask_or_sqlalchemy(tmp_path):
    result = run_elsewhere(tmp_path, f"""
        import importlib, sys

        class Blocked:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {BLOCKED!r}:
                    raise ImportError(name + " is blocked: a pure core may not need it")

        sys.meta_path.insert(0, Blocked())
        for module in {PURE_CORES!r}:
            importlib.import_module(module)
        print("imported", len({PURE_CORES!r}))
    """)
    assert result.returncode == 0, result.stderr
    assert f"imported {len(PURE_CORES)}" in result.stdout


def test_the_app_and_its_settings_import_from_any_directory(tmp_path):
    result = run_elsewhere(tmp_path, """
        import config
        from schoolpeers import create_app
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        print(app.name)
    """)
    assert result.returncode == 0, result.stderr
