#!/usr/bin/env bash
# Logical backup (BAK-4, BAK-7): pg_dump in custom format from one consistent snapshot and a
# manifest (database, size, sha256 checksum, exact row counts per table from the same snapshot),
# uploaded to s3://$BACKUP_BUCKET/$BACKUP_PREFIX/<yyyy>/<mm>/<dd>/. The manifest goes last: a
# backup without one is incomplete and is never chosen for a restore. With BACKUP_SCHEMA, only that
# schema (one tenant's, BAK-5: backup/tenant-backup.sh sets it) is dumped and counted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

require_env PGHOST PGDATABASE BACKUP_BUCKET
require_tools pg_dump psql aws openssl
schema=${BACKUP_SCHEMA:-}
[[ -z "$schema" || "$schema" =~ ^[a-z_][a-z0-9_]*$ ]] || die "BACKUP_SCHEMA must be a schema name (a-z, 0-9, _): $schema"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stamp=$(date -u +%Y%m%dT%H%M%SZ)
day=$(date -u +%Y/%m/%d)
name="$PGDATABASE-$stamp"
key="$BACKUP_PREFIX/$day/$name"

# One session exports a snapshot and counts rows in it while pg_dump dumps the same snapshot.
coproc SNAPSHOT { psql -X -At -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" 2>&1; }
# Bash unsets SNAPSHOT and SNAPSHOT_PID once the coprocess has exited: keep its descriptors and pid,
# and end the session only after its last answer was read.
# shellcheck disable=SC2153 # set by coproc
snapshot_pid=${SNAPSHOT_PID:-}
to_session=${SNAPSHOT[1]:-}
from_session=${SNAPSHOT[0]:-}
[ -n "$to_session" ] || die "cannot open a snapshot of $PGDATABASE on $PGHOST (the session ended at once)"
echo 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();' >&"$to_session"
read -r -t 30 snapshot <&"$from_session" || die "cannot open a snapshot of $PGDATABASE on $PGHOST"
case "$snapshot" in
  *-*-*) ;;
  *) die "cannot open a snapshot of $PGDATABASE: $snapshot" ;;
esac
log "dumping $PGDATABASE from snapshot $snapshot"

only=() schema_filter=""
if [ -n "$schema" ]; then
  only=(--schema="$schema")
  schema_filter="AND n.nspname = '$schema'"
fi
# Exact row counts of every user table, from the same snapshot, as one JSON object: counted during the dump.
cat >&"$to_session" <<SQL
SELECT coalesce(json_object_agg(t.relname, t.n ORDER BY t.relname), '{}')
FROM (
  SELECT format('%I.%I', n.nspname, c.relname) AS relname,
         (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS n
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' $schema_filter
) t;
SQL
# The dump streams to the bucket as pg_dump writes it, its checksum and size taken on the way.
statuses=(0 0)
pg_dump --format=custom --snapshot="$snapshot" "${only[@]}" | upload_stream "$work" "$name.dump" "$key.dump" || statuses=("${PIPESTATUS[@]}")
[ "${statuses[1]}" = 0 ] || exit 1 # upload_stream said why
[ "${statuses[0]}" = 0 ] || die "pg_dump of $PGDATABASE${schema:+ (schema $schema)} failed"
read -r -t 600 counts <&"$from_session" || die "cannot count the rows of $PGDATABASE"
# The snapshot lives as long as the transaction: it ends once pg_dump is done with it.
printf 'COMMIT;\n\\q\n' >&"$to_session"
wait "$snapshot_pid" 2> /dev/null || true

sha=$(cat "$work/$name.dump.sum")
size=$(cat "$work/$name.dump.size")
server=$(psql_value 'SHOW server_version')
cat > "$work/$name.manifest.json" <<JSON
{"database":"$PGDATABASE","schema":"${schema:-*}","created_at":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","dump":"$name.dump","size_bytes":$size,"sha256":"$sha","server_version":"$server","tables":$counts}
JSON

upload_manifest "$work" "$name" "$key"
log "backup complete: s3://$BACKUP_BUCKET/$key.dump ($size bytes, sha256 $sha)"
printf '{"result":"ok","backup":"s3://%s/%s.dump","size_bytes":%s,"sha256":"%s"}\n' "$BACKUP_BUCKET" "$key" "$size" "$sha"
