"""The shape of the package: the engine stays pure (it imports no runtime, voice, ears or
I/O, directly or through the modules it uses)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voicecoach"
PURE_STDLIB = {"__future__", "collections", "dataclasses", "enum", "typing", "math", "re"}
PURE_LIBRARIES = {"pydantic"}  # the routine model


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports (at any depth in the file, TYPE_CHECKING ones too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "voicecoach" or node.module.startswith("voicecoach."):
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def module_file(name: str) -> Path | None:
    rel = Path(*name.split(".")[1:])
    for candidate in (PACKAGE / rel.with_suffix(".py"), PACKAGE / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None  # a name imported from a module, not a module


def reachable_from_engine() -> set[str]:
    todo = [p for p in (PACKAGE / "engine").glob("*.py")]
    seen_files: set[Path] = set()
    modules: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen_files:
            continue
        seen_files.add(path)
        for name in imports_of(path):
            modules.add(name)
            if name.startswith("voicecoach."):
                target = module_file(name)
                if target is not None:
                    todo.append(target)
    return modules


def test_the_engine_imports_no_runtime_voice_ears_or_io() -> None:
    modules = reachable_from_engine()
    ours = {m for m in modules if m.split(".")[0] == "voicecoach"}
    outside = {m.split(".")[0] for m in modules} - {"voicecoach"}
    assert outside <= PURE_STDLIB | PURE_LIBRARIES, sorted(outside)
    for forbidden in ("runtime", "voice", "ears", "bootstrap", "commands", "cli", "keys"):
        assert not any(m.split(".")[1:2] == [forbidden] for m in ours), (forbidden, sorted(ours))
