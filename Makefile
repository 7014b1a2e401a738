# The commands of README's quick start, and a few more.
#   make          build build/nereid and build/libnereid.so; installs nothing
#   make deps     install the build and test dependencies (Debian packages)
#   make demo     deps, build, and run track/ls/hash/download on a sample folder
#   make test     deps, then the whole test suite: the format check, a gcc
#                 build of everything with the unit, fuzz-corpus and local
#                 end-to-end tests, and a clang build with ASan + UBSan and
#                 libFuzzer that runs every test (S3 and fuzzing included)
#   make bench    the performance benchmark (see bench/README.md)
#   make install  install the build (nothing else)
# Each build has its own folder: build, build-gcc, build-test.
JOBS ?= $(shell nproc)
SANITIZERS = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Ninja when it is there, chosen when a build folder is first configured
# only: a folder keeps the generator it was made with.
generator = $(if $(wildcard $(1)/CMakeCache.txt),,$(if $(shell command -v ninja),-G Ninja))

# Dependencies are installed before anything is built: one step at a time.
.NOTPARALLEL:
.PHONY: all deps build demo test test-gcc test-clang format-check bench install clean

all: build

deps:
	bash scripts/install-deps.sh

build:
	@cmake -S . -B build $(call generator,build) -DCMAKE_BUILD_TYPE=Release \
		-DNEREID_TESTS=OFF -DNEREID_SANITIZE=OFF -DNEREID_FUZZ=OFF >/dev/null || { \
		echo "make: configuring the build failed (a missing dependency?);" \
			"'make deps' installs them on Debian" >&2; exit 1; }
	cmake --build build -j $(JOBS)

demo: deps build
	bash scripts/demo.sh build/nereid

test: deps format-check test-gcc test-clang

# gcc, optimised (its warnings differ from clang's, and -O3 finds more),
# every warning an error; every test but the S3 ones, which the clang build
# runs.
test-gcc:
	cmake -S . -B build-gcc $(call generator,build-gcc) -DCMAKE_C_COMPILER=gcc \
		-DCMAKE_BUILD_TYPE=Release -DNEREID_SANITIZE=OFF -DNEREID_FUZZ=OFF >/dev/null
	cmake --build build-gcc -j $(JOBS)
	ctest --test-dir build-gcc --output-on-failure -j $(JOBS) -LE s3

# clang with AddressSanitizer, UndefinedBehaviorSanitizer and the libFuzzer
# targets: the unit, end-to-end (local and S3) and fuzz tests.
test-clang:
	cmake -S . -B build-test $(call generator,build-test) -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=Debug -DNEREID_SANITIZE=ON -DNEREID_FUZZ=ON >/dev/null
	cmake --build build-test -j $(JOBS)
	$(SANITIZERS) ctest --test-dir build-test --output-on-failure -j $(JOBS)

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h' 2>/dev/null || \
		find src cli include tests -name '*.[ch]' -not -path '*/node_modules/*')

bench: deps build
	bash bench/run.sh build/nereid

install: build
	cmake --install build

clean:
	rm -rf build build-gcc build-test
