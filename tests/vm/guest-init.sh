#!/bin/sh
# /init of the test VM (busybox sh, PID 1). Loads the module, runs every test
# program, unloads the module, dumps the kernel log and powers off.
#
# Two channels leave the guest:
#   /dev/console (ttyS0)  kernel messages, test output of failures, dmesg
#   /dev/ttyS1            one line per event, for the host to parse:
#                         VMRESULT PASS|FAIL|SKIP <area>/<name> <exit code>
#                         VMERROR <what went wrong outside the tests>
#                         VMEND   (the guest got to the end)
# Kernel messages can land in the middle of a console line, never on ttyS1.
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

export PATH=/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu

mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node of its own: open it now.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# Opened once: reopening a serial port resets its FIFO, which can drop the
# end of the previous line.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

report() {
	echo "$*" >&3
	echo "$*"
}

# Progress on the console, with the guest's uptime to see where time goes.
stage() {
	echo "VMSTAGE $* (uptime $(cut -d' ' -f1 /proc/uptime) s)"
}

param() {
	for word in $(cat /proc/cmdline); do
		case "$word" in
		"vmtest.$1="*) echo "${word#*=}"; return ;;
		esac
	done
	echo "$2"
}

test_timeout=$(param timeout 120)
kmemleak=$(param kmemleak 0)
only=$(param only "")
skip=$(param skip "")
export XPMEM_STRESS_SECONDS="$(param stress 10)"
export XPMEM_CYCLES="$(param cycles 10000)"
export XPMEM_TEST_SCALE="$(param scale 100)"
export XPMEM_TEST_VM=1
export TMPDIR=/tmp

# Live counters of the module: each must be 0 when no process uses it.
live_counters="segments permits attachments pinned_pages"

counters_busy() {
	[ -r /proc/xpmem/stats ] || return 1
	for c in $live_counters; do
		v=$(awk -v n="$c" '$1 == n { print $2 }' /proc/xpmem/stats)
		[ -n "$v" ] && [ "$v" != 0 ] && return 0
	done
	return 1
}

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
		report "VMRESULT SKIP $result 77"
		return ;;
	esac

	echo "VMSTART $result"
	t0=$(cut -d' ' -f1 /proc/uptime)
	case $pass in
	user) (cd /tmp && XPMEM_BACKEND=user timeout -s KILL "$test_timeout" \
		"$bin" </dev/null >/tmp/test.out 2>&1 3>&-) ;;
	# make-it-fail is inherited by the test's children, and only tasks
	# with it set see injected failures (task-filter).
	failinject) (cd /tmp && timeout -s KILL "$test_timeout" sh -c \
		'echo 1 >/proc/self/make-it-fail && exec "$0"' "$bin" \
		</dev/null >/tmp/test.out 2>&1 3>&-) ;;
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
	report "VMRESULT $verdict $result $rc"
}

# Slab and page allocation failures for tasks that ask for them (the
# failinject pass), 1 in 20, without the stack dump of each (verbose 0):
# the kernel log must stay clean while callers handle the failures. User
# pages (highmem allocations) are left alone: the test programs need them.
failinject_setup() {
	d=/sys/kernel/debug
	[ -d $d/failslab ] && [ -d $d/fail_page_alloc ] || return 1
	for f in $d/failslab $d/fail_page_alloc; do
		echo Y >$f/task-filter
		echo 5 >$f/probability
		echo 1 >$f/interval
		echo -1 >$f/times
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

# Modules of this kernel the tests use (zram), dependencies first; a
# kernel that has them built in has none here.
if [ -r /lib/modules/xpmem/order ]; then
	while read -r m; do
		insmod "/lib/modules/xpmem/$m.ko" 2>/dev/null ||
			echo "VMOUT could not load $m"
	done </lib/modules/xpmem/order
fi

mod=$(ls /xpmem/module/*.ko 2>/dev/null | head -n 1)
modname=$(basename "$mod" .ko | tr - _)
if [ -z "$mod" ]; then
	report "VMERROR no module in the image"
elif insmod "$mod"; then
	if [ -c /dev/xpmem ]; then
		chmod 0666 /dev/xpmem
	else
		report "VMERROR module loaded but /dev/xpmem is missing"
	fi
else
	report "VMERROR insmod failed: module did not load"
fi
ls -l /dev/xpmem 2>&1
[ -x /xpmem/bin/xpmem ] && /xpmem/bin/xpmem info 2>&1 | sed 's/^/VMOUT /'

stage "tests"
for bin in /xpmem/tests/xpmem/* /xpmem/tests/kernel/*; do
	[ -f "$bin" ] && [ -x "$bin" ] && run_test "" "$bin"
done

if [ "$(param user 0)" = 1 ]; then
	stage "tests on the user-space backend"
	for bin in /xpmem/tests/xpmem/*; do
		[ -f "$bin" ] && [ -x "$bin" ] && run_test user "$bin"
	done
fi

if [ "$(param failinject 0)" = 1 ]; then
	stage "tests with allocation failures injected"
	if failinject_setup; then
		for bin in /xpmem/tests/xpmem/*; do
			[ -f "$bin" ] && [ -x "$bin" ] && run_test failinject "$bin"
		done
		failinject_off
	else
		report "VMERROR fault injection requested, but this kernel has none"
	fi
fi

stage "unload"
if [ -r /proc/xpmem/stats ]; then
	# Exit cleanup may finish a moment after the last process is reaped.
	n=0
	while counters_busy && [ $n -lt 10 ]; do
		sleep 1
		n=$((n + 1))
	done
	sed 's/^/VMSTATS /' /proc/xpmem/stats
	counters_busy &&
		report "VMERROR counters not back to zero after all tests:" \
			"$(tr '\n' ' ' </proc/xpmem/stats)"
fi
if grep -q "^$modname " /proc/modules; then
	rmmod "$modname" || report "VMERROR rmmod failed"
	grep -q "^$modname " /proc/modules &&
		report "VMERROR rmmod failed: $modname still loaded"
fi

if [ "$kmemleak" = 1 ] && [ -w /sys/kernel/debug/kmemleak ]; then
	stage "kmemleak"
	# Objects younger than 5 s are not reported, and a second scan
	# catches pointers that were only live in registers during the first.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	stage "kmemleak scanned"
	cat /sys/kernel/debug/kmemleak
fi

echo "VMDMESG begin"
dmesg
echo "VMDMESG end"
report "VMEND"
sync
# -no-reboot turns the reset into qemu's exit; no ACPI needed.
reboot -f
sleep 5
echo b >/proc/sysrq-trigger
