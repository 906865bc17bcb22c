#!/usr/bin/env bash
# What `make test` needs beyond pip, called by the Makefile:
#
#   tools/test_env.sh packages
#       The Debian packages the tests use. As root, the missing ones are installed through apt
#       (apt-get update first); nothing happens when all are there. Not root and something
#       missing: one line naming the apt command, exit 1.
#   tools/test_env.sh store-on-postgres PYTHON [PYTEST_ARGS...]
#       Starts a throw-away PostgreSQL cluster (psoas/pg_cluster.py, as `psoas clinic up` and
#       bench/clinic.py do: initdb in a temp folder, a free loopback port, run by the
#       `postgres` user when root, else by you), runs the store tests on it
#       (`PYTHON -m pytest -m store PYTEST_ARGS`), and stops and deletes the cluster at the
#       end, pass or fail. With PSOAS_TEST_POSTGRES_URL set, that server is used instead.
set -euo pipefail

PY=${PY:-python3}
CHROMIUM=${PSOAS_CHROMIUM:-/usr/bin/chromium}

say() { echo "test_env: $*"; }

# (ldconfig's list is read whole first: `grep -q` in a pipe would cut it off, and pipefail
# would take that for a failure.)
has_lib() {
  local libs
  libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p)
  grep -q "$1" <<<"$libs"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# The Debian packages that are missing, one per line; each check is what the tests use.
missing() {
  # make's .venv (Debian keeps ensurepip in python3-venv)
  [ -x "${VENV:-.venv}/bin/python" ] || "$PY" -c 'import ensurepip' 2>/dev/null || echo python3-venv
  [ -x "$CHROMIUM" ] || echo chromium  # browser tests (Playwright drives it)
  command -v dbus-run-session >/dev/null || echo dbus  # psoas breaks run on a session bus
  for tool in pdftotext pdftoppm pdfinfo pdfimages; do  # reading PDFs back
    command -v "$tool" >/dev/null || { echo poppler-utils; break; }
  done
  local bin
  bin=$(pg_bin)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_dump" ] || echo postgresql
  has_lib 'libpango-1\.0\.so' || echo libpango-1.0-0  # WeasyPrint (PDF report)
  has_lib 'libpangoft2-1\.0\.so' || echo libpangoft2-1.0-0
  has_lib 'libharfbuzz-subset\.so' || echo libharfbuzz-subset0  # WeasyPrint's font subsetting
  # The camera coach: OpenCV (from the coach extra, with MediaPipe) loads these when imported
  has_lib 'libGL\.so\.1' || echo libgl1
  has_lib 'libgthread-2\.0\.so\.0' || echo libglib2.0-0
  has_lib 'libSM\.so\.6' || echo libsm6
  has_lib 'libXext\.so\.6' || echo libxext6
  # The PDF report's font
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ||
    { command -v fc-list >/dev/null && fc-list -q 'DejaVu Sans'; } || echo fonts-dejavu-core
}

packages() {
  local need
  need=$(missing | sort -u | tr '\n' ' ')
  need=${need% }
  [ -z "$need" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "make test needs Debian packages it can install only as root: run 'sudo apt-get update && sudo apt-get install -y $need' (or run make test as root)" >&2
    exit 1
  fi
  say "installing $need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086  # a list of package names
  apt-get install -y -qq $need >/dev/null
  need=$(missing | sort -u | tr '\n' ' ')
  if [ -n "$need" ]; then
    echo "make test: still missing after apt-get install: $need" >&2
    exit 1
  fi
}

store_on_postgres() {
  local python=$1
  shift
  local run=("$python" -m psoas.pg_cluster)
  if [ -n "${PSOAS_TEST_POSTGRES_URL:-}" ]; then
    run=(env "PSOAS_DATABASE_URL=$PSOAS_TEST_POSTGRES_URL")
  fi
  say "store tests again on PostgreSQL"
  local rc=0
  "${run[@]}" "$python" -m pytest -m store "$@" || rc=$?
  if [ "$rc" = 5 ] && [ "$#" -gt 0 ]; then
    say "no store tests in this selection"
    rc=0
  fi
  return "$rc"
}

case "${1:-}" in
  packages) packages ;;
  store-on-postgres)
    shift
    store_on_postgres "$@"
    ;;
  *)
    echo "usage: tools/test_env.sh packages | store-on-postgres PYTHON [PYTEST_ARGS...]" >&2
    exit 2
    ;;
esac
