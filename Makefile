# The two commands README.md promises: `make run` and `make test`. Both install
# what is missing (scripts/setup), configure once, and build with -j2.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
PATCHBAY := $(BUILD_DIR)/src/cli/patchbay

.PHONY: run test build setup configure clean

# The server on 127.0.0.1:8080 with its state in ./patchbay-data; a first start
# prints the URL and an admin token. Options: `$(PATCHBAY) serve --help`, or
# PATCHBAY_* variables (e.g. PATCHBAY_LISTEN=127.0.0.1:9090 make run).
run: build
	exec $(PATCHBAY) serve

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 900

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

configure: setup
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  launcher=""; command -v ccache >/dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPATCHBAY_WERROR=ON $$launcher; \
	fi

setup:
	@scripts/setup

clean:
	rm -rf $(BUILD_DIR)
