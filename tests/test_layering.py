"""Imports flow one way: screens -> console -> {data, integrations} (DESIGN.md).

``data`` and ``integrations`` import nothing of ours; ``console`` never imports
``textual`` or ``screens``; ``screens`` reaches the store and the platforms only
through ``console``. The CLI entry is the composition root and may import
everything. The check reads the source (every import, also inside functions),
so a lazy import cannot slip past it.
"""

from __future__ import annotations

import ast
import importlib
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


# -- no import circles, and domains meet only through their public names ------------------
PACKAGES = ("console", "screens", "integrations", "data")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in modules_of(package)}


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of ours that ``path`` imports, also lazily or only for type checking:
    ``from a.b import c`` is ``a.b.c`` when that is a module, else ``a.b``; importing
    a package's module first runs the package's ``__init__`` when it is another package."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in known else base)
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if not target or target == here:
            continue
        found.add(target)
        # the parent packages' __init__ run first, unless the importer is inside them
        parent = target.rpartition(".")[0]
        while parent and not (here == parent or here.startswith(parent + ".")):
            if parent in known:
                found.add(parent)
            parent = parent.rpartition(".")[0]
    return found


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles() -> None:
    known = all_modules()
    graph = {name: imported_modules(path, known) for name, path in known.items()}
    circles = import_circles(graph)
    assert not circles, "modules that import each other in a circle:\n" + "\n".join(
        " <-> ".join(circle) for circle in circles)


def test_the_circle_check_finds_a_circle() -> None:
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []


def domain_packages() -> list[str]:
    """``console``'s packages that hold a domain (all but the CLI, the entry point)."""
    return sorted(path.parent.name for path in (ROOT / "console").glob("*/__init__.py")
                  if path.parent.name != "cli")


def test_domains_meet_through_public_names() -> None:
    """Outside ``console/<domain>/``, console and screens code imports a domain only as
    ``from console.<domain> import <name>``, a name in the package's ``__all__``."""
    public = {domain: set(getattr(importlib.import_module(f"console.{domain}"), "__all__", ()))
              for domain in domain_packages()}
    offences = []
    for package in ("console", "screens"):
        for path in modules_of(package):
            parts = path.relative_to(ROOT).parts
            own = parts[1] if parts[0] == "console" and len(parts) > 2 else None
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    module, names = node.module.split("."), [alias.name for alias in node.names]
                elif isinstance(node, ast.Import):
                    module, names = None, []
                    for alias in node.names:
                        dotted = alias.name.split(".")
                        if dotted[0] == "console" and len(dotted) > 1 and dotted[1] in public:
                            offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {alias.name}")
                    continue
                else:
                    continue
                if module[0] != "console" or len(module) < 2 or module[1] not in public or module[1] == own:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if len(module) > 2:
                    offences.append(f"{where}: from {node.module} import ... (use console.{module[1]})")
                for name in names:
                    if name not in public[module[1]]:
                        offences.append(f"{where}: {name} is not a public name of console.{module[1]}")
    assert not offences, "a domain reached past its public names:\n" + "\n".join(offences)


def test_every_domain_names_its_public_names() -> None:
    for domain in domain_packages():
        package = importlib.import_module(f"console.{domain}")
        assert package.__doc__, f"console/{domain}/__init__.py has no map of its modules"
        for name in getattr(package, "__all__", ()):
            assert hasattr(package, name), f"console.{domain}.__all__ names {name}, which it lacks"
