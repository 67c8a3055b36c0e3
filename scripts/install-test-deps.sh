#!/usr/bin/env bash
# Installs the system packages the test suite uses as real parts: a Prometheus
# server and promtool (Debian's prometheus package), a Bitcoin-family node
# (Debian's litecoind, whose JSON-RPC is Bitcoin Core's), and the browser the
# page's tests drive (Debian's chromium: Playwright is told to use it and never
# downloads one) with a small CJK font so Chinese pages render in screenshots.
# Idempotent; needs root or sudo.
set -euo pipefail
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
have_all() {
    command -v prometheus >/dev/null && command -v promtool >/dev/null &&
        command -v litecoind >/dev/null && [ -x /usr/bin/chromium ] && installed fonts-wqy-microhei
}
if have_all; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus litecoind chromium fonts-wqy-microhei >/dev/null
have_all
