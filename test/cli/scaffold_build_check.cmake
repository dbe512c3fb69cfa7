# Proves that `patchbay scaffold` output compiles and works: scaffolds
# "acme-crm" into a scratch copy of the built-in registry, checks that a second
# run changes nothing, then builds the registry, every built-in and the generated
# test against the libraries of the main build (warnings as errors) and runs it.
#
# cmake -DPATCHBAY=... -DSOURCE_DIR=... -DBINARY_DIR=... -DWORK_DIR=... -P scaffold_build_check.cmake

foreach(var PATCHBAY SOURCE_DIR BINARY_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "scaffold_build_check: -D${var}=... is required")
  endif()
endforeach()

set(tree ${WORK_DIR}/tree)
file(REMOVE_RECURSE ${tree})
file(MAKE_DIRECTORY ${tree}/src/connectors/builtin ${tree}/test/connectors/builtin)
file(GLOB builtin_files ${SOURCE_DIR}/src/connectors/builtin/*.cpp
                        ${SOURCE_DIR}/src/connectors/builtin/builtins.def)
file(COPY ${builtin_files} DESTINATION ${tree}/src/connectors/builtin)
file(COPY ${SOURCE_DIR}/src/connectors/registry.cpp DESTINATION ${tree}/src/connectors)

function(run_checked)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run_checked(${PATCHBAY} scaffold acme-crm --root ${tree} -d "Acme CRM: contacts and deals.")
file(SHA256 ${tree}/src/connectors/builtin/builtins.def registry_after_first)

execute_process(COMMAND ${PATCHBAY} scaffold acme-crm --root ${tree}
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
file(SHA256 ${tree}/src/connectors/builtin/builtins.def registry_after_second)
if(rc EQUAL 0 OR NOT err MATCHES "already exists")
  message(FATAL_ERROR "a second scaffold run should refuse to overwrite (rc=${rc}): ${err}")
endif()
if(NOT registry_after_first STREQUAL registry_after_second)
  message(FATAL_ERROR "a second scaffold run changed builtins.def")
endif()

run_checked(${CMAKE_COMMAND} -S ${SOURCE_DIR}/test/cli/scaffold_check -B ${WORK_DIR}/build -G Ninja
            -DSCRATCH=${tree} -DPATCHBAY_SOURCE_DIR=${SOURCE_DIR}
            -DPATCHBAY_EXPORT=${BINARY_DIR}/patchbay-targets.cmake
            -DCMAKE_BUILD_TYPE=Debug)
run_checked(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
run_checked(${WORK_DIR}/build/scaffold_check)
message(STATUS "scaffold_build_check: generated acme-crm connector compiled and its tests passed")
