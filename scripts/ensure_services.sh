#!/usr/bin/env bash
# Makes sure what the tests need is there: PostgreSQL and Redis answering on 127.0.0.1,
# Debian's Chromium for the browser tests. Starts stopped services with the commands of
# DESIGN.md; installs missing packages through apt when running as root.
set -euo pipefail

apt_updated=""
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_services: $* missing and not root; install it: apt-get install -y $*" >&2
    return 1
  fi
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done
  echo "ensure_services: nothing answers on 127.0.0.1:$1" >&2
  return 1
}

# PostgreSQL
if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then apt_install postgresql; fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_port 5432
fi

# Redis
if ! port_open 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379
fi

# Chromium for Playwright (never Playwright's own browser download: it cannot work here).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || echo "ensure_services: no Chromium; browser tests will fail" >&2
fi
echo "services: PostgreSQL and Redis answer on 127.0.0.1; Chromium at /usr/bin/chromium"
