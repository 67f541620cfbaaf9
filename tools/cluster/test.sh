#!/usr/bin/env bash
# npm run test:cluster [-- jest arguments]: builds the control plane where it is missing (cached
# outside the repository), starts it on loopback, runs the cluster tests (test/cluster/) against
# it and stops it again, whatever the tests did.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
npx tsx tools/cluster.ts up > /dev/null # builds what is missing first
trap 'npx tsx tools/cluster.ts down' EXIT
npx jest -c test/cluster/jest.config.js "$@"
echo "cluster tests: $((SECONDS - started)) s with build check and cluster start"
