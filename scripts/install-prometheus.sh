#!/bin/sh
# Installs Prometheus (`prometheus` and `promtool`) from the Debian package when either is
# missing, for test/prometheus/ and for checking deploy/prometheus/. Idempotent: when both are
# on the PATH it exits 0 at once and prints nothing. The packaged service is not started
# (policy-rc.d), so no Prometheus is left running by the install.
#
#   scripts/install-prometheus.sh         # as root (CI), or with passwordless sudo
set -eu

have() { command -v "$1" >/dev/null 2>&1; }

if have prometheus && have promtool; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=''
elif have sudo && sudo -n true 2>/dev/null; then
  as_root='sudo -n'
else
  echo "install-prometheus: prometheus/promtool are missing and this user cannot install packages;" >&2
  echo "  run as root: apt-get update && apt-get install -y --no-install-recommends prometheus" >&2
  exit 1
fi

if ! have apt-get; then
  echo "install-prometheus: no apt-get here; install Prometheus 2.x so that prometheus and promtool are on the PATH" >&2
  exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/install-prometheus.XXXXXX")
policy=/usr/sbin/policy-rc.d
added_policy=''
cleanup() {
  if [ -n "$added_policy" ]; then $as_root rm -f "$policy"; fi
  rm -f "$log"
}
trap cleanup EXIT INT TERM

# Keep the package's service from starting: the tests start their own Prometheus.
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $as_root tee "$policy" >/dev/null
  $as_root chmod 755 "$policy"
  added_policy=1
fi

echo "install-prometheus: installing the Debian package prometheus" >&2
if ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
   ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >>"$log" 2>&1; then
  echo "install-prometheus: apt-get failed:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi

if ! have prometheus || ! have promtool; then
  echo "install-prometheus: the package installed, but prometheus or promtool is not on the PATH ($PATH)" >&2
  exit 1
fi
echo "install-prometheus: $(prometheus --version 2>&1 | head -n 1)" >&2
