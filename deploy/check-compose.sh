#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (`docker-compose config` only parses, interpolates
# and checks the schema):
#   1. with every secret set (throw-away random values) the file renders;
#   2. with the example env file as committed (secrets empty) compose refuses to run.
# Works with docker-compose v1 (Debian: apt-get install docker-compose) or the v2 plugin.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  echo "check-compose: neither docker-compose nor 'docker compose' is installed" >&2; exit 2
fi

env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
grep -Ev '^(POSTGRES_PASSWORD|[A-Z]+_DB_PASSWORD|LOCALWEALTH_INTERNAL_TOKEN_SECRET|LOCALWEALTH_ADMIN_KEY)=' \
  deploy/compose.env.example >"$env_file"
for var in POSTGRES_PASSWORD REGISTRY_DB_PASSWORD PROCUREMENT_DB_PASSWORD LAND_DB_PASSWORD \
           IMPACT_DB_PASSWORD GATEWAY_DB_PASSWORD LOCALWEALTH_INTERNAL_TOKEN_SECRET LOCALWEALTH_ADMIN_KEY; do
  printf '%s=%s\n' "$var" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >>"$env_file"
done

"${compose[@]}" --env-file "$env_file" -f docker-compose.yml config --quiet
echo "check-compose: docker-compose.yml is valid with all secrets set"
services="$("${compose[@]}" --env-file "$env_file" -f docker-compose.yml config --services | sort | tr '\n' ' ')"
echo "check-compose: services: $services"

if "${compose[@]}" --env-file deploy/compose.env.example -f docker-compose.yml config --quiet 2>/dev/null; then
  echo "check-compose: FAIL — compose accepted the example env file with empty secrets" >&2; exit 1
fi
echo "check-compose: refuses to start with the example's empty secrets (as intended)"
