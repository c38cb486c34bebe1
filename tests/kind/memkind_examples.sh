#!/usr/bin/env bash
# memkind's own example programs (Debian's libmemkind-dev ships their
# sources in /usr/share/doc/libmemkind-dev/examples): each is built
# against our headers and library and against Debian's memkind 1.14, both
# builds run with the same arguments (the same directory for the pmem
# examples, empty again after each run), and their output and exit status must be the same.
#
#   tests/kind/memkind_examples.sh [BUILD]
#
# Left out, with the reason printed: memkind_get_stat (prints jemalloc's
# internal statistics, which differ between any two allocators),
# memkind_decorator_debug (no main: hooks into memkind's internals) and
# memkind_allocated_example (needs a header memkind does not ship).
# Exit 77 without the sources, a C++ compiler or Debian's library, or in a
# sanitizer build.
set -u

build=${1:-${BUILD:-build}}
examples=/usr/share/doc/libmemkind-dev/examples
leave_out="memkind_get_stat memkind_decorator_debug memkind_allocated_example"

skip() {
	echo "skip: $*"
	exit 77
}

[ -d "$examples" ] || skip "no $examples (install libmemkind-dev)"
command -v c++ >/dev/null || skip "no C++ compiler"
theirs=$(ls /usr/lib/*/libmemkind.so.0 2>/dev/null | head -n 1)
[ -n "$theirs" ] || skip "Debian's libmemkind0 is not installed"
lib=$(cd "$build/lib" 2>/dev/null && pwd) || skip "$build/lib is not built"
if nm -D "$lib/libmemkind.so.0" | grep -q __asan_init; then
	skip "a sanitizer build: the examples are not built with ASan"
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/memkind-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

# build SOURCE OUT ours|theirs: ours gets our headers and a run path to
# our library; theirs the system's headers and Debian's library.
build_one() {
	local src=$1 out=$2 cc=cc std=-std=gnu11

	case $src in *.cpp) cc=c++ std=-std=c++11 ;; esac
	if [ "$3" = ours ]; then
		$cc $std -O1 -w -I"$repo/include" -o "$out" "$src" -L"$lib" \
			-lmemkind -Wl,-rpath,"$lib" -pthread
	else
		$cc $std -O1 -w -o "$out" "$src" "$theirs" -pthread
	fi
}

failed=0 compared=0
for src in "$examples"/*.c "$examples"/*.cpp; do
	name=$(basename "${src%.*}")
	case " $leave_out " in
	*" $name "*) echo "left out: $name"; continue ;;
	esac
	for side in ours theirs; do
		if ! build_one "$src" "$work/$name.$side" $side \
			>"$work/$name.$side.build" 2>&1; then
			echo "FAIL $name: does not build against $side"
			sed 's/^/    /' "$work/$name.$side.build" | head -n 10
			failed=1
			continue 2
		fi
		# One directory for both: the examples print its name.
		mkdir -p "$work/pmem"
		(cd "$work" && timeout 60 "./$name.$side" "$work/pmem/" \
			>"$name.$side.out" 2>&1 </dev/null)
		echo "exit $?" >>"$work/$name.$side.out"
	done
	compared=$((compared + 1))
	if cmp -s "$work/$name.ours.out" "$work/$name.theirs.out"; then
		echo "same: $name ($(tail -n 1 "$work/$name.ours.out"))"
	else
		echo "FAIL $name: output differs (ours, then Debian's memkind)"
		diff "$work/$name.ours.out" "$work/$name.theirs.out" |
			sed 's/^/    /' | head -n 20
		failed=1
	fi
done
echo "$compared examples compared"
[ "$compared" -gt 0 ] || skip "no example could be compared"
exit $failed
