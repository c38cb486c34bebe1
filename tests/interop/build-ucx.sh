#!/usr/bin/env bash
# Fetches Debian's UCX source package and builds it against an installed
# libxpmem:
#
#   build-ucx.sh <work dir> <xpmem prefix>
#
# <xpmem prefix> is what `make install PREFIX=...` produced: include/xpmem.h,
# lib/libxpmem.so and lib/pkgconfig/{xpmem,cray-xpmem}.pc. UCX is configured
# with --with-xpmem=<xpmem prefix>, built with its own build system and
# installed into <work dir>/ucx; ucp_hello_world is compiled from the
# example source UCX installs, against the installed UCX, as its
# installcheck does.
#
# The result is cached: when the UCX version, the configure options and the
# xpmem header are the same as last time, nothing is fetched or rebuilt
# (UCX links libxpmem dynamically, so a rebuilt libxpmem needs no rebuilt
# UCX). Logs are in <work dir>/logs. Exits 0 when <work dir>/ucx is ready.
set -eu

work=$1
xpmem=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm/lib.sh"
mkdir -p "$work"
work=$(cd "$work" && pwd)
xpmem=$(cd "$xpmem" && pwd)
logs=$work/logs
src_dir=$work/src
inst=$work/ucx
stamp=$work/ucx.stamp
mkdir -p "$logs"

# Only what the XPMEM, shared-memory and loopback paths need: no RDMA, GPU,
# language bindings or documentation. --disable-openmp is left out on
# purpose: it breaks the 1.13 build.
configure_opts="--with-xpmem=$xpmem --without-verbs --without-rdmacm
	--without-cuda --without-rocm --without-knem --without-java --without-go
	--without-fuse3 --without-gdrcopy --without-ugni --without-mpi
	--without-bfd --disable-doxygen-doc --enable-cma --enable-mt
	--enable-examples --disable-static"

log() {
	echo "build-ucx: $*" >&2
}

fail() {
	echo "build-ucx: $*" >&2
	exit 1
}

# Debian's own archive as a deb-src source, mirroring the configured
# deb line, so that `apt-get source` works on a stock Debian 12 machine.
add_deb_src() {
	local list=/etc/apt/sources.list.d/xpmem-interop-src.sources mirror

	if apt-get source --print-uris ucx >/dev/null 2>&1; then
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || fail "no deb-src for ucx and not root: add one"
	mirror=$(debian_mirror bookworm) || fail "no Debian archive in apt's sources"
	log "adding $list"
	cat >"$list" <<-EOF
	Types: deb-src
	URIs: $mirror
	Suites: bookworm
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	apt-get update -qq >"$logs/apt-update.log" 2>&1 ||
		fail "apt-get update failed, see $logs/apt-update.log"
}

# The tools UCX's autogen.sh and configure need; the same list is in
# scripts/install-deps.sh --interop.
install_build_deps() {
	local p missing=""

	for p in dpkg-dev autoconf automake libtool pkg-config libnuma-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || fail "missing packages:$missing"
	log "installing$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >"$logs/apt-install.log" 2>&1 ||
		fail "apt-get install failed, see $logs/apt-install.log"
}

fetch_source() {
	local dir

	dir=$(find "$src_dir" -maxdepth 1 -type d -name 'ucx-*' 2>/dev/null |
		head -n 1)
	if [ -n "$dir" ] && [ -f "$dir/autogen.sh" ]; then
		echo "$dir"
		return 0
	fi
	rm -rf "$src_dir"
	mkdir -p "$src_dir"
	add_deb_src
	(cd "$src_dir" && apt-get source ucx) >"$logs/apt-source.log" 2>&1 ||
		fail "apt-get source ucx failed, see $logs/apt-source.log"
	dir=$(find "$src_dir" -maxdepth 1 -type d -name 'ucx-*' | head -n 1)
	[ -n "$dir" ] || fail "apt-get source left no ucx-* directory"
	echo "$dir"
}

cache_key() {
	{
		basename "$1"
		echo "$configure_opts"
		sha256sum <"$xpmem/include/xpmem.h"
		sha256sum <"$here/build-ucx.sh"
	} | sha256sum | cut -d' ' -f1
}

# configure must have found our library through xpmem_init, or UCX builds
# without its XPMEM transport and every later check is meaningless.
check_configure() {
	grep -q 'checking for xpmem_init in -lxpmem... yes' "$logs/configure.log" ||
		fail "UCX's configure did not find xpmem_init in $xpmem/lib"
	grep -q 'checking for xpmem.h... yes' "$logs/configure.log" ||
		fail "UCX's configure did not find $xpmem/include/xpmem.h"
	grep -qE 'UCT modules:.*[< ]xpmem[ >]' "$logs/configure.log" ||
		fail "UCX's configure left out the xpmem module"
}

build() {
	local dir=$1

	rm -rf "$inst"
	(cd "$dir" && ./autogen.sh) >"$logs/autogen.log" 2>&1 ||
		fail "autogen.sh failed, see $logs/autogen.log"
	# shellcheck disable=SC2086
	(cd "$dir" && ./configure --prefix="$inst" $configure_opts) \
		>"$logs/configure.log" 2>&1 ||
		fail "configure failed, see $logs/configure.log"
	check_configure
	(cd "$dir" && make -j"$(nproc)" && make install) >"$logs/make.log" 2>&1 ||
		fail "make failed, see $logs/make.log"
	build_example
}

build_example() {
	local ex=$inst/share/ucx/examples

	mkdir -p "$inst/examples"
	cc -O2 -o "$inst/examples/ucp_hello_world" "$ex/ucp_hello_world.c" \
		-I"$inst/include" -L"$inst/lib" -Wl,-rpath,"$inst/lib" \
		-lucp -lucs >"$logs/example.log" 2>&1 ||
		fail "ucp_hello_world does not build, see $logs/example.log"
}

install_build_deps
dir=$(fetch_source)
key=$(cache_key "$dir")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] &&
	[ -x "$inst/bin/ucx_perftest" ] && [ -x "$inst/examples/ucp_hello_world" ]; then
	log "UCX in $inst is up to date"
	exit 0
fi
rm -f "$stamp"
log "building $(basename "$dir") against $xpmem (logs in $logs)"
start=$(date +%s)
build "$dir"
echo "$key" >"$stamp"
log "UCX built in $(($(date +%s) - start)) s"
