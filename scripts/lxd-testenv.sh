#!/usr/bin/env bash
# lxd-testenv.sh: a private, loopback-only LXD daemon for uivmm's tests.
#
# Usage: scripts/lxd-testenv.sh up|down|env
#   up    install Debian's lxd when missing, start (or reuse) the private daemon,
#         configure it, import the busybox image, write the env file and print it
#   down  stop the daemon (lxd shutdown, then its pid) and remove all its state
#   env   print the env file of a running daemon (exit 1 if none is running)
#
# stdout carries only the `export ...` line, so `eval "$(scripts/lxd-testenv.sh up)"`
# works; progress and errors go to stderr.
#
# Settings (environment):
#   UIVMM_LXD_ROOT      state directory            (default /tmp/uivmm-lxd)
#   UIVMM_LXD_PORT      HTTPS port on 127.0.0.1    (default 18443)
#   UIVMM_LXD_BRIDGE    bridge name, no addresses  (default uivmmbr0)
#   UIVMM_LXD_PASSWORD  trust password             (default: random, kept in $ROOT/password)
#
# Exported to tests: UIVMM_TEST_LXD_DIR (the daemon's LXD_DIR, holds unix.socket),
# UIVMM_TEST_LXD_ADDR, UIVMM_TEST_LXD_PASSWORD, UIVMM_TEST_LXD_IMAGE (alias),
# UIVMM_TEST_LXD_FILES (image files: meta.tar.gz, rootfs.tar.gz, lxd.tar.xz,
# rootfs.squashfs, manifest.env), UIVMM_TEST_LXD_BRIDGE, UIVMM_TEST_LXD_POOL.
#
# Network rule: the daemon listens on loopback only and the bridge never gets
# an address or a subnet.
set -euo pipefail

ROOT=$(realpath -m "${UIVMM_LXD_ROOT:-/tmp/uivmm-lxd}")
PORT=${UIVMM_LXD_PORT:-18443}
BRIDGE=${UIVMM_LXD_BRIDGE:-uivmmbr0}
IMAGE_ALIAS=busybox
POOL=default

export LXD_DIR="$ROOT/daemon"
export LXD_CONF="$ROOT/lxc-conf"
LOG="$ROOT/lxd.log"
PIDFILE="$ROOT/lxd.pid"
FILES="$ROOT/files"
ENVFILE="$ROOT/env"

log() { printf 'lxd-testenv: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

show_log_tail() {
  if [ -f "$LOG" ]; then
    log "last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
  fi
}

# install_packages installs what the test daemon needs, only when missing.
install_packages() {
  local missing=()
  command -v lxd >/dev/null 2>&1 && command -v lxc >/dev/null 2>&1 || missing+=(lxd)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v mksquashfs >/dev/null 2>&1 || missing+=(squashfs-tools)
  command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}) and not root to install them"
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# daemon_pid prints the pid of our daemon: the lxd process started with our log file.
daemon_pid() {
  local pid
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    if [ -n "$pid" ] && is_our_daemon "$pid"; then echo "$pid"; return 0; fi
  fi
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    if is_our_daemon "$pid"; then echo "$pid"; return 0; fi
  done
  return 1
}

is_our_daemon() {
  local pid=$1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = lxd ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--logfile=$LOG"
}

responsive() { timeout 10 lxc query /1.0 >/dev/null 2>&1; }

start_daemon() {
  local pid
  if pid=$(daemon_pid); then
    if lxd waitready --timeout=30 >/dev/null 2>&1 && responsive; then
      echo "$pid" >"$PIDFILE"
      log "reusing running daemon (pid $pid)"
      return 0
    fi
    log "daemon pid $pid is not answering; stopping it"
    stop_pid "$pid"
  fi
  mkdir -p "$LXD_DIR" "$LXD_CONF"
  chmod 0711 "$ROOT" "$LXD_DIR"
  log "starting lxd (LXD_DIR=$LXD_DIR, log $LOG)"
  # The proxy points at a closed loopback port: LXD's background fetches (such as
  # instance types from images.lxd.canonical.com) must never leave the machine.
  # Loopback addresses are never proxied. Fd 9 (our lock) must not leak into the daemon.
  HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost,::1 \
    setsid lxd --logfile="$LOG" </dev/null >>"$ROOT/lxd.out" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"
  if ! wait_ready "$pid"; then
    show_log_tail
    [ -s "$ROOT/lxd.out" ] && tail -n 20 "$ROOT/lxd.out" >&2
    stop_pid "$pid"
    exit 1
  fi
  log "lxd is ready (pid $pid)"
}

# wait_ready waits up to 60 s for the daemon, giving up early if it exits.
wait_ready() {
  local pid=$1 i
  for i in $(seq 1 30); do
    lxd waitready --timeout=2 >/dev/null 2>&1 && return 0
    if ! alive "$pid"; then
      log "lxd exited during start-up"
      return 1
    fi
  done
  log "lxd did not become ready within 60 s"
  return 1
}

# alive: the process exists and is not a zombie.
alive() {
  local state
  state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# stop_pid stops one process by pid: TERM, then KILL after 30 s.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 60); do
    alive "$pid" || return 0
    sleep 0.5
  done
  log "pid $pid ignored TERM; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

configure_daemon() {
  lxc storage show "$POOL" >/dev/null 2>&1 || lxc storage create "$POOL" dir >&2
  lxc profile device show default 2>/dev/null | grep -q '^root:' ||
    lxc profile device add default root disk path=/ pool="$POOL" >&2
  ensure_bridge
  lxc config set core.https_address "127.0.0.1:$PORT" >&2 ||
    { show_log_tail; die "cannot listen on 127.0.0.1:$PORT"; }
  lxc config set core.trust_password "$PASSWORD" >&2
}

# ensure_bridge makes the address-less bridge exist, in LXD and in the kernel.
ensure_bridge() {
  if lxc network show "$BRIDGE" >/dev/null 2>&1; then
    ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
    log "bridge $BRIDGE is gone from the kernel; recreating it"
    lxc network delete "$BRIDGE" >&2 || die "cannot recreate $BRIDGE (is it in use?)"
  elif ip link show "$BRIDGE" >/dev/null 2>&1; then
    # Left over by an earlier daemon of ours; remove it only if nothing uses it.
    [ -d "/sys/class/net/$BRIDGE/brif" ] && [ -z "$(ls "/sys/class/net/$BRIDGE/brif")" ] ||
      die "interface $BRIDGE exists and is not an unused bridge; set UIVMM_LXD_BRIDGE"
    ip link delete "$BRIDGE"
  fi
  lxc network create "$BRIDGE" ipv4.address=none ipv6.address=none >&2
  echo "$BRIDGE" >"$ROOT/bridge"
}

# build_image builds the busybox image files once: split tarballs for lxc image
# import, and lxd.tar.xz + rootfs.squashfs for simplestreams tests.
build_image() {
  [ -f "$FILES/manifest.env" ] && return 0
  local tmp arch version now
  tmp=$(mktemp -d "$ROOT/build.XXXXXX")
  arch=$(uname -m)
  version=$(busybox 2>/dev/null | sed -n '1s/^BusyBox v\([0-9.]*\).*/\1/p')
  now=$(date +%s)
  mkdir -p "$tmp"/rootfs/{bin,sbin,etc,proc,sys,dev,tmp,root,run,var}
  cp /bin/busybox "$tmp/rootfs/bin/busybox"
  ln -s busybox "$tmp/rootfs/bin/sh"
  ln -s busybox "$tmp/rootfs/bin/init"
  ln -s ../bin/busybox "$tmp/rootfs/sbin/init"
  cat >"$tmp/metadata.yaml" <<EOF
architecture: $arch
creation_date: $now
properties:
  description: busybox ${version:-static} $arch
  os: busybox
  release: "${version:-1}"
  version: "${version:-1}"
EOF
  tar -C "$tmp" -czf "$tmp/meta.tar.gz" metadata.yaml
  tar -C "$tmp/rootfs" -czf "$tmp/rootfs.tar.gz" .
  tar -C "$tmp" -cJf "$tmp/lxd.tar.xz" metadata.yaml
  mksquashfs "$tmp/rootfs" "$tmp/rootfs.squashfs" -noappend -comp xz -all-root -quiet -no-progress >&2
  mkdir -p "$FILES"
  mv "$tmp"/{metadata.yaml,meta.tar.gz,rootfs.tar.gz,lxd.tar.xz,rootfs.squashfs} "$FILES/"
  rm -rf "$tmp"
  write_manifest "$version"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

write_manifest() {
  local f=$FILES
  {
    echo "BUSYBOX_VERSION=${1:-}"
    for n in meta.tar.gz rootfs.tar.gz lxd.tar.xz rootfs.squashfs; do
      k=$(echo "$n" | tr 'a-z.' 'A-Z_')
      echo "${k}_SHA256=$(sha "$f/$n")"
      echo "${k}_SIZE=$(stat -c %s "$f/$n")"
    done
    echo "SPLIT_FINGERPRINT=$(cat "$f/meta.tar.gz" "$f/rootfs.tar.gz" | sha256sum | cut -d' ' -f1)"
    echo "SQUASHFS_FINGERPRINT=$(cat "$f/lxd.tar.xz" "$f/rootfs.squashfs" | sha256sum | cut -d' ' -f1)"
  } >"$f/manifest.env.tmp"
  mv "$f/manifest.env.tmp" "$f/manifest.env"
}

import_image() {
  lxc image alias list --format csv 2>/dev/null | grep -q "^$IMAGE_ALIAS," && return 0
  log "importing the busybox image as '$IMAGE_ALIAS'"
  lxc image import "$FILES/meta.tar.gz" "$FILES/rootfs.tar.gz" --alias "$IMAGE_ALIAS" >&2
}

write_env() {
  cat >"$ENVFILE.tmp" <<EOF
export UIVMM_TEST_LXD_DIR=$LXD_DIR UIVMM_TEST_LXD_ADDR=127.0.0.1:$PORT UIVMM_TEST_LXD_PASSWORD=$PASSWORD UIVMM_TEST_LXD_IMAGE=$IMAGE_ALIAS UIVMM_TEST_LXD_FILES=$FILES UIVMM_TEST_LXD_BRIDGE=$BRIDGE UIVMM_TEST_LXD_POOL=$POOL
EOF
  chmod 0600 "$ENVFILE.tmp"
  mv "$ENVFILE.tmp" "$ENVFILE"
}

load_password() {
  if [ -n "${UIVMM_LXD_PASSWORD:-}" ]; then
    PASSWORD=$UIVMM_LXD_PASSWORD
  elif [ -s "$ROOT/password" ]; then
    PASSWORD=$(cat "$ROOT/password")
  else
    PASSWORD=$(head -c 15 /dev/urandom | base64 | tr '/+' 'xy')
  fi
  (umask 077; printf '%s' "$PASSWORD" >"$ROOT/password")
}

cmd_up() {
  install_packages
  mkdir -p "$ROOT"
  load_password
  start_daemon
  configure_daemon
  build_image
  import_image
  write_env
  log "ready on 127.0.0.1:$PORT"
  cat "$ENVFILE"
}

cmd_down() {
  local pid
  if pid=$(daemon_pid); then
    if responsive; then
      # busybox init ignores SIGPWR, so stop instances by force before shutdown.
      for c in $(lxc list --format csv -c n 2>/dev/null); do
        lxc delete --force "$c" >&2 || true
      done
      lxc network delete "$BRIDGE" >/dev/null 2>&1 || true
      timeout 90 lxd shutdown --timeout=60 >&2 || log "lxd shutdown failed; stopping pid $pid"
    fi
    stop_pid "$pid"
    log "stopped lxd (pid $pid)"
  fi
  # Only a bridge this root made, which the daemon left behind (a crash).
  if [ "$(cat "$ROOT/bridge" 2>/dev/null)" = "$BRIDGE" ] && ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link delete "$BRIDGE" || true
  fi
  if [ -d "$ROOT" ]; then
    # Unmount anything the daemon left (shmounts, devlxd, ...) before deleting.
    { findmnt -rn -o TARGET | grep -F "$ROOT/" || true; } | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$ROOT"
  fi
  log "removed $ROOT"
}

cmd_env() {
  daemon_pid >/dev/null && [ -f "$ENVFILE" ] || die "no test daemon is running; run: $0 up"
  cat "$ENVFILE"
}

main() {
  local cmd=${1:-}
  case "$cmd" in
    up|down|env) ;;
    *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
  esac
  mkdir -p "$(dirname "$ROOT")"
  cd / # the daemon keeps our working directory; do not pin the caller's
  # One caller at a time: make test and make lxd-up may run together.
  exec 9>"$ROOT.lock"
  flock -w 300 9 || die "another lxd-testenv.sh holds $ROOT.lock"
  "cmd_$cmd"
}

main "$@"
