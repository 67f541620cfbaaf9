#!/usr/bin/env bash
# Benchmark (npm run bench:backup): throughput of logical-backup.sh and restore.sh on a database of
# about BENCH_GB gigabytes (default 1; fractions such as 0.3 too), against plain `pg_dump -Fc` to a
# local file and plain `pg_restore` from it in the same run: medians of BENCH_RUNS rounds (default
# 3), each ratio beside its goal (issue #20).
# Starts its own PostgreSQL (as the postgres user) and S3 endpoint on loopback (BENCH_S3: gofakes3,
# the default, built by tools/s3-endpoint.sh, or moto, the tests' endpoint), and removes them
# afterwards. Reports figures; asserts nothing.
set -euo pipefail
usage="usage: npm run bench:backup

Backup and restore throughput of logical-backup.sh and restore.sh on a database of about BENCH_GB
gigabytes (environment variable, default 1; fractions such as 0.3 too), against plain pg_dump -Fc /
pg_restore, on a PostgreSQL and an S3 endpoint it starts on loopback: medians of BENCH_RUNS rounds
(default 3). BENCH_S3 picks the endpoint: gofakes3 (default; built from the Go module proxy on first
use), whose ranged GETs cost their range, or moto, the tests' endpoint, which reads the whole object
for each one. Reports figures and each ratio beside its goal; asserts nothing."
case "${1:-}" in
  "") ;;
  -h | --help) echo "$usage"; exit 0 ;;
  *) printf 'error: unknown argument %s\n%s\n' "$1" "$usage" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh" # aws_cli: the aws CLI as the scripts call it
# An aws CLI installed under pyenv is found through a shim that runs pyenv's bash scripts first (50 ms
# a call here; the tools image has none): the binary the shim would run goes first on PATH, as the tests do.
if [[ "$(command -v aws)" == */shims/* ]] && real_aws=$(pyenv which aws 2> /dev/null); then
  PATH="$(dirname "$real_aws"):$PATH"
fi
gb=${BENCH_GB:-1}
[[ "$gb" =~ ^([0-9]+(\.[0-9]*)?|\.[0-9]+)$ ]] || gb=0
rows=$(awk -v gb="$gb" 'BEGIN { printf "%d", gb * 7500000 }')
if [ "$rows" -le 0 ]; then
  printf 'error: BENCH_GB must be a positive number of gigabytes: %s\n' "${BENCH_GB:-}" >&2
  exit 2
fi
s3_kind=${BENCH_S3:-gofakes3}
case "$s3_kind" in
  gofakes3) gofakes3=$(bash "$here/../tools/s3-endpoint.sh" | tail -n 1) ;;
  moto) ;;
  *) printf 'error: BENCH_S3 must be gofakes3 or moto: %s\n' "$s3_kind" >&2; exit 2 ;;
esac
runs=${BENCH_RUNS:-3}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  printf 'error: BENCH_RUNS must be a positive whole number: %s\n' "$runs" >&2
  exit 2
fi
# The goals (issue #20): backup at most this many times plain pg_dump, restore plain pg_restore.
backup_goal=1.15 restore_goal=1.2
work=$(mktemp -d)
chown postgres "$work"
pg_port=$((20000 + RANDOM % 10000))
s3_port=$((30000 + RANDOM % 10000))
cleanup() {
  runuser -u postgres -- pg_ctl -D "$work/data" -m fast stop > /dev/null 2>&1 || true
  [ -n "${s3_pid:-}" ] && kill "$s3_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

runuser -u postgres -- initdb -D "$work/data" -A trust -U postgres --no-sync > /dev/null
runuser -u postgres -- pg_ctl -D "$work/data" -l "$work/pg.log" -w -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_wal_size=4GB" start > /dev/null
if [ "$s3_kind" = moto ]; then
  moto_server -H 127.0.0.1 -p "$s3_port" > "$work/s3.log" 2>&1 &
else
  "$gofakes3" -host "127.0.0.1:$s3_port" -backend memory -quiet > "$work/s3.log" 2>&1 &
fi
s3_pid=$!

export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres PGDATABASE=bench BACKUP_BUCKET=bench-backups
export AWS_ENDPOINT_URL=http://127.0.0.1:$s3_port AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1
for _ in $(seq 50); do aws --endpoint-url "$AWS_ENDPOINT_URL" s3 mb "s3://$BACKUP_BUCKET" > /dev/null 2>&1 && break; sleep 0.2; done

psql -X -q -d postgres -c "CREATE DATABASE bench"
echo "loading $rows rows (~${gb} GB)..."
psql -X -q -c "CREATE TABLE events (id bigint PRIMARY KEY, account int, kind text, payload text, at timestamptz)" \
  -c "INSERT INTO events SELECT g, g % 10000, 'kind-' || (g % 20), md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text), '2026-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, $rows) g"
size=$(psql -X -At -c "SELECT pg_database_size('bench')")
mb=$((size / 1048576))

# timed NAME COMMAND...: runs COMMAND (its output in $work/NAME.log, failing the benchmark with it)
# and appends its wall time in seconds to $work/NAME.times. Each starts from a settled machine: a
# checkpoint and the kernel's dirty pages written first, untimed. Otherwise a step pays for the
# writes of the one before it (restore.sh right after the plain restore's 1.3 GB: 1.52x of it
# unsettled, 1.36x settled, the same scripts in the same session).
timed() {
  local name=$1 start
  shift
  psql -X -q -d postgres -c CHECKPOINT
  sync
  start=$(date +%s%N)
  "$@" > "$work/$name.log" 2>&1 || { printf 'error: %s failed:\n%s\n' "$name" "$(tail -n 20 "$work/$name.log")" >&2; exit 1; }
  awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f\n", (e - s) / 1e9 }' >> "$work/$name.times"
}
# download_dump: the dump streamed from the endpoint as restore.sh streams it, into nothing.
download_dump() { aws_cli s3 cp --only-show-errors "s3://$BACKUP_BUCKET/bench/plain.dump" - > /dev/null; }
median() { sort -n "$work/$1.times" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# Each pair in turn, BENCH_RUNS times, and the medians: on a shared machine one run says little.
for run in $(seq "$runs"); do
  echo "run $run of $runs..."
  timed plain pg_dump -Fc -f "$work/plain.dump"
  timed backup "$here/logical-backup.sh"
  psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS bench_plain" -c "DROP DATABASE IF EXISTS bench_restored" -c "CREATE DATABASE bench_plain"
  timed plain_restore pg_restore --no-owner -d bench_plain "$work/plain.dump"
  timed restore "$here/restore.sh" --target bench_restored --latest
  # The endpoint's own share: the dump's upload and download alone, as the scripts' aws CLI does them.
  timed upload aws_cli s3 cp --only-show-errors "$work/plain.dump" "s3://$BACKUP_BUCKET/bench/plain.dump"
  timed download download_dump
done
plain=$(median plain) backup=$(median backup) plain_restore=$(median plain_restore) restore=$(median restore)
upload=$(median upload) download=$(median download)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# versus RATIO GOAL: the ratio beside its goal, and whether it is met.
versus() { awk -v r="$1" -v g="$2" 'BEGIN { printf "%sx plain (goal <= %sx: %s)", r, g, (r <= g ? "met" : "NOT met") }'; }
rate() { awk -v m="$mb" -v t="$1" 'BEGIN { printf "%.1f", m / t }'; }
echo "database: ${mb} MiB, dump: $(( $(stat -c %s "$work/plain.dump") / 1048576 )) MiB; medians of $runs runs"
echo "pg_dump -Fc to a local file:     ${plain} s ($(rate "$plain") MiB/s of database)"
echo "logical-backup.sh (dump + S3):   ${backup} s ($(rate "$backup") MiB/s), $(versus "$(ratio "$backup" "$plain")" "$backup_goal")"
echo "pg_restore from a local file:    ${plain_restore} s ($(rate "$plain_restore") MiB/s)"
echo "restore.sh (S3 + verify + load): ${restore} s ($(rate "$restore") MiB/s), $(versus "$(ratio "$restore" "$plain_restore")" "$restore_goal")"
echo "the endpoint alone ($s3_kind; aws s3 cp of the dump to and from it): upload ${upload} s, download ${download} s"
