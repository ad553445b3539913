#!/bin/sh
# Install Debian's chromium for the end-to-end browser tests (tests/web/test_e2e.py).
# Idempotent: does nothing when /usr/bin/chromium exists. Never downloads a browser through
# Playwright; the tests drive this system chromium with executable_path="/usr/bin/chromium".
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing and this script must run as root to install it (apt-get)." >&2
    echo "Run: sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
