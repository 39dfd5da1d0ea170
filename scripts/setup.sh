#!/usr/bin/env bash
# Set up nianbao for development and use: a virtualenv in .venv with every dependency.
# Idempotent: safe to run again after pulling changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "需要 Python 3.11 或更高版本 (python3.11 not found)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>/dev/null || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
# The end-to-end tests of the web application drive Debian's chromium through Playwright's
# Python API (executable_path=/usr/bin/chromium); Playwright never downloads a browser here.
# fonts-noto-cjk lets screenshots show Chinese text.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${NIANBAO_SKIP_BROWSER:-}" ]; then
  SUDO=""
  [ "$(id -u)" = "0" ] || SUDO="sudo -n"
  if command -v apt-get >/dev/null 2>&1; then
    echo "安装 Debian 的 chromium（网页应用的端到端测试需要）…"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends chromium fonts-noto-cjk >/dev/null \
      || echo "警告：无法安装 chromium；端到端测试将失败。请手动运行 apt-get install chromium" >&2
  else
    echo "警告：没有 apt-get，无法安装 chromium；端到端测试需要 /usr/bin/chromium" >&2
  fi
fi
echo "nianbao 已安装到 .venv（运行 .venv/bin/nianbao --help 查看用法）"
