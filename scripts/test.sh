#!/usr/bin/env bash
# The README's test command: sets up what tests need (dependencies, Postgres, Redis, Chromium,
# migrations), then runs lint, type checks, unit, integration and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --e2e
. scripts/env.sh

started=$SECONDS
stage() {
  local name=$1
  shift
  local t0=$SECONDS
  echo "── $name" >&2
  "$@"
  echo "── $name: ok ($((SECONDS - t0)) s)" >&2
}

stage "lint (biome)" npx biome check .
stage "typecheck" npx turbo run typecheck --output-logs=errors-only
stage "unit tests" npx vitest run --project unit
stage "integration tests" npx vitest run --project integration
stage "end-to-end tests" npm run test:e2e
echo "all tests passed in $((SECONDS - started)) s" >&2
