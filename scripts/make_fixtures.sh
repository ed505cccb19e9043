#!/usr/bin/env bash
# Regenerates tests/fixtures/audio/* and service/data/demo_nl.* (needs espeak-ng, sox, numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
exec "$PY" scripts/make_fixtures.py "$@"
