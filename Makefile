# Two commands do everything on a fresh machine (Python 3.11, pip and make):
#   make book   build the course website into _build/html
#   make test   run every test (unit, parity, property, notebooks, strict book build, browser)
# Both create the virtual environment .venv from the pinned constraints if it is missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test lab venv clean chromium student

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,scale]"
	touch $(STAMP)

# The site serves its own MathJax 3, require.js and ipywidgets manager (pinned in package.json /
# package-lock.json): npm installs them, tools/offline_assets.py copies them to _assets_offline/.
# On a fresh Debian/Ubuntu machine without npm, it is installed from the distribution's packages.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ASSETS := _assets_offline/offline/VERSIONS.json

$(ASSETS): package.json package-lock.json tools/offline_assets.py
	command -v npm >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q npm)
	npm ci --no-audit --no-fund
	$(PYTHON) tools/offline_assets.py

# The browser tests drive Debian's Chromium (playwright install cannot download here).
chromium:
	test -x /usr/bin/chromium || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

book: $(STAMP) $(ASSETS)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

# Each step is one line so that every part of the suite is visible here.
test: $(STAMP) $(ASSETS) chromium
	$(BIN)/ruff check gmm_from_scratch tests benchmarks tools chapters exercises
	$(BIN)/ruff format --check gmm_from_scratch tests benchmarks tools
	$(BIN)/mypy gmm_from_scratch
	$(BIN)/python -m pytest tests --ignore=tests/browser
	$(BIN)/python -m pytest --doctest-modules gmm_from_scratch
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg chapters
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg exercises/solutions
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg exercises/ch*.ipynb
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python -m pytest tests/browser

# The student edition: the same book without the exercises' solutions (sphinx-exercise's
# hide_solutions), and the exercise notebooks without their solution cells, in _build_student/.
student: $(STAMP) $(ASSETS)
	$(BIN)/python exercises/student_config.py _config.yml _build_student/_config.yml
	$(BIN)/jupyter-book build . --config _build_student/_config.yml --path-output _build_student -W -n --keep-going
	$(BIN)/jupyter nbconvert --to notebook --TagRemovePreprocessor.enabled=True --TagRemovePreprocessor.remove_cell_tags=solution --output-dir _build_student/notebooks exercises/ch*.ipynb
	@echo "Open _build_student/_build/html/index.html; hand out _build_student/notebooks/"

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab]"
	$(BIN)/jupyter lab

clean:
	rm -rf _build .pytest_cache .hypothesis _assets_offline test-artifacts _build_student
