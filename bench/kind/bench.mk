# Kind benchmark: one source, built against our libmemkind and against
# Debian's memkind (libmemkind-dev), run side by side by run.sh.

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

bench-kind: $(KIND_BENCH_OURS) $(KIND_BENCH_MEMKIND)
	bench/kind/run.sh $(KIND_BENCH_OURS) $(KIND_BENCH_MEMKIND) $(KIND_BENCH_REPS)

KIND_BENCH_REPS ?= 5
BENCH_RUNS += bench-kind

.PHONY: bench-kind
