#!/usr/bin/env bash
# Waits for a CloudNativePG Backup (the pre-release base backup, BAK-6) and fails as soon as it
# fails: the release's migration and rollout depend on this Job, so a failed backup stops the
# release within a poll, not when a long timeout runs out. Exit 0 when the backup completed.
#
# Environment: NAMESPACE, BACKUP_NAME, TIMEOUT_SECONDS (default 10800), POLL_SECONDS (default 10).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

require_env NAMESPACE BACKUP_NAME
require_tools curl jq

path="/apis/postgresql.cnpg.io/v1/namespaces/$NAMESPACE/backups/$BACKUP_NAME"
deadline=$(($(date +%s) + ${TIMEOUT_SECONDS:-10800}))
phase=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  status=$(kube_api GET "$path") || die "cannot read Backup $BACKUP_NAME"
  phase=$(jq -r '.status.phase // ""' <<< "$status")
  # Phases of CloudNativePG's Backup: pending, started, running, finalizing, completed, failed, walArchivingFailing.
  case $phase in
    completed)
      log "backup $BACKUP_NAME completed: $(jq -r '.status.backupId // ""' <<< "$status")"
      exit 0
      ;;
    failed | walArchivingFailing | definitionInvalid)
      die "backup $BACKUP_NAME $phase: $(jq -r '.status.error // "no error given"' <<< "$status"): the release stops here (docs/runbook.md#alert-prereleasebackupfailed)"
      ;;
  esac
  sleep "${POLL_SECONDS:-10}"
done
die "backup $BACKUP_NAME did not complete in ${TIMEOUT_SECONDS:-10800} s (phase: ${phase:-none})"
