#!/usr/bin/env bash
# Set-up of `covet bench http`: the load generator (wrk), the peer servers (gunicorn; uvicorn
# with uvloop and httptools) and the frameworks of its Flask and Starlette apps, from Debian's packages. The covet launcher runs this when one is missing.
set -euo pipefail
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v gunicorn >/dev/null || missing+=(gunicorn)
/usr/bin/python3 -c 'import uvicorn, uvloop, httptools' 2>/dev/null || missing+=(python3-uvicorn python3-uvloop python3-httptools)
/usr/bin/python3 -c 'import flask' 2>/dev/null || missing+=(python3-flask)
/usr/bin/python3 -c 'import starlette' 2>/dev/null || missing+=(python3-starlette)
[ ${#missing[@]} -eq 0 ] && exit 0
exec "$(dirname "${BASH_SOURCE[0]}")/../tools/install-debian-packages.sh" setup-http-peers "${missing[@]}"
