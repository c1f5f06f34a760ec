#!/usr/bin/env bash
# The telemetry integration tests run a real Prometheus (Debian's `prometheus`, 2.42) that they
# start and stop themselves (scripts/testing/prometheus-server.ts). Install the binary when it is
# missing, without starting the packaged system service (its postinst would start one on :9090):
# a temporary policy-rc.d refuses service starts during the install, and the unit is disabled.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

command -v prometheus >/dev/null && exit 0

install_cmd=(apt-get install -y -qq --no-install-recommends prometheus)
if ! is_root && ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
  echo "switchyard: prometheus is not installed and this user cannot install it. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus" >&2
  echo "  (then: sudo systemctl disable --now prometheus, if your machine started it)" >&2
  exit 1
fi

echo "switchyard: installing Prometheus from Debian's packages (for the telemetry tests)..." >&2
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  # 101 = "action forbidden": invoke-rc.d / deb-systemd-invoke then start nothing.
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
  own_policy=true
fi
cleanup() { if $own_policy; then as_root rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! as_root env DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}" >/dev/null 2>&1; then
  as_root apt-get update -qq >/dev/null 2>&1 || true
  as_root env DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}" >/dev/null
fi
# Keep it from starting at the next boot too; the tests run their own process.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
command -v prometheus >/dev/null || { echo "switchyard: prometheus still not found after install" >&2; exit 1; }
