#!/usr/bin/env bash
# Installs the system packages the test suite uses as real parts: a Prometheus
# server and promtool (Debian's prometheus package), and a Bitcoin-family node
# (Debian's litecoind, whose JSON-RPC is Bitcoin Core's). Idempotent; needs root or sudo.
set -euo pipefail
have_all() {
    command -v prometheus >/dev/null && command -v promtool >/dev/null &&
        command -v litecoind >/dev/null
}
if have_all; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus litecoind >/dev/null
have_all
