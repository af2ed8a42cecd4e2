#include "CSQLiteTuning.h"
#include <sqlite3.h>

int shipmeter_sqlite_tune(void) {
    // Every connection is used by one thread at a time (GRDB serialises each connection's use,
    // the agent-database readers keep theirs to one thread): the mutex SQLite's default
    // (serialised) mode takes on each call — every bind, step and reset — only costs. Memory
    // statistics take a global mutex on each of SQLite's allocations; nothing reads them.
    int mode = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return mode == SQLITE_OK && statistics == SQLITE_OK;
}
