# The two commands of README's quick start, and a few more.
#   make demo   install dependencies, build, and run track/ls/hash/download on a sample folder
#   make test   install dependencies and run the whole test suite (ASan + UBSan, fuzzers)
#   make bench  the performance benchmark (see bench/README.md)
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test test-build format-check bench install clean

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEREID_TESTS=OFF \
		-DNEREID_SANITIZE=OFF -DNEREID_FUZZ=OFF >/dev/null
	cmake --build build -j $(JOBS)

demo: build
	bash scripts/demo.sh build/nereid

# The test suite: a gcc build with every warning as an error, then a clang
# build with AddressSanitizer, UndefinedBehaviorSanitizer and the libFuzzer
# targets, whose ctest run holds the unit, end-to-end and fuzz tests.
test: deps build format-check
	cmake -S . -B build-test -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DNEREID_SANITIZE=ON -DNEREID_FUZZ=ON >/dev/null
	cmake --build build-test -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-test --output-on-failure -j $(JOBS)

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

bench: build
	bash bench/run.sh build/nereid

install: build
	cmake --install build

clean:
	rm -rf build build-test
