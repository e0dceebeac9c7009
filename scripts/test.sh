#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: generated-code freshness, lint,
# typecheck, the tests (Node, then headless Chromium) and the seeded fuzz (Node only, ~3 minutes;
# CYXWIZ_FUZZ_SEED and CYXWIZ_FUZZ_RUNS change it, docs/testing.md). Every step runs even after an
# earlier one fails, so one run shows every problem; the exit status is non-zero if any step failed.
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

# A fresh clone must stay clean: installing may not rewrite tracked files (package-lock.json above all).
tracked_before=$(git diff --name-only 2>/dev/null | sort)
run_step install bash -c 'set -euo pipefail; source scripts/lib/ensure-installed.sh; ensure_node; ensure_chromium; ensure_postgres; ensure_npm_deps'
if [[ ${statuses[0]} -ne 0 ]]; then
  echo "==> install failed; nothing else can run." >&2
  echo "0 passed, 1 failed"
  exit 1
fi
run_step clean-install bash -c '
  after=$(git diff --name-only 2>/dev/null | sort)
  changed=$(comm -13 <(printf "%s\n" "$1") <(printf "%s\n" "$after") | sed "/^$/d")
  if [[ -n $changed ]]; then
    echo "the install rewrote tracked files:" $changed
    exit 1
  fi
  echo "the install left tracked files as they were"' _ "$tracked_before"
run_step check-generated ./scripts/check-generated.sh
run_step lint npm run --silent lint
run_step typecheck npm run --silent typecheck -- --continue=dependencies-successful
# The packages' suites two at a time (much of their time is spent waiting on the processes and
# gateways they start, so two overlap well on 2 cores), then the end-to-end suite alone: it trains
# models across processes against round deadlines and wants the machine to itself.
run_step test npx turbo run test --filter='!@cyxwiz/e2e' --concurrency=2 --continue=dependencies-successful
run_step e2e npx turbo run test --filter=@cyxwiz/e2e --concurrency=1 --continue=dependencies-successful
run_step fuzz npm run --silent test:fuzz -- --continue=dependencies-successful

# Why each failed test failed, near the end of the output (where a CI log's tail shows it): the
# lines of vitest's "Failed Tests" blocks that name the test, the error and the failing line.
echo
echo "==> failures (vitest's error lines; the full blocks are above)"
sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /Failed Tests [0-9]+/ { inblock = 1; shown = 0; next }
  inblock && /(Test Files|Tests) +[0-9]/ { inblock = 0 }
  inblock && shown < 60 && /(FAIL |Error|[Ee]xpected|[Rr]eceived|❯ .*\.ts:[0-9]+|Timed out|timed out)/ {
    print; shown++
  }' || true

echo
echo "==> vitest summary (per package: the Node run, then the Chromium run; then the fuzz runs)"
sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '(FAIL |Test Files |Tests |Errors |Duration )' | grep -vE '^\s*$' || echo "(no vitest output)"

echo
echo "==> steps"
for i in "${!names[@]}"; do
  if [[ ${statuses[$i]} -eq 0 ]]; then verdict=ok; else verdict="FAILED (exit ${statuses[$i]})"; fi
  printf '  %-16s %7ss  %s\n' "${names[$i]}" "${seconds[$i]}" "$verdict"
done

# One line with the totals of every vitest run (Node and Chromium, every package, end to end).
# A failed step that ran no tests (lint, typecheck, a run that crashed before reporting) counts
# as one failure, so the line never says "0 failed" when the exit status says otherwise.
read -r passed tests_failed < <(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /(^|:)[[:space:]]*Tests[[:space:]]+[0-9]/ {
    if (match($0, /[0-9]+ passed/)) p += substr($0, RSTART, RLENGTH) + 0
    if (match($0, /[0-9]+ failed/)) f += substr($0, RSTART, RLENGTH) + 0
  }
  END { printf "%d %d\n", p, f }')
step_failures=0
for i in "${!names[@]}"; do
  if [[ ${statuses[$i]} -ne 0 && ${names[$i]} != test && ${names[$i]} != e2e && ${names[$i]} != fuzz ]]; then
    step_failures=$((step_failures + 1))
  elif [[ ${statuses[$i]} -ne 0 && $tests_failed -eq 0 ]]; then
    step_failures=$((step_failures + 1))
  fi
done
echo
echo "$passed passed, $((tests_failed + step_failures)) failed"
exit "$failed"
