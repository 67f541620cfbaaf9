#!/usr/bin/env bash
# Building Go programs from the Go module proxy into a cache folder outside the repository, each
# binary recorded with its version so that a second run builds nothing. Sourced, not run, by
# tools/cluster/build.sh (the control plane) and tools/s3-endpoint.sh (the benchmark's S3
# endpoint); the caller sets bin (the binaries' folder) and defines log.
: "${bin:?the caller of go-build.sh sets bin}"
export GOFLAGS="${GOFLAGS:--buildvcs=false} -trimpath" GOTOOLCHAIN=local GOPROXY=${GOPROXY:-https://proxy.golang.org}

# built NAME VERSION: true when bin/NAME was built at VERSION.
built() { [ -x "$bin/$1" ] && [ "$(cat "$bin/$1.version" 2> /dev/null)" = "$2" ]; }

# wrapper DIR MODULE VERSION [REPLACE...]: a module in DIR that requires MODULE@VERSION, with
# "path=>path version" replacements, its go.sum resolved through the proxy.
wrapper() {
  local dir=$1 module=$2 version=$3
  shift 3
  rm -rf "$dir" && mkdir -p "$dir"
  {
    printf 'module mcp-platform.local/go-build\n\ngo 1.26.0\n\nrequire %s %s\n' "$module" "$version"
    if [ $# -gt 0 ]; then printf 'replace %s\n' "$@"; fi
  } > "$dir/go.mod"
}

# go_build NAME VERSION DIR LDFLAGS PACKAGE...: builds PACKAGE(s) of the wrapper in DIR into bin/.
go_build() {
  local name=$1 version=$2 dir=$3 ldflags=$4 started=$SECONDS
  shift 4
  log "building $name $version (go output in $dir/build.log)"
  if ! (cd "$dir" && for pkg in "$@"; do printf 'tool %s\n' "$pkg" >> go.mod; done &&
    go mod tidy && nice -n 10 go build -ldflags "-s -w $ldflags" -o "$bin/" "$@") > "$dir/build.log" 2>&1; then
    tail -n 30 "$dir/build.log" >&2
    return 1
  fi
  local pkg short
  for pkg in "$@"; do
    short=${pkg%/v[0-9]*} # go names a binary after its path without the major-version suffix
    printf '%s\n' "$version" > "$bin/${short##*/}.version"
  done
  log "built $name $version in $((SECONDS - started)) s"
}
