# Two commands for a fresh machine (see README):
#   make run    set up .venv and start the app on http://127.0.0.1:8501
#   make test   set up .venv (and, as root, the system packages) and run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium fonts-dejavu-core

.PHONY: run test lint format system-deps bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[app,test]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py

# System packages the browser tests need. Installed when running as root (CI, dev machines
# here); otherwise the missing ones are named so you can install them yourself.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: browser tests need these Debian packages:$$missing (apt-get install)"; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: system-deps $(STAMP) lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
