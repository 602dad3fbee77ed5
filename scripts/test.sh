#!/usr/bin/env bash
# Runs every test: C++ unit and integration tests, converter parity and the shared-photo
# evaluations. Tests that need the shared photo set skip when it is absent.
set -euo pipefail

cd "$(dirname "$0")/.."
ctest --test-dir build --output-on-failure --timeout 1800 -j2 "$@"
