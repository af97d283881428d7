#!/usr/bin/env bash
# A real Docker Engine (Debian's docker.io) on a private unix socket, for berth's real-daemon tier
# on machines that have none. Idempotent: a daemon that already answers is reused.
#
#   scripts/real-dockerd.sh start   # install if needed, start, import local/busybox:1, print DOCKER_HOST
#   scripts/real-dockerd.sh env     # print: export DOCKER_HOST=unix://...
#   scripts/real-dockerd.sh stop    # stop the daemon this script started
#
# The daemon uses the vfs storage driver with no bridge and no iptables (what works in a sandbox),
# so containers need --network none (or host). No registry is reachable: local/busybox:1 is built
# with `docker import` from Debian's busybox-static.
set -euo pipefail
SOCK=${BERTH_DOCKER_SOCK:-/tmp/berth-dockerd/docker.sock}
DIR=$(dirname "$SOCK")
export DOCKER_HOST="unix://$SOCK"

log() { echo "real-dockerd: $*" >&2; }
answers() { curl -sf --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }

install_packages() {
  if command -v dockerd >/dev/null && command -v docker >/dev/null && command -v busybox >/dev/null \
    && command -v curl >/dev/null; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "docker.io, busybox-static and curl are missing and installing them needs root"
    exit 1
  fi
  log "installing docker.io busybox-static curl from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io busybox-static curl >/dev/null
}

import_busybox() {
  docker image inspect local/busybox:1 >/dev/null 2>&1 && return
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for app in $("$root/bin/busybox" --list); do
    [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  tar -C "$root" -c . | docker import --change 'CMD ["sh"]' - local/busybox:1 >/dev/null
  rm -rf "$root"
  log "imported local/busybox:1"
}

start() {
  install_packages
  mkdir -p "$DIR"
  if ! answers; then
    log "starting dockerd on $SOCK (log: $DIR/dockerd.log)"
    setsid dockerd --host "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/exec" \
      --pidfile "$DIR/dockerd.pid" --storage-driver vfs --iptables=false --bridge=none \
      >"$DIR/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 120); do
      answers && break
      sleep 0.5
    done
    if ! answers; then
      log "dockerd did not answer within 60 s; last lines of $DIR/dockerd.log:"
      tail -20 "$DIR/dockerd.log" >&2
      exit 1
    fi
  fi
  import_busybox
  echo "export DOCKER_HOST=$DOCKER_HOST"
}

stop() {
  [ -f "$DIR/dockerd.pid" ] || return 0
  local pid
  pid=$(cat "$DIR/dockerd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  log "dockerd ($pid) did not stop within 10 s; killing it"
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-start}" in
  start) start ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|env|stop" >&2
    exit 2
    ;;
esac
