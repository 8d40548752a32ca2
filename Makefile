# `make demo`: set up .venv (if needed) and run the demo LOSO experiment.
# `make test`: set up .venv (if needed) and run the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Re-installs only when a requirements file or setup.py changed.
STAMP := $(VENV)/.installed
REQS := requirements/runtime.txt requirements/faces.txt requirements/media.txt \
        requirements/tests.txt setup.py synthesis/pyproject.toml
DEMO_DIR ?= data/demo
DEMO_WORK_DIR ?= work_dirs/demo_loso
PYTEST_ARGS ?=
# pytest-xdist workers (one torch thread each, tests/conftest.py; 0: no workers)
TEST_WORKERS ?= 2

.PHONY: venv demo test clean-venv

venv: $(STAMP)

$(STAMP): $(REQS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements/runtime.txt \
	    -r requirements/faces.txt -r requirements/tests.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -r requirements/media.txt
	$(PIP) install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	# the demo set's generator: a package of its own, not in the plugin's wheel
	$(PIP) install -q --disable-pip-version-check --no-deps --no-build-isolation -e synthesis
	@touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

demo: $(STAMP)
	$(PY) tools/demo.py --data-dir $(DEMO_DIR) --work-dir $(DEMO_WORK_DIR)

clean-venv:
	rm -rf $(VENV)
