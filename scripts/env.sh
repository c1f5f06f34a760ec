# Defaults for local runs (demo, tests, benchmarks); anything already set in the environment wins.
# Apps validate these in their own env.ts.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/switchyard}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export API_PORT=${API_PORT:-4000}
export CONSOLE_PORT=${CONSOLE_PORT:-3000}
export API_URL=${API_URL:-http://127.0.0.1:$API_PORT}
export PUBLIC_URL=${PUBLIC_URL:-http://localhost:$CONSOLE_PORT}
export NEXTAUTH_URL=${NEXTAUTH_URL:-$PUBLIC_URL}
export NEXT_TELEMETRY_DISABLED=1
if [ -z "${AUTH_SECRET:-}" ]; then
  # One random secret per checkout, shared by console (signs sessions) and API (reads them).
  mkdir -p "$repo/var"
  [ -s "$repo/var/auth-secret" ] || head -c 32 /dev/urandom | base64 >"$repo/var/auth-secret"
  AUTH_SECRET=$(cat "$repo/var/auth-secret")
  export AUTH_SECRET
fi
