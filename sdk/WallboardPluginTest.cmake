# WallboardPluginTest.cmake: add_wallboard_plugin_test(), one line per plugin test: a recording
# replayed into the plugin's tile on a headless wall, its --state checked. Shipped with the SDK.
#
#   add_wallboard_plugin_test(<name>
#       PLUGIN <target name or path to NAME.so>
#       RECORDING <recording.jsonl>      # a `wallboard-feeds --record` file (docs/feeds.md)
#       EXPECT_STATE <expected.json>     # members the tile's --state entry must have
#       [PATH </recorded/path>]          # default: the recording's only path
#       [OPTIONS <json>] [MATCH <json>] [TITLE <text>]
#       [SIZE <WxH>]                     # default 960x540, the tile covering all of it
#       [TIMEOUT <s>]                    # ctest's limit, default 60
#       [SPEED <x>]                      # replay speed, default max
#       [LABELS <label>...] [ENVIRONMENT <VAR=value>...])
#
# The test runs wallboard-plugin-test.sh (next to this file): `wallboard-feeds --replay
# RECORDING --wait-clients 1` on a free port of 127.0.0.1, a one-tile wall config, `wallboard
# --headless --plugin-dir <the plugin's folder>` polled with SIGUSR1 until every message of the
# path reached the tile, both stopped by PID; then every member of EXPECT_STATE must equal the
# tile's --state entry (objects member by member, arrays exactly), or the test fails listing each
# difference. Its files (config, state.json, screenshot.png, stderr, the wall's crash journal)
# stay in <build folder>/wallboard-plugin-tests/<name>/. Label: "harness" plus LABELS.
#
# The programs: WALLBOARD_EXECUTABLE and WALLBOARD_FEEDS_EXECUTABLE (cache variables; the
# WallboardPlugin package sets them to the installed programs), else found on PATH. Relative
# RECORDING and EXPECT_STATE paths are from the calling CMakeLists.txt's folder, a relative
# PLUGIN path from its build folder. Needs bash and jq when the test runs.

# A global property, not a variable: the function may be called from any folder of the project.
set_property(GLOBAL PROPERTY WALLBOARD_PLUGIN_TEST_SCRIPT
  "${CMAKE_CURRENT_LIST_DIR}/wallboard-plugin-test.sh")

# _wallboard_plugin_test_json(<what> <text> <type>): stops the configuration when <text> is
# not JSON of <type>, so a typo is seen at once instead of in a failed test.
function(_wallboard_plugin_test_json what text type)
  string(JSON got ERROR_VARIABLE err TYPE "${text}")
  if(err OR NOT got STREQUAL type)
    message(FATAL_ERROR "add_wallboard_plugin_test: ${what} must be a JSON ${type}, not: ${text}"
      "${err}")
  endif()
endfunction()

function(add_wallboard_plugin_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG ""
    "PLUGIN;RECORDING;EXPECT_STATE;PATH;OPTIONS;MATCH;TITLE;SIZE;TIMEOUT;SPEED"
    "LABELS;ENVIRONMENT")
  set(fn add_wallboard_plugin_test)
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required PLUGIN RECORDING EXPECT_STATE)
    if(NOT ARG_${required})
      message(FATAL_ERROR "${fn}(${name}): ${required} is required")
    endif()
  endforeach()

  get_property(script GLOBAL PROPERTY WALLBOARD_PLUGIN_TEST_SCRIPT)
  find_program(WALLBOARD_BASH bash)
  if(NOT WALLBOARD_BASH)
    message(FATAL_ERROR "${fn}: bash is needed to run the plugin tests")
  endif()
  foreach(program WALLBOARD_EXECUTABLE:wallboard WALLBOARD_FEEDS_EXECUTABLE:wallboard-feeds)
    string(REPLACE ":" ";" program "${program}")
    list(GET program 0 var)
    list(GET program 1 exe)
    if(NOT ${var})
      find_program(${var}_FOUND ${exe})
      if(NOT ${var}_FOUND)
        message(FATAL_ERROR "${fn}: ${exe} not found: set ${var} (the WallboardPlugin package "
          "does) or put it on PATH")
      endif()
      set(${var} ${${var}_FOUND})
    endif()
  endforeach()

  if(TARGET ${ARG_PLUGIN})
    set(plugin $<TARGET_FILE:${ARG_PLUGIN}>)
  else()
    get_filename_component(plugin "${ARG_PLUGIN}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  get_filename_component(recording "${ARG_RECORDING}" ABSOLUTE)
  get_filename_component(expect "${ARG_EXPECT_STATE}" ABSOLUTE)

  # JSON and free text go to the script in files, out of reach of CMake's list splitting (';')
  # and the shell's quoting.
  set(scratch ${CMAKE_CURRENT_BINARY_DIR}/wallboard-plugin-tests/${name})
  set(args_dir ${CMAKE_CURRENT_BINARY_DIR}/wallboard-plugin-tests/${name}.args)
  set(extra "")
  if(DEFINED ARG_OPTIONS)
    _wallboard_plugin_test_json("${name}: OPTIONS" "${ARG_OPTIONS}" OBJECT)
    file(WRITE ${args_dir}/options.json "${ARG_OPTIONS}")
    list(APPEND extra --options-file ${args_dir}/options.json)
  endif()
  if(DEFINED ARG_MATCH)
    _wallboard_plugin_test_json("${name}: MATCH" "${ARG_MATCH}" OBJECT)
    file(WRITE ${args_dir}/match.json "${ARG_MATCH}")
    list(APPEND extra --match-file ${args_dir}/match.json)
  endif()
  if(DEFINED ARG_TITLE)
    file(WRITE ${args_dir}/title.txt "${ARG_TITLE}")
    list(APPEND extra --title-file ${args_dir}/title.txt)
  endif()
  if(ARG_PATH)
    list(APPEND extra --path ${ARG_PATH})
  endif()
  if(ARG_SIZE)
    list(APPEND extra --size ${ARG_SIZE})
  endif()
  if(ARG_SPEED)
    list(APPEND extra --speed ${ARG_SPEED})
  endif()
  set(timeout 60)
  if(ARG_TIMEOUT)
    set(timeout ${ARG_TIMEOUT})
  endif()
  # The script's own limit, below ctest's: a slow run still fails with a message and stops what
  # it started instead of being killed by ctest.
  math(EXPR budget "${timeout} - 5")
  if(budget LESS 5)
    set(budget 5)
  endif()

  add_test(NAME ${name}
    COMMAND ${WALLBOARD_BASH} ${script}
      --name ${name}
      --wallboard ${WALLBOARD_EXECUTABLE}
      --feeds ${WALLBOARD_FEEDS_EXECUTABLE}
      --plugin ${plugin}
      --recording ${recording}
      --expect-state ${expect}
      --scratch ${scratch}
      --budget ${budget}
      ${extra})
  set_tests_properties(${name} PROPERTIES
    LABELS "harness;${ARG_LABELS}"
    TIMEOUT ${timeout})
  if(ARG_ENVIRONMENT)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
endfunction()
