#!/usr/bin/env bash
# Builds the control plane for the cluster tests from the Go module proxy, at the versions pinned
# in versions.env: kube-apiserver, kube-controller-manager and kube-scheduler (k8s.io/kubernetes,
# through a small wrapper module that maps the staging modules to their published versions),
# etcd (go.etcd.io/etcd/server/v3) and kwok (sigs.k8s.io/kwok). Binaries go to a cache folder
# outside the repository and are reused when present, so a second run builds nothing.
# Prints the folder of the binaries on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=versions.env
. "$here/versions.env"

cache=${MCP_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-platform/cluster}
bin="$cache/bin"
mkdir -p "$bin" "$cache/src"
log() { printf 'cluster build: %s\n' "$*" >&2; }
# shellcheck source-path=SCRIPTDIR source=../go-build.sh
. "$here/../go-build.sh" # built, wrapper, go_build

kube_bins=(kube-apiserver kube-controller-manager kube-scheduler)
need_kube=false
for b in "${kube_bins[@]}"; do built "$b" "$KUBERNETES_VERSION" || need_kube=true; done
if $need_kube; then
  dir="$cache/src/kubernetes"
  kube_mod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
  # Every staging module that k8s.io/kubernetes requires at v0.0.0 (its own ./staging copies)
  # maps to the published module of the same release.
  mapfile -t replaces < <(sed -n "s#^\s*\(k8s.io/[a-z0-9-]*\) v0.0.0\$#\1 => \1 $KUBERNETES_STAGING_VERSION#p" "$kube_mod")
  wrapper "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION" "${replaces[@]}"
  minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  ldflags=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  go_build kubernetes "$KUBERNETES_VERSION" "$dir" "$ldflags" "${kube_bins[@]/#/k8s.io/kubernetes/cmd/}"
else
  log "reused kubernetes $KUBERNETES_VERSION"
fi

if ! built etcd "$ETCD_VERSION"; then
  wrapper "$cache/src/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  go_build etcd "$ETCD_VERSION" "$cache/src/etcd" "" go.etcd.io/etcd/server/v3
  mv "$bin/server" "$bin/etcd" && mv "$bin/server.version" "$bin/etcd.version"
else
  log "reused etcd $ETCD_VERSION"
fi

if ! built kwok "$KWOK_VERSION"; then
  wrapper "$cache/src/kwok" sigs.k8s.io/kwok "$KWOK_VERSION"
  go_build kwok "$KWOK_VERSION" "$cache/src/kwok" "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" sigs.k8s.io/kwok/cmd/kwok
else
  log "reused kwok $KWOK_VERSION"
fi

# kwok's own stages (from its module): nodes become Ready and keep a heartbeat, pods become
# Ready, Job pods complete, deleted pods go.
stages="$bin/kwok-stages.yaml"
if [ ! -s "$stages" ] || [ "$(cat "$stages.version" 2> /dev/null)" != "$KWOK_VERSION" ]; then
  kwok_dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  for stage in node/fast/node-initialize node/heartbeat/node-heartbeat pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    printf -- '---\n'
    cat "$kwok_dir/kustomize/stage/$stage.yaml"
  done > "$stages"
  printf '%s\n' "$KWOK_VERSION" > "$stages.version"
fi

echo "$bin"
