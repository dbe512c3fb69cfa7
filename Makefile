# The two commands README.md promises: `make run` and `make test`. Both install
# what is missing (scripts/setup), configure once, and build with -j2.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
PATCHBAY := $(BUILD_DIR)/src/cli/patchbay

.PHONY: run test build setup configure clean

run: build
	$(PATCHBAY) types
	$(PATCHBAY) exec delay --param delayMs=250

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
