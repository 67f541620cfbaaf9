#!/usr/bin/env bash
# Restore check (BAK-4, BAK-8): downloads the newest logical backup, verifies its checksum, restores
# it into a scratch database, checks that pg_restore reported no error, that every table has the
# row count of the manifest, and that each SQL check (RESTORE_CHECK_SQL: one query per line, each
# must return true) holds; drops the scratch database. Exit 0 when the backup is restorable, 1 when
# not: the CronJob's Job status is what the RestoreCheckFailed / RestoreCheckStale alerts watch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

require_env PGHOST PGDATABASE BACKUP_BUCKET
require_tools pg_restore psql aws openssl

work=$(mktemp -d)
scratch="restore_check_$(date -u +%Y%m%d%H%M%S)_$$"
cleanup() {
  psql -X -q -d "$PGDATABASE" -c "DROP DATABASE IF EXISTS \"$scratch\"" > /dev/null 2>&1 || log "could not drop scratch database $scratch"
  rm -rf "$work"
}
trap cleanup EXIT

manifest_key=$(latest_manifest)
[ -n "$manifest_key" ] || die "no backup under s3://$BACKUP_BUCKET/$BACKUP_PREFIX/"
log "checking $manifest_key"
dump=$(fetch_backup "$manifest_key" "$work")

psql -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "CREATE DATABASE \"$scratch\"" || die "cannot create scratch database $scratch"
pg_restore --exit-on-error --no-owner --no-privileges -d "$scratch" "$dump" 2> "$work/pg_restore.log" ||
  die "pg_restore failed: $(head -c 2000 "$work/pg_restore.log")"

tables=$(check_tables "$work/manifest.json" "$scratch" exact)
# Extra integrity checks from the stack's configuration.
run_checks "$scratch"

log "restore check passed: $manifest_key, $tables table(s) match"
printf '{"result":"ok","backup":"s3://%s/%s","tables":%s}\n' "$BACKUP_BUCKET" "$manifest_key" "$tables"
