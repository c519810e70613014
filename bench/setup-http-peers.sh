#!/usr/bin/env bash
# Set-up of `covet bench http` and `covet bench startup`: the load generator (wrk), the peer servers (gunicorn; uvicorn
# with uvloop and httptools), the frameworks of its Flask and Starlette apps, psycopg2 and PostgreSQL
# for its database route, from Debian's packages. The covet launcher runs this when one is missing.
set -euo pipefail
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v gunicorn >/dev/null || missing+=(gunicorn)
/usr/bin/python3 -c 'import uvicorn, uvloop, httptools' 2>/dev/null || missing+=(python3-uvicorn python3-uvloop python3-httptools)
/usr/bin/python3 -c 'import flask' 2>/dev/null || missing+=(python3-flask)
/usr/bin/python3 -c 'import starlette' 2>/dev/null || missing+=(python3-starlette)
# The database route's peer: gunicorn's workers reach PostgreSQL through psycopg2; the server is Debian's.
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing+=(python3-psycopg2)
[ -d /usr/lib/postgresql ] || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
exec "$(dirname "${BASH_SOURCE[0]}")/../tools/install-debian-packages.sh" setup-http-peers "${missing[@]}"
