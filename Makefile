# ganpipe: `make run` is the main job, `make test` the whole test suite.
SHELL := /bin/bash
SWIFT_BUILD_FLAGS := -c release
BIN := .build/release/ganpipe

.PHONY: run test build system-packages bench clean

system-packages:
	@scripts/ensure-system-packages

build: system-packages
	swift build $(SWIFT_BUILD_FLAGS)

# The main job on the default database (./ganpipe.sqlite).
run: build
	$(BIN) db init
	$(BIN) runs

# Release build: the tensor and gradient tests do real arithmetic.
test: system-packages
	swift build $(SWIFT_BUILD_FLAGS)
	swift test $(SWIFT_BUILD_FLAGS)

bench: build
	$(BIN) bench kernels

clean:
	rm -rf .build
