# arcade — build, test and run.  `make run` and `make test` install what is missing first.
#
# Layout: every .c under the library folders goes into build/libarcade.a; demos/*.c link
# into bin/arcade; tests/test_*.c link into one Criterion runner; tests/race_*.c are plain
# programs (ThreadSanitizer cannot run under Criterion).

CC       ?= cc
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror
OPT      ?= -O2 -march=x86-64-v3 -fno-math-errno -fvect-cost-model=cheap
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
        libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core libopenmpi-dev openmpi-bin

# ---- MPI build (owner: common/dist) ---------------------------------------------------
# make MPI=1  defines ARC_MPI for common/dist.c and links Open MPI (pkg-config ompi-c, from
#             Debian's libopenmpi-dev), builds under build/mpi/ and links bin/arcade-mpi
#             (plain `make` keeps its build/ and bin/arcade untouched; with GPU=cuda too:
#             build/mpi-cuda/, bin/arcade-mpi-cuda). Without MPI=1 nothing needs MPI.
MPI ?=
ifeq ($(MPI),1)
BUILD      ?= build/mpi$(GPU_SUFFIX)
CFLAGS     += -DARC_MPI
LIB_PKGS   += ompi-c
MPI_SUFFIX := -mpi
else ifneq ($(MPI),)
$(error MPI=$(MPI): expected MPI=1 or no MPI)
endif
# ---- end MPI build --------------------------------------------------------------------

# ---- GPU build (owner: kernels/) ------------------------------------------------------
# make GPU=cuda  compiles kernels/gpu/*.hip with nvcc -x cu through kernels/gpu/hip_compat.h
#                (CUDA_HOME, CUDA_ARCH: default /usr/local/cuda, sm_90 for H100/H200);
# make GPU=hip   compiles them with hipcc for AMD targets (HIP_ARCH, default gfx90a).
# Either defines ARC_GPU for kernels/gpu_backend.c, builds under build/gpu-$(GPU)/ and
# links bin/arcade-$(GPU) (plain `make` keeps its build/ and bin/arcade untouched).
GPU ?=
ifeq ($(GPU),cuda)
CUDA_HOME ?= /usr/local/cuda
CUDA_ARCH ?= sm_90
GPU_CC    := $(CUDA_HOME)/bin/nvcc
GPU_FLAGS := -x cu -std=c++17 -O2 -arch=$(CUDA_ARCH) -Xcompiler -Wall,-Wextra --Werror all-warnings
LIBS      += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudart -lstdc++
else ifeq ($(GPU),hip)
HIP_ARCH  ?= gfx90a
GPU_CC    := hipcc
GPU_FLAGS := -std=c++17 -O2 --offload-arch=$(HIP_ARCH) -Wall -Wextra -Werror
LIBS      += -lamdhip64 -lstdc++
else ifneq ($(GPU),)
$(error GPU=$(GPU): expected GPU=cuda or GPU=hip)
endif
ifneq ($(GPU),)
BUILD      ?= build/gpu-$(GPU)
CFLAGS     += -DARC_GPU
GPU_SUFFIX := -$(GPU)
endif
# ---- end GPU build --------------------------------------------------------------------

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

# ---- GPU objects (owner: kernels/): the .hip files join libarcade.a in a GPU build ------
ifneq ($(GPU),)
GPU_SRCS := $(sort $(wildcard kernels/gpu/*.hip))
GPU_OBJS := $(GPU_SRCS:%.hip=$(BUILD)/%.o)
LIB_OBJS += $(GPU_OBJS)
endif
# ---- end GPU objects ----------------------------------------------------------------------

LIBARCADE := $(BUILD)/libarcade.a
ARCADE    := bin/arcade$(MPI_SUFFIX)$(GPU_SUFFIX)
TEST_BIN  := $(BUILD)/tests/arcade_tests

SHARED ?= ../shared
export ARC_SHARED_DIR ?= $(abspath $(SHARED))

.PHONY: all deps run test test-unit check clean help test-gpu-compile gpu-selfcheck

all: $(ARCADE)

help:
	@echo "make            build bin/arcade"
	@echo "make run        install missing packages, build, run the main job"
	@echo "make test       install missing packages, build, run every test"
	@echo "make deps       install the Debian packages listed in DEBS that are missing"
	@echo "make check      the test suite under ASan+UBSan, then the ThreadSanitizer programs"
	@echo "make clean      remove build/ and bin/"
	@echo "make test-race  build and run every tests/race_*.c under ThreadSanitizer"
	@echo "make MPI=1      build bin/arcade-mpi (Open MPI) in build/mpi"
	@echo "make test-mpi   build bin/arcade-mpi and run tests/mpi_* under mpirun -np 2"

# Installs only the packages dpkg does not list as installed; a no-op when all are there.
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
	@echo "  TSAN $@"
	@$(CC) $(CSTD) $(WARN) -O1 -g -fsanitize=thread $(PKG_CFLAGS) -o $@ $< $(LIB_SRCS) $(LIBS)

# The main job: A3C on Breakout with the built-in defaults, then an evaluation.
RUN_DIR := runs/breakout-a3c
run: deps
	@$(MAKE) --no-print-directory $(ARCADE)
	$(ARCADE) train --game breakout --out $(RUN_DIR) --force
	$(ARCADE) eval --checkpoint $(RUN_DIR)/checkpoints/final.safetensors --episodes 100

test: deps
	@$(MAKE) --no-print-directory test-gpu-compile test-race test-unit test-mpi

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

# ---- MPI tests (owner: common/dist) ---------------------------------------------------
# make test-mpi  builds the MPI variant (build/mpi, bin/arcade-mpi) and runs every
# tests/mpi_*.c program, then every tests/mpi_*.sh script, under
# `mpirun --allow-run-as-root --oversubscribe -np 2` on this machine.
MPIRUN        ?= mpirun --allow-run-as-root --oversubscribe
MPI_TEST_SRCS := $(sort $(wildcard tests/mpi_*.c))
MPI_TEST_BINS := $(MPI_TEST_SRCS:tests/%.c=build/mpi/tests/%)
MPI_SCRIPTS   := $(sort $(wildcard tests/mpi_*.sh))
.PHONY: test-mpi mpi-programs
test-mpi:
	@$(MAKE) --no-print-directory MPI=1 bin/arcade-mpi mpi-programs
	@set -e; for bin in $(MPI_TEST_BINS); do echo "  MPI  $$bin"; \
		OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 2 $$bin; done
	@set -e; for script in $(MPI_SCRIPTS); do echo "  MPI  $$script"; \
		MPIRUN="$(MPIRUN)" sh $$script; done
ifeq ($(MPI),1)
mpi-programs: $(MPI_TEST_BINS)
.SECONDARY: $(MPI_TEST_BINS:=.o)
-include $(MPI_TEST_BINS:=.d)
$(BUILD)/tests/mpi_%: $(BUILD)/tests/mpi_%.o $(LIBARCADE)
	$(CC) $(CFLAGS) -o $@ $< $(LIBARCADE) $(LDFLAGS) $(LIBS)
else
mpi-programs:
	@$(MAKE) --no-print-directory MPI=1 mpi-programs
endif
# ---- end MPI tests --------------------------------------------------------------------

# ---- GPU rules (owner: kernels/) ------------------------------------------------------
$(BUILD)/kernels/gpu/%.o: kernels/gpu/%.hip kernels/gpu/hip_compat.h kernels/gpu/gpu_api.h
	@mkdir -p $(dir $@)
	$(GPU_CC) $(GPU_FLAGS) -c $< -o $@

# Compile-only check of the CUDA build (no device needed; no link): every .hip file
# through nvcc, and gpu_backend.c with ARC_GPU. Skipped with a message without nvcc.
CUDA_CHECK_HOME ?= /usr/local/cuda
CUDA_CHECK_ARCH ?= sm_90
NVCC_CHECK      ?= $(CUDA_CHECK_HOME)/bin/nvcc
GPU_CHECK_DIR   := build/gpu-compile
GPU_CHECK_HIP   := $(patsubst kernels/gpu/%.hip,$(GPU_CHECK_DIR)/%.o,$(sort $(wildcard kernels/gpu/*.hip)))
GPU_CHECK_OBJS  := $(GPU_CHECK_HIP) $(GPU_CHECK_DIR)/gpu_backend.o
ifneq ($(wildcard $(NVCC_CHECK)),)
test-gpu-compile: $(GPU_CHECK_OBJS)
	@echo "test-gpu-compile: ok: kernels/gpu compiled with nvcc for $(CUDA_CHECK_ARCH) (compile only, no device here)"
else
test-gpu-compile:
	@echo "test-gpu-compile: skipped: $(NVCC_CHECK) not found (install the CUDA toolkit to check the GPU build)"
endif

$(GPU_CHECK_DIR)/%.o: kernels/gpu/%.hip kernels/gpu/hip_compat.h kernels/gpu/gpu_api.h
	@mkdir -p $(dir $@)
	$(NVCC_CHECK) -x cu -std=c++17 -O2 -arch=$(CUDA_CHECK_ARCH) -Xcompiler -Wall,-Wextra --Werror all-warnings -c $< -o $@

$(GPU_CHECK_DIR)/gpu_backend.o: kernels/gpu_backend.c kernels/backend_impl.h kernels/backend.h kernels/gpu/gpu_api.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -DARC_GPU -c $< -o $@

# The GPU self-check program (kernels/gpu/selfcheck.c): the GPU against cpu_ref and its
# timings, needing only a C compiler and CUDA (no OpenBLAS, Criterion or SDL), for
# device machines where the full `make GPU=cuda` cannot build. scripts/gpu-check.sh.
GPU_SELFCHECK      := $(GPU_CHECK_DIR)/selfcheck
GPU_SELFCHECK_SRCS := common/check.c common/rng.c kernels/backend.c kernels/cpu_ref.c kernels/host_ops.c \
                      kernels/net.c kernels/gpu_backend.c kernels/gpu/selfcheck.c
gpu-selfcheck: $(GPU_SELFCHECK)
$(GPU_SELFCHECK): $(GPU_SELFCHECK_SRCS) $(GPU_CHECK_HIP) $(wildcard kernels/*.h) kernels/gpu/gpu_api.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -DARC_GPU -o $@ $(GPU_SELFCHECK_SRCS) $(GPU_CHECK_HIP) \
	    -L$(CUDA_CHECK_HOME)/lib64 -Wl,-rpath,$(CUDA_CHECK_HOME)/lib64 -lcudart -lstdc++ -lpthread -lm
# ---- end GPU rules --------------------------------------------------------------------

# The Criterion suite under AddressSanitizer + UndefinedBehaviorSanitizer (UB aborts the
# test), built from scratch in build/ and bin/ (the sanitizer flags are not tracked by
# the object files, so it cleans before and after), then the ThreadSanitizer programs.
SANITIZE := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
check: deps
	@$(MAKE) --no-print-directory clean
	@$(MAKE) --no-print-directory OPT="$(SANITIZE) -march=x86-64-v3" LDFLAGS="-fsanitize=address,undefined" \
		$(ARCADE) $(TEST_BIN)
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1 OPENBLAS_NUM_THREADS=1 \
		SDL_VIDEODRIVER=dummy $(TEST_BIN) --jobs 2
	@$(MAKE) --no-print-directory clean
	@$(MAKE) --no-print-directory test-race

clean:
	rm -rf $(BUILD) bin

-include $(LIB_OBJS:.o=.d) $(DEMO_OBJS:.o=.d) $(TEST_OBJS:.o=.d)

# ---- fuzzing: the checkpoint loader and the sweep-file parser under libFuzzer + ASan/UBSan (not part of make test) ----
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
	@$(MAKE) --no-print-directory fuzz-sweep

# The sweep-file parser and planner (owner: agent/sweep*): seeds are the committed example
# sweeps; it runs in an empty folder so relative `config = FILE` includes find nothing.
FUZZ_SWEEP_BIN  := $(FUZZ_DIR)/fuzz_sweep
FUZZ_SWEEP_SRCS := tests/fuzz_sweep.c agent/sweep_file.c agent/train_config.c common/args.c \
                   common/check.c common/rng.c common/safetensors.c $(sort $(wildcard env/*.c))
FUZZ_SWEEP_LIBS  = $(shell pkg-config --libs inih libcjson 2>/dev/null) -lm

.PHONY: fuzz-sweep
$(FUZZ_SWEEP_BIN): $(FUZZ_SWEEP_SRCS) agent/sweep.h agent/train_config.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $(FUZZ_SWEEP_SRCS) $(FUZZ_SWEEP_LIBS)

fuzz-sweep: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_SWEEP_BIN)
	@mkdir -p $(FUZZ_DIR)/sweep-seeds $(FUZZ_DIR)/sweep-corpus $(FUZZ_DIR)/sweep-cwd
	cp docs/sweeps/*.ini $(FUZZ_DIR)/sweep-seeds/
	cd $(FUZZ_DIR)/sweep-cwd && ../fuzz_sweep -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -dict=$(CURDIR)/tests/fuzz_sweep.dict -artifact_prefix=../sweep- ../sweep-corpus ../sweep-seeds
