#!/usr/bin/env bash
# Builds the S3 endpoint of the backup benchmark (npm run bench:backup) from the Go module proxy:
# gofakes3 at the version below, its in-memory backend answering a ranged GET with that range alone
# (backend/s3mem/bucket.go, toObject: a slice of the stored bytes). moto, the tests' endpoint, reads
# the whole object for each one (moto 5.2.1, s3/responses.py, _handle_range_header): a multipart
# download of a dump costs it seconds that no real S3 spends. The binary goes to a cache folder
# outside the repository and is reused when present. Prints the binary's path on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GOFAKES3_VERSION=v1.2.0

cache=${XDG_CACHE_HOME:-$HOME/.cache}/mcp-platform/s3-endpoint
bin="$cache/bin"
mkdir -p "$bin" "$cache/src"
log() { printf 's3 endpoint build: %s\n' "$*" >&2; }
# shellcheck source-path=SCRIPTDIR source=go-build.sh
. "$here/go-build.sh" # built, wrapper, go_build

command -v go > /dev/null || { log "go is missing: it builds gofakes3 from the Go module proxy (or run the benchmark with BENCH_S3=moto)"; exit 1; }
if ! built gofakes3 "$GOFAKES3_VERSION"; then
  wrapper "$cache/src/gofakes3" github.com/johannesboyne/gofakes3 "$GOFAKES3_VERSION"
  go_build gofakes3 "$GOFAKES3_VERSION" "$cache/src/gofakes3" "" github.com/johannesboyne/gofakes3/cmd/gofakes3
fi
echo "$bin/gofakes3"
