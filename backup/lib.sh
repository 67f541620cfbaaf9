#!/usr/bin/env bash
# Shared functions of the backup scripts. Sourced, not run.
#
# Environment (all scripts):
#   PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE   the database, as libpq reads them
#   BACKUP_BUCKET      bucket name (no s3:// prefix)
#   BACKUP_PREFIX      key prefix of logical backups (default: logical)
#   AWS_ENDPOINT_URL   S3-compatible endpoint (optional; AWS when unset)
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION, or an IAM role (IRSA)

BACKUP_PREFIX=${BACKUP_PREFIX:-logical}

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

die() {
  log "ERROR: $*"
  exit 1
}

require_env() {
  local name
  for name in "$@"; do
    [ -n "${!name:-}" ] || die "$name is not set: see the environment this script needs at the top of backup/lib.sh"
  done
}

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" > /dev/null || die "$tool is not installed"
  done
}

# aws with the endpoint, bounded retries and time-outs, so an unreachable endpoint fails in seconds.
aws_cli() {
  local endpoint=()
  [ -n "${AWS_ENDPOINT_URL:-}" ] && endpoint=(--endpoint-url "$AWS_ENDPOINT_URL")
  AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-3} aws --cli-connect-timeout 5 --cli-read-timeout 60 "${endpoint[@]}" "$@"
}

# s3_get KEY FILE: downloads an object, or fails naming it.
s3_get() {
  aws_cli s3 cp --only-show-errors "s3://$BACKUP_BUCKET/$1" "$2" || die "cannot download s3://$BACKUP_BUCKET/$1"
}

# s3_put FILE KEY: uploads a file (SSE-KMS when BACKUP_KMS_KEY_ID is set), or fails naming it.
s3_put() {
  local sse=()
  [ -n "${BACKUP_KMS_KEY_ID:-}" ] && sse=(--sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ID")
  aws_cli s3 cp --only-show-errors "${sse[@]}" "$1" "s3://$BACKUP_BUCKET/$2" || die "cannot upload $1 to s3://$BACKUP_BUCKET/$2"
}

# latest_manifest: the key of the newest manifest of a logical backup (keys sort by time).
latest_manifest() {
  local keys
  keys=$(aws_cli s3api list-objects-v2 --bucket "$BACKUP_BUCKET" --prefix "$BACKUP_PREFIX/" --query 'Contents[].Key' --output text) ||
    die "cannot list s3://$BACKUP_BUCKET/$BACKUP_PREFIX/ (endpoint, credentials, bucket?)"
  tr '\t' '\n' <<< "$keys" | grep '\.manifest\.json$' | sort | tail -n 1
}

# manifest_for BACKUP SUFFIX: the manifest key of a backup given as "latest" or as
# s3://$BACKUP_BUCKET/<key><SUFFIX>; exits 2 for a reference of another shape.
manifest_for() {
  local backup=$1 suffix=$2 key
  if [ "$backup" = latest ]; then
    key=$(latest_manifest)
    [ -n "$key" ] || die "no backup under s3://$BACKUP_BUCKET/$BACKUP_PREFIX/"
  else
    case "$backup" in
      "s3://$BACKUP_BUCKET/"*"$suffix") key=${backup#"s3://$BACKUP_BUCKET/"} && key=${key%"$suffix"}.manifest.json ;;
      *)
        echo "--backup must be s3://$BACKUP_BUCKET/<key>$suffix" >&2
        exit 2
        ;;
    esac
  fi
  printf '%s\n' "$key"
}

# verify_checksum DIR NAME: the dump NAME in DIR matches its NAME.sha256.
verify_checksum() {
  [ -s "$1/$2.sha256" ] || die "checksum file $2.sha256 is missing or empty: the backup cannot be verified"
  (cd "$1" && sha256sum --status -c "$2.sha256") || die "checksum mismatch for $2: the backup is damaged"
}

# fetch_backup MANIFEST_KEY DIR [SUFFIX]: downloads a backup's manifest, artefact (<base>SUFFIX,
# default .dump) and checksum into DIR and verifies the checksum; prints the artefact's path.
fetch_backup() {
  local manifest_key=$1 dir=$2 suffix=${3:-.dump} base name
  base=${manifest_key%.manifest.json}
  name=${base##*/}$suffix
  s3_get "$manifest_key" "$dir/manifest.json"
  s3_get "$base$suffix" "$dir/$name"
  aws_cli s3 cp --only-show-errors "s3://$BACKUP_BUCKET/$base$suffix.sha256" "$dir/$name.sha256" 2> /dev/null ||
    die "checksum file s3://$BACKUP_BUCKET/$base$suffix.sha256 is missing: the backup cannot be verified"
  verify_checksum "$dir" "$name"
  printf '%s\n' "$dir/$name"
}

# upload_backup DIR BASE SUFFIX KEY: uploads DIR/BASE<SUFFIX> to KEY<SUFFIX>, then its checksum,
# then DIR/BASE.manifest.json last: a backup without a manifest is incomplete and never chosen.
upload_backup() {
  local dir=$1 base=$2 suffix=$3 key=$4
  s3_put "$dir/$base$suffix" "$key$suffix"
  s3_put "$dir/$base$suffix.sha256" "$key$suffix.sha256"
  s3_put "$dir/$base.manifest.json" "$key.manifest.json"
}

# psql_value SQL [DATABASE]: one value, no decoration.
psql_value() {
  psql -X -At -v ON_ERROR_STOP=1 -d "${2:-$PGDATABASE}" -c "$1"
}
