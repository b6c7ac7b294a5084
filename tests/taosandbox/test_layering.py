"""The model never depends on the views: `taosandbox` imports no widget, chart or IPython code."""

import ast
import subprocess
import sys
from pathlib import Path

import taosandbox

VIEW_PACKAGES = {"ipywidgets", "altair", "IPython", "anywidget", "widgets"}
PACKAGE = Path(taosandbox.__file__).parent


def test_no_module_of_the_model_imports_a_view_package():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in VIEW_PACKAGES]
    assert offenders == []


def test_importing_every_model_module_loads_no_view_package():
    modules = [f"taosandbox.{p.stem}" for p in sorted(PACKAGE.glob("*.py")) if p.stem != "__init__"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(set(m.split('.')[0] for m in sys.modules) & {VIEW_PACKAGES!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
