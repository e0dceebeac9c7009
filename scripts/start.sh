#!/usr/bin/env bash
# Installs what is missing, builds every package, then starts the gateway (which serves the
# dashboard) and prints the URL to open, and beside it one local worker daemon (`cyxwiz daemon`,
# docs/node-daemon.md) registered with the admin's API token, so the owner has a worker of their
# own. The daemon keeps its identity and chunk cache in <gateway data dir>/daemon and logs to
# <gateway data dir>/daemon.log. Ctrl-C (or SIGTERM) stops both. CYXWIZ_DAEMON=0 starts no daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/ensure-installed.sh
source scripts/lib/ensure-installed.sh

export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 NEXT_TELEMETRY_DISABLED=1

ensure_node
ensure_npm_deps
npm run build

if [[ "${CYXWIZ_DAEMON:-1}" == "0" ]]; then
  exec npm run start -w @cyxwiz/gateway
fi

# The gateway's start banner (stdout) says where it is: its URL, its certificate's fingerprint
# under TLS, its data directory and the admin token's file. It is shown as usual and kept to read.
banner=$(mktemp -t cyxwiz-start.XXXXXX)
gateway_pid=""
daemon_pid=""
stop_all() {
  trap - INT TERM
  [[ -n "$daemon_pid" ]] && kill -TERM "$daemon_pid" 2>/dev/null || true
  [[ -n "$gateway_pid" ]] && kill -TERM "$gateway_pid" 2>/dev/null || true
}
trap stop_all INT TERM
trap 'stop_all; rm -f "$banner"' EXIT

npm run start -w @cyxwiz/gateway > >(tee "$banner") &
gateway_pid=$!

until grep -q "CyxWiz gateway is up" "$banner" 2>/dev/null; do
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    wait "$gateway_pid" || exit $?
    exit 1
  fi
  sleep 0.5
done
sleep 0.2 # the rest of the banner follows its first line

banner_value() { sed -n "s/.*$1 *\\([^ ]*\\).*/\\1/p" "$banner" | head -n 1; }
url=$(banner_value "on this machine also")
[[ -n "$url" ]] || url=$(banner_value "Open")
data_dir=$(banner_value "data directory:")
token_file=$(banner_value "API token:")
pin=$(banner_value "TLS certificate SHA-256 fingerprint:")

daemon_args=(daemon --gateway "${url%/}" --data-dir "$data_dir/daemon" --label "local daemon")
[[ -n "$token_file" ]] && daemon_args+=(--token-file "$token_file")
[[ -n "$pin" ]] && daemon_args+=(--pin-sha256 "$pin")
node apps/node-daemon/bin/cyxwiz.mjs "${daemon_args[@]}" 2>>"$data_dir/daemon.log" &
daemon_pid=$!
echo "  local worker daemon: pid $daemon_pid, data in $data_dir/daemon, log $data_dir/daemon.log"

# Runs until the gateway stops (Ctrl-C, SIGTERM, or on its own); the daemon stops with it.
status=0
wait "$gateway_pid" || status=$?
if kill -0 "$gateway_pid" 2>/dev/null; then # a signal cut the wait short: the gateway is closing
  stop_all
  status=0
  wait "$gateway_pid" || status=$?
fi
stop_all
wait "$daemon_pid" 2>/dev/null || true
exit "$status"
