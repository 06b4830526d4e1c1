"""Architecture rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_governance_never_imports_streamlit_or_ui():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "governance").rglob("*.py")
        if any(n.split(".")[0] in {"streamlit", "ui", "pages"} for n in _imports(p))
    ]
    assert offenders == []


_IMPORT_EVERYTHING = """
import gc, importlib, json, pkgutil, sys
import governance
for mod in pkgutil.walk_packages(governance.__path__, "governance."):
    if not mod.name.endswith("__main__"):
        importlib.import_module(mod.name)
from sqlalchemy.engine import Engine
engines = sum(isinstance(o, Engine) for o in gc.get_objects())
duck = "duckdb" in sys.modules and any(
    type(o).__name__ == "DuckDBPyConnection" for o in gc.get_objects()
)
print(json.dumps({"modules": len([m for m in sys.modules if m.startswith("governance")]),
                  "engines": engines, "duckdb_connections": duck}))
"""


def test_importing_governance_connects_to_nothing(tmp_path):
    # In a fresh interpreter (this one has imported half the package already), with the state
    # folder pointed at an empty directory and a database URL that would be created on connect.
    import json
    import os
    import subprocess
    import sys

    state = tmp_path / "state"
    state.mkdir()
    env = {
        **os.environ,
        "GOVERNANCE_STATE_DIR": str(state),
        "GOVERNANCE_DATABASE_URL": f"sqlite:///{state / 'never.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=True,
    )  # fmt: skip
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["modules"] > 40  # every module was imported
    assert report["engines"] == 0
    assert report["duckdb_connections"] is False
    assert list(state.iterdir()) == []  # no database file, no artifact folder


FORBIDDEN_IN_PAGES = re.compile(
    r"db\.session\(|sessionmaker|\bduckdb\b|session\.(execute|scalars?|add|query)"
    r"|[^_.a-z]select\(|unsafe_allow_html=True"
)
PAGES = [*sorted((ROOT / "views").glob("*.py")), ROOT / "app.py"]
MAX_GOVERNANCE_IMPORTS = 4


def test_pages_hold_no_sql_sessions_or_unsafe_html():
    hits = [
        f"{p.name}:{i}"
        for p in PAGES
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN_IN_PAGES.search(line)
    ]
    assert hits == []


def test_pages_never_import_records():
    # Records are the services' business: a page that imports one will soon query it.
    offenders = [
        f"{p.name}: {name}"
        for p in PAGES
        for name in _imports(p)
        if name.startswith("governance.") and name.rsplit(".", 1)[-1] == "models"
    ]
    assert offenders == []


def test_each_page_calls_few_governance_modules():
    counts = {
        p.name: len({n for n in _imports(p) if n.split(".")[0] == "governance"}) for p in PAGES
    }
    assert max(counts.values()) <= MAX_GOVERNANCE_IMPORTS, counts


def test_services_do_not_commit():
    # The edge that opened the unit of work commits once; a service that commits breaks
    # composition (see governance/kernel/unit.py).
    offenders = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in (ROOT / "governance").rglob("*.py")
        if p.parent.name != "kernel"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\b(session|uow)\.commit\(", line)
    ]
    assert offenders == []


def test_audit_and_auth_do_not_import_each_others_services():
    audit = {n for p in (ROOT / "governance" / "audit").rglob("*.py") for n in _imports(p)}
    auth = {n for p in (ROOT / "governance" / "auth").rglob("*.py") for n in _imports(p)}
    assert not {n for n in audit if n.startswith("governance.auth")} - {"governance.auth.roles"}
    assert not {n for n in auth if n.startswith("governance.audit.service")}


def test_every_page_file_is_in_the_navigation():
    from ui.navigation import PAGES

    listed = {spec.path for spec in PAGES}
    on_disk = {f"views/{p.name}" for p in (ROOT / "views").glob("*.py")}
    assert listed == on_disk
