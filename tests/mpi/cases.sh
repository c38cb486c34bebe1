# shellcheck shell=bash
# The MPI runs, in one place for the host (which expects a result for each)
# and the guest (which runs them). Sourced by run-mpi.sh (bash) and by
# guest-mpi.sh (bash, in the Debian root the guest boots).
#
# One case per line: <name> <ranks> <kernels> <users> <program and arguments>
#   kernels  the kinds of kernel it runs on, comma-separated: full (the
#            kernels of --full, which run everything), stock (Debian's
#            other kernels) and debug (the debug kernels)
#   users    who runs it (labels of mpi_users, comma-separated); outside
#            the full set only the users of mpi_reduced_users
# Each runs under mpirun with Open MPI's pml ucx and UCX_TLS=self,xpmem.
# NetPIPE's integrity mode (-i) checks every byte of every message, 1 B to
# 64 MiB, without the sizes three bytes either side of each point (-p 0),
# two repeats (-n 2): the guest runs under TCG. NetPIPE ends a series
# once one transfer takes over a second, which a busy TCG host reaches
# before 64 MiB; netpipe-64m checks 64 MiB alone (a series always runs
# its first size). On the debug kernels, where every page the module maps
# goes through KASAN, lockdep and page allocation debugging, the series
# ends at 1 MiB: the full range took over ten minutes there. Two ranks
# only: the guest has two vCPUs, and with four (--oversubscribe) UCX's
# polling ranks took 90 s (mpi4py) to 180 s (HPCC) under TCG, too much
# for make check.
mpi_cases() {
	cat <<'CASES'
netpipe 2 full,stock root,user NPopenmpi -i -l 1 -u 67108864 -p 0 -n 2
netpipe-64m 2 full root,user NPopenmpi -i -l 67108864 -u 67108864 -p 0 -n 2
netpipe-1m 2 debug root,user NPopenmpi -i -l 1 -u 1048576 -p 0 -n 2
hpcc 2 full,stock,debug root,user hpcc
mpi4py 2 full,stock,debug root,user python3 /mpi/mpi4py-check.py
CASES
}

# The runs of one kind of kernel (full, stock or debug), as "<user>/<case>"
# lines.
mpi_runs() {
	mpi_cases | awk -v kind="$1" -v reduced="$mpi_reduced_users" '
		("," $3 ",") ~ ("," kind ",") {
			n = split($4, who, ",")
			for (i = 1; i <= n; i++)
				if (kind == "full" || ("," reduced ",") ~ ("," who[i] ","))
					print who[i] "/" $1
		}'
}

# Users the cases run as: <label> <uid> <gid>. The image has the user
# (prepare-mpi.sh); Open MPI needs --allow-run-as-root for the first.
mpi_users() {
	cat <<'USERS'
root 0 0
user 1000 1000
USERS
}

# The kernels of the reduced set run each application once, as the
# unprivileged user (the module's permission checks on the way).
# shellcheck disable=SC2034
mpi_reduced_users=user

# NetPIPE's bandwidth curve, run once per transport on the full kernels:
# xpmem against UCX's default intra-node path without it (posix for
# active messages, cma for zero-copy), in the same guest. Up to 16 MiB:
# NetPIPE times each of the larger sizes for about 18 one-way transfers of
# over a second each under TCG, minutes for the two curves.
# shellcheck disable=SC2034 # used by the scripts that source this file
mpi_compare_tls=self,posix,cma
# shellcheck disable=SC2034
mpi_curve_args="-l 1 -u 16777216 -p 0"
