#!/usr/bin/env bash
# Runs one stage of `make check` and says how long it took:
#   stage.sh NAME COMMAND [ARG ...]
# Prints "== NAME" before and "-- NAME: N s (exit E)" after; exits as the
# command did.
set -u

name=$1
shift
start=$(date +%s)
echo "== $name"
"$@"
rc=$?
echo "-- $name: $(($(date +%s) - start)) s (exit $rc)"
exit $rc
