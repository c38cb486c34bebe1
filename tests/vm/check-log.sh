#!/usr/bin/env bash
# Decides whether a guest's run was clean:
#   check-log.sh <console log> <events log>
# The console log is everything the guest printed on ttyS0 (kernel messages
# as they happened, then the whole dmesg); the events log is its ttyS1
# channel (see guest-init.sh). Prints each problem with the log lines around
# it and exits 1 if there is any, 0 if the run was clean.
set -u

console=$1
events=$2
problems=0

problem() {
	echo "kernel-log: $*"
	problems=$((problems + 1))
}

# Kernel reports that mean a bug in the module or in the way it uses the
# kernel. Case matters: the debug kernel's "kasan: KernelAddressSanitizer
# initialized" and the echo of "kmemleak=on" on its command line must not
# match.
bad='(^|[^A-Za-z_])BUG[: ]|WARNING:|Oops|general protection fault'
bad="$bad"'|KASAN|UBSAN|Kernel panic|Call Trace:|invalid opcode'
bad="$bad"'|possible recursive locking|circular locking|inconsistent lock state'
bad="$bad"'|suspicious RCU usage|possible irq lock inversion|bad unlock balance'
bad="$bad"'|held lock freed|lock held when returning to user space'
bad="$bad"'|DEBUG_LOCKS_WARN_ON|RCU stall|self-detected stall|rcu: INFO'
bad="$bad"'|detected stalls on CPUs|soft lockup|hard LOCKUP|hung task'
bad="$bad"'|blocked for more than [0-9]+ seconds|workqueue lockup'
bad="$bad"'|kmemleak: [0-9]+ new suspected memory leak'
bad="$bad"'|Bad page state|Bad page map|Bad rss-counter|list_add corruption'
bad="$bad"'|list_del corruption|refcount_t: |ODEBUG: |Unable to handle'
bad="$bad"'|unable to handle (page fault|kernel)|stack-protector|stack guard page'

# Lines the README of the debug kernel lists as harmless, and test output,
# which the guest prefixes with VMOUT (a test may print anything).
harmless='^VMOUT |mtrr: your CPUs had inconsistent|ACPI: Failed to create genetlink family'
harmless="$harmless"'|NOTICE NOTICE NOTICE|unhashed kernel memory addresses'

strip_cr() {
	tr -d '\r' <"$1"
}

# The kernel's own report of an allocation that failed (warn_alloc: the
# failure, then a stack dump) is expected while the guest injects failures
# on purpose. The guest announces that pass on the console with its uptime
# ("VMSTAGE tests with allocation failures injected (uptime T s)", until
# the next VMSTAGE); the Call Trace of such a report whose kernel time
# stamp falls in that window is not a problem. Prints the line numbers to
# leave out.
injected_alloc_reports() {
	strip_cr "$console" | awk '
		/^VMSTAGE / {
			t = $0
			sub(/.*\(uptime /, "", t)
			sub(/ s\).*/, "", t)
			if (on) { to = t + 0; on = 0 }
			if ($0 ~ /^VMSTAGE tests with allocation failures injected/) {
				from = t + 0; to = -1; on = 1
			}
			next
		}
		{ lines[NR] = $0 }
		END {
			if (from == "") exit
			if (to < 0) to = 1e9
			for (i = 1; i <= NR; i++) {
				l = lines[i]
				if (l !~ /(page allocation failure: order:|vmalloc error: size)/)
					continue
				ts = l
				if (!sub(/^\[ *[0-9]+\.[0-9]+\] .*/, "&", ts)) continue
				sub(/^\[ */, "", ts); sub(/\].*/, "", ts)
				if (ts + 0 < from || ts + 0 > to) continue
				# Its stack dump follows within a few lines.
				for (j = i + 1; j <= i + 12 && j <= NR; j++)
					if (lines[j] ~ /Call Trace:/) { print j; break }
			}
		}'
}

if [ ! -s "$console" ]; then
	problem "no console output from the guest"
else
	skip_lines=$(injected_alloc_reports | sed 's/$/:/' | sed 's/^/^/')
	hits=$(strip_cr "$console" | grep -nE "$bad" | grep -vE "$harmless" |
		grep -vE '^[0-9]+:VMOUT ' |
		{ if [ -n "$skip_lines" ]; then grep -v -f <(echo "$skip_lines"); else cat; fi; })
	if [ -n "$hits" ]; then
		problem "kernel reports in the guest log:"
		first=$(echo "$hits" | head -n 1 | cut -d: -f1)
		echo "$hits" | head -n 20 | sed 's/^/    /'
		echo "  log from line $first:"
		strip_cr "$console" | sed -n "$first,$((first + 40))p" |
			sed 's/^/    | /'
	fi
fi

# The guest reports on both channels; the console copy covers a line the
# events channel lost.
both() {
	cat "$events" "$console" 2>/dev/null | tr -d '\r'
}

errors=$(both | grep '^VMERROR ' | sed 's/^VMERROR //' | sort -u)
if [ -n "$errors" ]; then
	while IFS= read -r e; do
		problem "$e"
	done <<<"$errors"
fi

if ! both | grep -qx 'VMEND'; then
	problem "the guest never reached its end marker (timeout, hang or crash); last console lines:"
	strip_cr "$console" 2>/dev/null | tail -n 40 | sed 's/^/    | /'
fi

[ "$problems" -eq 0 ]
