"""Imports flow one way: screens -> console -> {data, integrations} (DESIGN.md).

``data`` and ``integrations`` import nothing of ours; ``console`` never imports
``textual`` or ``screens``; ``screens`` reaches the store and the platforms only
through ``console``. The CLI entry is the composition root and may import
everything. The check reads the source (every import, also inside functions),
so a lazy import cannot slip past it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"console", "screens", "integrations", "data"}
FORBIDDEN = {
    "data": OURS - {"data"},
    "integrations": OURS - {"integrations"},
    "console": {"screens", "textual"},
    "screens": {"data", "integrations"},
}
COMPOSITION_ROOT = ROOT / "console" / "cli" / "main.py"


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value).split(".")[0])
    return found


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    files = modules_of(package)
    assert files, f"{package}/ has no modules"
    offences = []
    for path in files:
        if path == COMPOSITION_ROOT:
            continue
        bad = imported_packages(path) & FORBIDDEN[package]
        if bad:
            offences.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    assert not offences, "layering broken:\n" + "\n".join(offences)


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from screens.app import make_app\n    import textual\n")
    assert {"screens", "textual"} <= imported_packages(sample)
