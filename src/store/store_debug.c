/*
 * store_debug.c - debug mode for any backend: everything is computed and
 * nothing is stored. A backend that can make a private writable copy of
 * itself (STORE_CAP_SNAPSHOT: the embedded store copies its database into
 * memory with SQLite's backup API, reading one snapshot and holding no
 * lock) gives it. Not for read-only mode (store.c).
 */
#include "../error.h"
#include "store.h"

int store_debug_open(nereid_store **out, const store_ops *ops, const char *location)
{
        *out = NULL;
        if ((ops->caps & STORE_CAP_SNAPSHOT) && ops->open_snapshot)
                return ops->open_snapshot(out, location);
        return nereid_error(NEREID_EUSAGE, "store %s: debug mode: not offered by %s stores",
                            location, ops->name);
}
