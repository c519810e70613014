#!/usr/bin/env bash
# Set-up of `covet bench http`: the load generator (wrk) and the peer servers (gunicorn; uvicorn
# with uvloop and httptools), from Debian's packages. The covet launcher runs this when one is missing.
set -euo pipefail
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v gunicorn >/dev/null || missing+=(gunicorn)
/usr/bin/python3 -c 'import uvicorn, uvloop, httptools' 2>/dev/null || missing+=(python3-uvicorn python3-uvloop python3-httptools)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)
command -v apt-get >/dev/null || { echo "setup-http-peers: no apt-get; install ${missing[*]} by hand" >&2; exit 1; }
echo "setup-http-peers: installing ${missing[*]} (Debian packages)" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
