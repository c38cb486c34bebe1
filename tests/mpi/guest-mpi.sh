#!/bin/bash
# /init of the MPI guest (PID 1): the Debian 12 root of prepare-mpi.sh,
# unpacked from the initramfs, with our module in /xpmem/module, our
# libxpmem in /xpmem/lib, our UCX in /opt/ucx and this suite in /mpi
# (run-mpi.sh lays them over the root). It speaks tests/vm's protocol
# (guest-lib.sh):
#   /dev/ttyS1   VMRESULT PASS|FAIL|SKIP <name> <code>, VMERROR, VMEND, and
#                VMNP <transport> <bytes> <Mbps> for NetPIPE's curve
#   console      kernel messages; command output prefixed with VMOUT
#
# Settings from the kernel command line: mpi.kind=full|stock|debug (the
# kind of kernel, which picks the cases of cases.sh; full adds the curve
# and the control without the module), mpi.timeout=SECONDS (per mpirun).
#
# Order: with mpi.kind=full the control without the module first, then the
# module, every case as root and as the user (UCX's log must show xpmem
# lanes, the module's fault counter must move and its live counters must
# be back at zero after each run), the curves, unload, dmesg.

. /xpmem/guest-lib.sh
guest_setup
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=/opt/ucx/lib:/xpmem/lib
export HOME=/root
# devtmpfs has no /dev/fd and /dev/std*, which udev would make.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# shellcheck source=cases.sh
. /mpi/cases.sh

limit=$(param mpi timeout 300)
kind=$(param mpi kind stock)
run_dir=/tmp/mpi

# No systemd here: qemu exits on the reset (-no-reboot).
reboot() {
	echo b >/proc/sysrq-trigger
}

# show FILE|- [LINES]: the end of a file (- for standard input) on the
# console, marked as test output.
show() {
	sed 's/^/VMOUT /' "$1" | tail -n "${2:-40}"
}

# The arguments column and the rank count of a case.
case_field() {
	mpi_cases | awk -v n="$1" -v f="$2" '$1 == n {
		if (f == "cmd") { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }
		else if (f == "np") print $2
		else print $3 }'
}

# mpi_run <user> <ranks> <tls|-> <out> <program...>: one mpirun in a
# fresh directory the user owns ($run_dir), under a time limit; output in
# <out>, UCX's log of each process in $run_dir/ucx.<pid>.log. "-" leaves
# UCX_TLS unset, as users have it.
mpi_run() {
	who=$1 np=$2 tls=$3 out=$4
	shift 4
	ids=$(mpi_users | awk -v u="$who" '$1 == u { print $2, $3 }')
	uid=${ids% *}
	gid=${ids#* }
	rm -rf "$run_dir"
	mkdir -p "$run_dir"
	cp /mpi/hpccinf.txt "$run_dir/"
	chown -R "$uid:$gid" "$run_dir"
	# More ranks than vCPUs: let the idle ones yield instead of spinning.
	[ "$np" -gt "$(nproc)" ] && set -- --mca mpi_yield_when_idle 1 "$@"
	set -- -np "$np" --oversubscribe \
		--mca pml ucx --mca pml_ucx_tls any --mca pml_ucx_devices any \
		--mca btl self -x LD_LIBRARY_PATH -x UCX_LOG_LEVEL \
		-x UCX_LOG_FILE="$run_dir/ucx.%p.log" "$@"
	[ "$tls" = - ] || set -- -x UCX_TLS "$@"
	[ -n "${XPMEM_BACKEND:-}" ] && set -- -x XPMEM_BACKEND "$@"
	if [ "$uid" = 0 ]; then
		set -- mpirun --allow-run-as-root "$@"
	else
		set -- setpriv --reuid="$uid" --regid="$gid" --init-groups \
			env HOME="$(awk -F: -v u="$uid" '$3 == u { print $6 }' /etc/passwd)" \
			mpirun "$@"
	fi
	# What the processes were doing just before the limit, for a run
	# that hangs.
	rm -f /tmp/hang.txt
	(
		sleep $((limit - 5))
		{
			tr '\n' ' ' </proc/xpmem/stats
			echo
			ps -eo pid,user,stat,wchan:24,pcpu,etime,args | cut -c1-160
		} >/tmp/hang.txt 2>&1
	) &
	watch=$!
	(
		cd "$run_dir" || exit 1
		[ "$tls" = - ] && unset UCX_TLS || export UCX_TLS="$tls"
		timeout -k 10 "$limit" "$@"
	) >"$out" 2>&1
	rc=$?
	kill "$watch" 2>/dev/null
	wait "$watch" 2>/dev/null
	return $rc
}

# The live counters while a run goes on, sampled twice a second into
# /tmp/samples: proof that the module carried the run.
sample_start() {
	: >/tmp/samples
	(
		while :; do
			cat /proc/xpmem/stats 2>/dev/null >>/tmp/samples
			sleep 0.5
		done
	) &
	sampler=$!
}

sample_stop() {
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null
}

# The highest value a counter reached in the samples (0 if none).
peak() {
	awk -v n="$1" '$1 == n && $2 > m { m = $2 } END { print m + 0 }' \
		/tmp/samples
}

# The largest message NetPIPE's integrity mode checked and passed.
largest_checked() {
	awk '/bytes .*Integrity check passed/ && $2 > m { m = $2 }
		END { print m + 0 }' "$1"
}

# The application's own verdict on its output.
app_ok() {
	name=$1 out=$2 np=$3
	case $name in
	netpipe-64m)
		! grep -q 'Integrity check failed' "$out" &&
			[ "$(largest_checked "$out")" = 67108864 ]
		;;
	netpipe*)
		# Every size checked passed, up to the case's upper bound or
		# NetPIPE's own stop (it ends the series once one transfer takes
		# over a second, which TCG on a busy host, or a debug kernel,
		# reaches first): at least a quarter of the upper bound.
		want=$(case_field "$name" cmd | awk '{ for (i = 1; i < NF; i++)
			if ($i == "-u") print int($(i + 1) / 4) }')
		! grep -q 'Integrity check failed' "$out" &&
			[ "$(largest_checked "$out")" -ge "$want" ]
		;;
	hpcc*)
		f=$run_dir/hpccoutf.txt
		[ -r "$f" ] && grep -q '^Success=1' "$f" &&
			grep -q 'End of HPC Challenge tests' "$f" &&
			grep -q '^MinPingPongBandwidth_GBytes=' "$f" &&
			grep -q '^RandomlyOrderedRingBandwidth_GBytes=' "$f" &&
			grep -q 'PASSED' "$f" && ! grep -q 'FAILED' "$f"
		;;
	mpi4py*)
		[ "$(grep -c 'bytes intact' "$out")" = "$np" ]
		;;
	esac
}

# UCX's debug log names each lane of an endpoint and what it is for: a
# lane on xpmem that carries rendezvous (rma_bw, or rkey_ptr) to a peer.
xpmem_lanes() {
	cat "$run_dir"/ucx.*.log 2>/dev/null |
		grep -qE 'lane\[[0-9]+\]:.*xpmem/memory.* am .*(rkey_ptr|rma_bw)'
}

# The lanes UCX chose, each once.
lanes() {
	cat "$run_dir"/ucx.*.log 2>/dev/null | grep -E 'lane\[[0-9]+\]:' |
		sed -E 's/^.*(lane\[)/\1/' | sort -u
}

# run_case <user> <name>: one application on xpmem, with its checks.
run_case() {
	who=$1 name=$2 out=/tmp/out
	np=$(case_field "$name" np)
	faults_before=$(counter faults)
	sample_start
	# shellcheck disable=SC2046 # the case's words
	UCX_LOG_LEVEL=debug mpi_run "$who" "$np" self,xpmem "$out" \
		$(case_field "$name" cmd)
	rc=$?
	sample_stop
	faults_after=$(counter faults)
	why=""
	if [ $rc -ne 0 ]; then
		why="mpirun exited $rc"
	elif ! app_ok "$name" "$out" "$np"; then
		why="the application's output is not a pass"
	elif ! xpmem_lanes; then
		why="UCX's log shows no xpmem rendezvous lane"
	elif [ "${faults_after:-0}" -le "${faults_before:-0}" ] ||
		[ "$(peak attachments)" -lt 1 ]; then
		why="the module's counters did not move (faults $faults_before -> $faults_after, peak attachments $(peak attachments))"
	elif ! counters_settle; then
		why="counters after the run: $(tr '\n' ' ' </proc/xpmem/stats)"
	fi
	if [ -n "$why" ]; then
		report FAIL "$who/$name" "${rc/#0/1}"
		echo "VMOUT $who/$name: $why"
		show "$out" 12
		[ -s /tmp/hang.txt ] && show /tmp/hang.txt 40
		cat "$run_dir"/ucx.*.log 2>/dev/null | grep -v 'UCX  DEBUG' |
			show - 10
		lanes | show - 12
		[ -r "$run_dir/hpccoutf.txt" ] &&
			grep -E 'Success|Failure|FAILED' "$run_dir/hpccoutf.txt" |
			show - 10
		return
	fi
	report PASS "$who/$name"
	echo "VMOUT $who/$name: faults $faults_before -> $faults_after," \
		"peak segments $(peak segments), attachments $(peak attachments)"
	case $name in
	netpipe*) echo "VMOUT $who/$name: checked up to $(largest_checked "$out") bytes" ;;
	esac
	lanes | grep xpmem/memory | head -n 4 | sed "s|^|VMOUT $who/$name: |"
}

# Without the module: what users get. Either way libxpmem reports no XPMEM
# (xpmem_version() fails with ENODEV: by default because it fell back to
# its user-space backend by itself, with XPMEM_BACKEND=kernel because the
# device is missing), UCX leaves its xpmem transport out, and Open MPI runs
# over posix and cma. Both runs leave UCX_TLS unset, as users have it, and
# pass only with correct bytes and no xpmem lane.
control_run() {
	local label=$1 backend=$2 out=/tmp/out rc
	XPMEM_BACKEND=$backend UCX_LOG_LEVEL=debug mpi_run root 2 - "$out" \
		NPopenmpi -i -l 1 -u 67108864 -p 0 -n 2
	rc=$?
	# UCX says why it left xpmem out: libxpmem's ENODEV.
	if [ $rc -eq 0 ] && app_ok netpipe "$out" 2 && ! xpmem_lanes &&
		cat "$run_dir"/ucx.*.log 2>/dev/null |
		grep -q 'xpmem_version() returned -1 (No such device)'; then
		report PASS "no-module/$label"
		lanes | grep rma_bw | head -n 3 |
			sed "s|^|VMOUT no-module/$label: |"
	else
		report FAIL "no-module/$label" "${rc/#0/1}"
		show "$out" 30
		lanes | show - 12
	fi
}

negative_control() {
	control_run default ""
	control_run kernel-backend kernel
}

# NetPIPE's curve on xpmem and on the comparison transport, back to back.
curves() {
	for tls in self,xpmem "$mpi_compare_tls"; do
		label=xpmem
		[ "$tls" = self,xpmem ] || label=compare
		# shellcheck disable=SC2086 # the arguments' words
		if UCX_LOG_LEVEL=warn mpi_run root 2 "$tls" /tmp/out \
			NPopenmpi $mpi_curve_args -o "$run_dir/np.out" &&
			[ -s "$run_dir/np.out" ]; then
			report PASS "curve/$label"
			awk -v l="$label" '{ print "VMNP", l, $1, $2 }' \
				"$run_dir/np.out" >&3
		else
			report FAIL "curve/$label" 1
			show /tmp/out 30
		fi
	done
}

stage "boot done: $(uname -r)"
ip link set lo up || event "VMERROR cannot bring up the loopback interface"
echo mpivm >/proc/sys/kernel/hostname

if [ "$kind" = full ]; then
	stage "control without the module"
	negative_control
fi

stage "module"
if load_modules; then
	for run in $(mpi_runs "$kind"); do
		stage "$run"
		start=$(cut -d' ' -f1 /proc/uptime)
		run_case "${run%%/*}" "${run#*/}"
		echo "VMTIME $run $(awk -v s="$start" '{ print $1 - s }' /proc/uptime)"
	done
	if [ "$kind" = full ]; then
		stage "curves: xpmem and $mpi_compare_tls"
		curves
	fi
	stage "unload"
	report_unload
fi

guest_finish
