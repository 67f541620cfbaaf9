#!/usr/bin/env bash
# Volume backup (BAK-7): a gzipped tar of a mounted volume (uploaded files, logs) and a manifest
# (volume, files, bytes, time, sha256 checksum), uploaded to s3://$BACKUP_BUCKET/$BACKUP_PREFIX/<yyyy>/<mm>/<dd>/
# with BACKUP_PREFIX defaulting to volumes/$VOLUME_NAME. The manifest goes last.
#
# Environment: SOURCE_DIR (the mounted volume), VOLUME_NAME, and the S3 settings of backup/lib.sh.
set -euo pipefail
BACKUP_PREFIX=${BACKUP_PREFIX:-volumes/${VOLUME_NAME:-}}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

require_env SOURCE_DIR VOLUME_NAME BACKUP_BUCKET
require_tools tar gzip aws openssl
[ -d "$SOURCE_DIR" ] || die "SOURCE_DIR $SOURCE_DIR is not a directory: is the volume mounted?"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$VOLUME_NAME-$stamp"
key="$BACKUP_PREFIX/$(date -u +%Y/%m/%d)/$name"

log "archiving $SOURCE_DIR"
# Files that change while being read are archived as they were read, with a warning (exit 1 from
# GNU tar); anything worse (exit 2: unreadable files, a full disk) fails the backup.
# The archive streams to the bucket as tar writes it, its checksum and size taken on the way.
statuses=(0 0)
tar -C "$SOURCE_DIR" --warning=no-file-changed -cz . | upload_stream "$work" "$name.tar.gz" "$key.tar.gz" || statuses=("${PIPESTATUS[@]}")
[ "${statuses[1]}" = 0 ] || exit 1 # upload_stream said why
[ "${statuses[0]}" -le 1 ] || die "tar of $SOURCE_DIR failed (exit ${statuses[0]})"
sha=$(cat "$work/$name.tar.gz.sum")
size=$(cat "$work/$name.tar.gz.size")
files=$(find "$SOURCE_DIR" -type f | wc -l)
bytes=$(du -sb "$SOURCE_DIR" | cut -f1)
cat > "$work/$name.manifest.json" <<JSON
{"volume":"$VOLUME_NAME","created_at":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","archive":"$name.tar.gz","size_bytes":$size,"sha256":"$sha","files":$files,"source_bytes":$bytes}
JSON

upload_manifest "$work" "$name" "$key"
log "backup complete: s3://$BACKUP_BUCKET/$key.tar.gz ($files files, $size bytes, sha256 $sha)"
printf '{"result":"ok","backup":"s3://%s/%s.tar.gz","files":%s,"size_bytes":%s}\n' "$BACKUP_BUCKET" "$key" "$files" "$size"
