#!/usr/bin/env bash
# Tenants' backups (BAK-5, TEN-2): for each tenant in turn, a logical backup of its schema alone
# (logical-backup.sh with BACKUP_SCHEMA) under s3://$BACKUP_BUCKET/tenants/<id>/, then verified:
# restored into a scratch database (restore-check.sh: checksum first, every table's row count as in
# the manifest). Stops at the first tenant that fails.
#
#   tenant-backup.sh --tenant ID [--tenant ID ...]
#
# The scratch database is on SCRATCH_PGHOST / SCRATCH_PGPORT / SCRATCH_PGUSER / SCRATCH_PGDATABASE
# (default: the source server, which then needs CREATEDB). Prints a line per tenant: the result with
# the record a removal needs (TEN-2): its "tenantArchives" goes into the stack file as
# mcp-platform:tenantArchives once the tenant takes no more writes (its final backup).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage="usage: tenant-backup.sh --tenant ID [--tenant ID ...]"
tenants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tenant) tenants+=("${2:-}"); shift 2 ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; echo "$usage" >&2; exit 2 ;;
  esac
done
if [ ${#tenants[@]} -eq 0 ]; then
  echo "$usage" >&2
  exit 2
fi
for tenant in "${tenants[@]}"; do
  if ! [[ "$tenant" =~ ^[a-z]([-a-z0-9]*[a-z0-9])?$ ]]; then
    echo "--tenant must be a tenant id (a lowercase DNS label): ${tenant:-nothing given}" >&2
    exit 2
  fi
done
require_env PGHOST PGDATABASE BACKUP_BUCKET

backup_tenant() {
  local tenant=$1 schema result backup sha verified
  schema=$(tenant_schema "$tenant")
  [ "$(psql_value "SELECT count(*) FROM pg_namespace WHERE nspname = '$schema'")" = 1 ] || die "tenant $tenant has no schema $schema in $PGDATABASE"

  result=$(BACKUP_PREFIX="tenants/$tenant" BACKUP_SCHEMA="$schema" "$here/logical-backup.sh")
  backup=$(sed -n 's/.*"backup":"\([^"]*\)".*/\1/p' <<< "$result")
  sha=$(sed -n 's/.*"sha256":"\([^"]*\)".*/\1/p' <<< "$result")
  if [ -z "$backup" ] || [ -z "$sha" ]; then die "the backup of tenant $tenant printed no result: $result"; fi

  BACKUP_PREFIX="tenants/$tenant" PGHOST=${SCRATCH_PGHOST:-$PGHOST} PGPORT=${SCRATCH_PGPORT:-${PGPORT:-5432}} PGUSER=${SCRATCH_PGUSER:-${PGUSER:-}} PGPASSWORD=${SCRATCH_PGPASSWORD:-${PGPASSWORD:-}} \
    PGDATABASE=${SCRATCH_PGDATABASE:-$PGDATABASE} "$here/restore-check.sh" > /dev/null || die "the backup of tenant $tenant did not restore: $backup"
  verified=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  log "tenant $tenant backed up and verified: $backup (as its final backup, before a removal: put tenantArchives below under mcp-platform:tenantArchives)"
  printf '{"result":"ok","tenant":"%s","tenantArchives":{"%s":{"backup":"%s","sha256":"%s","verifiedAt":"%s"}}}\n' "$tenant" "$tenant" "$backup" "$sha" "$verified"
}

for tenant in "${tenants[@]}"; do
  backup_tenant "$tenant"
done
