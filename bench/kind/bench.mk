# Kind benchmarks: each source is built against our libmemkind and
# against Debian's memkind, and run side by side by run.sh.
#   kind_bench.c  pmem kinds: throughput, create/destroy, fill, large
#   kind_ops.c    single calls on one kind: instruction counts
#                 (tests/kind/icount.sh) and timed loops

KIND_BENCH_SRC     := bench/kind/kind_bench.c
KIND_BENCH_OURS    := $(BUILD)/bench/kind/kind_bench_ours
KIND_BENCH_MEMKIND := $(BUILD)/bench/kind/kind_bench_memkind
KIND_BENCH_FLAGS   := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -pthread

$(KIND_BENCH_OURS): $(KIND_BENCH_SRC) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CC) $(KIND_BENCH_FLAGS) -Iinclude -o $@ $< -L$(LIBOUT) -lmemkind \
		$(call rpath_to_lib,$(dir $@))

# Against the system header and library only: no -Iinclude here.
$(KIND_BENCH_MEMKIND): $(KIND_BENCH_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(KIND_BENCH_FLAGS) -o $@ $< -l:libmemkind.so.0

KIND_OPS_SRC     := bench/kind/kind_ops.c
KIND_OPS_OURS    := $(BUILD)/bench/kind/kind_ops_ours
KIND_OPS_MEMKIND := $(BUILD)/bench/kind/kind_ops_memkind
# Debian's library (libmemkind0) with our header, which declares the same
# API: no libmemkind-dev needed. Built only where the library is.
MEMKIND_SO0 := $(firstword $(wildcard /usr/lib/*/libmemkind.so.0 \
		/lib/*/libmemkind.so.0 /usr/lib/libmemkind.so.0))

$(KIND_OPS_OURS): $(KIND_OPS_SRC) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CC) $(KIND_BENCH_FLAGS) -Iinclude -o $@ $< -L$(LIBOUT) -lmemkind \
		$(call rpath_to_lib,$(dir $@))

$(KIND_OPS_MEMKIND): $(KIND_OPS_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(KIND_BENCH_FLAGS) -Iinclude -o $@ $< $(MEMKIND_SO0)

KIND_OPS_BINS := $(KIND_OPS_OURS) $(if $(MEMKIND_SO0),$(KIND_OPS_MEMKIND))

bench-kind: $(KIND_BENCH_OURS) $(KIND_BENCH_MEMKIND) $(KIND_OPS_BINS)
	bench/kind/run.sh $(KIND_BENCH_OURS) $(KIND_BENCH_MEMKIND) $(KIND_BENCH_REPS)
	bench/kind/run-ops.sh $(BUILD) $(KIND_BENCH_REPS)

KIND_BENCH_REPS ?= 5
BENCH_RUNS += bench-kind

.PHONY: bench-kind
