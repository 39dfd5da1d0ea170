#!/usr/bin/env bash
# Start the local PostgreSQL server the store tests use (127.0.0.1:5432, database `test`)
# if it is not answering. Debian's cluster tools; does nothing when it is already up.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && exit 0
  sleep 1
done
echo "PostgreSQL 没有在 127.0.0.1:5432 启动：年报库的测试需要它（见 README“开发”一节）" >&2
exit 1
