#!/usr/bin/env bash
# Regenerates the protobuf code (buf lint + buf generate) and fails if packages/protocol/src/gen
# then differs from what git has: generated code is committed, never edited by hand, and must
# match proto/ exactly (STYLE §6).
set -euo pipefail
cd "$(dirname "$0")/.."

gen_dir=packages/protocol/src/gen

npm run --silent generate -w @cyxwiz/protocol

changes=$(git status --porcelain --untracked-files=all -- "$gen_dir")
if [[ -n "$changes" ]]; then
  echo "check-generated: FAILED: $gen_dir is out of date with proto/." >&2
  echo "Regenerating changed these files:" >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- "$gen_dir" >&2 || true
  echo "Run 'npm run generate', review the result and commit proto/ and $gen_dir together." >&2
  echo "Never edit $gen_dir by hand." >&2
  exit 1
fi
echo "check-generated: OK ($gen_dir matches proto/)"
