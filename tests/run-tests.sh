#!/usr/bin/env bash
# Runs test programs and records one line per test in a results file:
#   PASS|FAIL|SKIP <label>/<area>/<name>
# A program passes with exit 0, skips with 77 and fails otherwise (a
# timeout included). The output of a failing test is printed in full.
set -u

label=unit
results=build/results.log
timeout_s=${TEST_TIMEOUT:-300}

while [ $# -gt 0 ]; do
	case "$1" in
	--label) label=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run-tests.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

mkdir -p "$(dirname "$results")"
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
pass=0 fail=0 skip=0

for bin in "$@"; do
	name=$(echo "$bin" | sed -E 's#^(.*/)?tests/##')
	log="$logdir/out"
	timeout -k 10 "$timeout_s" "$bin" >"$log" 2>&1 </dev/null
	rc=$?
	case $rc in
	0) verdict=PASS; pass=$((pass + 1)) ;;
	77) verdict=SKIP; skip=$((skip + 1)) ;;
	*) verdict=FAIL; fail=$((fail + 1)) ;;
	esac
	echo "$verdict $label/$name" >>"$results"
	if [ "$verdict" = FAIL ]; then
		echo "FAIL $label/$name (exit $rc)"
		sed 's/^/    /' "$log"
	elif [ "$verdict" = SKIP ]; then
		echo "SKIP $label/$name: $(tail -n 1 "$log")"
	else
		echo "PASS $label/$name"
	fi
done

echo "-- $label: $pass ok, $fail bad, $skip skipped"
[ "$fail" -eq 0 ]
