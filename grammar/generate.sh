#!/usr/bin/env bash
# Regenerates src/parser.c, src/grammar.json and src/node-types.json from grammar.js.
# Installs tree-sitter-cli from crates.io when it is missing; `--js-runtime native` needs no Node.
set -euo pipefail
cd "$(dirname "$0")"
want=0.27.1
if ! command -v tree-sitter >/dev/null || [[ "$(tree-sitter --version)" != *"$want"* ]]; then
  cargo install tree-sitter-cli --locked --version "$want"
fi
tree-sitter generate --js-runtime native
echo "generated src/parser.c with $(tree-sitter --version)"
