"""Every chapter executes headless, and chapters are committed without outputs."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

BOOK = Path(__file__).parents[2] / "book"
NOTEBOOKS = sorted(p for p in BOOK.glob("*.ipynb"))


def test_the_book_has_a_landing_page_and_chapters():
    names = [p.name for p in NOTEBOOKS]
    assert "index.ipynb" in names and len(names) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_stripped(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert dirty == [], f"cells {dirty} carry outputs or execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_without_error(path, monkeypatch):
    monkeypatch.setenv("TAOSANDBOX_FAST", "1")  # the kernel inherits it: chapters shorten long runs
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_every_chapter_is_linked_from_the_landing_page():
    landing = nbformat.read(BOOK / "index.ipynb", as_version=4)
    text = "\n".join(c.source for c in landing.cells if c.cell_type == "markdown")
    for path in NOTEBOOKS:
        if path.name != "index.ipynb":
            assert f"({path.name})" in text, f"{path.name} is not linked from the landing page"
