#ifndef SHIPMETER_CSQLITETUNING_H
#define SHIPMETER_CSQLITETUNING_H

/// Sets SQLite's process-wide options that Swift cannot reach (`sqlite3_config` is variadic):
/// multi-thread mode and no memory statistics. Takes effect only before SQLite's first use in
/// the process; returns 1 when it did, 0 when SQLite was already in use (nothing changed).
int shipmeter_sqlite_tune(void);

#endif
