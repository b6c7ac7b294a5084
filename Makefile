# The two commands of the README: `make book` opens the book, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8866

.PHONY: book test chromium lint bench

book: $(VENV)/.book
	$(PY) -m widgets.app --port=$(PORT)

test: $(VENV)/.test chromium
	$(PY) -m ruff check .
	$(PY) -m pytest

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.book: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.book

# The browser tests drive Debian's Chromium (Playwright's own browser download does not work offline).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
		echo "Chromium is missing and this user cannot install it: the browser tests will skip."; \
		echo "Enable them with: sudo apt-get install chromium"; \
	fi

lint: $(VENV)/.test
	$(PY) -m ruff check .

bench: $(VENV)/.test
	$(PY) scripts/bench_halving.py
