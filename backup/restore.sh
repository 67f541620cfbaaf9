#!/usr/bin/env bash
# Restore a logical backup into a database (runbook: Restore; BAK-5, BAK-6).
#
#   restore.sh --target DATABASE [--backup s3://BUCKET/KEY.dump | --latest] [--force]
#
# Verifies the dump's checksum before touching anything. Refuses a target that already holds
# tables unless --force is given; with --force, objects of the dump replace their namesakes
# (pg_restore --clean). Creates the target database if it does not exist: then the dump is restored
# into a staging database as it streams in, its checksum computed on the way, and the staging
# database becomes the target (renamed) only once the checksum is verified and pg_restore succeeded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage="usage: restore.sh --target DATABASE [--backup s3://BUCKET/KEY.dump | --latest] [--force]"
parse_restore_args "$usage" --target "$@"
if [ -z "$target" ] || [ -z "$backup" ]; then
  echo "$usage" >&2
  exit 2
fi
require_env PGHOST PGDATABASE BACKUP_BUCKET
require_tools pg_restore psql aws openssl

work=$(mktemp -d)
staging="restore_staging_$(date -u +%Y%m%d%H%M%S)_$$"
cleanup() {
  [ ! -e "$work/staging" ] || psql -X -q -d "$PGDATABASE" -c "DROP DATABASE IF EXISTS \"$staging\"" > /dev/null 2>&1 || log "could not drop staging database $staging"
  rm -rf "$work"
}
trap cleanup EXIT

manifest_key=$(manifest_for "$backup" .dump)
base=${manifest_key%.manifest.json}
exists=$(psql_value "SELECT count(*) FROM pg_database WHERE datname = '${target//\'/\'\'}'")

# stream KEY: the object KEY into pg_restore (into the staging database) and its SHA-256 at once;
# prints the sha256 (hex) as read and returns the download's status (pg_restore's: pg_restore.status).
stream() {
  local statuses
  aws_cli s3 cp --only-show-errors "s3://$BACKUP_BUCKET/$1" - |
    tee -p >(pg_restore --exit-on-error --no-owner --no-privileges -d "$staging" 2> "$work/pg_restore.log"; echo $? > "$work/pg_restore.status") |
    sha256_hex
  statuses=("${PIPESTATUS[@]}")
  wait $!
  return "${statuses[0]}"
}

if [ "$exists" = 0 ]; then
  psql -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "CREATE DATABASE \"$staging\"" || die "cannot create database $target (as $staging)"
  touch "$work/staging"
  fetch_manifest "$manifest_key" "$work" > /dev/null &
  fetching=$!
  sha=$(stream "$base.dump") || sha=""
  wait "$fetching" || exit 1
  [ -n "$sha" ] || die "cannot download s3://$BACKUP_BUCKET/$base.dump"
  verify_sha256 "$work/manifest.json" "${base##*/}.dump" "$sha"
  log "checksum verified: $base.dump"
  [ "$(cat "$work/pg_restore.status" 2> /dev/null)" = 0 ] || die "pg_restore into $target failed: $(head -c 2000 "$work/pg_restore.log")"
  psql -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "ALTER DATABASE \"$staging\" RENAME TO \"$target\"" || die "cannot create database $target (from $staging)"
  log "restored $base.dump into $target"
  exit 0
fi

dump=$(fetch_backup "$manifest_key" "$work")
log "checksum verified: $base.dump"
tables=$(psql_value "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'" "$target")
if [ "$tables" != 0 ] && [ "$force" != true ]; then
  die "database $target already holds $tables table(s): refusing to overwrite it (add --force to replace them)"
fi
pg_restore --exit-on-error --no-owner --no-privileges --clean --if-exists -d "$target" "$dump" 2> "$work/pg_restore.log" ||
  die "pg_restore into $target failed: $(head -c 2000 "$work/pg_restore.log")"
log "restored $base.dump into $target"
