#!/usr/bin/env bash
# Runs one stage of `make check` and says how long it took:
#   stage.sh NAME COMMAND [ARG ...]
#       prints "== NAME" before and "-- NAME: N s (exit E)" after; exits as
#       the command did
#   stage.sh --background NAME COMMAND [ARG ...]
#       the same, started in the background with its output kept in
#       build/stage-NAME.log; returns at once
#   stage.sh --wait NAME
#       waits for a background stage, prints its output, exits as it did
# A stage that boots its own VMs runs in the background beside the other VM
# stages: one TCG guest keeps about one of the machine's cores busy.
set -u

dir=build
mkdir -p "$dir"

run() {
	local name=$1 start rc

	shift
	start=$(date +%s)
	echo "== $name"
	"$@"
	rc=$?
	echo "-- $name: $(($(date +%s) - start)) s (exit $rc)"
	return $rc
}

case ${1:-} in
--background)
	name=$2
	shift 2
	rm -f "$dir/stage-$name.rc"
	( run "$name" "$@" >"$dir/stage-$name.log" 2>&1 </dev/null
	  echo $? >"$dir/stage-$name.rc" ) &
	echo "== $name: started in the background (output after the other stages)"
	;;
--wait)
	name=$2
	while [ ! -f "$dir/stage-$name.rc" ]; do
		sleep 5
	done
	cat "$dir/stage-$name.log"
	exit "$(cat "$dir/stage-$name.rc")"
	;;
*)
	run "$@"
	;;
esac
