#!/usr/bin/env bash
# Restore one tenant's schema from its backup, in place (BAK-5), leaving every other tenant untouched.
#
#   tenant-restore.sh --tenant ID [--backup s3://BUCKET/tenants/ID/KEY.dump | --latest] [--force]
#
# The same refusals as restore.sh: the dump's checksum is verified before anything is touched, and
# a tenant schema that holds tables is not replaced without --force. The backup must be of this
# tenant's schema. The schema is dropped and restored in one transaction: a failed restore leaves it
# as it was. Afterwards every table has the row count of the backup's manifest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage="usage: tenant-restore.sh --tenant ID [--backup s3://BUCKET/tenants/ID/KEY.dump | --latest] [--force]"
parse_restore_args "$usage" --tenant "$@"
# shellcheck disable=SC2154 # tenant: set by parse_restore_args
if ! [[ "$tenant" =~ ^[a-z]([-a-z0-9]*[a-z0-9])?$ ]] || [ -z "$backup" ]; then
  echo "$usage" >&2
  exit 2
fi
require_env PGHOST PGDATABASE BACKUP_BUCKET
require_tools pg_restore psql aws openssl
schema=$(tenant_schema "$tenant")
export BACKUP_PREFIX="tenants/$tenant"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

manifest_key=$(manifest_for "$backup" .dump)
case "$manifest_key" in
  "$BACKUP_PREFIX/"*) ;;
  *) echo "--backup must be a backup of tenant $tenant (under s3://$BACKUP_BUCKET/$BACKUP_PREFIX/)" >&2 && exit 2 ;;
esac
dump=$(fetch_backup "$manifest_key" "$work")
log "checksum verified: ${manifest_key%.manifest.json}.dump"
grep -q "\"schema\":\"$schema\"" "$work/manifest.json" || die "the backup is not of schema $schema: refusing to restore it for tenant $tenant"

tables=$(psql_value "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname = '$schema'")
if [ "$tables" != 0 ] && [ "$force" != true ]; then
  die "schema $schema of tenant $tenant already holds $tables table(s): refusing to overwrite it (add --force to replace them)"
fi

# The schema as the backup has it, in one transaction: dropped, then restored with its privileges.
pg_restore --no-owner -f "$work/restore.sql" "$dump" 2> "$work/pg_restore.log" || die "cannot read the dump: $(head -c 2000 "$work/pg_restore.log")"
{
  printf 'DROP SCHEMA IF EXISTS %s CASCADE;\n' "$schema"
  cat "$work/restore.sql"
} | psql -X -q -1 -v ON_ERROR_STOP=1 -d "$PGDATABASE" -f - > /dev/null 2> "$work/psql.log" ||
  die "restoring schema $schema failed (nothing changed): $(head -c 2000 "$work/psql.log")"

count=$(check_tables "$work/manifest.json" "$PGDATABASE" exact)
log "restored tenant $tenant (schema $schema, $count table(s) as in the manifest) from ${manifest_key%.manifest.json}.dump"
printf '{"result":"ok","tenant":"%s","backup":"s3://%s/%s.dump","tables":%s}\n' "$tenant" "$BACKUP_BUCKET" "${manifest_key%.manifest.json}" "$count"
