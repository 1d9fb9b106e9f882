# Two commands do everything on a fresh machine (Python 3.11, pip and make):
#   make book   build the course website into _build/html
#   make test   run every test (unit, parity, property, notebooks, strict book build, browser)
# Both create the virtual environment .venv from the pinned constraints if it is missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test lab venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,scale]"
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

# Each step is one line so that every part of the suite is visible here.
test: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg chapters
	$(BIN)/jupyter-book build . -W -n --keep-going

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab]"
	$(BIN)/jupyter lab

clean:
	rm -rf _build .pytest_cache .hypothesis
