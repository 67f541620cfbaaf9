#!/usr/bin/env bash
# Restore a volume backup into a directory (runbook: Restore a volume; BAK-7).
#
#   volume-restore.sh --volume NAME --target DIR [--backup s3://BUCKET/KEY.tar.gz | --latest] [--force]
#
# Verifies the archive's checksum and that it unpacks before touching the target. Refuses a
# non-empty target unless --force is given; with --force, the archive's files replace their
# namesakes and other files are left alone.
set -euo pipefail
usage="usage: volume-restore.sh --volume NAME --target DIR [--backup s3://BUCKET/KEY.tar.gz | --latest] [--force]"
# lib.sh defaults BACKUP_PREFIX to logical backups' prefix: a volume's is known once the arguments are.
prefix=${BACKUP_PREFIX:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
parse_restore_args "$usage" "--volume --target" "$@"
if [ -z "$volume" ] || [ -z "$target" ] || [ -z "$backup" ]; then
  echo "$usage" >&2
  exit 2
fi
BACKUP_PREFIX=${prefix:-volumes/$volume}
require_env BACKUP_BUCKET
require_tools tar gzip aws openssl

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

manifest_key=$(manifest_for "$backup" .tar.gz)
archive=$(fetch_backup "$manifest_key" "$work" .tar.gz)
tar -tzf "$archive" > /dev/null || die "the archive ${manifest_key%.manifest.json}.tar.gz does not unpack"
log "checksum verified: ${manifest_key%.manifest.json}.tar.gz"

mkdir -p "$target" || die "cannot create $target"
if [ -n "$(ls -A "$target")" ] && [ "$force" != true ]; then
  die "$target is not empty: refusing to overwrite it (add --force to replace the archive's files)"
fi
tar -C "$target" -xzf "$archive" || die "unpacking into $target failed"
log "restored ${manifest_key%.manifest.json}.tar.gz into $target"
