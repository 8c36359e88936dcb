# SPDX-License-Identifier: BSD-2-Clause
# Makefile -- builds, tests and installs libsparsecode (GNU make).
#
#   make                      lib/libsparsecode.a and lib/libsparsecode.so.*
#   make check                unit tests (Check), C++ test, install test,
#                             examples test (with drsae_mpi's when mpicc
#                             and mpirun are there), SPDX license-line test,
#                             the Python binding's tests (when PYTHON has
#                             numpy and pytest)
#   make sanitize             unit tests under ASan + UBSan
#   make valgrind             unit tests under valgrind
#   make fuzz                 the libFuzzer harnesses, FUZZ_SECONDS each
#   make BLAS=reference ...   any of the above against the reference BLAS
#   make install / uninstall  PREFIX, DESTDIR, LIBDIR, INCLUDEDIR, PKGCONFIGDIR,
#                             DOCDIR, MANDIR (the functions' man pages
#                             only after make docs: see install below)
#   make examples | demo | natural-images | bench | docs | abi-check |
#        abi-baseline | clean
#   make mpi                  examples/drsae_mpi, when mpicc is there
#   make test-unit | test-exports | test-cxx | test-install | test-examples |
#        test-spdx | test-python
#                             (parts of check, without the package check;
#                             CK_RUN_SUITE etc. work)
#
# Every configuration (BLAS x sanitizers) builds in its own directory,
# build/<config>/, so switching BLAS never reuses stale objects.  The
# default configuration's library goes to lib/ and its test runner to
# tests/run_tests; the others keep theirs in build/<config>/lib/ and
# build/<config>/run_tests.  `make help` lists every target.

SHELL := /bin/bash
, := ,
# Checks (and, as root, installs) the Debian packages a target needs.
DEPS := sh scripts/ensure-deps.sh
.DEFAULT_GOAL := lib
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

# ---------------------------------------------------------------------------
# Version, read from the public header (the only place it is written).
# (The sed patterns use '.' for '#', which GNU make versions quote differently.)
HEADER := include/sparsecode.h
version_of = $(shell sed -n 's/^.define SC_VERSION_$(1)[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' $(HEADER))
MAJOR   := $(call version_of,MAJOR)
MINOR   := $(call version_of,MINOR)
RELEASE := $(call version_of,RELEASE)
ifneq ($(words $(MAJOR) $(MINOR) $(RELEASE)),3)
$(error cannot read SC_VERSION_MAJOR/MINOR/RELEASE from $(HEADER))
endif
VERSION := $(MAJOR).$(MINOR).$(RELEASE)

# ---------------------------------------------------------------------------
# BLAS: openblas (default when pkg-config knows it) or reference (Debian's
# libblas-dev, which carries the cblas_* symbols).  The reference library is
# linked from its own directory; since /usr/lib/<triplet>/libblas.so.3 is an
# alternatives link that points to OpenBLAS when both are installed, the
# test programs get that directory as rpath and first in LD_LIBRARY_PATH.
PKG_CONFIG ?= pkg-config
BLAS_DEFAULT := $(shell $(PKG_CONFIG) --exists openblas 2>/dev/null && echo openblas || echo reference)
BLAS ?= $(BLAS_DEFAULT)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
REF_BLAS_DIR ?= /usr/lib/$(if $(MULTIARCH),$(MULTIARCH)/)blas

ifeq ($(BLAS),openblas)
  BLAS_CPPFLAGS := $(shell $(PKG_CONFIG) --cflags openblas 2>/dev/null) -DSC_BLAS_OPENBLAS
  BLAS_LIBS     := $(shell $(PKG_CONFIG) --libs openblas 2>/dev/null)
  BLAS_RUNDIR   :=
  BLAS_RPATH    :=
else ifeq ($(BLAS),reference)
  BLAS_CPPFLAGS :=
  BLAS_LIBS     := -L$(REF_BLAS_DIR) -lblas
  BLAS_RUNDIR   := $(REF_BLAS_DIR)
  BLAS_RPATH    := -Wl,-rpath,$(REF_BLAS_DIR)
else
  $(error BLAS must be openblas or reference, not '$(BLAS)')
endif

# ---------------------------------------------------------------------------
# Configuration and output directories.
SANITIZE ?=
CONFIG   := $(BLAS)$(if $(SANITIZE),-sanitize)
BUILDDIR := build/$(CONFIG)
ifeq ($(CONFIG),$(BLAS_DEFAULT))
  OUT         := lib
  TEST_RUNNER := tests/run_tests
else
  OUT         := $(BUILDDIR)/lib
  TEST_RUNNER := $(BUILDDIR)/run_tests
endif

# ---------------------------------------------------------------------------
# Compiler flags.  CFLAGS/CXXFLAGS hold what a user may change (optimisation:
# -O3 lets GCC vectorise the element-wise loops of the step;
# debug info: -g is needed by abidw); the rest is always applied.
CC       ?= cc
CXX      ?= g++
AR       ?= ar
CFLAGS   ?= -O3 -g
# The local operator runs its window positions on all cores, on POSIX
# threads (src/parallel.c).
THREAD_LIBS := -pthread
CXXFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wpedantic -Werror
ifneq ($(SANITIZE),)
  SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
DEPFLAGS      := -MMD -MP
LIB_CFLAGS    := -std=c11 $(WARNINGS) $(CFLAGS) -fno-math-errno -fPIC -fvisibility=hidden -pthread $(SAN_FLAGS)
LIB_CPPFLAGS  := -Isrc -Iinclude $(BLAS_CPPFLAGS) $(CPPFLAGS)
CHECK_CFLAGS  := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS    := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
TEST_CFLAGS   := -std=c11 $(WARNINGS) $(CFLAGS) $(SAN_FLAGS)
TEST_CPPFLAGS := -Itests -Isrc -Iinclude $(BLAS_CPPFLAGS) $(CHECK_CFLAGS) $(CPPFLAGS)
CXX_FLAGS     := -std=c++11 $(WARNINGS) $(CXXFLAGS)

# Environment to run programs linked to the in-tree library (and, for the
# reference build, to the reference BLAS rather than the alternatives link).
RUN_LIBPATH := $(CURDIR)/$(OUT)$(if $(BLAS_RUNDIR),:$(BLAS_RUNDIR))
RUN_ENV     := LD_LIBRARY_PATH=$(RUN_LIBPATH)$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}

# A stamp file per directory whose content is every flag that shapes the
# build; it is rewritten only when that content changes, so changing BLAS,
# CFLAGS or the compiler rebuilds everything that depends on it.
FLAGS_SIG := $(BLAS) | $(CC) $(LIB_CPPFLAGS) $(LIB_CFLAGS) | $(LDFLAGS) $(BLAS_LIBS) $(LIBS) | $(TEST_CPPFLAGS)
$(BUILDDIR)/.flags $(OUT)/.flags: FORCE
	@mkdir -p $(@D)
	@if [ $(BLAS) = openblas ] && ! $(PKG_CONFIG) --exists openblas; then \
	    echo "BLAS=openblas but pkg-config does not know openblas (install libopenblas-dev, or use BLAS=reference)" >&2; \
	    exit 1; fi
	@echo '$(FLAGS_SIG)' | cmp -s - $@ || echo '$(FLAGS_SIG)' > $@

# ---------------------------------------------------------------------------
# The library: every src/*.c, a static archive and a versioned shared
# object whose exports are limited by the linker version script.
SRCS   := $(wildcard src/*.c)
OBJS   := $(patsubst src/%.c,$(BUILDDIR)/obj/%.o,$(SRCS))
MAP    := src/libsparsecode.map
SONAME := libsparsecode.so.$(MAJOR)
STATIC_LIB  := $(OUT)/libsparsecode.a
SHARED_REAL := $(OUT)/libsparsecode.so.$(VERSION)
SHARED_LIBS := $(SHARED_REAL) $(OUT)/$(SONAME) $(OUT)/libsparsecode.so
PC_FILE     := $(OUT)/pkgconfig/libsparsecode.pc
PC_UNINST   := $(OUT)/pkgconfig/libsparsecode-uninstalled.pc

# LAST_BUILT names the BLAS of the library built (or asked for with
# `make`) last, outside the sanitizer builds: `make install` without BLAS=
# refuses to install another one (see install below).
LAST_BUILT := build/.last-built
record_last_built = $(if $(SANITIZE),:,mkdir -p $(dir $(LAST_BUILT)) && echo '$(BLAS)' | cmp -s - $(LAST_BUILT) || echo '$(BLAS)' > $(LAST_BUILT))

.PHONY: lib
lib: $(STATIC_LIB) $(SHARED_LIBS) $(PC_FILE) $(PC_UNINST)
	@$(record_last_built)

$(BUILDDIR)/obj/%.o: src/%.c $(BUILDDIR)/.flags
	@mkdir -p $(@D)
	$(CC) $(LIB_CPPFLAGS) $(LIB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(STATIC_LIB): $(OBJS) $(OUT)/.flags
	@test -n "$(OBJS)" || { echo "no sources in src/*.c" >&2; exit 1; }
	@rm -f $@
	$(AR) rcs $@ $(OBJS)
	@$(record_last_built)

$(SHARED_REAL): $(OBJS) $(MAP) $(OUT)/.flags
	@test -n "$(OBJS)" || { echo "no sources in src/*.c" >&2; exit 1; }
	$(CC) -shared $(LIB_CFLAGS) $(LDFLAGS) -Wl,-soname,$(SONAME) \
	    -Wl,--version-script,$(MAP) -Wl,-z,defs -o $@ $(OBJS) $(BLAS_LIBS) $(THREAD_LIBS) $(LIBS) -lm
	@$(record_last_built)

$(OUT)/$(SONAME): $(SHARED_REAL)
	ln -sf $(notdir $<) $@
$(OUT)/libsparsecode.so: $(OUT)/$(SONAME)
	ln -sf $(notdir $<) $@

# ---------------------------------------------------------------------------
# pkg-config files from pkgconfig/libsparsecode.pc.in, in lib/pkgconfig/:
# libsparsecode.pc for PREFIX/LIBDIR/INCLUDEDIR (remade when they change;
# `make install` writes the installed copy afresh from the template, so an
# install elsewhere does not touch this one), and
# libsparsecode-uninstalled.pc whose prefix is this tree: with lib/pkgconfig
# in PKG_CONFIG_PATH, `pkg-config libsparsecode` finds the in-tree library.
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PC_IN := pkgconfig/libsparsecode.pc.in
# What a static link needs besides libsparsecode.a: the BLAS as it was
# linked here (its -L and -l, not a Requires.private on openblas.pc, so
# that consumers need no .pc but ours, shared or --static), the threads
# and libm.
PC_LIBS_PRIVATE = $(strip $(BLAS_LIBS) $(THREAD_LIBS) $(LIBS) -lm)

# $(call under_prefix,DIR): DIR written relative to ${prefix} when below it.
under_prefix = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
# $(call make_pc,PREFIX,LIBDIR,INCLUDEDIR,FILE): the template filled in.
make_pc = sed -e 's|@PREFIX@|$(1)|g' -e 's|@LIBDIR@|$(2)|g' -e 's|@INCLUDEDIR@|$(3)|g' \
    -e 's|@VERSION@|$(VERSION)|g' -e 's|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|g' \
    $(PC_IN) > $(4).tmp && mv $(4).tmp $(4)
PC_LIBDIR     = $(call under_prefix,$(LIBDIR))
PC_INCLUDEDIR = $(call under_prefix,$(INCLUDEDIR))

INSTALL_SIG := $(PREFIX) | $(LIBDIR) | $(INCLUDEDIR)
$(OUT)/.installdirs: FORCE
	@mkdir -p $(@D)
	@echo '$(INSTALL_SIG)' | cmp -s - $@ || echo '$(INSTALL_SIG)' > $@

$(PC_FILE): $(PC_IN) $(HEADER) $(OUT)/.flags $(OUT)/.installdirs
	@mkdir -p $(@D)
	$(call make_pc,$(PREFIX),$(PC_LIBDIR),$(PC_INCLUDEDIR),$@)

$(PC_UNINST): $(PC_IN) $(HEADER) $(OUT)/.flags
	@mkdir -p $(@D)
	$(call make_pc,$(CURDIR),$${prefix}/$(OUT),$${prefix}/include,$@)

# ---------------------------------------------------------------------------
# Tests.  The Check runner is every tests/*.c (the suites check_<module>.c,
# the runner check_main.c, shared helpers such as testutil.c) linked to the
# STATIC library, so tests may call internal functions.
# The C++ test links the SHARED library.  The examples test
# (tests/examples_test.sh) runs the built examples on a tiny data set made
# by tests/tools/make_idx.c.  run-tests.sh and the examples test print
# their counts; the last line of `make check` is "check: N passed, M failed".
# Each part's "passed failed" counts are kept in build/<config>/results/
# (.ci/run adds them up).
TEST_SRCS := $(wildcard tests/*.c)
TEST_OBJS := $(patsubst tests/%.c,$(BUILDDIR)/tests/%.o,$(TEST_SRCS))
CXX_TEST  := $(BUILDDIR)/cxx_test
RESULTS   := $(BUILDDIR)/results
RUN_TESTS := bash scripts/run-tests.sh
# tests/alloc_hook.c counts (and can fail) the allocations the library
# makes, through the linker's --wrap of malloc, calloc and realloc.
TEST_LDFLAGS := $(if $(wildcard tests/alloc_hook.c),-Wl$(,)--wrap=malloc$(,)--wrap=calloc$(,)--wrap=realloc)

$(BUILDDIR)/tests/%.o: tests/%.c $(BUILDDIR)/.flags
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(TEST_RUNNER): $(TEST_OBJS) $(STATIC_LIB) $(OUT)/.flags
	@test -n "$(filter %/check_main.o,$(TEST_OBJS))" || { echo "no test runner: tests/check_main.c is missing" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(LDFLAGS) $(TEST_LDFLAGS) -o $@ $(TEST_OBJS) $(STATIC_LIB) \
	    $(CHECK_LIBS) $(BLAS_LIBS) $(BLAS_RPATH) $(THREAD_LIBS) $(LIBS) -lm

# The examples (built in the Examples section below; defined here, before
# test-all, because a rule's prerequisites are expanded when it is read).
# examples/drsae_mpi.c needs MPI: `make mpi` builds it (below).
EXAMPLE_SRCS    := $(filter-out examples/drsae_mpi.c,$(wildcard examples/*.c))
EXAMPLE_SUPPORT := $(wildcard examples/support/*.c)
EXAMPLES        := $(EXAMPLE_SRCS:.c=)

# The examples test's data generator: a plain C program, no library.
MAKE_IDX := $(BUILDDIR)/tools/make_idx
$(MAKE_IDX): tests/tools/make_idx.c $(BUILDDIR)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARNINGS) $(CFLAGS) $(LDFLAGS) $< -o $@

# The MPI test's model comparison: links the library under test.
MODEL_DIFF := $(BUILDDIR)/tools/model_diff
$(MODEL_DIFF): tests/tools/model_diff.c $(HEADER) $(SHARED_LIBS) $(BUILDDIR)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARNINGS) $(CFLAGS) -Iinclude $< -o $@ -L$(OUT) -lsparsecode \
	    -Wl,-rpath,$(CURDIR)/$(OUT) $(LDFLAGS) -lm

# With mpicc and mpirun, the examples test also runs examples/drsae_mpi on
# 1 and 2 ranks (tests/examples_mpi.sh, sourced by examples_test.sh).
MPICC  ?= mpicc
MPIRUN ?= mpirun
HAVE_MPICC  := $(shell command -v $(MPICC) >/dev/null 2>&1 && echo yes)
HAVE_MPIRUN := $(shell command -v $(MPIRUN) >/dev/null 2>&1 && echo yes)
MPI_TESTED  := $(if $(and $(HAVE_MPICC),$(HAVE_MPIRUN)),yes)
MPI_TEST_ENV := $(if $(MPI_TESTED),SC_MPI_EXAMPLE=examples/drsae_mpi SC_MODEL_DIFF=$(MODEL_DIFF) MPIRUN=$(MPIRUN))
MPI_TEST_DEPS := $(if $(MPI_TESTED),examples/drsae_mpi $(MODEL_DIFF))

# The examples test runs examples/drsae and examples/minimal against this
# configuration's library (RUN_ENV puts it first in LD_LIBRARY_PATH).
EXAMPLES_TEST := env $(RUN_ENV) SC_EXAMPLES_DIR=examples SC_MAKE_IDX=$(MAKE_IDX) \
    $(MPI_TEST_ENV) bash tests/examples_test.sh

# Every source file must carry the SPDX license line (tests/spdx_test.sh).
SPDX_TEST := bash tests/spdx_test.sh

$(CXX_TEST): tests/cxx/cxx_test.cpp $(HEADER) $(SHARED_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(CXX_FLAGS) -Iinclude $< -o $@ -L$(OUT) -lsparsecode $(LDFLAGS)

# The Python binding (python/, docs/python.md): its pytest suite against
# this configuration's shared library, named by SPARSECODE_LIBRARY, with
# RUN_ENV's library path (the reference BLAS).  Skipped with a message when
# PYTHON cannot import numpy and pytest (Debian's python3-numpy and
# python3-pytest), unless SC_PYTHON_TESTS=required (CI).  Debian's
# /usr/bin/python3 by default: a pyenv or venv python on PATH may lack
# numpy.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYTHON_TEST := env $(RUN_ENV) SPARSECODE_LIBRARY=$(CURDIR)/$(SHARED_REAL) \
    SC_TUTORIAL=$(CURDIR)/examples/tutorial SC_MAKE_IDX=$(CURDIR)/$(MAKE_IDX) \
    PYTHONPATH=$(CURDIR)/python$${PYTHONPATH:+:$$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1 \
    bash scripts/run-pytest.sh

# make check: dependencies, then everything under test-all in a sub-make
# (which sees the packages the first step may have installed).
.PHONY: check test-all test-unit test-exports test-cxx test-install test-examples test-spdx test-python
check:
	@$(DEPS) check
	@$(MAKE) --no-print-directory test-all

CHECK_PARTS := unit exports cxx install examples spdx python
test-all: $(TEST_RUNNER) $(CXX_TEST) lib $(EXAMPLES) $(MAKE_IDX) $(MPI_TEST_DEPS)
	@mkdir -p $(RESULTS) && rm -f $(addprefix $(RESULTS)/,$(CHECK_PARTS))
	@echo "== unit tests (Check, BLAS=$(BLAS))"
	@echo "BLAS at run time: $$(env $(RUN_ENV) ldd $(TEST_RUNNER) | grep -Eo '(libopenblas|libblas)[^ ]* => [^ ]*' | head -n 1)"
	@$(RUN_TESTS) unit $(RESULTS)/unit env $(RUN_ENV) $(TEST_RUNNER)
	@echo "== exported symbols"
	@sh scripts/check-exports.sh $(SHARED_REAL) $(HEADER) && echo "1 0" > $(RESULTS)/exports
	@echo "== C++ test"
	@env $(RUN_ENV) $(CXX_TEST) && echo "1 0" > $(RESULTS)/cxx
	@echo "== install test"
	@MAKE="$(MAKE)" CC="$(CC)" SC_MAKE_ARGS="BLAS=$(BLAS)" SC_RUN_LIBPATH="$(BLAS_RUNDIR)" SC_BLAS_DEFAULT=$(BLAS_DEFAULT) \
	    bash tests/install_test.sh && mkdir -p $(RESULTS) && echo "1 0" > $(RESULTS)/install
	@echo "== examples test"
	@$(EXAMPLES_TEST) $(RESULTS)/examples
	@echo "== SPDX license lines"
	@$(SPDX_TEST) $(RESULTS)/spdx
	@echo "== Python binding (pytest, $(PYTHON))"
	@$(PYTHON_TEST) $(RESULTS)/python $(PYTHON) -q
	@cat $(addprefix $(RESULTS)/,$(CHECK_PARTS)) | awk '{p += $$1; f += $$2} END {printf "check: %d passed, %d failed\n", p, f; exit f > 0}'

# Pieces of test-all, to run one at a time.
test-unit: $(TEST_RUNNER)
	@$(RUN_TESTS) unit "" env $(RUN_ENV) $(TEST_RUNNER)
test-exports: lib
	@sh scripts/check-exports.sh $(SHARED_REAL) $(HEADER)
test-cxx: $(CXX_TEST)
	@env $(RUN_ENV) $(CXX_TEST)
test-install: lib
	@MAKE="$(MAKE)" CC="$(CC)" SC_MAKE_ARGS="BLAS=$(BLAS)" SC_RUN_LIBPATH="$(BLAS_RUNDIR)" SC_BLAS_DEFAULT=$(BLAS_DEFAULT) \
	    bash tests/install_test.sh
test-examples: $(EXAMPLES) $(MAKE_IDX) $(MPI_TEST_DEPS)
	@$(EXAMPLES_TEST)
test-spdx:
	@$(SPDX_TEST)
test-python: $(SHARED_LIBS)
	@mkdir -p $(RESULTS)
	@$(PYTHON_TEST) $(RESULTS)/python $(PYTHON) -q

# make sanitize: the unit tests built with ASan + UBSan in build/<blas>-sanitize.
# LeakSanitizer runs at the exit of each forked test, so a leak fails the
# test that leaked it.  Timeouts are scaled for the slower code.
.PHONY: sanitize sanitize-run
sanitize:
	@$(DEPS) sanitize
	@$(MAKE) --no-print-directory SANITIZE=1 sanitize-run

sanitize-run: $(TEST_RUNNER)
	@mkdir -p $(RESULTS)
	@echo "== unit tests under ASan + UBSan (BLAS=$(BLAS))"
	@CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-10} \
	    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1$${ASAN_OPTIONS:+:$$ASAN_OPTIONS} \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS} \
	    $(RUN_TESTS) sanitize $(RESULTS)/sanitize env $(RUN_ENV) $(TEST_RUNNER)

# make valgrind: the unit tests under memcheck, without forking
# (CK_FORK=no), in VALGRIND_SHARDS processes at once (SC_TEST_SHARD=i/n:
# each runs every n-th suite; together, every suite once), one per core.
# Only definite and indirect leaks count (OpenBLAS keeps "possibly lost"
# thread buffers), OpenBLAS runs one thread, and OPENBLAS_CORETYPE is
# removed so OpenBLAS picks a kernel valgrind can run (it has no AVX-512).
# SC_TEST_UNDER_VALGRIND=1 shortens the few long loops that
# tu_loop_length marks (testutil.h).
VALGRIND_FLAGS := --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=1 --num-callers=30
.PHONY: valgrind valgrind-run
valgrind:
	@$(DEPS) valgrind
	@$(MAKE) --no-print-directory valgrind-run

VALGRIND_SHARDS ?= 2
VALGRIND_LOGS   := $(BUILDDIR)/valgrind-logs
valgrind-run: $(TEST_RUNNER)
	@mkdir -p $(RESULTS) $(VALGRIND_LOGS)
	@echo "== unit tests under valgrind (BLAS=$(BLAS)), $(VALGRIND_SHARDS) shards at once"
	@n=$(VALGRIND_SHARDS); i=0; while [ $$i -lt $$n ]; do \
	    ( CK_FORK=no CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-100} OPENBLAS_NUM_THREADS=1 \
	      SC_TEST_UNDER_VALGRIND=1 SC_TEST_SHARD=$$i/$$n \
	      $(RUN_TESTS) valgrind-$$i/$$n $(RESULTS)/valgrind-$$i env -u OPENBLAS_CORETYPE $(RUN_ENV) \
	      valgrind $(VALGRIND_FLAGS) $(TEST_RUNNER) > $(VALGRIND_LOGS)/shard-$$i.log 2>&1; \
	      echo $$? > $(VALGRIND_LOGS)/shard-$$i.status ) & \
	    i=$$((i + 1)); \
	done; wait; \
	s=0; i=0; while [ $$i -lt $$n ]; do \
	    cat $(VALGRIND_LOGS)/shard-$$i.log; \
	    [ "$$(cat $(VALGRIND_LOGS)/shard-$$i.status)" = 0 ] || s=1; \
	    i=$$((i + 1)); \
	done; exit $$s

# ---------------------------------------------------------------------------
# The CMake package (cmake/*.cmake.in): libsparsecodeConfig.cmake and
# libsparsecodeConfigVersion.cmake in LIBDIR/cmake/libsparsecode.  The
# config file finds the library relative to itself (LIBDIR is two levels
# up), and the header through INCLUDEDIR written relative to LIBDIR when
# both are below PREFIX, so the installed tree can move.  The static
# target's private dependencies are those of the .pc's Libs.private.
CMAKEDIR := $(LIBDIR)/cmake/libsparsecode
CMAKE_FILES := libsparsecodeConfig.cmake libsparsecodeConfigVersion.cmake
empty :=
space := $(empty) $(empty)
cmake_list = $(subst $(space),;,$(strip $(1)))
PRIVATE_LINK_ITEMS := $(BLAS_LIBS) $(LIBS)
CMAKE_INCLUDEDIR = $(if $(and $(filter $(PREFIX)/%,$(LIBDIR)),$(filter $(PREFIX)/%,$(INCLUDEDIR))),$(shell realpath -m --relative-to='$(LIBDIR)' '$(INCLUDEDIR)'),$(INCLUDEDIR))
SIZEOF_VOID_P := $(shell $(CC) -dM -E - </dev/null 2>/dev/null | sed -n 's/^.define __SIZEOF_POINTER__ //p')
# $(call make_cmake,TEMPLATE,FILE): a template filled in.
make_cmake = sed -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
    -e 's|@CMAKE_INCLUDEDIR@|$(CMAKE_INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
    -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@BLAS@|$(BLAS)|g' -e 's|@SIZEOF_VOID_P@|$(SIZEOF_VOID_P)|g' \
    -e 's|@PRIVATE_LINK_DIRS@|$(call cmake_list,$(patsubst -L%,%,$(filter -L%,$(PRIVATE_LINK_ITEMS))))|g' \
    -e 's|@PRIVATE_LINK_NAMES@|$(call cmake_list,$(patsubst -l%,%,$(filter -l%,$(PRIVATE_LINK_ITEMS))))|g' \
    -e 's|@PRIVATE_LINK_OPTIONS@|$(call cmake_list,$(filter-out -L% -l%,$(PRIVATE_LINK_ITEMS)))|g' \
    $(1) > $(2).tmp && mv $(2).tmp $(2)

# ---------------------------------------------------------------------------
# make fuzz: the libFuzzer harnesses in fuzz/ (docs/fuzzing.md), built
# with clang, -fsanitize=fuzzer,address,undefined, the library's sources
# compiled into each with the same sanitizers (in build/fuzz/).  First
# every saved crash in fuzz/regressions/NAME/ is replayed, then each
# harness runs FUZZ_SECONDS from the seed corpus that fuzz/make_corpus.c
# writes (real saved models of every kind, IDX files); any crash, leak,
# timeout (FUZZ_TIMEOUT seconds for one input) or excess memory fails.
# New interesting inputs stay in build/fuzz/corpus/NAME/ for the next run.
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 15
FUZZ_TIMEOUT  ?= 10
FUZZ_TARGETS  := load_raw load_struct load_buffer idx_read api_calls dict_file
FUZZ_DIR      := build/fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   := -std=c11 $(WARNINGS) -O1 -g -pthread $(FUZZ_SAN)
FUZZ_CPPFLAGS := -Ifuzz -Isrc -Iinclude -Iexamples/support $(BLAS_CPPFLAGS) $(CPPFLAGS)
FUZZ_LIB_OBJS := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(SRCS))
FUZZ_SUPPORT  := fuzz/fuzz_util.c fuzz/load_exercise.c fuzz/model_file.c
FUZZ_BINS     := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
MAKE_CORPUS   := $(BUILDDIR)/tools/make_corpus
.SECONDARY: $(FUZZ_LIB_OBJS)

$(FUZZ_DIR)/obj/%.o: src/%.c $(BUILDDIR)/.flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(LIB_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_DIR)/%: fuzz/%.c $(FUZZ_SUPPORT) $(wildcard fuzz/*.h) $(FUZZ_LIB_OBJS) examples/support/idx.c
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_SUPPORT) \
	    $(if $(filter idx_read,$*),examples/support/idx.c -lz) $(FUZZ_LIB_OBJS) -o $@ \
	    $(LDFLAGS) $(BLAS_LIBS) $(BLAS_RPATH) $(THREAD_LIBS) $(LIBS) -lm

# The seed corpus generator: a plain program on the static library.
$(MAKE_CORPUS): fuzz/make_corpus.c fuzz/model_file.c fuzz/fuzz_util.c $(wildcard fuzz/*.h) $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) -Ifuzz $(TEST_CPPFLAGS) $(TEST_CFLAGS) $(LDFLAGS) $< fuzz/model_file.c fuzz/fuzz_util.c -o $@ $(STATIC_LIB) \
	    $(BLAS_LIBS) $(BLAS_RPATH) $(THREAD_LIBS) $(LIBS) -lz -lm

.PHONY: fuzz fuzz-build fuzz-run
fuzz:
	@$(DEPS) fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-build: $(FUZZ_BINS) $(MAKE_CORPUS)

fuzz-run: fuzz-build
	@rm -rf $(FUZZ_DIR)/seeds && $(MAKE_CORPUS) $(FUZZ_DIR)/seeds
	@export OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}; \
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts $(FUZZ_DIR)/seeds/$$t; \
	    if [ -n "$$(ls -A fuzz/regressions/$$t 2>/dev/null)" ]; then \
	        echo "== fuzz: $$t: replaying fuzz/regressions/$$t"; \
	        $(FUZZ_DIR)/$$t -timeout=$(FUZZ_TIMEOUT) fuzz/regressions/$$t/* > $(FUZZ_DIR)/$$t.replay.log 2>&1 \
	            || { tail -n 40 $(FUZZ_DIR)/$$t.replay.log; echo "fuzz: $$t: a regression input fails"; exit 1; }; \
	    fi; \
	    echo "== fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- -print_final_stats=1 \
	        $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t > $(FUZZ_DIR)/$$t.log 2>&1 \
	        || { tail -n 60 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t FAILED: input in $(FUZZ_DIR)/artifacts/"; exit 1; }; \
	    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' $(FUZZ_DIR)/$$t.log | tr '\n' ' '; echo; \
	done; echo "fuzz: all $(words $(FUZZ_TARGETS)) harnesses passed"

# ---------------------------------------------------------------------------
# install / uninstall: the header, both libraries with their links, the .pc,
# the CMake package, the license with the README in DOCDIR, and the man
# pages in MANDIR/man3.
#
# Man pages: the overview libsparsecode(3) (docs/man/libsparsecode.3,
# written by hand) is always installed.  The pages of the functions, types
# and constants are generated by `make docs` (Doxygen, docs/api/man/man3/:
# one page per section of the header, and a `.so` link per symbol to its
# section's page), and `make install` installs them when they are there:
# it does not run Doxygen itself, so that installing needs no documentation
# tools, and a packager decides by running `make docs` (with doxygen among
# the build dependencies) before `make install`.  Without them, install
# says so on stderr and installs the overview only; it warns when the
# generated pages are older than the header (run `make docs` again).  The
# links to struct fields (size.3, loss.3, ...) and the pages of the
# Markdown guides (md_*.3) are left out: only the header's sc_* and SC_*
# names, the sections' sparsecode_*.3 and sparsecode.h.3 are installed.
#
# uninstall removes the overview and every page of this library in
# MANDIR/man3 (first line `.TH ... "libsparsecode"`) with the links to
# them, so it needs no generated list (a `make clean` in between is fine).
DOCDIR ?= $(PREFIX)/share/doc/libsparsecode
DOC_FILES := LICENSE README.md
MANDIR ?= $(PREFIX)/share/man
MAN3DIR = $(MANDIR)/man3
MAN_OVERVIEW := docs/man/libsparsecode.3
MAN_GENERATED_DIR := docs/api/man/man3
# $(call man_generated): the generated pages to install, if any.
man_generated = $(sort $(wildcard $(addprefix $(MAN_GENERATED_DIR)/,sc_*.3 SC_*.3 sparsecode_*.3 sparsecode.h.3)))

# `make BLAS=reference` then `make install` must not install the default
# (OpenBLAS) build: without BLAS= on the command line or in the
# environment, install only the configuration built last, and otherwise
# stop and say which BLAS= to pass.
ifneq ($(filter install,$(MAKECMDGOALS)),)
ifeq ($(origin BLAS),file)
LAST_BLAS := $(shell cat $(LAST_BUILT) 2>/dev/null)
ifneq ($(LAST_BLAS),)
ifneq ($(LAST_BLAS),$(BLAS))
$(error the library built last here is the BLAS=$(LAST_BLAS) one, but `make install` \
without BLAS= would install the default, BLAS=$(BLAS). Say which one to install: \
`make install BLAS=$(LAST_BLAS)` (and the same PREFIX etc.), or `make install BLAS=$(BLAS)`)
endif
endif
endif
endif
.PHONY: install uninstall
install: $(STATIC_LIB) $(SHARED_LIBS) $(PC_IN) $(addprefix cmake/,$(addsuffix .in,$(CMAKE_FILES)))
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(DOCDIR)
	install -m 644 $(HEADER) $(DESTDIR)$(INCLUDEDIR)/sparsecode.h
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/libsparsecode.a
	install -m 755 $(SHARED_REAL) $(DESTDIR)$(LIBDIR)/libsparsecode.so.$(VERSION)
	ln -sf libsparsecode.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsparsecode.so
	$(call make_pc,$(PREFIX),$(PC_LIBDIR),$(PC_INCLUDEDIR),$(DESTDIR)$(PKGCONFIGDIR)/libsparsecode.pc)
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libsparsecode.pc
	$(foreach f,$(CMAKE_FILES),$(call make_cmake,cmake/$(f).in,$(DESTDIR)$(CMAKEDIR)/$(f)) && \
	    chmod 644 $(DESTDIR)$(CMAKEDIR)/$(f) &&) true
	install -m 644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(MAN3DIR)
	install -m 644 $(MAN_OVERVIEW) $(DESTDIR)$(MAN3DIR)/
	@pages='$(man_generated)'; \
	if [ -z "$$pages" ]; then \
	    echo "install: no generated man pages in $(MAN_GENERATED_DIR) (make docs, which needs doxygen, makes them): installed libsparsecode(3) only" >&2; \
	else \
	    if [ $(MAN_GENERATED_DIR)/sparsecode.h.3 -ot $(HEADER) ]; then \
	        echo "install: WARNING: the man pages in $(MAN_GENERATED_DIR) are older than $(HEADER): run make docs again" >&2; fi; \
	    echo "install -m 644 <$$(echo $$pages | wc -w) pages of $(MAN_GENERATED_DIR)> $(DESTDIR)$(MAN3DIR)/"; \
	    install -m 644 $$pages $(DESTDIR)$(MAN3DIR)/; \
	fi

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/sparsecode.h \
	    $(DESTDIR)$(LIBDIR)/libsparsecode.a \
	    $(DESTDIR)$(LIBDIR)/libsparsecode.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libsparsecode.so \
	    $(DESTDIR)$(PKGCONFIGDIR)/libsparsecode.pc \
	    $(addprefix $(DESTDIR)$(CMAKEDIR)/,$(CMAKE_FILES)) \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_FILES)) \
	    $(DESTDIR)$(MAN3DIR)/$(notdir $(MAN_OVERVIEW))
	@d='$(DESTDIR)$(MAN3DIR)'; [ -d "$$d" ] || exit 0; \
	pages=$$(cd "$$d" && grep -l -m 1 '^\.TH .*"libsparsecode"' -- *.3 2>/dev/null || true); \
	[ -n "$$pages" ] || exit 0; \
	links=$$(cd "$$d" && grep -l -x -F -f <(printf '.so man3/%s\n' $$pages) -- *.3 2>/dev/null || true); \
	echo "uninstall: $$(echo $$pages | wc -w) man pages and $$(echo $$links | wc -w) links from $$d"; \
	cd "$$d" && rm -f -- $$pages $$links

# ---------------------------------------------------------------------------
# Examples: examples/NAME.c -> examples/NAME, built the way a user outside
# the tree would (pkg-config, here with the uninstalled .pc), with an rpath
# to the in-tree library.  Every example may use libpng and zlib, and the
# shared helpers in examples/support/*.c are compiled into each.  There is
# one copy of each example for all configurations: EXAMPLES_LIB records
# which library directory they were linked to, so that building them for
# another configuration (make check BLAS=reference builds them too) and
# back relinks them, rather than leaving them tied to the other library.
EXAMPLE_PKGS   := libsparsecode libpng zlib
EXAMPLE_CFLAGS := -std=c11 $(WARNINGS) $(CFLAGS)
EXAMPLE_PKGCONFIG := PKG_CONFIG_PATH=$(CURDIR)/$(OUT)/pkgconfig$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH} $(PKG_CONFIG)

.PHONY: examples examples-build
examples:
	@$(DEPS) examples
	@$(MAKE) --no-print-directory examples-build

examples-build: $(EXAMPLES)
	@$(if $(EXAMPLES),echo "examples built: $(EXAMPLES)",echo "no examples yet (examples/*.c)")

EXAMPLES_LIB := build/.examples-lib
$(EXAMPLES_LIB): FORCE
	@mkdir -p $(@D)
	@echo '$(OUT)' | cmp -s - $@ || echo '$(OUT)' > $@

examples/%: examples/%.c $(EXAMPLE_SUPPORT) $(wildcard examples/support/*.h) $(HEADER) \
        $(SHARED_LIBS) $(PC_UNINST) $(EXAMPLES_LIB)
	flags=$$($(EXAMPLE_PKGCONFIG) --cflags --libs $(EXAMPLE_PKGS)) && \
	$(CC) $(EXAMPLE_CFLAGS) $< $(EXAMPLE_SUPPORT) -o $@ \
	    $$flags -Wl,-rpath,$(CURDIR)/$(OUT) $(LDFLAGS) -lm

# make mpi: examples/drsae_mpi, data-parallel DrSAE on MPI (docs/scaling.md),
# built with $(MPICC) (Open MPI: Debian's libopenmpi-dev) when it is there
# (MPICC and MPIRUN are set in the Tests section).  The library itself does
# not use MPI.
.PHONY: mpi
mpi:
ifeq ($(HAVE_MPICC),yes)
	@$(MAKE) --no-print-directory examples/drsae_mpi
else
	@echo "mpi: $(MPICC) not found: install Open MPI (libopenmpi-dev, openmpi-bin) to build examples/drsae_mpi"
endif

examples/drsae_mpi: examples/drsae_mpi.c $(EXAMPLE_SUPPORT) $(wildcard examples/support/*.h) \
        $(HEADER) $(SHARED_LIBS) $(PC_UNINST) $(EXAMPLES_LIB)
	flags=$$($(EXAMPLE_PKGCONFIG) --cflags --libs $(EXAMPLE_PKGS)) && \
	$(MPICC) $(EXAMPLE_CFLAGS) $< $(EXAMPLE_SUPPORT) -o $@ \
	    $$flags -Wl,-rpath,$(CURDIR)/$(OUT) $(LDFLAGS) -lm

# make demo: the DrSAE example on Fashion-MNIST with the settings chosen on
# a validation split (docs/drsae.md), drawing its filters and its units.
DEMO_ARGS := --data /usr/share/datasets/fashion-mnist --filters filters.png \
    --units-plot units.png
.PHONY: demo
demo:
ifeq ($(wildcard examples/drsae.c),)
	@echo "the DrSAE demo is not there yet (issue #3)"
else
	@$(DEPS) demo
	@$(MAKE) --no-print-directory examples-build
	./examples/drsae $(DEMO_ARGS)
endif

# make natural-images: grey PGM copies of the two photographs that Debian's
# python3-sklearn ships, for examples/topographic --images (djpeg comes
# with libjpeg-turbo-progs; docs/topographic.md).
NATURAL_IMAGES_DIR := build/natural-images
SKLEARN_IMAGES     := /usr/lib/python3/dist-packages/sklearn/datasets/images
.PHONY: natural-images
natural-images:
	@$(DEPS) python3-sklearn libjpeg-turbo-progs
	@mkdir -p $(NATURAL_IMAGES_DIR)
	for f in china flower; do \
	    djpeg -grayscale -pnm $(SKLEARN_IMAGES)/$$f.jpg > $(NATURAL_IMAGES_DIR)/$$f.pgm.tmp && \
	    mv $(NATURAL_IMAGES_DIR)/$$f.pgm.tmp $(NATURAL_IMAGES_DIR)/$$f.pgm || exit 1; \
	done

# ---------------------------------------------------------------------------
# Benchmarks: benchmarks/NAME.c -> build/<config>/benchmarks/NAME, linked to
# the static library (so they may time internal functions and call CBLAS
# directly, e.g. to measure the sgemm rate) with the shared pieces in
# benchmarks/support/ and the examples' IDX reader, then run one after
# another.  They train on Fashion-MNIST (Debian's dataset-fashion-mnist).
BENCH_SRCS    := $(wildcard benchmarks/*.c)
BENCHES       := $(patsubst benchmarks/%.c,$(BUILDDIR)/benchmarks/%,$(BENCH_SRCS))
BENCH_SUPPORT := $(wildcard benchmarks/support/*.c) examples/support/idx.c

.PHONY: bench bench-run
bench:
	@$(DEPS) demo
	@$(MAKE) --no-print-directory bench-run

bench-run: $(BENCHES)
	@$(if $(BENCHES),,echo "no benchmarks yet (benchmarks/*.c)")
	@for b in $(BENCHES); do echo "== $$b"; env $(RUN_ENV) $$b || exit 1; done

$(BUILDDIR)/benchmarks/%: benchmarks/%.c $(BENCH_SUPPORT) $(wildcard benchmarks/support/*.h) $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) -Isrc -Iinclude $(BLAS_CPPFLAGS) $(CPPFLAGS) $(TEST_CFLAGS) -pthread \
	    -MMD -MP -MF $@.d $< $(BENCH_SUPPORT) -o $@ $(LDFLAGS) $(STATIC_LIB) $(BLAS_LIBS) $(BLAS_RPATH) \
	    $(THREAD_LIBS) $(LIBS) -lz -lm

# ---------------------------------------------------------------------------
# ABI: the built shared library against the committed baseline.  abidiff's
# exit status is a bit set: 8 = incompatible change (e.g. a removed
# function): fail.  4 = some ABI change: accepted only when it is nothing
# but added functions (abidiff --no-added-syms then reports no change);
# any change to an existing interface fails, so that it gets reviewed.  An
# intended compatible change (e.g. a field added to the size-versioned
# sc_model_stats) is recorded with `make abi-baseline`, or suppressed in
# abi/libsparsecode.suppr.  `make abi-baseline` is run at each release.
ABI_BASELINE := abi/libsparsecode.abi
ABI_CURRENT  := $(BUILDDIR)/libsparsecode.abi
ABI_SUPPR    := $(wildcard abi/libsparsecode.suppr)
ABIDW_FLAGS  := --headers-dir include --drop-private-types --drop-undefined-syms \
    --no-elf-needed --no-corpus-path --no-comp-dir-path --type-id-style hash
ABIDIFF_FLAGS := --headers-dir1 include --headers-dir2 include $(if $(ABI_SUPPR),--suppressions $(ABI_SUPPR))

.PHONY: abi-check abi-check-run abi-baseline abi-baseline-run
abi-check:
	@$(DEPS) abi
	@$(MAKE) --no-print-directory abi-check-run

abi-check-run: $(SHARED_LIBS)
	@test -f $(ABI_BASELINE) || { echo "abi-check: no baseline $(ABI_BASELINE); create it with make abi-baseline" >&2; exit 1; }
	abidw $(ABIDW_FLAGS) --out-file $(ABI_CURRENT) $(SHARED_REAL)
	@s=0; abidiff $(ABIDIFF_FLAGS) $(ABI_BASELINE) $(ABI_CURRENT) || s=$$?; \
	if [ $$((s & 8)) != 0 ]; then echo "abi-check: INCOMPATIBLE ABI change (abidiff exit $$s)"; exit 1; \
	elif [ $$((s & 3)) != 0 ]; then echo "abi-check: abidiff failed (exit $$s)"; exit 1; \
	elif [ $$((s & 4)) != 0 ]; then \
	    t=0; abidiff $(ABIDIFF_FLAGS) --no-added-syms $(ABI_BASELINE) $(ABI_CURRENT) >/dev/null || t=$$?; \
	    if [ $$t = 0 ]; then echo "abi-check: compatible: only additions (new functions need a new node in $(MAP))"; \
	    else echo "abi-check: existing interfaces changed (abidiff exit $$s): review; if compatible, make abi-baseline"; exit 1; fi; \
	else echo "abi-check: no ABI change against $(ABI_BASELINE)"; fi

abi-baseline:
	@$(DEPS) abi
	@$(MAKE) --no-print-directory abi-baseline-run

abi-baseline-run: $(SHARED_LIBS)
	@mkdir -p $(dir $(ABI_BASELINE))
	abidw $(ABIDW_FLAGS) --out-file $(ABI_BASELINE) $(SHARED_REAL)
	@echo "wrote $(ABI_BASELINE) for $(SONAME) $(VERSION): commit it"

# ---------------------------------------------------------------------------
# API documentation from the public header and the Markdown pages
# (docs/Doxyfile): the HTML reference in docs/api/html/ and the section-3
# man pages in docs/api/man/man3/, made afresh each time (so that no page
# of a renamed symbol stays behind).  Every public symbol must be
# documented, with its parameters: any Doxygen warning fails the target.
.PHONY: docs docs-build
docs:
	@$(DEPS) docs
	@$(MAKE) --no-print-directory docs-build

docs-build:
	rm -rf docs/api
	SC_VERSION=$(VERSION) doxygen docs/Doxyfile
	@echo "docs: open docs/api/html/index.html; read a man page with: man -M docs/api/man sc_model_step"

# ---------------------------------------------------------------------------
.PHONY: clean help FORCE
clean:
	rm -rf build lib docs/api $(TEST_RUNNER) tests/run_tests $(EXAMPLES) examples/drsae_mpi filters.png units.png

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

FORCE:

-include $(OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d) $(wildcard $(BUILDDIR)/benchmarks/*.d)
