# ganpipe: `make run` is the main job, `make test` the whole test suite.
SHELL := /bin/bash
SWIFT_BUILD_FLAGS := -c release
BIN := .build/release/ganpipe

.PHONY: run test build system-packages bench clean

system-packages:
	@scripts/ensure-system-packages

build: system-packages
	swift build $(SWIFT_BUILD_FLAGS)

# The main job: the quick-start pipeline on the default database (./ganpipe.sqlite); reports
# land in reports/quickstart/. Running it again skips what is done.
run: build
	$(BIN) run pipelines/quickstart.yaml --jobs 2

# Release build: the tensor and gradient tests do real arithmetic. `swift test` builds the
# ganpipe binary the command-line tests run (a separate `swift build` would compile twice).
# The tests also need Debian's chromium (they drive the pages in it) and a real Slurm on this
# machine (scripts/start-test-slurm starts one: munged, slurmctld, three slurmd; root).
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
test:
	@scripts/ensure-system-packages scripts/system-packages.txt scripts/test-packages.txt
	@$(SUDO) scripts/start-test-slurm
	swift test $(SWIFT_BUILD_FLAGS)

bench: build
	$(BIN) bench kernels

clean:
	rm -rf .build
