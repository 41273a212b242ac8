# WallboardPluginFunctions.cmake: wallboard_add_plugin(), the one call that builds a plugin.
# Shared by the installed package (WallboardPluginConfig.cmake) and the source tree (sdk/).
include_guard(GLOBAL)

# wallboard_add_plugin(NAME SOURCES...): builds NAME.so, the plugin the wall loads for tiles
# with "plugin": "NAME" (the descriptor's name must be NAME too). A MODULE library (dlopen'ed,
# never linked to) without the "lib" prefix, compiled with hidden visibility so that only the
# entry marked WB_PLUGIN_EXPORT is exported, and linked to Wallboard::plugin: the plugin header
# and jansson, nothing of the host. Add your own libraries with target_link_libraries(NAME
# PRIVATE ...) after it, e.g. m for libm.
function(wallboard_add_plugin name)
  if(NOT name MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    message(FATAL_ERROR "wallboard_add_plugin(${name}): a plugin name is letters, digits, "
                        "'_', '-' and '.' and does not start with '.' (it becomes NAME.so)")
  endif()
  if(NOT ARGN)
    message(FATAL_ERROR "wallboard_add_plugin(${name} ...): no source files")
  endif()
  if(NOT TARGET Wallboard::plugin)
    message(FATAL_ERROR "wallboard_add_plugin(${name}): no target Wallboard::plugin; "
                        "call find_package(WallboardPlugin REQUIRED) first")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE Wallboard::plugin)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
