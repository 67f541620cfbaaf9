#!/usr/bin/env bash
# Restore a logical backup into a database (runbook: Restore; BAK-5, BAK-6).
#
#   restore.sh --target DATABASE [--backup s3://BUCKET/KEY.dump | --latest] [--force]
#
# Verifies the dump's checksum before touching anything. Refuses a target that already holds
# tables unless --force is given; with --force, objects of the dump replace their namesakes
# (pg_restore --clean). Creates the target database if it does not exist.
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
require_tools pg_restore psql aws sha256sum

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

manifest_key=$(manifest_for "$backup" .dump)
dump=$(fetch_backup "$manifest_key" "$work")
log "checksum verified: ${manifest_key%.manifest.json}.dump"

exists=$(psql_value "SELECT count(*) FROM pg_database WHERE datname = '${target//\'/\'\'}'")
if [ "$exists" = 0 ]; then
  psql -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "CREATE DATABASE \"$target\"" || die "cannot create database $target"
  clean=()
else
  tables=$(psql_value "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'" "$target")
  if [ "$tables" != 0 ] && [ "$force" != true ]; then
    die "database $target already holds $tables table(s): refusing to overwrite it (add --force to replace them)"
  fi
  clean=(--clean --if-exists)
fi

pg_restore --exit-on-error --no-owner --no-privileges "${clean[@]}" -d "$target" "$dump" 2> "$work/pg_restore.log" ||
  die "pg_restore into $target failed: $(head -c 2000 "$work/pg_restore.log")"
log "restored ${manifest_key%.manifest.json}.dump into $target"
