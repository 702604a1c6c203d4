#!/usr/bin/env bash
# Matih's test command: installs what the tests need on a Debian machine, builds everything and runs every test.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Plugins]
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL (source and server-mode tests start their own cluster) and Chromium (browser tests) from Debian.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} ..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Matih.sln -c Debug -nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One test assembly at a time: several of them start host processes and a browser, and the machine has 2 cores.
status=0
dotnet test Matih.sln -c Debug --no-build -nologo -m:1 "$@" 2>&1 | tee "$log" || status=$?

# One closing line for CI: totals over every test assembly.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
