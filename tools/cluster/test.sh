#!/usr/bin/env bash
# npm run test:cluster [-- jest arguments]: builds the control plane where it is missing (cached
# outside the repository), starts it on loopback, runs the cluster tests (test/cluster/) against
# it and stops it again, whatever the tests did.
set -euo pipefail
for arg in "$@"; do
  case $arg in
    -h | --help)
      cat << 'EOF'
usage: npm run test:cluster [-- JEST_ARGS...]

Runs test/cluster/ against a real control plane: builds kube-apiserver, controller-manager,
scheduler, etcd and kwok from the Go module proxy where they are missing (cached in
${XDG_CACHE_HOME:-~/.cache}/mcp-platform/cluster), starts it on loopback, runs jest with
JEST_ARGS (e.g. a test file or -t NAME) and stops it again, whatever the tests did.

Exit codes: jest's (0 every test passed, 1 a test failed).
EOF
      exit 0
      ;;
  esac
done
cd "$(dirname "$0")/../.."
started=$SECONDS
node --require ./tools/ts-loader.cjs tools/cluster.ts up > /dev/null # builds what is missing first
trap 'node --require ./tools/ts-loader.cjs tools/cluster.ts down' EXIT
npx jest -c test/cluster/jest.config.js "$@"
echo "cluster tests: $((SECONDS - started)) s with build check and cluster start"
