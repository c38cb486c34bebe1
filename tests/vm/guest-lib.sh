# shellcheck shell=sh
# What every test VM's /init (busybox sh) shares: sourced from
# /xpmem/guest-lib.sh by tests/vm/guest-init.sh and
# tests/interop/guest-interop.sh.
#
# Two channels leave the guest:
#   /dev/console (ttyS0)  kernel messages, test output (prefixed VMOUT),
#                         progress (VMSTAGE), dmesg at the end
#   /dev/ttyS1            one line per event, for the host to parse:
#                         VMRESULT PASS|FAIL|SKIP <name> <exit code>
#                         VMERROR <what went wrong outside the tests>
#                         VMEND   (the guest got to the end)
# Kernel messages can land in the middle of a console line, never on ttyS1.

export PATH=/bin
export LD_LIBRARY_PATH=/xpmem/lib:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu

# Mounts what the tests need and opens both channels; fd 3 is ttyS1.
guest_setup() {
	mount -t devtmpfs devtmpfs /dev
	# The initramfs has no /dev/console node of its own: open it now.
	exec </dev/console >/dev/console 2>&1
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mkdir -p /dev/shm /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	# Opened once: reopening a serial port resets its FIFO, which can
	# drop the end of the previous line.
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	exec 3>/dev/ttyS1
}

# One line on both channels.
event() {
	echo "$*" >&3
	echo "$*"
}

# report VERDICT NAME [CODE]
report() {
	event "VMRESULT $1 $2 ${3:-0}"
}

# Progress on the console, with the guest's uptime to see where time goes.
stage() {
	echo "VMSTAGE $* (uptime $(cut -d' ' -f1 /proc/uptime) s)"
}

# param PREFIX NAME DEFAULT: the value of PREFIX.NAME= on the kernel
# command line, or DEFAULT.
param() {
	for word in $(cat /proc/cmdline); do
		case "$word" in
		"$1.$2="*) echo "${word#*=}"; return ;;
		esac
	done
	echo "$3"
}

# The module's live counters: each must be 0 when no process uses it.
live_counters="segments permits attachments pinned_pages file_attachments"

counter() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/xpmem/stats 2>/dev/null
}

counters_busy() {
	[ -r /proc/xpmem/stats ] || return 1
	for c in $live_counters; do
		v=$(counter "$c")
		[ -n "$v" ] && [ "$v" != 0 ] && return 0
	done
	return 1
}

# Exit cleanup may finish a moment after the last process is reaped:
# waits up to 10 s for the counters to drop, true if they did.
counters_settle() {
	n=0
	while counters_busy && [ $n -lt 10 ]; do
		sleep 1
		n=$((n + 1))
	done
	! counters_busy
}

# Loads the kernel's own modules the tests use (zram where it is not built
# in; make-initramfs.sh lists them dependencies first), then xpmem.ko, and
# makes /dev/xpmem 0666 as the project's udev rule would (no udev here).
# Sets modname.
load_modules() {
	if [ -r /lib/modules/xpmem/order ]; then
		while read -r m; do
			insmod "/lib/modules/xpmem/$m.ko" 2>/dev/null ||
				echo "VMOUT could not load $m"
		done </lib/modules/xpmem/order
	fi
	mod=$(ls /xpmem/module/*.ko 2>/dev/null | head -n 1)
	modname=$(basename "$mod" .ko | tr - _)
	if [ -z "$mod" ]; then
		event "VMERROR no module in the image"
		return 1
	fi
	if ! insmod "$mod"; then
		event "VMERROR insmod failed: module did not load"
		return 1
	fi
	if [ ! -c /dev/xpmem ]; then
		event "VMERROR module loaded but /dev/xpmem is missing"
		return 1
	fi
	chmod 0666 /dev/xpmem
	# Without counters, "back to zero" would prove nothing.
	[ -r /proc/xpmem/stats ] ||
		event "VMERROR the module has no /proc/xpmem/stats"
}

# Soft-RoCE for the RDMA test (tests/xpmem/rdma_reg): a veth pair, both
# ends up so that the link has carrier, an IPv4 address on veth0 (from the
# documentation range: the guest has no other network) and an rxe device
# on it, whose port must turn active. Only where the image has iproute2's
# ip and rdma (make-initramfs.sh) and the kernel has InfiniBand (built in,
# or loaded by load_modules); once that holds, a failure is an error of
# the run, not a reason for the test to skip. Prints what each step took.
rdma_setup() {
	state=/sys/class/infiniband/rxe0/ports/1/state
	[ -x /usr/sbin/ip ] && [ -x /usr/sbin/rdma ] &&
		[ -d /sys/class/infiniband ] || return 0
	t0=$(uptime_s)
	# One ip process for the four commands.
	if ! printf '%s\n' "link add veth0 type veth peer name veth1" \
		"addr add 192.0.2.1/24 dev veth0" "link set veth1 up" \
		"link set veth0 up" | /usr/sbin/ip -batch -; then
		event "VMERROR soft-RoCE setup: veth0 failed"
		return 1
	fi
	t1=$(uptime_s)
	if ! /usr/sbin/rdma link add rxe0 type rxe netdev veth0; then
		event "VMERROR soft-RoCE setup: rdma link add rxe0 failed"
		return 1
	fi
	t2=$(uptime_s)
	# Bounded by the guest's clock rather than a count of polls: on a
	# loaded host a debug kernel took 10 s here, each poll far longer
	# than its sleep.
	end=$(($(cut -d. -f1 /proc/uptime) + 30))
	while ! grep -q ACTIVE $state 2>/dev/null; do
		if [ "$(cut -d. -f1 /proc/uptime)" -ge $end ]; then
			event "VMERROR rxe0 not active after 30 s: $(cat $state 2>&1)"
			return 1
		fi
		sleep 0.1
	done
	echo "rdma_setup: rxe0 on veth0 $(cat $state):" \
		"veth $(elapsed "$t0" "$t1") s, rxe0 $(elapsed "$t1" "$t2") s," \
		"active $(elapsed "$t2" "$(uptime_s)") s"
}

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# Checks the counters are back to zero, then unloads xpmem.ko; true if it
# is gone.
unload_module() {
	counters_settle || event "VMERROR counters not back to zero after all tests:" \
		"$(tr '\n' ' ' </proc/xpmem/stats)"
	sed 's/^/VMSTATS /' /proc/xpmem/stats 2>/dev/null
	grep -q "^$modname " /proc/modules || return 0
	rmmod "$modname" && ! grep -q "^$modname " /proc/modules && return 0
	event "VMERROR rmmod failed: $modname still loaded"
	return 1
}

# The unload above as a result of its own: rmmod.
report_unload() {
	if unload_module; then
		report PASS rmmod
	else
		report FAIL rmmod 1
	fi
}

# With kmemleak on: two scans after the module is gone, and what they found.
kmemleak_scan() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	stage "kmemleak"
	# Objects younger than 5 s are not reported, and a second scan
	# catches pointers that were only live in registers during the first.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	stage "kmemleak scanned"
	cat /sys/kernel/debug/kmemleak
}

# Prints the kernel log, reports the end and resets (qemu exits:
# -no-reboot, no ACPI needed).
guest_finish() {
	echo "VMDMESG begin"
	dmesg
	echo "VMDMESG end"
	event "VMEND"
	sync
	reboot -f
	sleep 5
	echo b >/proc/sysrq-trigger
}
