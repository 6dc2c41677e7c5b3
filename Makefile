# arcade — build, test and run.  `make run` and `make test` install what is missing first.
#
# Layout: every .c under the library folders goes into build/libarcade.a; demos/*.c link
# into bin/arcade; tests/test_*.c link into one Criterion runner; tests/race_*.c are plain
# programs (ThreadSanitizer cannot run under Criterion).

CC       ?= cc
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror
OPT      ?= -O2 -march=x86-64-v3
CFLAGS   ?=
CFLAGS   += $(CSTD) $(WARN) $(OPT) -g -MMD -MP
LDFLAGS  ?=

PKGS     := criterion openblas sdl2 SDL2_ttf SDL2_image libcjson inih
LIB_PKGS := openblas sdl2 SDL2_ttf SDL2_image libcjson inih
PKG_CFLAGS = $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null)
LIBS       = $(PKG_LIBS) -lpthread -lm

# Debian packages the build, tests and programs need (make deps installs the missing ones).
DEBS := build-essential pkg-config libcriterion-dev libopenblas-dev libsdl2-dev \
        libcjson-dev libinih-dev gnuplot-nox python3-numpy \
        libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core

BUILD    ?= build
LIB_DIRS := common env kernels agent learner replay
LIB_SRCS := $(sort $(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
DEMO_SRCS := $(sort $(wildcard demos/*.c))
DEMO_OBJS := $(DEMO_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)
RACE_SRCS := $(sort $(wildcard tests/race_*.c))
RACE_BINS := $(RACE_SRCS:tests/%.c=$(BUILD)/race/%)

LIBARCADE := $(BUILD)/libarcade.a
ARCADE    := bin/arcade
TEST_BIN  := $(BUILD)/tests/arcade_tests

SHARED ?= ../shared
export ARC_SHARED_DIR ?= $(abspath $(SHARED))

.PHONY: all deps run test test-unit test-trace clean help

all: $(ARCADE)

help:
	@echo "make            build bin/arcade"
	@echo "make run        install missing packages, build, run the main job"
	@echo "make test       install missing packages, build, run every test"
	@echo "make deps       install the Debian packages listed in DEBS that are missing"
	@echo "make clean      remove build/ and bin/"
	@echo "make test-race  build and run every tests/race_*.c under ThreadSanitizer"

# Installs only what is missing; a no-op when pkg-config already finds every library.
deps:
	@scripts/deps.sh $(DEBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBARCADE): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(ARCADE): $(DEMO_OBJS) $(LIBARCADE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(DEMO_OBJS) $(LIBARCADE) $(LDFLAGS) $(LIBS)

$(TEST_BIN): $(TEST_OBJS) $(LIBARCADE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(TEST_OBJS) $(LIBARCADE) $(LDFLAGS) $(TEST_LIBS) $(LIBS)

$(BUILD)/race/%: tests/%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g -fsanitize=thread $(PKG_CFLAGS) -o $@ $< $(LIB_SRCS) $(LIBS)

run: deps
	@$(MAKE) --no-print-directory $(ARCADE)
	$(ARCADE) bench env

test: deps
	@$(MAKE) --no-print-directory test-unit

# The Criterion suite (tests run from the repository root; traces come from $(SHARED)).
test-unit: $(ARCADE) $(TEST_BIN)
	OPENBLAS_NUM_THREADS=1 SDL_VIDEODRIVER=dummy $(TEST_BIN) --jobs 2

# Every tests/race_*.c program, built with -fsanitize=thread; the first failure or race
# report (TSan exits 66) stops the run.
.PHONY: test-race
test-race: $(RACE_BINS)
	@set -e; for bin in $(RACE_BINS); do echo "  RACE $$bin"; \
		TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" $$bin; done

# Race programs have no dependency files: rebuild them when any header changes.
$(RACE_BINS): $(wildcard tests/*.h) $(wildcard $(addsuffix /*.h,$(LIB_DIRS)))

clean:
	rm -rf $(BUILD) bin

-include $(LIB_OBJS:.o=.d) $(DEMO_OBJS:.o=.d) $(TEST_OBJS:.o=.d)

# ---- fuzzing: the checkpoint loader under libFuzzer + ASan/UBSan (not part of make test) ----
# `make fuzz` installs clang and libFuzzer if missing, writes a seed corpus and dictionary,
# then fuzzes for FUZZ_SECONDS; findings land in $(FUZZ_DIR) as crash-*/leak-* files.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DEBS    := clang libclang-rt-dev libcjson-dev pkg-config
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_safetensors
FUZZ_SEEDS   := $(FUZZ_DIR)/make_seeds
FUZZ_SRCS    := tests/fuzz_safetensors.c common/safetensors.c common/check.c
FUZZ_HDRS    := common/safetensors.h common/check.h
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 \
                $(shell pkg-config --cflags libcjson 2>/dev/null)
FUZZ_LIBS     = $(shell pkg-config --libs libcjson 2>/dev/null)

.PHONY: fuzz fuzz-deps

fuzz-deps:
	@scripts/deps.sh $(FUZZ_DEBS)

$(FUZZ_BIN): $(FUZZ_SRCS) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $(FUZZ_SRCS) $(FUZZ_LIBS)

$(FUZZ_SEEDS): $(FUZZ_SRCS) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -DARC_FUZZ_MAKE_SEEDS -o $@ $(FUZZ_SRCS) $(FUZZ_LIBS)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN) $(FUZZ_SEEDS)
	@mkdir -p $(FUZZ_DIR)/seeds $(FUZZ_DIR)/corpus
	$(FUZZ_SEEDS) $(FUZZ_DIR)/seeds $(FUZZ_DIR)/safetensors.dict
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -dict=$(FUZZ_DIR)/safetensors.dict -artifact_prefix=$(FUZZ_DIR)/ \
	    $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds
