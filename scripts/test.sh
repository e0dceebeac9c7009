#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: generated-code freshness, lint,
# typecheck and the tests (Node, then headless Chromium). Every step runs even after an earlier
# one fails, so one run shows every problem; the exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/ensure-installed.sh
source scripts/lib/ensure-installed.sh

export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 NEXT_TELEMETRY_DISABLED=1
[[ -t 1 ]] && export FORCE_COLOR=1

log=$(mktemp -t cyxwiz-test.XXXXXX)
trap 'rm -f "$log"' EXIT

names=() statuses=() seconds=()
failed=0

# run_step NAME COMMAND...: runs COMMAND, records its status and wall time, keeps its output.
run_step() {
  local name=$1
  shift
  echo
  echo "==> $name: $*"
  local start=$EPOCHREALTIME
  "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  names+=("$name")
  statuses+=("$rc")
  seconds+=("$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')")
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "==> $name FAILED (exit $rc)"
  fi
}

run_step install bash -c 'set -euo pipefail; source scripts/lib/ensure-installed.sh; ensure_node; ensure_chromium; ensure_postgres; ensure_npm_deps'
if [[ ${statuses[0]} -ne 0 ]]; then
  echo "==> install failed; nothing else can run." >&2
  exit 1
fi
run_step check-generated ./scripts/check-generated.sh
run_step lint npm run --silent lint
run_step typecheck npm run --silent typecheck -- --continue=dependencies-successful
run_step test npm run --silent test -- --continue=dependencies-successful

echo
echo "==> vitest summary (per package: the Node run, then the Chromium run)"
sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '(FAIL |Test Files |Tests |Errors |Duration )' | grep -vE '^\s*$' || echo "(no vitest output)"

echo
echo "==> steps"
for i in "${!names[@]}"; do
  if [[ ${statuses[$i]} -eq 0 ]]; then verdict=ok; else verdict="FAILED (exit ${statuses[$i]})"; fi
  printf '  %-16s %7ss  %s\n' "${names[$i]}" "${seconds[$i]}" "$verdict"
done
exit "$failed"
