#!/usr/bin/env bash
# `npm run bench -- NAME` runs bench/NAME/main.ts. Its last line of output is one JSON object of
# its figures. Benchmarks that need services get them from the same setup as the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-}"
if [ -z "$name" ] || [ ! -f "bench/$name/main.ts" ]; then
  echo "usage: npm run bench -- NAME, where NAME is one of:" >&2
  for d in bench/*/main.ts; do echo "  $(basename "$(dirname "$d")")" >&2; done
  exit 2
fi
shift
# The browser benchmark needs Chromium, which setup installs only when asked.
if [ "$name" = graph-render ]; then bash scripts/setup.sh --e2e; else bash scripts/setup.sh; fi
. scripts/env.sh
exec npx tsx "bench/$name/main.ts" "$@"
