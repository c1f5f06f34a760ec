#!/usr/bin/env bash
# Everything the demo, the tests and the benchmarks need, from a fresh clone: dependencies,
# Postgres and Redis, the Prisma client, migrations. `--e2e` also makes sure Chromium is there.
# Idempotent; quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

with_e2e=false
for arg in "$@"; do
  case "$arg" in
    --e2e) with_e2e=true ;;
    --quiet) ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { echo "setup: $*" >&2; }

# Dependencies: install when missing or when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm dependencies..."
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

bash infra/dev/ensure-postgres.sh
bash infra/dev/ensure-redis.sh
bash infra/dev/ensure-prometheus.sh
$with_e2e && bash infra/dev/ensure-chromium.sh

# The Prisma client is generated code: regenerate when the schema changed.
stamp=packages/db/src/generated/.schema-sha
sha=$(sha256sum prisma/schema.prisma | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sha" ]; then
  step "generating the Prisma client..."
  npx tsx packages/db/src/generate.ts
  echo "$sha" >"$stamp"
fi

npx tsx packages/db/src/migrate-cli.ts deploy >&2
