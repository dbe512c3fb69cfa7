# Every third-party library comes from a Debian 12 package listed in
# scripts/deps.txt; these are the CMake names they are found by.
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json url)
find_package(CURL REQUIRED)
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Threads REQUIRED)
find_package(benchmark REQUIRED)
if(PATCHBAY_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
