#!/usr/bin/env bash
# Starts a throwaway local PostgreSQL (logical replication on) for trying Matih's PostgreSQL connector or server mode.
# Usage: scripts/pg.sh start [DIR] [PORT]   (defaults: ./data/pg, 55432); also creates database "matih"
#        scripts/pg.sh stop  [DIR]
# The cluster trusts local connections: it is for a laptop, not for production.
set -euo pipefail
cmd=${1:-start}
dir=$(realpath -m "${2:-./data/pg}")
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: sudo apt-get install -y postgresql" >&2; exit 1; }
as_pg=(); [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)

case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
      "${as_pg[@]}" "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! "${as_pg[@]}" "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      "${as_pg[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-c port=$port -c listen_addresses=127.0.0.1 \
        -c unix_socket_directories=$dir -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10" start >/dev/null
    fi
    # Server mode keeps Matih's metadata (and Hangfire's queues, schema "hangfire") in its own database.
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'matih'" | grep -q 1 \
      || "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres matih
    echo "PostgreSQL is running: Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    echo "Server mode database:  Host=127.0.0.1;Port=$port;Username=postgres;Database=matih"
    echo "Two hosts on one data directory (see README, Server mode):"
    echo "  export MATIH__METADATASTORE=PostgreSql MATIH__METADATACONNECTIONSTRING='Host=127.0.0.1;Port=$port;Username=postgres;Database=matih'"
    echo "  dotnet host/Matih.Host/bin/Debug/net10.0/Matih.Host.dll --data-dir ./data/shared --urls http://127.0.0.1:5000 &"
    echo "  dotnet host/Matih.Host/bin/Debug/net10.0/Matih.Host.dll --data-dir ./data/shared --warehouse-dir ./data/shared/warehouse-b --job-workers 0 --no-demo --urls http://127.0.0.1:5001 &"
    ;;
  stop)
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir" -m fast stop
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
