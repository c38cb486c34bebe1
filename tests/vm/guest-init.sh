#!/bin/sh
# /init of the test VM (busybox sh, PID 1). Loads the module, runs every test
# program, unloads the module, dumps the kernel log and powers off.
#
# The channels to the host and the helpers shared with the interop guest
# are in guest-lib.sh (/xpmem/guest-lib.sh in the image).
#
# Settings come from the kernel command line:
#   vmtest.timeout=SECONDS   per-test limit (SIGKILL)
#   vmtest.kmemleak=1        scan for leaks after the module is unloaded
#   vmtest.stress=SECONDS    passed to tests as XPMEM_STRESS_SECONDS
#   vmtest.cycles=N          passed to tests as XPMEM_CYCLES
#   vmtest.only=A,B          run only these tests (area/name)
#   vmtest.scale=PERCENT     passed to tests as XPMEM_TEST_SCALE
#   vmtest.skip=A,B          report these tests as skipped without running
#   vmtest.user=1            run the API tests (tests/xpmem) once more on
#                            the user-space backend: results user/xpmem/NAME
#   vmtest.failinject=1      and once more on the module with slab and page
#                            allocation failures injected into the test's
#                            processes: results failinject/xpmem/NAME; such a
#                            test may fail, but must exit (no crash, no hang)

. /xpmem/guest-lib.sh
guest_setup

test_timeout=$(param vmtest timeout 120)
kmemleak=$(param vmtest kmemleak 0)
only=$(param vmtest only "")
skip=$(param vmtest skip "")
export XPMEM_STRESS_SECONDS="$(param vmtest stress 10)"
export XPMEM_CYCLES="$(param vmtest cycles 10000)"
export XPMEM_TEST_SCALE="$(param vmtest scale 100)"
export XPMEM_TEST_VM=1
export TMPDIR=/tmp

# Runs one test program: run_test PASS BIN. PASS is "" for the main run,
# else the name of the extra pass (user, failinject), which prefixes the
# result's name and decides how the test runs and what a pass is.
run_test() {
	pass=$1
	bin=$2
	area=$(basename "$(dirname "$bin")")
	name=$area/$(basename "$bin")
	case ",$only," in
	,,|*",$name,"*) ;;
	*) return ;;
	esac
	result=${pass:+$pass/}$name
	case ",$skip," in
	*",$name,"*)
		echo "VMOUT skipped on this kernel by the harness"
		report SKIP "$result" 77
		return ;;
	esac

	echo "VMSTART $result"
	t0=$(cut -d' ' -f1 /proc/uptime)
	case $pass in
	user) (cd /tmp && XPMEM_BACKEND=user timeout -s KILL "$test_timeout" \
		"$bin" </dev/null >/tmp/test.out 2>&1 3>&-) ;;
	# Only tasks with make-it-fail set see injected failures
	# (task-filter); the test sets it once loaded (tests/common/test.h)
	# and its children inherit it.
	failinject) (cd /tmp && XPMEM_TEST_FAILINJECT=1 timeout -s KILL \
		"$test_timeout" "$bin" </dev/null >/tmp/test.out 2>&1 3>&-) ;;
	*) (cd /tmp && timeout -s KILL "$test_timeout" "$bin" </dev/null \
		>/tmp/test.out 2>&1 3>&-) ;;
	esac
	rc=$?
	echo "VMTIME $result $(awk -v a="$t0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
	case $pass,$rc in
	*,0) verdict=PASS ;;
	*,77) verdict=SKIP ;;
	# With allocations failing, a test may see errors it does not
	# expect and fail; it must still exit by itself: a signal (a crash,
	# or the SIGKILL of the timeout: a hang) fails.
	failinject,*) [ "$rc" -lt 128 ] && verdict=PASS || verdict=FAIL ;;
	*) verdict=FAIL ;;
	esac
	# Prefixed so the host's log check can tell test output from the kernel.
	if [ $verdict != PASS ]; then
		sed 's/^/VMOUT /' /tmp/test.out | tail -n 60
	else
		# The summary line some tests print (operations, calls made).
		sed 's/^/VMOUT /' /tmp/test.out | tail -n 2
	fi
	report "$verdict" "$result" "$rc"
}

# Slab and page allocation failures for tasks that ask for them (the
# failinject pass), 1 in 20, without the stack dump of each (verbose 0):
# the kernel log must stay clean while callers handle the failures. User
# pages (highmem allocations) are left alone: the test programs need them.
# Each injected failure takes one from "times": what a test used shows how
# many failures it met.
failinject_budget=100000000
failinject_used() {
	echo $((failinject_budget - $(cat /sys/kernel/debug/$1/times)))
}

failinject_setup() {
	d=/sys/kernel/debug
	[ -d $d/failslab ] && [ -d $d/fail_page_alloc ] || return 1
	for f in $d/failslab $d/fail_page_alloc; do
		echo Y >$f/task-filter
		echo 5 >$f/probability
		echo 1 >$f/interval
		echo $failinject_budget >$f/times
		echo 0 >$f/verbose
		echo N >$f/ignore-gfp-wait
	done
	echo Y >$d/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$d/fail_page_alloc/min-order
}

failinject_off() {
	echo 0 >/sys/kernel/debug/failslab/probability
	echo 0 >/sys/kernel/debug/fail_page_alloc/probability
}

stage "boot done: $(uname -r)"

if load_modules; then
	ls -l /dev/xpmem 2>&1
	[ -x /xpmem/bin/xpmem ] && /xpmem/bin/xpmem info 2>&1 | sed 's/^/VMOUT /'
fi

# Soft-RoCE costs a few seconds (more on the debug kernels): only for the
# test that uses it.
case ",$only," in
,,|*",xpmem/rdma_reg,"*) rdma_setup ;;
esac

stage "tests"
for bin in /xpmem/tests/xpmem/* /xpmem/tests/kernel/* /xpmem/tests/tier/*; do
	[ -f "$bin" ] && [ -x "$bin" ] && run_test "" "$bin"
done

if [ "$(param vmtest user 0)" = 1 ]; then
	stage "tests on the user-space backend"
	for bin in /xpmem/tests/xpmem/*; do
		[ -f "$bin" ] && [ -x "$bin" ] && run_test user "$bin"
	done
fi

if [ "$(param vmtest failinject 0)" = 1 ]; then
	stage "tests with allocation failures injected"
	if failinject_setup; then
		for bin in /xpmem/tests/xpmem/*; do
			[ -f "$bin" ] && [ -x "$bin" ] || continue
			slab0=$(failinject_used failslab)
			page0=$(failinject_used fail_page_alloc)
			run_test failinject "$bin"
			echo "VMOUT failures injected: $(($(failinject_used failslab) - slab0))" \
				"slab, $(($(failinject_used fail_page_alloc) - page0)) page"
		done
		failinject_off
	else
		event "VMERROR fault injection requested, but this kernel has none"
	fi
fi

stage "unload"
unload_module
[ "$kmemleak" = 1 ] && kmemleak_scan
guest_finish
