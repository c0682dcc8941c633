#!/bin/sh
# Installs Debian's redis-server and redis-sentinel when they are missing, for the `sentinel`
# benchmark (npm run bench sentinel). Idempotent and quiet: does nothing when both are present.
# The packages' init scripts are kept from starting a system Redis (the benchmark starts its own
# on free loopback ports), and anything they started anyway is stopped again.
set -eu

missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v redis-sentinel >/dev/null 2>&1 || missing="$missing redis-sentinel"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis.sh: apt-get not found; install$missing with your package manager" >&2
  exit 1
fi

# policy-rc.d exit 101 = "action forbidden": invoke-rc.d then starts no service during the install.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  created_policy=1
fi
cleanup() {
  if [ -n "$created_policy" ]; then $SUDO rm -f "$policy"; fi
}
trap cleanup EXIT INT TERM

export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086 # the package names are meant to split
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

# With systemd the units may have been enabled and started regardless: stop them.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now redis-server redis-sentinel >/dev/null 2>&1 || true
fi

command -v redis-server >/dev/null 2>&1 && command -v redis-sentinel >/dev/null 2>&1
