"""The codebase's shape: pure cores that import without Flask or SQLAlchemy, from any directory, and
imports between the feature packages that run one way."""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import schoolpeers

# Rules computed on plain data: tested and benchmarked without an app or a database.
PURE_CORES = (
    "schoolpeers.matching.scoring", "schoolpeers.matching.solver",
    "schoolpeers.oversight.risk", "schoolpeers.oversight.risk_text", "schoolpeers.oversight.risk_patterns",
    "schoolpeers.oversight.risk_model",
    "schoolpeers.reports.trends", "schoolpeers.reports.lattice", "schoolpeers.reports.privacy",
    "schoolpeers.reports.perturbation", "schoolpeers.reports.report", "schoolpeers.reports.differential",
    "schoolpeers.reports.charts", "schoolpeers.reports.bounds", "schoolpeers.reports.groups",
    "schoolpeers.reports.rollup",
    "schoolpeers.accounts.sign_in_delays", "schoolpeers.accounts.roster_files", "schoolpeers.accounts.roster_bundles",
    "schoolpeers.accounts.usernames", "schoolpeers.accounts.totp", "schoolpeers.accounts.secret_box",
    "schoolpeers.severity", "schoolpeers.collector", "schoolpeers.mentors.statuses", "schoolpeers.matching.statuses",
    "schoolpeers.oversight.statuses",
    "schoolpeers.programme.scales", "schoolpeers.programme.outcomes_report",
    "schoolpeers.programme.goal_rules",
    "schoolpeers.programme.closure_rules",
    "schoolpeers.programme.hours",
    "schoolpeers.circles.statuses", "schoolpeers.circles.place_rules",
    "schoolpeers.circles.attribution",
    "schoolpeers.circles.report_rules", "schoolpeers.circles.report_bounds",
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


# --- imports run one way -------------------------------------------------------------------------

# What each feature package may import of the others (README, "Architecture"). The infrastructure
# modules (schoolpeers/*.py: extensions, web, audit, jobs, mail, ...) serve every package and import no
# feature but accounts; the top (the app factory, home, demo) may import anything.
FEATURES = {
    "accounts": set(),
    "mentors": {"accounts", "resources"},  # ideas from the library beside check-ins
    "resources": {"accounts"},
    # Meetings need the mentee's free times (their request); the counselors' digest counts concerns.
    "notifications": {"accounts", "mentors", "matching", "oversight"},
    "families": {"accounts"},
    "matching": {"accounts", "mentors", "families", "resources"},  # ideas on the mentee's own page
    "oversight": {"accounts", "mentors"},
    "reports": {"accounts", "mentors", "oversight"},  # concerns per term are one of the reports' measures
    # The programme cycle: a low well-being score raises a concern; its outcomes report is protected
    # by the reports' privacy rules.
    "programme": {"accounts", "mentors", "families", "oversight", "reports"},
    # Circles: members need their family's consent, worries in a session raise concerns, a debrief with
    # the leaders is a supervision session, sessions follow the library's plans, and the circles
    # report is protected by the reports' privacy rules.
    "circles": {"accounts", "mentors", "families", "oversight", "resources", "programme", "reports"},
    "overview": {"accounts", "mentors", "matching", "oversight", "programme"},
    # Districts provision schools and people (accounts) and roll their reports up under the reports'
    # privacy rules; single sign-on is part of accounts.
    "districts": {"accounts", "reports"},
    "privacy": {"accounts", "mentors", "matching", "oversight", "reports", "families", "notifications",
                "programme", "circles"},
}
TOP = {"__init__", "home", "student_home", "navigation", "demo", "demo_cycle", "demo_circles", "demo_district"}


def project_imports() -> set[tuple[str, str, str]]:
    """(importing part, imported part, file) for every import of the project's own modules."""
    root = Path(schoolpeers.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        source = parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if isinstance(node, ast.ImportFrom) and node.module == "schoolpeers":
                names = [f"schoolpeers.{alias.name}" for alias in node.names]
            for name in names:
                pieces = name.split(".")
                if pieces[0] == "schoolpeers" and len(pieces) > 1 and pieces[1] != source:
                    found.add((source, pieces[1], str(path.relative_to(root))))
    return found


def test_imports_run_one_way():
    wrong = []
    for source, target, path in sorted(project_imports()):
        if source in TOP:
            continue
        if source in FEATURES:
            allowed = FEATURES[source] | {target} if target not in FEATURES and target not in TOP else FEATURES[source]
        else:  # an infrastructure module
            allowed = {"accounts"} | ({target} if target not in FEATURES and target not in TOP else set())
        if target not in allowed:
            wrong.append(f"{path} imports schoolpeers.{target}")
    assert wrong == []


def test_every_package_is_placed():
    root = Path(schoolpeers.__file__).parent
    packages = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(FEATURES), packages - set(FEATURES)


def test_views_commit_only_through_change():
    """A view saves in a `web.change()` block: committed once, or rolled back with the refusal shown."""
    root = Path(schoolpeers.__file__).parent
    views = [p for p in root.rglob("*.py") if p.name.endswith("views.py") or p.name == "home.py"]
    assert len(views) > 10
    committing = [str(p.relative_to(root)) for p in views if "db.session.commit(" in p.read_text()]
    assert committing == []
