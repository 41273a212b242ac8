/* stub: being written */
typedef int wb_stub_unit;
