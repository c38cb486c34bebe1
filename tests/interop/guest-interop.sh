#!/bin/sh
# /init of the interop VM (busybox sh, PID 1): UCX over our libxpmem and our
# module. It replaces the /init of tests/vm's image, whose layout it reuses
# (module in /xpmem/module, libxpmem in /xpmem/lib), and speaks the same
# protocol to the host (see tests/vm/guest-init.sh):
#   /dev/ttyS1   VMRESULT PASS|FAIL|SKIP <name> <code>, VMERROR, VMEND, and
#                VMPERF <transport> <case> <numbers of perftest's Final line>
#   console      kernel messages; command output prefixed with VMOUT
#
# Order: the negative control first (no module loaded: UCX must fail on
# xpmem), then the module, ucx_info, every case as root and as nobody (the
# module's counters must be back to zero after each pair), the comparison
# transport, unload, dmesg.

. /xpmem/guest-lib.sh
guest_setup
export PATH=/bin:/interop/bin:/opt/ucx/bin
export LD_LIBRARY_PATH=/opt/ucx/lib:$LD_LIBRARY_PATH
cd /tmp || exit 1

# shellcheck source=cases.sh
. /interop/cases.sh

limit=$(param interop timeout 60)
port=20000

# Prints the output of a failed step for the host's log, marked as such.
show() {
	sed 's/^/VMOUT /' "$1" | tail -n "${2:-40}"
}

# Waits until something listens on TCP port $1 (IPv4 or IPv6), or 20 s.
wait_listen() {
	hex=$(printf '%04X' "$1")
	n=0
	while [ $n -lt 200 ]; do
		cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
			awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 }
				END { exit !f }' && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# wrap_for <user>: the words that run a command as that user under a
# timeout, so a side whose peer failed cannot hang the run. busybox's
# timeout execs the command in its own process, so $! of "$(wrap_for u)
# cmd &" is the command itself and can be killed.
wrap_for() {
	ids=$(interop_users | awk -v u="$1" '$1 == u { print $2, $3 }')
	if [ "$ids" = "0 0" ]; then
		echo "timeout -s KILL $limit"
	else
		echo "timeout -s KILL $limit runas $ids"
	fi
}

# pair <user> <server cmd> -- <client cmd>: both sides of one run, with
# outputs in /tmp/server.out and /tmp/client.out. Returns the client's
# status, or the server's when the client passed. Arguments are single
# words (no spaces).
pair() {
	wrap=$(wrap_for "$1")
	shift
	srv=""
	while [ "$1" != -- ]; do
		srv="$srv $1"
		shift
	done
	shift
	: >/tmp/client.out
	# shellcheck disable=SC2086
	$wrap $srv >/tmp/server.out 2>&1 &
	spid=$!
	if ! wait_listen "$port"; then
		echo "server did not listen on port $port" >>/tmp/server.out
		kill -9 "$spid" 2>/dev/null
		wait "$spid"
		return 1
	fi
	# shellcheck disable=SC2086
	$wrap "$@" >/tmp/client.out 2>&1
	crc=$?
	# A server whose client failed may wait for it forever: give it a
	# moment to notice, then stop it.
	if [ $crc -ne 0 ]; then
		n=0
		while kill -0 "$spid" 2>/dev/null && [ $n -lt 20 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -9 "$spid" 2>/dev/null
	fi
	wait "$spid"
	src=$?
	[ $crc -ne 0 ] && return $crc
	return $src
}

next_port() {
	port=$((port + 1))
}

# case_args <name>: the arguments column of a case.
case_args() {
	interop_cases | awk -v n="$1" '$1 == n { $1 = ""; $2 = ""; print }'
}

case_kind() {
	interop_cases | awk -v n="$1" '$1 == n { print $2 }'
}

# run_perf <user> <tls> <name>: one ucx_perftest pair.
run_perf() {
	who=$1 tls=$2 name=$3
	kind=$(case_kind "$name")
	args=$(case_args "$name")
	next_port
	[ "$kind" = perf-uct ] && args="$args -x xpmem -d memory"
	# shellcheck disable=SC2086
	(export UCX_TLS="$tls" UCX_LOG_LEVEL=info
	 pair "$who" ucx_perftest -p "$port" -- \
		ucx_perftest 127.0.0.1 -p "$port" $args)
}

# The UCP runs must say that xpmem carried the traffic: UCX prints each
# endpoint configuration's lanes at info level, on both sides.
used_xpmem() {
	grep -q 'ep_cfg\[[0-9]*\]:.*xpmem/memory' /tmp/client.out &&
		grep -q 'ep_cfg\[[0-9]*\]:.*xpmem/memory' /tmp/server.out
}

final_numbers() {
	grep '^Final:' /tmp/client.out | tail -n 1 | sed 's/^Final:[[:space:]]*//'
}

# run_hello <user> <size>
run_hello() {
	who=$1 size=$2
	next_port
	(export UCX_TLS=self,xpmem UCX_LOG_LEVEL=info
	 pair "$who" ucp_hello_world -p "$port" -s "$size" -- \
		ucp_hello_world -n 127.0.0.1 -p "$port" -s "$size") || return 1
	check-hello "$size" </tmp/client.out >/tmp/check.out 2>&1 &&
		used_xpmem
}

fail_with_output() {
	report FAIL "$1" "${2:-1}"
	echo "VMOUT --- $1: server"
	show /tmp/server.out
	echo "VMOUT --- $1: client"
	show /tmp/client.out
	[ -s /tmp/check.out ] && show /tmp/check.out
}

# run_case <user> <name>: one case on xpmem, with its checks.
run_case() {
	who=$1 name=$2
	: >/tmp/check.out
	faults_before=$(counter faults)
	case $(case_kind "$name") in
	hello)
		run_hello "$who" "$(case_args "$name")"
		rc=$?
		;;
	perf-ucp)
		run_perf "$who" self,xpmem "$name" && used_xpmem
		rc=$?
		;;
	*)
		run_perf "$who" self,xpmem "$name" && [ -n "$(final_numbers)" ]
		rc=$?
		;;
	esac
	faults_after=$(counter faults)
	if [ $rc -ne 0 ]; then
		fail_with_output "$who/$name" $rc
	elif [ -n "$faults_before" ] &&
		[ "$faults_after" -le "$faults_before" ]; then
		# Every pair maps its peer's memory afresh: the module must
		# have served faults, or the traffic did not go through it.
		echo "the module's fault counter did not move" >/tmp/check.out
		fail_with_output "$who/$name" 98
	elif ! counters_settle; then
		echo "counters after the run: $(tr '\n' ' ' </proc/xpmem/stats)" \
			>/tmp/check.out
		fail_with_output "$who/$name" 99
	else
		report PASS "$who/$name"
		# The lanes UCX chose, for the record.
		grep -ho 'ep_cfg\[[0-9]*\]:.*' /tmp/client.out | sort -u |
			sed "s|^|VMOUT $who/$name: |"
		[ "$who" = root ] && [ "$(case_kind "$name")" != hello ] &&
			event "VMPERF xpmem $name $(final_numbers)"
	fi
}

# Without the module, libxpmem's xpmem_version() reports no XPMEM (its
# user-space backend cannot share UCX's private anonymous buffers), so UCX
# has no xpmem transport: every run forced onto xpmem must fail, so a pass
# below cannot come from a fallback transport.
negative_control() {
	ok=1
	run_perf root self,xpmem tag_bw && ok=0
	cp /tmp/client.out /tmp/control-perf.out
	run_hello root 100000 && ok=0
	# How UCX failed, for the log: the reason should be libxpmem's error.
	grep -h 'UCX  ERROR' /tmp/control-perf.out /tmp/client.out | head -n 6 |
		sed 's/^/VMOUT control: /'
	if [ $ok = 1 ]; then
		report PASS no-module-control
	else
		report FAIL no-module-control 1
		echo "VMOUT an xpmem run succeeded without the module:"
		show /tmp/control-perf.out 20
		show /tmp/client.out 20
	fi
}

check_ucx_info() {
	ucx_info -d >/tmp/info.out 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'Memory domain: xpmem' /tmp/info.out &&
		grep -q 'Transport: xpmem' /tmp/info.out; then
		report PASS ucx-info
	else
		report FAIL ucx-info $((rc ? rc : 1))
		show /tmp/info.out 60
	fi
}

# Each comparison case runs on xpmem and on the comparison transport back
# to back, so that both see the same load on the host; the later VMPERF
# line of a case is the one the host uses.
compare_run() {
	for name in $interop_compare_cases; do
		if run_perf root self,xpmem "$name" && used_xpmem &&
			[ -n "$(final_numbers)" ]; then
			xpmem_numbers=$(final_numbers)
		else
			fail_with_output "compare/$name"
			continue
		fi
		if run_perf root "$interop_compare_tls" "$name" &&
			[ -n "$(final_numbers)" ]; then
			report PASS "compare/$name"
			event "VMPERF xpmem $name $xpmem_numbers"
			event "VMPERF cma $name $(final_numbers)"
		else
			fail_with_output "compare/$name"
		fi
	done
}

stage "boot done: $(uname -r)"
ip link set lo up || event "VMERROR cannot bring up the loopback interface"

stage "negative control"
negative_control

stage "module"
if load_modules; then
	check_ucx_info
	for who in $(interop_users | awk '{ print $1 }'); do
		stage "cases as $who"
		for name in $(interop_cases | awk '{ print $1 }'); do
			run_case "$who" "$name"
		done
	done
	if [ "$(param interop compare 1)" = 1 ]; then
		stage "comparison: $interop_compare_tls"
		compare_run
	fi
	stage "unload"
	report_unload
fi

guest_finish
