#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright; install it when it is missing
# (Playwright's own browser download cannot reach its host from our machines).
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"
[ -x /usr/bin/chromium ] && exit 0
echo "switchyard: installing Chromium from Debian's packages (for the browser tests)..." >&2
apt_install chromium
