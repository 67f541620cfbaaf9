#!/usr/bin/env bash
# One tenant's backup (BAK-5, TEN-2): a logical backup of its schema alone (logical-backup.sh with
# BACKUP_SCHEMA) under s3://$BACKUP_BUCKET/tenants/<id>/, then verified: restored into a scratch
# database (restore-check.sh: checksum first, every table's row count as in the manifest).
#
#   tenant-backup.sh --tenant ID [--final]
#
# The scratch database is on SCRATCH_PGHOST / SCRATCH_PGPORT / SCRATCH_PGUSER / SCRATCH_PGDATABASE
# (default: the source server, which then needs CREATEDB). --final prints the record a removal
# needs (mcp-platform:tenantArchives.<id>) as the last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage="usage: tenant-backup.sh --tenant ID [--final]"
tenant="" final=false
while [ $# -gt 0 ]; do
  case "$1" in
    --tenant) tenant=${2:-}; shift 2 ;;
    --final) final=true; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; echo "$usage" >&2; exit 2 ;;
  esac
done
if ! [[ "$tenant" =~ ^[a-z]([-a-z0-9]*[a-z0-9])?$ ]]; then
  echo "--tenant must be a tenant id (a lowercase DNS label): ${tenant:-nothing given}" >&2
  echo "$usage" >&2
  exit 2
fi
require_env PGHOST PGDATABASE BACKUP_BUCKET
schema=$(tenant_schema "$tenant")
[ "$(psql_value "SELECT count(*) FROM pg_namespace WHERE nspname = '$schema'")" = 1 ] || die "tenant $tenant has no schema $schema in $PGDATABASE"

export BACKUP_PREFIX="tenants/$tenant" BACKUP_SCHEMA="$schema"
result=$("$here/logical-backup.sh")
backup=$(sed -n 's/.*"backup":"\([^"]*\)".*/\1/p' <<< "$result")
sha=$(sed -n 's/.*"sha256":"\([^"]*\)".*/\1/p' <<< "$result")
if [ -z "$backup" ] || [ -z "$sha" ]; then die "the backup of tenant $tenant printed no result: $result"; fi

PGHOST=${SCRATCH_PGHOST:-$PGHOST} PGPORT=${SCRATCH_PGPORT:-${PGPORT:-5432}} PGUSER=${SCRATCH_PGUSER:-${PGUSER:-}} PGPASSWORD=${SCRATCH_PGPASSWORD:-${PGPASSWORD:-}} \
  PGDATABASE=${SCRATCH_PGDATABASE:-$PGDATABASE} "$here/restore-check.sh" > /dev/null || die "the backup of tenant $tenant did not restore: $backup"
verified=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "tenant $tenant backed up and verified: $backup"
if [ "$final" = true ]; then
  log "final backup: record it in the stack file, then set mcp-platform:tenants.$tenant.remove: true"
  printf '{"tenantArchives":{"%s":{"backup":"%s","sha256":"%s","verifiedAt":"%s"}}}\n' "$tenant" "$backup" "$sha" "$verified"
else
  printf '{"result":"ok","tenant":"%s","backup":"%s","sha256":"%s","verifiedAt":"%s"}\n' "$tenant" "$backup" "$sha" "$verified"
fi
