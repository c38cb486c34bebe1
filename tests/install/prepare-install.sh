#!/usr/bin/env bash
# Makes the cached root file systems the install test needs (run by
# scripts/install-deps.sh --vm and by run-install.sh itself; cheap when
# they are there):
#
#   - $vm_cache/roots/install-bookworm: Debian 12 as debootstrap
#     --variant=minbase makes it, plus what a machine that runs the module
#     has: systemd and udev, the stock kernel (linux-image-amd64) and its
#     headers, dkms, a compiler, pkg-config, Debian's libmemkind-dev (a
#     program is built against it before ours replaces it) and what our
#     packages need from the archive (the VM has no network). The second
#     kernel the test installs, linux-image-6.12-amd64 and its headers
#     from bookworm-security, is downloaded into its apt cache, not
#     installed: the test installs it after the module, as an update would.
#   - dkms in the build roots of the other kernel series' releases
#     (kernels.conf: bullseye for 5.10, trixie for 7.3), where the test
#     builds the packaged module source with `dkms build`.
#
# Prints the path of the install root. Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm/lib.sh"

name=install-bookworm
second_kernel="linux-image-6.12-amd64 linux-headers-6.12-amd64"
packages="systemd-sysv udev kmod linux-image-amd64 linux-headers-amd64
	  dkms gcc make libc6-dev pkg-config libmemkind-dev procps
	  libjemalloc2"

say() {
	echo "prepare-install: $*" >&2
}

[ "$(id -u)" -eq 0 ] || { say "needs root"; exit 1; }

# shellcheck disable=SC2086 # lists of package names
root=$("$here/../vm/build-root.sh" "$name" bookworm --suite bookworm-security \
	$packages) || exit 1

# The second kernel's packages, in the root's apt cache (build-root.sh
# empties it after installing, so this comes after).
archives=$root/var/cache/apt/archives
if ! ls "$archives"/linux-image-6.12*.deb >/dev/null 2>&1 ||
	! ls "$archives"/linux-headers-6.12*-amd64_*.deb >/dev/null 2>&1; then
	say "downloading $second_kernel"
	# shellcheck disable=SC2086
	in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--download-only --no-install-recommends $second_kernel \
		>>"$vm_cache/roots/$name.log" 2>&1 || {
		say "could not download $second_kernel (log: $vm_cache/roots/$name.log)"
		exit 1
	}
fi

# dkms in the build roots of the kernels this machine's release cannot
# build for, with the suites kernels.conf asks of them (the same list, so
# their apt sources do not change).
for release in $(kernel_table | awk '$2 != "bookworm" && $2 != "shared" { print $2 }' | sort -u); do
	suites=$(kernel_table | awk -v r="$release" '$2 == r { printf "--suite %s ", $3 }')
	# shellcheck disable=SC2086
	"$here/../vm/build-root.sh" "$release" "$release" $suites dkms >/dev/null ||
		{ say "could not install dkms in the $release root"; exit 1; }
done
echo "$root"
