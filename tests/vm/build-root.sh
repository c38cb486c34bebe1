#!/usr/bin/env bash
# Makes (or refreshes) a Debian root file system for building or booting:
#
#   build-root.sh NAME RELEASE [--suite SUITE]... [PACKAGE ...]
#
# The root is $vm_cache/roots/NAME (default /var/cache/xpmem-vm/roots/NAME):
# `debootstrap --variant=minbase RELEASE`, with apt pointed at the release,
# its -updates and -security suites and each SUITE asked for (for example
# trixie-backports), then PACKAGEs installed.
# A root that exists is reused: only the packages it lacks are installed,
# so a second run costs an apt-get update at most once a day. Kernel module
# builds for releases whose headers need another gcc or glibc run in such a
# root (build-module.sh), and so do VM root file systems of later suites.
# Prints the root's path. Needs root (debootstrap, chroot).
set -eu

. "$(dirname "$0")/lib.sh"

name=$1
release=$2
shift 2
extra_suites=""
packages=""
while [ $# -gt 0 ]; do
	case $1 in
	--suite) extra_suites="$extra_suites $2"; shift 2 ;;
	*) packages="$packages $1"; shift ;;
	esac
done
root=$vm_cache/roots/$name
log=$vm_cache/roots/$name.log

say() {
	echo "build-root $name: $*" >&2
}

fail() {
	say "$*"
	[ -f "$log" ] && tail -n 20 "$log" | sed 's/^/    /' >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null ||
	fail "debootstrap is not installed (scripts/install-deps.sh --vm)"

main=$(debian_mirror "$release") || fail "no Debian archive in apt's sources"
security=$(debian_mirror "$release-security") || security=$main

write_sources() {
	local key=/usr/share/keyrings/debian-archive-keyring.gpg suite uri

	for suite in "$release" "$release-updates" "$release-security" \
		$extra_suites; do
		uri=$main
		case $suite in
		*-security) uri=$security ;;
		esac
		echo "deb [signed-by=$key] $uri $suite main"
	done | awk '!seen[$0]++' >"$root/etc/apt/sources.list.new"
	# A changed list needs fresh indexes.
	if ! cmp -s "$root/etc/apt/sources.list.new" "$root/etc/apt/sources.list"; then
		rm -f "$root/var/lib/apt/lists/.xpmem-updated"
	fi
	mv "$root/etc/apt/sources.list.new" "$root/etc/apt/sources.list"
	# Never start services inside a build root.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
}

bootstrap() {
	local tmp=$root.new

	say "debootstrap --variant=minbase $release (log: $log)"
	rm -rf "$tmp"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase --include=debian-archive-keyring,ca-certificates \
		"$release" "$tmp" "$main" >"$log" 2>&1 || {
		rm -rf "$tmp"
		fail "debootstrap failed"
	}
	mv "$tmp" "$root"
}

# apt-get update at most once a day: the lists of a stable release change
# only with point and security releases.
refresh_lists() {
	local stamp=$root/var/lib/apt/lists/.xpmem-updated

	if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -1440)" ]; then
		return 0
	fi
	in_root "$root" apt-get update -qq >>"$log" 2>&1 || fail "apt-get update failed"
	touch "$stamp"
}

missing_packages() {
	local p

	for p in $packages; do
		dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' \
			"${p%%/*}" 2>/dev/null |
			grep -q 'ok installed' || echo "$p"
	done
}

[ -x "$root/usr/bin/apt-get" ] || bootstrap
write_sources
refresh_lists
missing=$(missing_packages | tr '\n' ' ')
if [ -n "${missing// /}" ]; then
	say "installing $missing"
	# shellcheck disable=SC2086 # a list of package names
	in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >>"$log" 2>&1 ||
		fail "apt-get install $missing failed"
	in_root "$root" apt-get clean >>"$log" 2>&1 || true
fi
echo "$root"
