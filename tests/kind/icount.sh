#!/usr/bin/env bash
# Instructions per heap call, counted by callgrind: this project's kinds
# against memkind's MEMKIND_DEFAULT (Debian's libmemkind0), the same
# program (bench/kind/kind_ops.c) built against each. Instruction counts
# do not depend on machine load, so the bound is a regression test.
#
# Each count is the difference between two run lengths, divided by the
# difference of iterations: start-up and exit cancel out.
#
#   tests/kind/icount.sh [--table] [BUILD]
#
# Without --table: fails (exit 1) when one of our kinds needs more than
# 1.25x memkind's default kind for the same call; exit 77 without
# valgrind, without libmemkind0 or in a sanitizer build.
set -u

table=0
if [ "${1:-}" = --table ]; then
	table=1
	shift
fi
build=${1:-${BUILD:-build}}
ours=$build/bench/kind/kind_ops_ours
theirs=$build/bench/kind/kind_ops_memkind
bound=1.25
n1=5000 n2=25000
ops="pair freenull calloc realloc"
kinds="default regular pmem shared"

skip() {
	echo "skip: $*"
	exit 77
}

command -v valgrind >/dev/null || skip "valgrind is not installed"
[ -x "$ours" ] || skip "$ours is not built"
[ -x "$theirs" ] || skip "libmemkind0 is not installed ($theirs not built)"
if nm -D "$build/lib/libmemkind.so.0" 2>/dev/null | grep -q __asan_init; then
	skip "a sanitizer build: instruction counts mean nothing there"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KIND_OPS_DIR=$work

# count BIN KIND OP N: instructions of one whole run.
count() {
	local out=$work/cg.$BASHPID
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$1" "$2" "$3" "$4" >/dev/null 2>&1 || return 1
	awk '/^summary:/ { print $2 }' "$out"
	rm -f "$out"
}

# per_call BIN KIND OP: instructions per iteration, into $work/BIN.KIND.OP
per_call() {
	local a b
	a=$(count "$1" "$2" "$3" $n1) && b=$(count "$1" "$2" "$3" $n2) &&
		awk -v a="$a" -v b="$b" -v n=$((n2 - n1)) \
			'BEGIN { printf "%.1f\n", (b - a) / n }' \
			>"$work/$(basename "$1").$2.$3"
}

# Two at a time: each run is one process.
jobs_list=()
for op in $ops; do
	jobs_list+=("$theirs default $op")
	for kind in $kinds; do
		jobs_list+=("$ours $kind $op")
	done
done
for job in "${jobs_list[@]}"; do
	# shellcheck disable=SC2086
	per_call $job &
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do
		wait -n
	done
done
wait

value() { cat "$work/$1.$2.$3" 2>/dev/null || echo "?"; }

fail=0
printf '%-9s %16s' call "memkind default"
for kind in $kinds; do
	printf ' %14s' "ours $kind"
done
printf '   (instructions per call; ratio to memkind default)\n'
for op in $ops; do
	ref=$(value kind_ops_memkind default "$op")
	printf '%-9s %16s' "$op" "$ref"
	for kind in $kinds; do
		v=$(value kind_ops_ours "$kind" "$op")
		r=$(awk -v v="$v" -v r="$ref" \
			'BEGIN { if (r > 0 && v > 0) printf "%.2f", v / r; else print "?" }')
		printf ' %8s %5s' "$v" "${r}x"
		if [ "$r" = "?" ] ||
			awk -v r="$r" -v b="$bound" 'BEGIN { exit !(r > b) }'; then
			fail=1
		fi
	done
	printf '\n'
done
echo "(pair: malloc(64)+free(kind, p); freenull: free(NULL, p);" \
	"calloc(1, 64)+free; realloc: 49..64 B, one size class)"
if [ $table -eq 0 ] && [ $fail -ne 0 ]; then
	echo "FAIL: more than ${bound}x memkind's default kind"
	exit 1
fi
exit 0
