#!/usr/bin/env bash
# Chromium for the HTML report's browser test (reports/render/html.browser.test.ts), from Debian's
# `chromium` package. Idempotent: does nothing when the browser is already there.
#
#   scripts/install-chromium.sh   # as root, or as a user with password-less sudo
#
# BERTH_CHROMIUM names another executable to check for (the test uses it too).
set -euo pipefail
CHROMIUM=${BERTH_CHROMIUM:-/usr/bin/chromium}

log() { echo "install-chromium: $*" >&2; }

if [ -x "$CHROMIUM" ]; then
  log "found $CHROMIUM"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root() { sudo -n "$@"; }
else
  log "$CHROMIUM is missing and installing it needs root (or password-less sudo)"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "$CHROMIUM is missing and there is no apt-get: install Chromium and set BERTH_CHROMIUM"
  exit 1
fi

log "installing chromium from Debian"
# A fresh machine may have no package lists yet: update only when the first try fails.
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x "$CHROMIUM" ]; then
  log "apt-get installed chromium but $CHROMIUM is still missing"
  exit 1
fi
log "installed $CHROMIUM"
