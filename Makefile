# Two commands for a fresh machine (see README):
#   make run    set up .venv and the pose models, start the app on http://127.0.0.1:8501
#   make test   set up .venv, the pose models (and, as root, the system packages), run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium fonts-dejavu-core

.PHONY: run test test-fast lint format system-deps models lock bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[app,test]"
	touch $(STAMP)

# The pose models (.task files) are built once from the npm package @mediapipe/pose into
# $XDG_DATA_HOME/posecheck/models (default ~/.local/share/posecheck/models), checksummed;
# nothing is downloaded at run time. Quick when they are already there.
models: $(STAMP)
	$(PY) -m posecheck.pose.estimator build

run: $(STAMP) models
	$(VENV)/bin/streamlit run app.py

# System packages the browser tests and the model set-up need. Installed when running as root
# (CI, dev machines here); otherwise the missing ones are named so you can install them.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: the tests need these Debian packages:$$missing (apt-get install)"; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: system-deps $(STAMP) models lint
	$(PY) -m pytest

# The fast layers (no browser, no real MediaPipe over every sample clip), e.g. in a second
# venv on another Python: make test-fast VENV=.venv-3.13 PYTHON=python3.13
test-fast: $(STAMP) models
	$(PY) -m pytest -m "not browser" --ignore=tests/test_sample_videos.py

# Re-resolve constraints.txt (the lock) for Python 3.10-3.14 after changing pyproject.toml.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	{ printf '# Lock for repeatable installs on Python 3.10-3.14 (one resolution, with markers).\n# Regenerate with `make lock` after changing the dependencies in pyproject.toml.\n'; \
	  $(VENV)/bin/uv pip compile pyproject.toml --extra app --extra test --universal \
	    --python-version 3.10 --no-header --no-annotate -q; } > constraints.txt

bench: $(STAMP) models
	$(PY) benchmarks/speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
