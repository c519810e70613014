#!/usr/bin/env bash
# install-debian-packages.sh WHO PACKAGE...: apt-get installs the packages (sudo when not root),
# saying who asked; fails with a clear message where there is no apt-get. The set-up scripts
# (tools/setup-test-packages.sh, bench/setup-http-peers.sh) decide what is missing.
set -euo pipefail
who="$1"
shift
[ $# -eq 0 ] && exit 0
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)
command -v apt-get >/dev/null || { echo "$who: no apt-get; install $* by hand" >&2; exit 1; }
echo "$who: installing $* (Debian packages)" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "$@" >/dev/null
