# shellcheck shell=bash
# Helpers shared by the scripts that boot kernels under qemu: tests/vm (the
# module's suite), tests/interop (UCX) and the build roots. Sourced, never
# run. Callers set `results` (the results file) before calling record.

vm_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_repo=$(cd "$vm_here/../.." && pwd)

# Where build roots, downloaded kernels and VM root file systems are kept
# between runs: outside the work tree, so that a fresh clone (CI) reuses
# what an earlier run fetched.
vm_cache=${XPMEM_VM_CACHE:-/var/cache/xpmem-vm}

# The guests' CPU: everything TCG can emulate, except 5-level paging. With
# it, the 7.3 debug kernel can report a false KASAN wild access when an
# interrupt lands in the boot window where identify_cpu() has cleared the
# CPU's feature bits (LA57 included, which KASAN's shadow layout follows).
vm_cpu=max,la57=off

# One result line in the format of tests/run-tests.sh, echoed with a reason.
record_failures=0
record() {
	[ "$1" = FAIL ] && record_failures=$((record_failures + 1))
	echo "$1 $2" >>"$results"
	echo "$1 $2${3:+: $3}"
}

# Absolute path of a results file, its directory created.
results_path() {
	mkdir -p "$(dirname "$1")"
	echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}

# The kernel table (kernels.conf) without comments: one kernel a line,
#   name root suite headers-package
kernel_table() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$vm_here/kernels.conf"
}

# The names of every kernel in the table, in its order.
kernel_names() {
	kernel_table | awk '{ printf "%s%s", sep, $1; sep = " " } END { print "" }'
}

# Seconds since the epoch, for stage timings.
now() {
	date +%s
}

# The archive this machine's apt uses for a suite: Debian's security
# archive for *-security suites, the main archive for the rest. Read from
# apt's own configuration, so that a machine with a local mirror uses it.
debian_mirror() {
	local suite=$1 want=main uri

	case $suite in
	*-security) want=security ;;
	esac
	apt-cache policy 2>/dev/null |
		awk -v want="$want" '$2 ~ /^https?:\/\// && $3 ~ /\// {
			split($3, s, "/")
			sec = (s[1] ~ /-security$/)
			if ((want == "security") == sec) { print $2; exit }
		}' | {
		read -r uri || return 1
		echo "$uri"
	}
}

# Runs a command inside a root file system with /proc, /sys and /dev in a
# mount namespace of its own: nothing stays mounted when it ends, whatever
# happens.
in_root() {
	unshare -m --propagation private sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" &&
		mount --rbind /sys "$root/sys" &&
		mount --rbind /dev "$root/dev" &&
		exec chroot "$root" "$@"' sh "$@"
}

# Problems of one guest run (see check-log.sh) become a result line.
record_kernel_log() {
	local label=$1 dir=$2

	if "$vm_here/check-log.sh" "$dir/console.log" "$dir/events.log" \
		>"$dir/check.log" 2>&1; then
		record PASS "$label/kernel-log"
	else
		record FAIL "$label/kernel-log" "see $dir/console.log"
		sed 's/^/    /' "$dir/check.log"
	fi
}

# The VMRESULT line a guest reported for one name, or nothing. The events
# channel first; the console copy covers a line the events channel lost.
guest_result() {
	local dir=$1 name=$2

	cat "$dir/events.log" "$dir/console.log" 2>/dev/null | tr -d '\r' |
		grep -E "^VMRESULT (PASS|FAIL|SKIP) $name [0-9]+$" | tail -n 1
}

# Turns a guest's VMRESULT lines into result lines <label>/<name>, one for
# each name read from standard input (call it with `< <(...)`, so that
# record's failure count stays in this shell). A name the guest never
# reported fails (it hung, or the guest died); a failure is followed by the
# VMOUT lines the guest printed after it; a SKIP gets <skip reason>.
#   record_guest_results LABEL DIR [SKIP REASON]
record_guest_results() {
	local label=$1 dir=$2 why=${3:-} t line verdict rc

	while read -r t; do
		line=$(guest_result "$dir" "$t")
		if [ -z "$line" ]; then
			record FAIL "$label/$t" "no result from the guest"
			continue
		fi
		verdict=$(echo "$line" | cut -d' ' -f2)
		rc=$(echo "$line" | cut -d' ' -f4)
		case $verdict in
		FAIL)
			record FAIL "$label/$t" "exit $rc"
			tr -d '\r' <"$dir/console.log" |
				awk -v t="VMRESULT FAIL $t " 'index($0, t) == 1 { on = 1; next }
					on && /^VM(RESULT|STAGE)/ { exit }
					on && /^VMOUT / { print "    " substr($0, 7) }'
			;;
		SKIP) record SKIP "$label/$t" "$why" ;;
		*) record "$verdict" "$label/$t" ;;
		esac
	done
}
