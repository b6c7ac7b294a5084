"""Binder emulation: repo2docker cannot run here, so do what it does for a Python repo.

A fresh virtual environment, `pip install -r binder/requirements.txt`, `bash binder/postBuild`,
then the landing page executes in that environment.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.slow


def run(*cmd, cwd=ROOT, env=None):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_binder_environment_builds_and_opens_the_landing_page(tmp_path):
    venv = tmp_path / "binder-env"
    run(sys.executable, "-m", "venv", str(venv))
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    run("bash", "binder/postBuild", env=env)
    # The package is installed, not merely importable from the checkout.
    where = run(str(python), "-c", "import taosandbox, widgets; print(taosandbox.__file__)", cwd=tmp_path)
    assert str(venv) in where
    executed = tmp_path / "index.ipynb"
    run(str(python), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "book/index.ipynb",
        "--output", str(executed), env=env)
    assert "is installed and ready" in executed.read_text()
