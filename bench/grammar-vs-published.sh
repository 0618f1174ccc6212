#!/usr/bin/env bash
# Full-parse speed of our grammar vs the published tree-sitter-dockerfile 0.2.0 (crates.io,
# tree-sitter 0.20), measured in the same run, same timer program, same files: generated 40 /
# 5,000 / 50,000-line Dockerfiles and the corpus (when ../shared/corpus exists).
# The published crate is built in bench/.peers/ (gitignored); nothing of it is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
peers=$root/bench/.peers
runs=${RUNS:-7}
mkdir -p "$peers/files" bench/results
cargo build --release -q -p dockls-tests --bin gen-dockerfile
for n in 40 5000 50000; do ./target/release/gen-dockerfile $n > "$peers/files/synth-$n.Dockerfile"; done
inputs=("$peers/files/synth-40.Dockerfile" "$peers/files/synth-5000.Dockerfile" "$peers/files/synth-50000.Dockerfile")
[ -d "$root/../shared/corpus" ] && inputs+=("$(cd "$root/../shared/corpus" && pwd)")

make_project() { # dir, deps
  mkdir -p "$1/src"
  cp bench/grammar-timer/main.rs "$1/src/main.rs"
  printf '[package]\nname = "timer"\nversion = "0.0.0"\nedition = "2021"\n[workspace]\n[dependencies]\n%s\n[profile.release]\nopt-level = 3\n' "$2" > "$1/Cargo.toml"
}
make_project "$peers/timer-ours" "tree-sitter = \"0.27\"
tree-sitter-dockerfile = { path = \"$root/grammar\" }"
printf '\nfn setup(p: &mut tree_sitter::Parser) { p.set_language(&tree_sitter_dockerfile::LANGUAGE.into()).unwrap(); }\n' >> "$peers/timer-ours/src/main.rs"
make_project "$peers/timer-published" 'tree-sitter = "0.20"
tree-sitter-dockerfile = "=0.2.0"'
printf '\nfn setup(p: &mut tree_sitter::Parser) { p.set_language(tree_sitter_dockerfile::language()).unwrap(); }\n' >> "$peers/timer-published/src/main.rs"
(cd "$peers/timer-ours" && cargo build --release -q)
(cd "$peers/timer-published" && cargo build --release -q)

out=bench/results/grammar-vs-published.md
{
  echo "| input | bytes | ours ms | ours MB/s | ours files w/ errors | published ms | published MB/s | published files w/ errors | speed ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  paste <("$peers/timer-ours/target/release/timer" "$runs" "${inputs[@]}") <("$peers/timer-published/target/release/timer" "$runs" "${inputs[@]}") |
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.2f× |\n", $1, $2, $3, $4, $5, $8, $9, $10, ($9 > 0 ? $4 / $9 : 0) }'
} | tee "$out"
