#!/usr/bin/env bash
# Checks a server recovered from the physical backups (the restore drill's scratch cluster; BAK-4,
# BAK-5): it has finished recovery, every table of the newest logical backup's manifest is there
# (point-in-time data is newer than the dump, so counts are reported, not compared), and each SQL
# check (RESTORE_CHECK_SQL) holds. Prints {"result":"ok","tables":N,"rows":R,"recovered_at":EPOCH}:
# recovered_at is RECOVERY_POINT_SQL's answer (the newest data's time), else RECOVERY_TARGET_EPOCH
# (PostgreSQL ends a recovery with a target time only once it reached it).
#
# Environment: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE (the recovered server), BACKUP_BUCKET and
# the S3 settings of lib.sh (read-only is enough), RESTORE_CHECK_SQL, RECOVERY_POINT_SQL,
# RECOVERY_TARGET_EPOCH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

require_env PGHOST PGDATABASE BACKUP_BUCKET RECOVERY_TARGET_EPOCH
require_tools psql aws

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ "$(psql_value 'SELECT pg_is_in_recovery()')" = f ] || die "the server is still in recovery"

manifest_key=$(latest_manifest)
[ -n "$manifest_key" ] || die "no logical backup under s3://$BACKUP_BUCKET/$BACKUP_PREFIX/ to take the list of tables from"
s3_get "$manifest_key" "$work/manifest.json"
tables=$(check_tables "$work/manifest.json" "$PGDATABASE" present)
rows=$(psql_value "SELECT coalesce(sum(n_live_tup), 0) FROM pg_stat_user_tables")
run_checks "$PGDATABASE"

if [ -n "${RECOVERY_POINT_SQL:-}" ]; then
  recovered_at=$(psql_value "SELECT extract(epoch FROM ($RECOVERY_POINT_SQL))::bigint") || die "RECOVERY_POINT_SQL failed: $RECOVERY_POINT_SQL"
  [ -n "$recovered_at" ] || die "RECOVERY_POINT_SQL returned nothing: $RECOVERY_POINT_SQL"
else
  recovered_at=$RECOVERY_TARGET_EPOCH
fi
log "recovered server checked: $tables table(s) of $manifest_key present, checks hold"
printf '{"result":"ok","tables":%s,"rows":%s,"recovered_at":%s}\n' "$tables" "$rows" "$recovered_at"
