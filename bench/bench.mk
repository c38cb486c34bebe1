# Benchmarks. Each benchmark fragment under bench/ adds its own rules and
# appends its entry point to BENCH_RUNS; `make bench` runs them all.

BENCH_RUNS :=
-include $(wildcard bench/*/bench.mk)

bench: all $(BENCH_RUNS)

.PHONY: bench
