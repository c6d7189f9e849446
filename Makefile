# The archive's vocabulary: people and CI use the same targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
export NO_MKDOCS_2_WARNING := 1
export PYTHONPATH := scripts
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup browser check build serve test test-fast lint lock new-meeting new-source hooks
.PHONY: print book schema bench gates

# A fresh machine needs nothing but Python: the environment is made here.
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

browser:
	scripts/install-browser

# The quality gates' tools: the Nu HTML Checker (npm vnu-jar, pinned) run by Java 17.
gates:
	scripts/install-gates

# Pango and the fonts WeasyPrint needs for the briefing book PDF; without root the site is built without the PDF.
print:
	scripts/install-print

check: setup
	$(BIN)/python -m archive check

# The JSON Schema of each kind of record (schema/), regenerated from the models after a change to records.py.
schema: setup
	$(BIN)/python -m archive schema

build: check print
	$(BIN)/mkdocs build --strict

# The briefing book alone, as its web page and its PDF, into book/ (`make build` puts both in site/book/).
book: check print
	$(BIN)/python -m archive.book book

serve: setup
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000 --livereload

# Build times and memory (real archive, 100 and 1,000 synthetic meetings), page weight through Chromium,
# Lighthouse and live reload, against the targets; rewrites docs/performance.md. About 25 minutes on 2 cores.
bench: setup browser print
	test -x node_modules/.bin/lighthouse || npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m bench

test: setup browser print gates
	$(BIN)/python -m pytest

test-fast: setup print
	$(BIN)/python -m pytest -m "not browser and not gate"

# Curators: start a meeting record (asks for what ARGS does not give), or store a source text.
new-meeting: setup
	ARCHIVE_MAKE_TARGET=new-meeting $(BIN)/python -m archive new-meeting $(ARGS)

new-source: setup
	@test -n "$(FILE)" || { echo "Name the text file: make new-source FILE=path/to/report.txt [ID=source-id]"; exit 2; }
	ARCHIVE_MAKE_TARGET=new-source $(BIN)/python -m archive new-source "$(FILE)" $(if $(ID),--id "$(ID)")

# Run ruff and `make check` before each commit (pre-commit is in requirements.txt).
hooks: setup
	$(BIN)/pre-commit install

lint: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests

lock: setup
	$(BIN)/python -m pip freeze --exclude pip --exclude setuptools > requirements.txt
