#!/usr/bin/env bash
# Runs the kind benchmark against this project's libmemkind and Debian's
# memkind, alternately, REPS times each, and prints the medians and the
# ours/memkind ratios. Pmem kinds live in a fresh directory on tmpfs.
#
#   bench/kind/run.sh OURS_BIN MEMKIND_BIN [REPS]
set -eu

ours=$1 theirs=$2 reps=${3:-3}
base=${KIND_BENCH_DIR:-/dev/shm}
dir=$(mktemp -d "$base/kindbench.XXXXXX")
out=$(mktemp -d)
trap 'rm -rf "$dir" "$out"' EXIT

for i in $(seq "$reps"); do
	"$ours" "$dir" >>"$out/ours"
	"$theirs" "$dir" >>"$out/theirs"
	echo "kind bench: repetition $i/$reps done" >&2
done

median() { # name file
	awk -v n="$1" '$1 == n { print $2 }' "$2" | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

printf '%-16s %14s %14s %10s\n' measurement ours memkind ours/memkind
for name in $(awk '{ print $1 }' "$out/ours" | awk '!seen[$0]++'); do
	a=$(median "$name" "$out/ours")
	b=$(median "$name" "$out/theirs")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }')
	printf '%-16s %14s %14s %10s\n' "$name" "$a" "$b" "$r"
done
echo "(higher is better everywhere: throughput, fill %, largest block %)"
