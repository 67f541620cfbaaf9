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

# s3_put FILE KEY [WHAT]: uploads a file (- for standard input, then named WHAT in a failure's
# message; SSE-KMS when BACKUP_KMS_KEY_ID is set), or fails naming it.
s3_put() {
  local sse=()
  [ -n "${BACKUP_KMS_KEY_ID:-}" ] && sse=(--sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ID")
  aws_cli s3 cp --only-show-errors "${sse[@]}" "$1" "s3://$BACKUP_BUCKET/$2" || die "cannot upload ${3:-$1} to s3://$BACKUP_BUCKET/$2"
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

# parse_restore_args USAGE FLAGS ARGS...: a restore script's arguments. Each of FLAGS (a space-
# separated list, such as "--volume --target") takes a value, kept in the variable of its name
# (target, tenant, volume); --backup VALUE or --latest (backup=latest) sets backup, --force sets
# force=true; -h / --help prints USAGE and exits 0; anything else exits 2 naming it. Whether the
# values are there is the caller's to check.
# shellcheck disable=SC2034 # the variables are the caller's
parse_restore_args() {
  local usage=$1 flags=" $2 " flag
  shift 2
  backup="" force=false
  for flag in $flags; do printf -v "${flag#--}" '%s' ""; done
  while [ $# -gt 0 ]; do
    case "$1" in
      --backup) backup=${2:-}; shift 2 ;;
      --latest) backup=latest; shift ;;
      --force) force=true; shift ;;
      -h | --help) echo "$usage"; exit 0 ;;
      *)
        if [[ "$1" == --* && "$flags" == *" $1 "* ]]; then
          printf -v "${1#--}" '%s' "${2:-}"
          shift 2
        else
          echo "unknown argument: $1" >&2
          echo "$usage" >&2
          exit 2
        fi
        ;;
    esac
  done
}

# s3_get_many DIR PREFIX NAME...: downloads the objects PREFIX/NAME into DIR in one aws call (at
# once); a missing object is no error here: the caller checks for each file.
s3_get_many() {
  local dir=$1 prefix=$2 name include=()
  shift 2
  for name in "$@"; do include+=(--include "$name"); done
  aws_cli s3 cp --only-show-errors --recursive --exclude '*' "${include[@]}" "s3://$BACKUP_BUCKET/$prefix/" "$dir/" > "$dir/s3.log" 2>&1 ||
    die "cannot download from s3://$BACKUP_BUCKET/$prefix/: $(head -c 500 "$dir/s3.log")"
}

# fetch_manifest MANIFEST_KEY DIR [SUFFIX] [--with-artefact]: downloads a backup's manifest (as
# DIR/manifest.json: it records the checksum of the artefact <base>SUFFIX, default .dump), and with
# --with-artefact the artefact itself, in one aws call; prints the artefact's name.
fetch_manifest() {
  local manifest_key=$1 dir=$2 suffix=${3:-.dump} with=${4:-} base name artefact=()
  base=${manifest_key%.manifest.json}
  name=${base##*/}$suffix
  [ "$with" = --with-artefact ] && artefact=("$name")
  s3_get_many "$dir" "${base%/*}" "${base##*/}.manifest.json" "${artefact[@]}"
  [ -f "$dir/${base##*/}.manifest.json" ] || die "cannot download s3://$BACKUP_BUCKET/$manifest_key"
  mv "$dir/${base##*/}.manifest.json" "$dir/manifest.json"
  [ -z "$with" ] || [ -f "$dir/$name" ] || die "cannot download s3://$BACKUP_BUCKET/$base$suffix"
  printf '%s\n' "$name"
}

# A SHA-256 in hex, as sha256_hex prints it and a manifest records it (an extended regex).
SHA256_HEX='[0-9a-f]{64}'

# sha256_hex < DATA: the SHA-256 of standard input, in hex. OpenSSL's, not sha256sum: it uses the
# CPU's SHA instructions (a 250 MB dump in 0.2 s of CPU against sha256sum's 0.7 s, CPU the dump and
# the restore share with PostgreSQL).
sha256_hex() {
  local out
  out=$(openssl dgst -sha256 -r) || return 1
  printf '%s\n' "${out%% *}"
}

# verify_sha256 MANIFEST NAME SHA256: SHA256 (of the artefact NAME, as it was read) is the checksum
# that MANIFEST (DIR/manifest.json of fetch_manifest) records for it.
verify_sha256() {
  local recorded
  recorded=$(sed -nE "s/.*\"sha256\":\"($SHA256_HEX)\".*/\\1/p" "$1")
  [ -n "$recorded" ] || die "the manifest of $2 records no sha256: the backup cannot be verified"
  [ "$3" = "$recorded" ] || die "checksum mismatch for $2: the backup is damaged"
}

# fetch_backup MANIFEST_KEY DIR [SUFFIX]: downloads a backup's manifest and artefact into DIR and
# verifies the artefact against the manifest's checksum; prints the artefact's path.
fetch_backup() {
  local dir=$2 name
  # (errexit does not reach into a command substitution: a failure exits here explicitly)
  name=$(fetch_manifest "$1" "$dir" "${3:-.dump}" --with-artefact) || exit 1
  verify_sha256 "$dir/manifest.json" "$name" "$(sha256_hex < "$dir/$name")"
  printf '%s\n' "$dir/$name"
}

# upload_stream DIR NAME KEY < DATA: uploads standard input to KEY as it comes (nothing is kept on
# disk), its SHA-256 (hex) written to DIR/NAME.sum and its size in bytes to DIR/NAME.size on the
# way; fails as s3_put does, or when the checksum or the size could not be computed. An upload cut
# short by its writer is stored as it is, without a manifest: incomplete, never chosen for a restore.
# A stream goes up in parts of the aws CLI's multipart_chunksize (8 MiB unless configured), at most
# 10,000 of them: about 78 GiB.
upload_stream() {
  local dir=$1 name=$2 key=$3 summing sizing status=0
  mkfifo "$dir/$name.sum-fifo" "$dir/$name.size-fifo"
  sha256_hex < "$dir/$name.sum-fifo" > "$dir/$name.sum" &
  summing=$!
  wc -c < "$dir/$name.size-fifo" > "$dir/$name.size" &
  sizing=$!
  tee "$dir/$name.sum-fifo" "$dir/$name.size-fifo" | s3_put - "$key" "$name" || status=$?
  wait "$summing" "$sizing"
  grep -qxE "$SHA256_HEX" "$dir/$name.sum" || { log "ERROR: cannot compute the checksum of $name: no manifest written, the backup is incomplete"; status=1; }
  grep -qxE '[0-9]+' "$dir/$name.size" || { log "ERROR: cannot count the bytes of $name: no manifest written, the backup is incomplete"; status=1; }
  return "$status"
}

# upload_manifest DIR BASE KEY: after upload_stream, uploads DIR/BASE.manifest.json (the artefact's
# size and checksum among what it records) to KEY.manifest.json, last: a backup without a manifest
# is incomplete and never chosen.
upload_manifest() {
  s3_put "$1/$2.manifest.json" "$3.manifest.json"
}

# psql_value SQL [DATABASE]: one value, no decoration.
psql_value() {
  psql -X -At -v ON_ERROR_STOP=1 -d "${2:-$PGDATABASE}" -c "$1"
}

# manifest_tables MANIFEST: "<table><TAB><rows>" for each table of a backup's manifest (the server
# parses the JSON: the tools image needs no JSON tool for it).
manifest_tables() {
  psql -X -At -F $'\t' -v ON_ERROR_STOP=1 -v manifest="$(cat "$1")" -d "$PGDATABASE" <<< "SELECT key, value FROM json_each_text(:'manifest'::json -> 'tables')"
}

# check_tables MANIFEST DATABASE exact|present: every table of the manifest is in DATABASE, with the
# manifest's row count (exact) or at all (present: a point-in-time recovery holds later data);
# dies naming each difference. Prints the number of tables.
check_tables() {
  local manifest=$1 database=$2 mode=$3 table expected actual mismatches=0 tables=0
  while IFS=$'\t' read -r table expected; do
    tables=$((tables + 1))
    actual=$(psql_value "SELECT count(*) FROM $table" "$database" 2> /dev/null) || actual="missing"
    if [ "$actual" = missing ] || { [ "$mode" = exact ] && [ "$actual" != "$expected" ]; }; then
      log "table $table: manifest $expected rows, restored $actual"
      mismatches=$((mismatches + 1))
    fi
  done < <(manifest_tables "$manifest")
  [ "$mismatches" -eq 0 ] || die "$mismatches table(s) differ from the manifest"
  printf '%s\n' "$tables"
}

# run_checks DATABASE: each line of RESTORE_CHECK_SQL is a query that must return true there.
run_checks() {
  local check result
  [ -n "${RESTORE_CHECK_SQL:-}" ] || return 0
  while IFS= read -r check; do
    [ -n "$check" ] || continue
    result=$(psql_value "$check" "$1" 2>&1) || die "check failed to run: $check: $result"
    [ "$result" = "t" ] || die "check did not hold: $check (returned: $result)"
  done <<< "$RESTORE_CHECK_SQL"
}

# kube_api METHOD PATH [JSON]: a request to the Kubernetes API as the pod's service account
# (KUBE_API and KUBE_SA_DIR override where, for tests); prints the response body. Returns 0 for
# 2xx, 4 for 404, 1 otherwise (logging the status and the server's message).
kube_api() {
  local method=$1 path=$2 body=${3:-} out status data=()
  local api=${KUBE_API:-https://${KUBERNETES_SERVICE_HOST:-kubernetes.default.svc}:${KUBERNETES_SERVICE_PORT:-443}}
  local sa=${KUBE_SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
  [ -n "$body" ] && data=(--data-binary "$body")
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" \
    -H 'Content-Type: application/json' -X "$method" "${data[@]}" "$api$path") || {
    rm -f "$out"
    die "cannot reach the Kubernetes API at $api"
  }
  cat "$out"
  case $status in
    2*) rm -f "$out" && return 0 ;;
    404) rm -f "$out" && return 4 ;;
  esac
  log "$method $path: HTTP $status: $(head -c 500 "$out")"
  rm -f "$out"
  return 1
}

# recovery_time EPOCH: a moment as a point-in-time recovery target: PostgreSQL's own format with a
# numeric offset, which CloudNativePG passes to recovery_target_time as it is. An RFC 3339 "...Z" can
# reach PostgreSQL unchanged, which refuses it (cloudnative-pg#10819).
recovery_time() {
  date -u -d "@$1" '+%Y-%m-%d %H:%M:%S+00:00'
}

# with_recovery_target TIME < CLUSTER_JSON: the scratch Cluster with its point-in-time recovery target.
with_recovery_target() {
  jq -c --arg target "$1" '.spec.bootstrap.recovery.recoveryTarget = {targetTime: $target}'
}

# drill_metrics SUCCESS DURATION [RECOVERY_POINT_AGE]: a restore drill's result in Prometheus's text
# format, as it is pushed (a failed drill has no recovery point).
drill_metrics() {
  printf '# TYPE mcp_restore_drill_success gauge\nmcp_restore_drill_success %s\n' "$1"
  printf '# TYPE mcp_restore_drill_duration_seconds gauge\nmcp_restore_drill_duration_seconds %s\n' "$2"
  [ -z "${3:-}" ] || printf '# TYPE mcp_restore_drill_recovery_point_age_seconds gauge\nmcp_restore_drill_recovery_point_age_seconds %s\n' "$3"
}

# push_metrics JOB CLUSTER < TEXT: replaces the job's metrics on the Pushgateway (PUSHGATEWAY_URL;
# nothing without it). A failed push is logged, not fatal: the Job's own status still tells.
push_metrics() {
  # Without a Pushgateway the metrics are read and dropped: a reader that quit early would kill the
  # writer with SIGPIPE, and pipefail would turn the drill's own exit code into 141.
  [ -n "${PUSHGATEWAY_URL:-}" ] || {
    cat > /dev/null
    return 0
  }
  curl -sS --fail --max-time 10 -X PUT --data-binary @- "$PUSHGATEWAY_URL/metrics/job/$1/cluster/$2" > /dev/null ||
    log "could not push the results to $PUSHGATEWAY_URL"
}

# tenant_schema ID: a tenant's schema (and role) in the app database, as config/tenants.ts names it.
tenant_schema() {
  printf 'tenant_%s\n' "${1//-/_}"
}
