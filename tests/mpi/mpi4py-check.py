"""Small MPI program on Debian's python3-mpi4py, run under mpirun by the
MPI suite's guest (tests/mpi): an allreduce whose sum every rank knows in
advance, then a large buffer that rank 0 sends to every other rank, each
compared element by element with what its sender wrote. Prints one line per
rank and exits 1 on the first difference."""

import array
import sys

from mpi4py import MPI

# 8 MiB of 4-byte elements: well above UCX's rendezvous threshold, so the
# payload travels by the zero-copy path (xpmem when UCX_TLS has it).
COUNT = 2 * 1024 * 1024


def pattern(rank, count):
    """Rank-specific values, different in every element (built in C: the
    guest runs under TCG)."""
    start = rank * 7919 * count % (1 << 31)
    return array.array("I", range(start, start + count))


def main():
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    size = comm.Get_size()

    total = comm.allreduce(rank + 1, op=MPI.SUM)
    if total != size * (size + 1) // 2:
        print(f"rank {rank}: allreduce gave {total}", flush=True)
        return 1

    vec = array.array("d", (float(rank * 1000 + i) for i in range(1024)))
    out = array.array("d", [0.0] * 1024)
    comm.Allreduce(vec, out, op=MPI.SUM)
    for i, v in enumerate(out):
        want = float(sum(r * 1000 + i for r in range(size)))
        if v != want:
            print(f"rank {rank}: Allreduce element {i}: {v} != {want}",
                  flush=True)
            return 1

    if rank == 0:
        for peer in range(1, size):
            comm.Send([pattern(peer, COUNT), MPI.UNSIGNED], dest=peer, tag=7)
    else:
        buf = array.array("I", bytes(4 * COUNT))
        comm.Recv([buf, MPI.UNSIGNED], source=0, tag=7)
        want = pattern(rank, COUNT)
        if buf != want:
            bad = next(i for i in range(COUNT) if buf[i] != want[i])
            print(f"rank {rank}: element {bad}: {buf[bad]:#x} != "
                  f"{want[bad]:#x}", flush=True)
            return 1
    comm.Barrier()
    print(f"rank {rank} of {size}: allreduce and {4 * COUNT} bytes intact",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
