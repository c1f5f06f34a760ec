#!/usr/bin/env bash
# The README's demo command: sets everything up and brings up Postgres, Redis, the API and the
# console with a seeded demo organization, then prints the URL and the demo login. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
bash scripts/setup.sh
. scripts/env.sh
. infra/dev/lib.sh

for port in "$API_PORT" "$CONSOLE_PORT"; do
  if port_answers 127.0.0.1 "$port"; then
    echo "demo: port $port is in use (is the demo already running?). Stop it, or set API_PORT / CONSOLE_PORT." >&2
    exit 1
  fi
done

echo "demo: seeding the demo organization..." >&2
npx tsx scripts/seed-demo.ts
npx tsx scripts/console-build.ts

mkdir -p var/log
pids=()
stop_all() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

# The API serves requests; the workers (compiles, telemetry rollups and graph recordings) run in a
# process of their own, so the telemetry job's CPU bursts never hold up a request.
RUN_WORKERS=false node --import tsx apps/api/src/main.ts >var/log/api.log 2>&1 &
pids+=($!)
node --import tsx apps/api/src/worker.ts >var/log/worker.log 2>&1 &
pids+=($!)
(cd apps/console && exec node ../../node_modules/next/dist/bin/next start --port "$CONSOLE_PORT" --hostname 127.0.0.1) \
  >var/log/console.log 2>&1 &
pids+=($!)

wait_for() {
  local url=$1 log=$2
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "demo: a process exited; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    done
    sleep 0.2
  done
  echo "demo: $url did not answer; see $log" >&2
  exit 1
}
wait_for "$API_URL/readyz" var/log/api.log
# Three simulated clusters with their agents, connected to the demo organization.
node --import tsx scripts/demo-clusters.ts >var/log/clusters.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$CONSOLE_PORT/signin" var/log/console.log

cat <<MSG

  Switchyard is running at $PUBLIC_URL   (ready in $((SECONDS - started)) s)
  Sign in as  demo@switchyard.dev  /  switchyard-demo
  Three simulated clusters (prod-us-east, prod-eu-west, staging-us-east) are connected.
  Logs: var/log/api.log, var/log/worker.log, var/log/console.log, var/log/clusters.log. Ctrl-C stops it.

MSG
wait
