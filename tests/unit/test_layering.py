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


def test_importing_governance_connects_to_nothing():
    # Importing every module must not need a database or touch the state folder.
    import importlib
    import pkgutil

    import governance

    for mod in pkgutil.walk_packages(governance.__path__, "governance."):
        if mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)


FORBIDDEN_IN_PAGES = re.compile(
    r"session\.(execute|scalars?|add|query)|[^_.a-z]select\(|duckdb\.connect|unsafe_allow_html=True"
)


def test_pages_hold_no_sql_sessions_or_unsafe_html():
    hits = [
        f"{p.name}:{i}"
        for p in [*sorted((ROOT / "views").glob("*.py")), ROOT / "app.py"]
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN_IN_PAGES.search(line)
    ]
    assert hits == []


def test_every_page_file_is_in_the_navigation():
    from ui.navigation import PAGES

    listed = {spec.path for spec in PAGES}
    on_disk = {f"views/{p.name}" for p in (ROOT / "views").glob("*.py")}
    assert listed == on_disk
