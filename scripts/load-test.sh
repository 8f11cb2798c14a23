#!/usr/bin/env bash
# Runs `npm test` N times in a row while a busy loop keeps every core at 100 %, and prints each run's
# wall time and result. The suite must stay green and under 3 minutes per run on a 2-core machine.
#   scripts/load-test.sh [runs=10] [busy-loops=number of cores]
set -u
cd "$(dirname "$0")/.."
runs=${1:-10}
loops=${2:-$(nproc)}
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/hokus-load.XXXXXX")

busy=()
for _ in $(seq "$loops"); do
  node -e 'for (;;) {}' &
  busy+=($!)
done
test_pid=
stop() {
  [ -n "$test_pid" ] && kill -- "-$test_pid" 2>/dev/null
  kill "${busy[@]}" 2>/dev/null
  wait 2>/dev/null
}
trap 'stop; exit 130' INT TERM
trap stop EXIT

echo "load test: $runs runs of npm test beside $loops busy loops ($(nproc) cores); logs in $log_dir"
green=0
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  # Its own process group, so stopping this script stops the run and everything it spawned.
  setsid npm test >"$log_dir/run-$i.log" 2>&1 &
  test_pid=$!
  wait "$test_pid"
  rc=$?
  test_pid=
  wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  summary=$(grep -Eo '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log_dir/run-$i.log" | tail -1)
  if [ "$rc" -eq 0 ]; then result=green; green=$((green + 1)); else result="RED (exit $rc)"; fi
  printf 'run %2d: %6.1f s  %s  %s\n' "$i" "$wall" "$result" "$summary"
done
echo "$green/$runs green"
[ "$green" -eq "$runs" ]
