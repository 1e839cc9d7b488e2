# Sourced by the test command: make sure a PostgreSQL server answers on 127.0.0.1:5432 and
# export STEPWISE_TEST_PG for it. Installs PostgreSQL from Debian's packages when missing.
set -euo pipefail
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! command -v pg_isready >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian packages)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_up; then
  for cluster in /etc/postgresql/*/main; do
    version=$(basename "$(dirname "$cluster")")
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
if psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  export STEPWISE_TEST_PG="${STEPWISE_TEST_PG:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}"
else
  # A freshly installed server has no trust auth on TCP: give the superuser a test password.
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'stepwise-test'\"" >/dev/null
  export STEPWISE_TEST_PG="${STEPWISE_TEST_PG:-postgresql+asyncpg://postgres:stepwise-test@127.0.0.1:5432/test}"
fi
PGPASSWORD=stepwise-test psql -h 127.0.0.1 -U postgres -d postgres -Atqc \
  "select 1 from pg_database where datname = 'test'" | grep -q 1 ||
  PGPASSWORD=stepwise-test psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
