#!/usr/bin/env bash
# Prints the closing line of a test run from a results file and fails when
# any test failed or none ran.
set -u
results=${1:-build/results.log}
if [ ! -s "$results" ]; then
	echo "no test results in $results"
	echo "0 passed, 1 failed"
	exit 1
fi
pass=$(grep -c '^PASS ' "$results")
fail=$(grep -c '^FAIL ' "$results")
skip=$(grep -c '^SKIP ' "$results")
if [ "$fail" -gt 0 ]; then
	echo "failed:"
	grep '^FAIL ' "$results" | sed 's/^FAIL /  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
