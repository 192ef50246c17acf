# Arsenal - plain Makefile (GNU make).
#
#   make demo        build and run the demos: examples/coro_scheduler.c, then
#                    io_echo_server and io_echo_client together (2 s, loopback)
#   make test        the whole test matrix (tests/matrix.sh), ending in a table
#   make examples    build every examples/*.c into build/examples/
#   make bench       side-by-side benchmarks against the peers (bench/)
#   make deps        install the test tools from Debian's packages (as root)
#   make deps-bench  install the benchmark peers (Boost.Context, libuv, Go, ...)
#   make test-kqueue KQUEUE_DIR=/path/to/libkqueue/install
#   make bench-rtos  RTOS size and instruction counts in QEMU
#   make run-rtos    boot the RTOS blinky example in QEMU
#   make clean
#
# Each example and benchmark names its link flags in an `ars-build-libs:`
# line of its top comment.

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic
BUILD := build
XXH_INC := $(BUILD)/inc

EXAMPLES := $(wildcard examples/*.c)
EXAMPLE_BINS := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLES))
# The standalone benchmark programs `make bench` runs in turn; bench_io*.c
# are servers driven by bench/bench_io.sh, bench_hash_absl.cc is linked into
# bench_hash, bench_rtos_fw.c is firmware (make bench-rtos).
BENCH_BINS := $(addprefix $(BUILD)/bench/,bench_coro bench_coro_sharefp bench_coro_fiber bench_chan \
              bench_alloc bench_alloc_icount bench_hash bench_compress)

libs_of = $(shell sed -n 's/.*ars-build-libs://p' $(1) | head -1)

# Debian packages for `make test` (every leg) and for `make bench`.
DEPS_TEST := make gcc g++ clang libclang-rt-14-dev valgrind python3 dpkg-dev \
  gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-i686-linux-gnu gcc-riscv64-linux-gnu gcc-s390x-linux-gnu qemu-user \
  libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-i386-cross libc6-dev-riscv64-cross libc6-dev-s390x-cross \
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 gcc-mingw-w64-i686 g++-mingw-w64-i686 wine64 wine wine32:i386 \
  gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf \
  qemu-system-arm qemu-system-misc \
  libxxhash-dev liblz4-dev lz4 curl wrk netcat-openbsd musl-tools
DEPS_BENCH := libboost-context-dev libuv1-dev libevent-dev golang-go libabsl-dev libmimalloc-dev \
  libck-dev hyperfine valgrind wrk nginx-light bc

.PHONY: all demo test examples bench deps deps-bench test-kqueue bench-rtos run-rtos clean

all: examples

# the coroutine demo, then the echo server and its load generator together
# over loopback (the server stops by itself after 10 s at the latest)
demo: $(BUILD)/examples/coro_scheduler $(BUILD)/examples/io_echo_server $(BUILD)/examples/io_echo_client
	./$(BUILD)/examples/coro_scheduler
	@echo
	@echo "== io_echo_server + io_echo_client over loopback: 100 connections, 64-byte ping-pong, 2 s"
	@port=$$(( $$$$ % 8000 + 20000 )); log=$(BUILD)/demo-server.log; \
	./$(BUILD)/examples/io_echo_server -p $$port -d 10 > $$log 2>&1 & pid=$$!; \
	i=0; until grep -q "server on" $$log || [ $$i -ge 50 ]; do sleep 0.1; i=$$((i + 1)); done; \
	cat $$log; \
	./$(BUILD)/examples/io_echo_client -c 100 -s 64 -d 2 127.0.0.1 $$port; rc=$$?; \
	kill $$pid 2>/dev/null; wait $$pid; tail -n +2 $$log; exit $$rc

test:
	bash tests/matrix.sh

examples: $(EXAMPLE_BINS)

# xxhash.h is header-only: a cross compiler (make examples CC=...) finds the
# host's copy here without searching /usr/include as a whole
$(XXH_INC)/xxhash.h:
	@mkdir -p $(XXH_INC)
	@if [ -e /usr/include/xxhash.h ]; then ln -sf /usr/include/xxhash.h $@; fi

$(BUILD)/examples/%: examples/%.c $(wildcard arsenal_*.h) | $(XXH_INC)/xxhash.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -I. -I$(XXH_INC) -o $@ $< $(call libs_of,$<)

# One run, every peer side by side: the programs above, then the I/O servers
# (bench/bench_io.sh), then the RTOS in QEMU when its tools are installed.
bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; ./$$b || exit 1; done
	@if command -v valgrind >/dev/null; then echo "== bench/bench_chan_callgrind.sh"; \
	  bash bench/bench_chan_callgrind.sh $(BUILD)/bench/bench_chan; fi
	@echo "== bench/bench_io.sh"; bash bench/bench_io.sh
	@if command -v qemu-system-arm >/dev/null && command -v arm-none-eabi-gcc >/dev/null; then \
	  echo "== bench/bench_rtos.sh"; bash bench/bench_rtos.sh; \
	else echo "== bench/bench_rtos.sh: needs qemu-system-arm and gcc-arm-none-eabi (make deps)"; fi

# bench_coro again with ARSENAL_CORO_SHARE_FPENV (x86: no per-context FP modes)
$(BUILD)/bench/bench_coro_sharefp: bench/bench_coro.c $(wildcard arsenal_*.h)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -g -DARSENAL_CORO_SHARE_FPENV -I. -o $@ $< $(call libs_of,$<)

$(BUILD)/bench/%: bench/%.c $(wildcard arsenal_*.h)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -g -I. -o $@ $< $(call libs_of,$<)

$(BUILD)/bench/%: bench/%.cc
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -g -I. -o $@ $< $(call libs_of,$<)

$(BUILD)/bench/%: bench/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -g -I. -o $@ $< $(call libs_of,$<)

# As root: install; otherwise print the command to run.
deps:
	@if [ "$$(id -u)" = 0 ]; then \
	  set -e; export DEBIAN_FRONTEND=noninteractive; \
	  dpkg --add-architecture arm64; dpkg --add-architecture armhf; dpkg --add-architecture i386; \
	  apt-get update || { sleep 5; apt-get update; } || echo "apt-get update reported errors; going on"; \
	  apt-get install -y --no-install-recommends $(DEPS_TEST); \
	  bash tests/cross_sysroot.sh; \
	else \
	  echo "run as root:"; \
	  echo "  dpkg --add-architecture arm64 && dpkg --add-architecture armhf && dpkg --add-architecture i386 && apt-get update"; \
	  echo "  apt-get install -y $(DEPS_TEST)"; \
	  echo "then, as any user: bash tests/cross_sysroot.sh"; \
	fi

deps-bench:
	@if [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS_BENCH); \
	else echo "run as root: apt-get install -y $(DEPS_BENCH)"; fi

# kqueue on Linux through libkqueue (not in Debian; build it yourself with
# cmake and pass its install prefix). Runs test_io.c and the real clients.
test-kqueue:
	@if [ -z "$(KQUEUE_DIR)" ]; then echo "usage: make test-kqueue KQUEUE_DIR=<libkqueue install prefix>"; exit 2; fi
	@mkdir -p $(BUILD)
	$(CC) $(WARN) -Werror -O2 -g -DARSENAL_IO_USE_KQUEUE -I$(KQUEUE_DIR)/include/kqueue -Itests \
	  -o $(BUILD)/test_io_kqueue tests/test_io.c $(KQUEUE_DIR)/lib/libkqueue.a -lpthread
	./$(BUILD)/test_io_kqueue
	CFLAGS="-DARSENAL_IO_USE_KQUEUE -I$(KQUEUE_DIR)/include/kqueue" LIBS="$(KQUEUE_DIR)/lib/libkqueue.a" \
	  B=$(BUILD)/io_clients_kqueue bash tests/io_clients.sh $(CC)

bench-rtos:
	bash bench/bench_rtos.sh

run-rtos:
	$(MAKE) -C examples/rtos_blinky run-rtos

clean:
	rm -rf $(BUILD)
