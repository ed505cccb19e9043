# Two commands for a fresh machine:  make demo  (or: make run)  and  make test
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: setup system run demo test bench fixtures clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $(STAMP)

# the test tools (pytest, hypothesis, playwright) only for make test
$(TSTAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test]'
	touch $(TSTAMP)

setup: $(STAMP)

# Debian packages the tests use (espeak-ng/sox for fixtures, chromium for pages, Xvfb for Tk)
system:  # ldconfig, which finds libportaudio, is in sbin: off a Debian user's PATH
	PATH="$$PATH:/usr/sbin:/sbin" bash scripts/install-system.sh

# flags for run and demo: make demo ARGS="--port 8801"
ARGS ?=

run: $(STAMP)
	$(VENV)/bin/pullcoach run $(ARGS)

demo: $(STAMP)
	$(VENV)/bin/pullcoach demo $(ARGS)

test: system $(TSTAMP)
	$(VENV)/bin/python -m pytest -q

bench: $(STAMP)
	$(VENV)/bin/pullcoach bench

fixtures:
	bash scripts/make_fixtures.sh

clean:
	rm -rf $(VENV) build *.egg-info
