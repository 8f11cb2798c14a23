#!/usr/bin/env bash
# The first half of the README's test line, and CI's (.ci/run): make this machine able to run the
# suite; `npm test` then runs it.
#
#   bash scripts/test-machine.sh && npm test   install what the tests need (Debian packages, npm ci), run them
#   bash scripts/test-machine.sh --check       only say what is missing (exit 1 if anything is)
#
# The tests start real programs as private loopback instances: nginx, HAProxy, Apache httpd, Caddy,
# mitmproxy and tinyproxy (test/real-proxies, test/e2e/forward-proxy.test.ts), Prometheus and
# promtool (the exporter's tests), xmllint (the JUnit XSD check) and curl (the repro lines). As root
# with apt-get they are installed in one update and one install; otherwise the script names what is
# missing and the one command that installs it, and stops before a suite that would fail on them.
set -euo pipefail
cd "$(dirname "$0")/.."

# binary the tests run → the Debian package that provides it
declare -A PACKAGE=(
  [/usr/sbin/nginx]=nginx
  [/usr/sbin/haproxy]=haproxy
  [/usr/sbin/apache2]=apache2
  [/usr/bin/caddy]=caddy
  [/usr/bin/mitmdump]=mitmproxy
  [/usr/bin/tinyproxy]=tinyproxy
  [/usr/bin/prometheus]=prometheus
  [/usr/bin/promtool]=prometheus
  [/usr/bin/xmllint]=libxml2-utils
  [/usr/bin/curl]=curl
)

missing_packages() {
  local bin
  for bin in "${!PACKAGE[@]}"; do
    [ -x "$bin" ] || echo "${PACKAGE[$bin]}"
  done | sort -u
}

missing=$(missing_packages | tr '\n' ' ' | sed 's/ $//')
if [ -n "$missing" ] && [ "${1:-}" != "--check" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "test-machine: installing Debian packages: $missing"
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  missing=$(missing_packages | tr '\n' ' ' | sed 's/ $//')
fi

if [ -n "$missing" ]; then
  echo "test-machine: the tests start real programs this machine lacks: Debian packages $missing." >&2
  echo "test-machine: install them (as root): apt-get update && apt-get install -y --no-install-recommends $missing" >&2
  exit 1
fi
if [ "${1:-}" = "--check" ]; then
  echo "test-machine: every program the tests start is installed"
  exit 0
fi

npm ci --no-audit --no-fund
