# The interop runs, in one place for the host (which expects a result for
# each) and the guest (which runs them). Sourced by run-interop.sh (bash) and
# by guest-interop.sh (busybox sh), so plain POSIX sh only.
#
# One case per line: <name> <kind> <arguments>
#   perf-ucp   ucx_perftest UCP test; UCX_TLS picks the transport
#   perf-uct   ucx_perftest UCT test on the xpmem transport (-x xpmem -d memory)
#   hello      ucp_hello_world with a message of <arguments> bytes
# Iteration counts are small: the guest runs under TCG, and these runs prove
# that the transport works and carries the traffic; the numbers are only
# compared with each other.
interop_cases() {
	cat <<'EOF'
tag_bw perf-ucp -t tag_bw -s 1048576 -n 100 -w 10
tag_lat perf-ucp -t tag_lat -n 2000 -w 200
ucp_put_bw perf-ucp -t ucp_put_bw -s 65536 -n 500 -w 50
ucp_get perf-ucp -t ucp_get -s 65536 -n 500 -w 50
uct_put_bw perf-uct -t put_bw -D bcopy -s 4096 -n 2000 -w 200
uct_get perf-uct -t get -D bcopy -s 4096 -n 2000 -w 200
uct_am_lat perf-uct -t am_lat -n 2000 -w 200
hello_16 hello 16
hello_100k hello 100000
hello_4m hello 4194304
EOF
}

# Users the cases run as: <label> <uid> <gid>. Both sides of a pair run as
# the same user, as in an MPI job; UCX exports with mode 0600.
interop_users() {
	cat <<'EOF'
root 0 0
nobody 65534 65534
EOF
}

# The comparison run on the same kernel: UCX's shared-memory path without
# XPMEM. UCX_TLS=self,cma alone cannot connect two processes (cma has no
# active messages, and UCP needs them for wire-up and eager data), so posix
# carries those and cma the zero-copy transfers, as UCX_TLS=sm would without
# xpmem.
# shellcheck disable=SC2034 # used by the scripts that source this file
interop_compare_tls=self,posix,cma
# shellcheck disable=SC2034
interop_compare_cases="tag_bw tag_lat ucp_put_bw ucp_get"
