"""The architecture holds: layers import only downwards, one module reads the environment, functions
stay small and documented, ruff (with a complexity limit) passes.

Layers (ARCHITECTURE.md): config and i18n are leaves; core uses only them; render and io build on
core (the HTML export format draws a map, so geo/io/export may use render); pipeline may use
everything in geo; ui and app.py sit on top; nothing in geo imports Streamlit or ui.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "geo"
MAX_LINES = 60

ALLOWED = {  # package -> geo packages it may import
    "config": set(),
    "i18n": {"config"},
    "core": {"config", "i18n", "core"},
    "render": {"config", "i18n", "core", "render"},
    "io": {"config", "i18n", "core", "io"},
    "pipeline": {"config", "i18n", "core", "io", "render", "pipeline"},
    "__main__": {"config", "i18n", "core", "io", "render", "pipeline", "cli_audit", "cli_db",
                 "cli_tiles"},  # and its subcommands
    "cli_audit": {"config", "i18n", "core", "io"},  # `python -m geo audit` (registered in __main__)
    "cli_db": {"config", "i18n", "core", "io"},  # `python -m geo db` (registered in __main__)
    "cli_tiles": {"config", "i18n", "core", "io", "pipeline"},  # `python -m geo tiles` (registered in __main__)
    "__init__": set(),
}


def _modules() -> list[Path]:
    return sorted(p for p in GEO.rglob("*.py") if "__pycache__" not in p.parts)


def _package(path: Path) -> str:
    rel = path.relative_to(GEO).parts
    return rel[0] if len(rel) > 1 else rel[0][:-3]


def _imports(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
            if node.module == "geo":
                out += [f"geo.{a.name}" for a in node.names]
    return out


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_layers_import_only_downwards(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = _package(path)
    allowed = set(ALLOWED[pkg])
    if path.is_relative_to(GEO / "io" / "export"):
        allowed.add("render")  # the HTML snapshot is a rendered map
    for name in _imports(tree):
        top = name.split(".")[0]
        assert top not in ("streamlit", "streamlit_folium", "ui", "app"), f"{path.name} imports {name}"
        if top == "geo" and name != "geo":
            sub = name.split(".")[1]
            assert sub in allowed, f"{path.relative_to(ROOT)} ({pkg}) imports {name}: not below it"


@pytest.mark.parametrize("path", _modules() + sorted((ROOT / "ui").glob("*.py")) + [ROOT / "app.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_only_config_reads_the_environment(path):
    if path == GEO / "config.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                isinstance(node.value, ast.Name) and node.value.id == "os":
            pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} reads os.{node.attr}: use geo.config")
        if isinstance(node, ast.ImportFrom) and node.module == "os" and \
                any(a.name in ("environ", "getenv") for a in node.names):
            pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} imports os.environ: use geo.config")


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _says_why_long(lines: list[str], node) -> bool:
    """A `# long: <reason>` comment on the def line or the line above excuses a long function."""
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    around = lines[max(first - 2, 0): node.lineno]
    return any("# long:" in line for line in around)


@pytest.mark.parametrize("path", _modules() + sorted((ROOT / "ui").glob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_functions_are_short_or_say_why(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines, line {n.lineno})"
            for n in _functions(ast.parse(text))
            if n.end_lineno - n.lineno + 1 > MAX_LINES and not _says_why_long(lines, n)]
    assert not long, f"{path.relative_to(ROOT)}: functions over {MAX_LINES} lines without '# long: why': {long}"


def _public_functions(tree: ast.Module):
    """Module-level functions and public methods of public classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for m in node.body:
                if isinstance(m, ast.FunctionDef) and not m.name.startswith("_"):
                    yield m


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_public_functions_have_docstrings_and_type_hints(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for f in _public_functions(tree):
        args = [a for a in f.args.posonlyargs + f.args.args + f.args.kwonlyargs if a.arg not in ("self", "cls")]
        missing = [a.arg for a in args if a.annotation is None]
        if not ast.get_docstring(f):
            bad.append(f"{f.name}: no docstring")
        if missing or (f.returns is None and f.name != "__init__"):
            bad.append(f"{f.name}: type hints missing for {missing or 'the return value'}")
    assert not bad, f"{path.relative_to(ROOT)}: {bad}"


def test_ruff_passes_with_the_complexity_limit():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
