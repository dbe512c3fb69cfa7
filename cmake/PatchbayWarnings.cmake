# Warning flags every patchbay target compiles with. CI turns them into errors
# (PATCHBAY_WERROR=ON, which `make` passes).
add_library(patchbay_warnings INTERFACE)
target_compile_options(patchbay_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  # Designated initializers leave fields at their defaults on purpose
  # (define_connector, succeed, fail); GCC 12 warns about that, GCC 13 no longer does.
  -Wno-missing-field-initializers
  $<$<BOOL:${PATCHBAY_WERROR}>:-Werror>)
