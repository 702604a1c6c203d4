#!/usr/bin/env bash
# Adds an EF Core migration to BOTH metadata migration sets (SQLite and PostgreSQL), from the one model in Matih.Core.
# Run it whenever an IEntityTypeConfiguration (or an entity it maps) changes: MetadataMigrationsTests fails until you do.
# Usage: scripts/migrations.sh add <Name>      e.g. scripts/migrations.sh add AddAuditLog
#        scripts/migrations.sh remove           removes the newest migration from both sets
# Needs the dotnet-ef tool: dotnet tool install --global dotnet-ef --version 10.0.12
set -euo pipefail
cd "$(dirname "$0")/../host/Matih.Core"
export PATH="$PATH:$HOME/.dotnet/tools"
cmd=${1:-}
dotnet build -nologo -v q >/dev/null
case "$cmd" in
  add)
    name=${2:?usage: $0 add <Name>}
    dotnet ef migrations add "$name" --no-build --context SqliteMetadataDbContext --output-dir Metadata/Migrations/Sqlite
    dotnet ef migrations add "$name" --no-build --context PostgresMetadataDbContext --output-dir Metadata/Migrations/Postgres
    ;;
  remove)
    dotnet ef migrations remove --no-build --context SqliteMetadataDbContext
    dotnet ef migrations remove --no-build --context PostgresMetadataDbContext
    ;;
  *) echo "usage: $0 add <Name> | remove" >&2; exit 2 ;;
esac
