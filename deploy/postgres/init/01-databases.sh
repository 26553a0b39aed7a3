#!/usr/bin/env bash
# One database and one login role per service (SPEC §2: each service owns its database; no service reads
# another's tables). All five are created now so that adding procurement/land/impact later needs no
# database change.
#
# The official postgres image runs this once, when the data volume is first initialised. It is also
# safe to run again by hand (e.g. to rotate passwords from the environment):
#   docker-compose exec postgres /docker-entrypoint-initdb.d/01-databases.sh
#
# Passwords come from <SERVICE>_DB_PASSWORD (see deploy/compose.env.example); a missing one stops the
# initialisation rather than creating a role without a password.
set -euo pipefail

services=(registry procurement land impact gateway)

for svc in "${services[@]}"; do
  var="${svc^^}_DB_PASSWORD"
  if [[ -z "${!var:-}" ]]; then
    echo "01-databases.sh: $var is not set; refusing to create role $svc without a password" >&2
    exit 1
  fi
done

for svc in "${services[@]}"; do
  var="${svc^^}_DB_PASSWORD"
  # psql variables (:'x' literal, :"x" identifier) do the quoting, so a password can never break the SQL;
  # format(%I, %L) does the same inside the generated statements run by \gexec.
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
    -v svc="$svc" -v pw="${!var}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'svc')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'svc')
\gexec
-- Set (or reset) the password every run; no superuser, no role/db creation rights.
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
              :'svc', :'pw')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'svc', :'svc', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'svc')
\gexec
-- Only the owning role may connect: another service's credentials cannot open this database.
REVOKE ALL ON DATABASE :"svc" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"svc" TO :"svc";
SQL
  # PostgreSQL 15+ gives the public schema to pg_database_owner, so the owning role can create its tables
  # there; make the owner explicit so migrations never depend on that default.
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$svc" -v svc="$svc" <<'SQL'
ALTER SCHEMA public OWNER TO :"svc";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
  echo "01-databases.sh: database and role '$svc' ready"
done
