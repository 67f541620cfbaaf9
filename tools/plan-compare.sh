#!/usr/bin/env bash
# Plans of every stack and every example, written as a user writes them, to compare before and after
# a change that must not alter any plan (a refactoring, a speed-up):
#
#   bash tools/plan-compare.sh write DIR        # npm run plan -- --stack S --json DIR/S.json (and its
#                                               # printed tree DIR/S.txt) for every Pulumi.<S>.yaml, and
#                                               # --config-file examples/E.yaml for every example
#   bash tools/plan-compare.sh diff DIR         # writes them again to a temporary directory and diffs
#                                               # byte for byte against DIR: exit 0 identical, 1 not
#
# Typical use: `write /tmp/before` on the commit before the change, `diff /tmp/before` after it.
set -euo pipefail
cd "$(dirname "$0")/.."

write() {
  local dir=$1
  mkdir -p "$dir"
  for file in Pulumi.*.yaml; do
    local stack=${file#Pulumi.}; stack=${stack%.yaml}
    npm run --silent plan -- --stack "$stack" --json "$dir/$stack.json" | grep -v '^Plan written to ' >"$dir/$stack.txt"
  done
  for file in examples/*.yaml; do
    local name; name=example-$(basename "$file" .yaml)
    npm run --silent plan -- --stack production --config-file "$file" --json "$dir/$name.json" | grep -v '^Plan written to ' >"$dir/$name.txt"
  done
}

case "${1:-}" in
  write) [[ $# -eq 2 ]] || { echo "usage: $0 write DIR" >&2; exit 2; }; write "$2" ;;
  diff)
    [[ $# -eq 2 && -d $2 ]] || { echo "usage: $0 diff DIR (written by: $0 write DIR)" >&2; exit 2; }
    after=$(mktemp -d); trap 'rm -rf "$after"' EXIT
    write "$after"
    if diff -r "$2" "$after" >/dev/null; then echo "plans identical: $(find "$2" -type f | wc -l) files"; else diff -r "$2" "$after" | head -50; echo "plans differ" >&2; exit 1; fi
    ;;
  *) echo "usage: $0 write DIR | diff DIR" >&2; exit 2 ;;
esac
