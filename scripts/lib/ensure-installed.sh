# Installs what the project needs and is missing. Sourced by scripts/test.sh and scripts/start.sh
# from the repository root; each function is idempotent and cheap when nothing is missing.

# Node ≥ 20.19 (@noble/* 2.x and Vite need it); the machine's Node is never replaced from here.
ensure_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js ≥ 20.19 is required and not installed (Debian: install it from NodeSource or nodejs.org)." >&2
    return 1
  fi
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "Node.js ≥ 20.19 is required; found $(node --version)." >&2
    return 1
  fi
}

# `npm ci` when node_modules is missing or older than package-lock.json. npm rewrites
# node_modules/.package-lock.json on every install, so its age is the age of the install.
# The committed lockfile lists every platform's optional packages (@biomejs/cli-*, @turbo/*), so
# `npm ci` accepts it and never rewrites it: a fresh clone stays clean (scripts/test.sh checks).
ensure_npm_deps() {
  if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    return 0
  fi
  echo "==> npm ci (node_modules is missing or older than package-lock.json)"
  local out
  out=$(mktemp -t cyxwiz-npm-ci.XXXXXX)
  if npm ci --no-audit --no-fund >"$out" 2>&1; then
    grep -vE '^npm warn' "$out" || true
    rm -f "$out"
    return 0
  fi
  cat "$out" >&2
  if grep -q 'from lock file' "$out"; then
    echo "npm ci: package-lock.json is out of date with package.json; run npm install and commit package-lock.json." >&2
  fi
  rm -f "$out"
  return 1
}

# Debian's Chromium for the browser test run (Playwright's own download cannot run here).
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then
    return 0
  fi
  echo "==> apt-get install chromium (/usr/bin/chromium is missing)"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y chromium
}

# Debian's PostgreSQL server binaries for the gateway's metadata-store tests, which start a
# throwaway cluster of their own (apps/gateway/test-support/postgres-global-setup.ts) and fail
# without them. The package's own "main" cluster is left alone.
ensure_postgres() {
  if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    return 0
  fi
  echo "==> apt-get install postgresql (/usr/lib/postgresql/*/bin/initdb is missing)"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y postgresql
}
