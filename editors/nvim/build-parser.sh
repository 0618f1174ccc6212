#!/usr/bin/env bash
# Builds our tree-sitter grammar for Neovim as the language `dockls_dockerfile`:
#   editors/nvim/parser/dockls_dockerfile.so
#   editors/nvim/queries/dockls_dockerfile/{highlights,injections}.scm (the grammar's queries)
# A name of its own, so that nvim-treesitter's `dockerfile` queries (written for another
# grammar, with other node types) are never applied to it and ours never to theirs. Needs a C
# compiler (cc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../grammar/src"
mkdir -p "$here/parser"
# The grammar exports `tree_sitter_dockerfile`; Neovim looks for `tree_sitter_<language>`.
${CC:-cc} -O2 -shared -fPIC -std=c11 -I "$src" -Dtree_sitter_dockerfile=tree_sitter_dockls_dockerfile \
  "$src/parser.c" "$src/scanner.c" -o "$here/parser/dockls_dockerfile.so"
mkdir -p "$here/queries/dockls_dockerfile"
cp "$src/../queries/highlights.scm" "$src/../queries/injections.scm" "$here/queries/dockls_dockerfile/"
echo "built $here/parser/dockls_dockerfile.so and queries/dockls_dockerfile/"
