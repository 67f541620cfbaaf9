#!/usr/bin/env bash
# Physical restore drill (BAK-4, BAK-5, BAK-8): recovers a throw-away CloudNativePG cluster from the
# stack's own base backups and WAL to a point in time a few minutes ago, checks it with
# verify-recovery.sh, pushes the result (success, duration, recovered point's age) to the
# Pushgateway and deletes the scratch cluster, whatever happened. The scratch cluster reads the
# bucket through a read-only ObjectStore and archives nothing; the live cluster is never touched.
#
# Environment: NAMESPACE, SOURCE_CLUSTER (the live cluster drilled: the results are grouped by it),
# DRILL_CLUSTER (the scratch cluster's name), CLUSTER_TEMPLATE (its manifest
# as JSON, without a recovery target), TARGET_LAG_MINUTES, TIMEOUT_MINUTES, PGDATABASE,
# PUSHGATEWAY_URL (optional), and verify-recovery.sh's; DRILL_PGHOST / DRILL_PGPORT where the scratch
# cluster answers from outside the cluster. Exit 0 when the drill passed, 1 when not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

require_env NAMESPACE SOURCE_CLUSTER DRILL_CLUSTER CLUSTER_TEMPLATE PGDATABASE BACKUP_BUCKET
require_tools curl jq psql aws

clusters="/apis/postgresql.cnpg.io/v1/namespaces/$NAMESPACE/clusters"
poll=${POLL_SECONDS:-10}
started=$(date +%s)
target_epoch=$((started - ${TARGET_LAG_MINUTES:-5} * 60))
target=$(recovery_time "$target_epoch")
passed=false

# Deletes the scratch cluster (its volumes go with it) and waits until it is gone.
delete_scratch() {
  local i
  kube_api DELETE "$clusters/$DRILL_CLUSTER" > /dev/null || [ $? -eq 4 ] || return 1
  for ((i = 0; i < 60; i++)); do
    kube_api GET "$clusters/$DRILL_CLUSTER" > /dev/null || { [ $? -eq 4 ] && return 0; }
    sleep "$poll"
  done
  return 1
}

finish() {
  local code=$?
  delete_scratch || log "could not delete Cluster $DRILL_CLUSTER: delete it by hand (kubectl -n $NAMESPACE delete cluster $DRILL_CLUSTER)"
  $passed || drill_metrics 0 "$(($(date +%s) - started))" | push_metrics restore-drill "$SOURCE_CLUSTER"
  exit "$code"
}
trap finish EXIT

# Waits until the scratch cluster's primary is ready, failing at once if the operator gives up.
wait_healthy() {
  local deadline=$((started + ${TIMEOUT_MINUTES:-120} * 60)) status phase ready
  while [ "$(date +%s)" -lt "$deadline" ]; do
    status=$(kube_api GET "$clusters/$DRILL_CLUSTER") || die "cannot read Cluster $DRILL_CLUSTER"
    phase=$(jq -r '.status.phase // ""' <<< "$status")
    ready=$(jq -r '.status.readyInstances // 0' <<< "$status")
    [ "$phase" = "Cluster in healthy state" ] && [ "$ready" -ge 1 ] && return 0
    # Phases the operator does not leave by itself (cloudnative-pg api/v1 cluster_types.go): an
    # unrecoverable cluster, a plugin it cannot find or talk to, an unusable image catalog.
    case $phase in
      *unrecoverable* | *failed* | *"cannot proceed to reconciliation"* | *"invalid image catalog"*)
        die "the scratch cluster cannot recover: $phase ($(jq -r '.status.phaseReason // ""' <<< "$status"))"
        ;;
    esac
    sleep "$poll"
  done
  die "the scratch cluster was not ready after ${TIMEOUT_MINUTES:-120} minutes (phase: ${phase:-none}): are the base backups and WAL up to $target in the bucket?"
}

delete_scratch || die "a Cluster $DRILL_CLUSTER from an earlier drill is still there and cannot be deleted"
body=$(with_recovery_target "$target" < "$CLUSTER_TEMPLATE")
kube_api POST "$clusters" "$body" > /dev/null || die "cannot create the scratch Cluster $DRILL_CLUSTER"
log "recovering $DRILL_CLUSTER to $target"
wait_healthy

secret=$(kube_api GET "/api/v1/namespaces/$NAMESPACE/secrets/$DRILL_CLUSTER-superuser") || die "cannot read the scratch cluster's superuser Secret"
PGPASSWORD=$(jq -r '.data.password' <<< "$secret" | base64 -d)
# DRILL_PGHOST: where the scratch cluster answers when the drill runs outside the cluster (kubectl port-forward).
export PGHOST=${DRILL_PGHOST:-$DRILL_CLUSTER-rw.$NAMESPACE.svc} PGPORT=${DRILL_PGPORT:-5432} PGUSER=postgres PGPASSWORD PGSSLMODE=${PGSSLMODE:-require}
export RECOVERY_TARGET_EPOCH=$target_epoch
report=$(bash "$here/verify-recovery.sh")
recovered_at=$(jq -r '.recovered_at' <<< "$report")

finished=$(date +%s)
passed=true
drill_metrics 1 "$((finished - started))" "$((finished - recovered_at))" | push_metrics restore-drill "$SOURCE_CLUSTER"
log "restore drill passed: recovered to $target in $((finished - started)) s"
jq -c --arg target "$target" --argjson seconds "$((finished - started))" '. + {target: $target, seconds: $seconds}' <<< "$report"
