"""Dependencies point down only: entry -> app -> ui -> api/system -> core, and no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "desktop"
# What each part of the package may import from the package (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "fakeapi": set(),
    "api": {"core"},
    "system": {"core"},
    "ui": {"core", "api", "system"},
    "app": {"core", "api", "system", "ui", "fakeapi"},
}


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def imported_parts(path: Path) -> set[str]:
    parts: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "desktop":
                names = [f"desktop.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.startswith("desktop."):
                part = name.split(".")[1]
                known = (PACKAGE / part).is_dir() or (PACKAGE / f"{part}.py").exists()
                parts.add(part if known else "__init__")  # `from desktop import __version__`
            elif name == "desktop":
                parts.add("__init__")
    return parts


def test_dependencies_point_down() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = part_of(path)
        if part not in ALLOWED:
            continue  # the entry points may use everything
        allowed = ALLOWED[part] | {part, "__init__"}  # the version
        for used in imported_parts(path) - allowed:
            wrong.append(f"{path.relative_to(PACKAGE)} imports desktop.{used}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_imports() -> None:
    assert "core" in imported_parts(PACKAGE / "api" / "client.py")
    assert "ui" in imported_parts(PACKAGE / "app.py")
