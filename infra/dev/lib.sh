# Shared by the infra/dev scripts: a quiet TCP probe and privilege helpers.

# port_answers HOST PORT: true when something accepts TCP connections there.
port_answers() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

is_root() { [ "$(id -u)" = 0 ]; }

# apt_install PKG...: installs Debian packages when we may, else says exactly what to run.
apt_install() {
  if is_root; then
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq "$@" >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      apt-get install -y -qq "$@" >/dev/null || return 1
    fi
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "switchyard: $* is not installed and this user cannot install it. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $*" >&2
    return 1
  fi
}

as_root() {
  if is_root; then "$@"; else sudo -n "$@"; fi
}

# url_host_port URL DEFAULT_PORT: prints "host port" of a postgres:// or redis:// URL.
url_host_port() {
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%/*}
  rest=${rest%%\?*}
  local host=${rest%%:*}
  local port=$2
  [ "$rest" != "$host" ] && port=${rest#*:}
  echo "${host:-127.0.0.1} $port"
}
