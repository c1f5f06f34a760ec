#!/usr/bin/env bash
# Builds the console for `next start` when its sources changed since the last build (a build takes
# a minute or two on 2 cores, so the demo and the e2e tests reuse an up-to-date one).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=apps/console/.next/.switchyard-sources
sources=$(git ls-files -co --exclude-standard apps/console packages/ui apps/api/src/router apps/api/src/trpc |
  grep -v '^apps/console/.next/' | xargs sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -f apps/console/.next/BUILD_ID ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sources" ]; then
  exit 0
fi
echo "building the console (next build)..." >&2
(cd apps/console && npx next build >/tmp/switchyard-console-build.log 2>&1) || {
  tail -40 /tmp/switchyard-console-build.log >&2
  exit 1
}
echo "$sources" >"$stamp"
