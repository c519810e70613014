#!/usr/bin/env bash
# Debian packages the tests use, installed when missing (`covet test` runs this first):
# tzdata (zoneinfo's data, read by StdlibTest in the sandbox and by the machine's CPython);
# python3-flask and python3-requests (real, pure-Python packages StdlibTest runs in the pool;
# Flask, python3-django and python3-starlette are the apps FlaskAppTest, DjangoSiteTest,
# StarletteAppTest and RunCommandTest serve; python3-sqlalchemy runs on Covet's sqlite3 in SqliteTest);
# python3-numpy (ArrayTest compares covet.Array with numpy, and CPython workers map shared arrays with it);
# patchelf (GraalPy copies native modules for each interpreter with it, under --trusted);
# postgresql (the throwaway server PostgresServer starts for the covet.db tests: initdb, pg_ctl).
set -euo pipefail
missing=()
[ -d /usr/share/zoneinfo/Europe ] || missing+=(tzdata)
[ -x /usr/bin/python3 ] || missing+=(python3)
for package in python3-flask python3-requests python3-django python3-starlette python3-sqlalchemy python3-numpy patchelf postgresql; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
exec "$(dirname "${BASH_SOURCE[0]}")/install-debian-packages.sh" setup-test-packages "${missing[@]}"
