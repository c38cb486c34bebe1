#!/usr/bin/env bash
# Fetches every Debian kernel of kernels.conf for the VM tests:
#
#   prepare-kernels.sh [--refresh] [NAME ...]
#
# For each one: its headers installed where its gcc and glibc are (this
# machine when it runs the kernel's release, else a build root of that
# release, build-root.sh), and the image of the same release downloaded and
# unpacked (apt-get download + dpkg-deb -x: never installed, so no boot
# loader or initramfs is touched). The result is described by
# $vm_cache/kernels/NAME.env, which find-kernels.sh reads. A kernel prepared
# less than a day ago is reused unless --refresh is given; after a day the
# archive is asked again, so a new ABI of the series is picked up.
# Needs root. Prints one line per kernel; exits 1 if any failed.
set -u

. "$(dirname "$0")/lib.sh"

refresh=0
names=""
for arg in "$@"; do
	case $arg in
	--refresh) refresh=1 ;;
	*) names="$names $arg" ;;
	esac
done
[ -n "$names" ] || names=$(kernel_names)

host_release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
failed=0

say() {
	echo "prepare-kernels $name: $*"
}

# The root a kernel's headers live in: / for this machine's own release.
root_of() {
	if [ "$1" = "$host_release" ]; then
		echo /
	else
		echo "$vm_cache/roots/$1"
	fi
}

# Runs a command in the root (or here, for /).
in_kernel_root() {
	local root=$1

	shift
	if [ "$root" = / ]; then
		"$@"
	else
		in_root "$root" "$@"
	fi
}

install_headers() {
	local release=$1 suite=$2 pkg=$3 root

	root=$(root_of "$release")
	if [ "$root" = / ]; then
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'ok installed' || [ $refresh = 1 ]; then
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends "$pkg/$suite" >&2 ||
				return 1
		fi
	else
		"$vm_here/build-root.sh" "$release" "$release" --suite "$suite" \
			make binutils libelf-dev "$pkg/$suite" >/dev/null || return 1
		# A refresh upgrades the headers to the newest of the series.
		if [ $refresh = 1 ]; then
			in_root "$root" env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends \
				"$pkg/$suite" >&2 || return 1
		fi
	fi
}

# linux-headers-amd64 depends on linux-headers-<release>: the release.
headers_release() {
	local root=$1 pkg=$2

	dpkg-query --admindir="${root%/}/var/lib/dpkg" -W -f='${Depends}' \
		"$pkg" 2>/dev/null | tr ',' '\n' |
		sed -nE 's/^ *linux-headers-([0-9][^ ]*-amd64)( .*)?$/\1/p' |
		head -n 1
}

# The image packages of a release: the image itself and, from 7.x on,
# the binary and modules packages it was split into.
image_packages() {
	local root=$1 rel=$2

	in_kernel_root "$root" apt-cache show --no-all-versions \
		"linux-image-$rel-unsigned" "linux-image-$rel" 2>/dev/null |
		sed -n 's/^Package: //p' | head -n 1
}

# Downloads and unpacks one package and the linux-* packages of the same
# release it depends on, into dir.
fetch_image() {
	local root=$1 rel=$2 dir=$3 first deps p dl re

	# The release as a regular expression: "6.12.117+deb12-amd64".
	re=$(printf '%s' "$rel" | sed 's/[.+]/\\&/g')
	first=$(image_packages "$root" "$rel")
	[ -n "$first" ] || { say "no image package for $rel"; return 1; }
	deps=$(in_kernel_root "$root" apt-cache show --no-all-versions "$first" |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' |
		sed -nE "s/^ *(linux-[a-z-]+-$re(-unsigned)?)( .*)?\$/\\1/p")
	dl=$(mktemp -d "${root%/}/tmp/xpmem-dl.XXXXXX")
	for p in $first $deps; do
		in_kernel_root "$root" sh -c "cd '${dl#"${root%/}"}' && apt-get download -qq -o APT::Sandbox::User=root '$p'" \
			>&2 || { rm -rf "$dl"; return 1; }
	done
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	for p in "$dl"/*.deb; do
		dpkg-deb -x "$p" "$dir.new" || { rm -rf "$dl"; return 1; }
	done
	rm -rf "$dl" "$dir"
	mv "$dir.new" "$dir"
}

# Where the image put the kernel and its modules.
find_vmlinuz() {
	local dir=$1 rel=$2 f

	for f in "$dir/boot/vmlinuz-$rel" "$dir/usr/lib/modules/$rel/vmlinuz" \
		"$dir/usr/lib/modules/$rel/vmlinuz.unsigned" \
		"$dir/lib/modules/$rel/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

find_modules() {
	local dir=$1 rel=$2 d

	for d in "$dir/lib/modules/$rel" "$dir/usr/lib/modules/$rel"; do
		[ -d "$d/kernel" ] && { echo "$d"; return 0; }
	done
	echo -
}

fresh() {
	local env=$1

	[ $refresh = 0 ] && [ -f "$env" ] &&
		[ -n "$(find "$env" -mmin -1440)" ] || return 1
	# shellcheck disable=SC1090
	(. "$env" && [ -f "$vmlinuz" ] && [ -f "${root%/}$kdir/Makefile" ])
}

prepare() {
	local name=$1 release=$2 suite=$3 pkg=$4
	local env=$vm_cache/kernels/$name.env root rel dir vmlinuz modules start

	fresh "$env" && { say "cached ($(. "$env" && echo "$rel"))"; return 0; }
	start=$(now)
	root=$(root_of "$release")
	install_headers "$release" "$suite" "$pkg" ||
		{ say "could not install $pkg from $suite"; return 1; }
	rel=$(headers_release "$root" "$pkg")
	[ -n "$rel" ] || { say "cannot tell the release $pkg depends on"; return 1; }
	[ -f "${root%/}/usr/src/linux-headers-$rel/Makefile" ] ||
		{ say "no headers in ${root%/}/usr/src/linux-headers-$rel"; return 1; }
	dir=$vm_cache/kernels/$name
	fetch_image "$root" "$rel" "$dir" || { say "could not fetch the image of $rel"; return 1; }
	vmlinuz=$(find_vmlinuz "$dir" "$rel") ||
		{ say "the image of $rel has no vmlinuz"; return 1; }
	modules=$(find_modules "$dir" "$rel")
	{
		echo "rel=$rel"
		echo "vmlinuz=$vmlinuz"
		echo "modules=$modules"
		echo "root=$root"
		echo "kdir=/usr/src/linux-headers-$rel"
	} >"$env"
	say "$rel ready in $(($(now) - start)) s (root $root)"
}

[ "$(id -u)" -eq 0 ] || { echo "prepare-kernels: needs root" >&2; exit 1; }
mkdir -p "$vm_cache/kernels"
while read -r name release suite pkg; do
	case " $names " in
	*" $name "*) ;;
	*) continue ;;
	esac
	[ "$release" = shared ] && continue
	prepare "$name" "$release" "$suite" "$pkg" || failed=1
done < <(kernel_table)
exit $failed
