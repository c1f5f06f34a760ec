#!/usr/bin/env bash
# Makes Postgres available at DATABASE_URL: use the server there if it answers; else start the
# installed one; else install Debian's postgresql and start it, bound to 127.0.0.1 with trust auth
# for local connections (a development server). Idempotent and silent when all is well.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

url=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/switchyard}
read -r host port < <(url_host_port "$url" 5432)
port_answers "$host" "$port" && exit 0

case "$host" in
  127.0.0.1 | localhost | ::1) ;;
  *) echo "switchyard: Postgres at $host:$port does not answer (DATABASE_URL); it is not local, so it is not started here." >&2; exit 1 ;;
esac

if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "switchyard: installing Postgres from Debian's packages..." >&2
  apt_install postgresql
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
conf=/etc/postgresql/$version/main
if [ ! -f "$conf/.switchyard" ]; then
  # A development server: loopback only, trust for local connections, on the port in DATABASE_URL.
  as_root sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/; s/^#\?port = .*/port = $port/" "$conf/postgresql.conf"
  as_root sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)(peer|md5|scram-sha-256)$/\1\2trust/' "$conf/pg_hba.conf"
  as_root touch "$conf/.switchyard"
fi
as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null ||
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart

for _ in $(seq 1 50); do
  port_answers "$host" "$port" && exit 0
  sleep 0.2
done
echo "switchyard: Postgres $version did not start; see /var/log/postgresql/postgresql-$version-main.log" >&2
exit 1
