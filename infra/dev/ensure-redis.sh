#!/usr/bin/env bash
# Makes Redis available at REDIS_URL: use the server there if it answers; else start the installed
# one (with an append-only file under var/redis, so queued jobs survive a restart); else install
# Debian's redis-server first. Idempotent and silent when all is well.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

url=${REDIS_URL:-redis://127.0.0.1:6379}
read -r host port < <(url_host_port "$url" 6379)
port_answers "$host" "$port" && exit 0

case "$host" in
  127.0.0.1 | localhost | ::1) ;;
  *) echo "switchyard: Redis at $host:$port does not answer (REDIS_URL); it is not local, so it is not started here." >&2; exit 1 ;;
esac

if ! command -v redis-server >/dev/null; then
  echo "switchyard: installing Redis from Debian's packages..." >&2
  apt_install redis-server
fi

data=$(cd "$here/../.." && pwd)/var/redis
mkdir -p "$data"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$data" --appendonly yes \
  --save "" --logfile "$data/redis.log" >/dev/null

for _ in $(seq 1 50); do
  port_answers "$host" "$port" && exit 0
  sleep 0.2
done
echo "switchyard: Redis did not start; see $data/redis.log" >&2
exit 1
