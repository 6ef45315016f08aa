"""The layering of STYLE.md, kept honest: dependencies point inward and modules stay small."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "jobfirst_ai"
MODULES = sorted(PACKAGE.rglob("*.py"))

# Layer → prefixes it must never import.
FORBIDDEN = {
    "engine": (
        "jobfirst_ai.api",
        "jobfirst_ai.cli",
        "jobfirst_ai.features",
        "jobfirst_ai.db",
        "jobfirst_ai.tasks",
        "fastapi",
        "starlette",
        "sqlalchemy",
        "httpx",
    ),
    "features": ("jobfirst_ai.api", "jobfirst_ai.cli", "fastapi", "starlette"),
    "db": ("jobfirst_ai.api", "jobfirst_ai.cli", "jobfirst_ai.features", "jobfirst_ai.engine"),
    "tasks": ("jobfirst_ai.api", "jobfirst_ai.cli", "jobfirst_ai.features"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else ""


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_dependencies_point_inward(path: Path) -> None:
    forbidden = FORBIDDEN.get(_layer(path), ())

    offending = sorted(name for name in _imports(path) if name.startswith(forbidden))

    assert not offending, f"{path.name} imports {offending}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_stay_within_the_size_budget(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_every_module_says_what_lives_there(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path} has no docstring"


def test_a_service_without_a_model_or_postings_never_loads_the_heavy_modules() -> None:
    # On a 3.6 GB server shared with the platform only what is used is paid for: httpx and the vendors
    # (~10 MB) with a configured chain, numpy (~20 MB) and jieba (~9 MB) once postings are matched,
    # redis only with REDIS_URL.
    code = (
        "import sys, jobfirst_ai.cli.main, jobfirst_ai.api.app\n"
        "heavy = ('httpx', 'jobfirst_ai.llm.providers', 'numpy', 'jieba', 'redis')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "print(','.join(loaded))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert output.stdout.strip() == ""
