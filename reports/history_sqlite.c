/* The history in an SQLite file (history_store.h): the embedded default. Its marker is SQLite's
 * application_id header field; a file made before the marker (the same two tables, nothing
 * else) is read as it is and marked by the next add. */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_store.h"
#include "plot.h"

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY, git_commit TEXT NOT NULL, machine TEXT NOT NULL, config TEXT NOT NULL,"
    " date TEXT NOT NULL, gpu TEXT, build_type TEXT, status TEXT, verdict TEXT, reps INTEGER,"
    " proof_digest TEXT, source TEXT, UNIQUE (git_commit, machine, config, date));"
    "CREATE TABLE IF NOT EXISTS metrics ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL,"
    " n INTEGER, median REAL, mean REAL, min REAL, max REAL, stddev REAL, mad REAL, cv REAL,"
    " PRIMARY KEY (run_id, key));";

/* The tables and columns of the schema above, to recognise a database the code before the
 * marker made (same schema, application_id still 0). */
static const struct {
    const char *table, *columns;
} legacy_tables[] = {
    {"runs", "id,git_commit,machine,config,date,gpu,build_type,status,verdict,reps,proof_digest,source"},
    {"metrics", "run_id,key,n,median,mean,min,max,stddev,mad,cv"},
};

#define BUSY_TIMEOUT_MS 30000 /* concurrent writers (CI jobs on one file) wait for each other */

typedef struct sqlite_store {
    sb_hstore base;
    sqlite3 *db;
} sqlite_store;

static int sqlite_exec(sb_hstore *s, const char *sql, int n, const char *const *params, sb_hstore_row_fn row, void *ctx,
                       char *err, size_t errlen) {
    sqlite3 *db = ((sqlite_store *)s)->db;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    for (int i = 0; rc == SQLITE_OK && i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i + 1);
        int at = sqlite3_bind_parameter_index(st, name);
        if (at && params[i]) sqlite3_bind_text(st, at, params[i], -1, SQLITE_TRANSIENT);
    }
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW || !row) continue;
        int cols = sqlite3_column_count(st);
        char nums[16][32];
        const char *cells[16];
        for (int c = 0; c < cols && c < 16; c++) {
            int type = sqlite3_column_type(st, c);
            if (type == SQLITE_FLOAT) snprintf(nums[c], sizeof nums[c], "%.17g", sqlite3_column_double(st, c));
            cells[c] = type == SQLITE_NULL    ? NULL
                       : type == SQLITE_FLOAT ? nums[c]
                                              : (const char *)sqlite3_column_text(st, c);
        }
        if (row(ctx, cols < 16 ? cols : 16, cells) != 0) rc = SQLITE_DONE;
    }
    int busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
    if (rc != SQLITE_DONE) snprintf(err, errlen, "%s: %s", s->name, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : busy ? SB_HSTORE_RETRY : -1;
}

static void sqlite_close(sb_hstore *s) {
    sqlite3_close(((sqlite_store *)s)->db);
    free(s);
}

static const sb_hstore_ops sqlite_ops = {"BEGIN IMMEDIATE;", sqlite_exec, sqlite_close};

/* Decides whether the database is a starkbench history: our marker, or (without any marker)
 * nothing but the tables of the schema, or nothing at all. *empty is set for a database without
 * tables. Returns 0, or -1 with a reason in err. */
static int check_marker(sb_hstore *s, int *empty, char *err, size_t errlen) {
    char v[1024], why[1200];
    *empty = 0;
    if (sb_hstore_value(s, "PRAGMA application_id;", v, sizeof v, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: not a starkbench history database: %s", s->name,
                 sqlite3_errmsg(((sqlite_store *)s)->db));
        return -1;
    }
    long id = strtol(v, NULL, 10);
    if (id == SB_HISTORY_APP_ID) return 0;
    if (id != 0) {
        snprintf(err, errlen, "%s: not a starkbench history database (SQLite application_id 0x%08lx)", s->name,
                 (unsigned long)(uint32_t)id);
        return -1;
    }
    if (sb_hstore_value(s, "SELECT count(*) FROM sqlite_master;", v, sizeof v, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: not a starkbench history database: %s", s->name,
                 sqlite3_errmsg(((sqlite_store *)s)->db));
        return -1;
    }
    if (strcmp(v, "0") == 0) {
        *empty = 1;
        return 0;
    }
    for (size_t t = 0; t < sizeof legacy_tables / sizeof legacy_tables[0]; t++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('%s') ORDER BY cid);",
                 legacy_tables[t].table);
        if (sb_hstore_value(s, sql, v, sizeof v, why, sizeof why) != 0 || strcmp(v, legacy_tables[t].columns) != 0)
            goto foreign;
    }
    if (sb_hstore_value(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN ('runs', 'metrics');",
                        v, sizeof v, why, sizeof why) == 0 &&
        strcmp(v, "0") == 0)
        return 0;
foreign:
    sb_hstore_value(s, "SELECT group_concat(name, ', ') FROM sqlite_master WHERE type = 'table';", v, sizeof v, why,
                    sizeof why);
    snprintf(err, errlen, "%s: not a starkbench history database (no starkbench marker; tables: %.200s)", s->name,
             v[0] ? v : "none");
    return -1;
}

sb_hstore *sb_hstore_sqlite_open(const char *path, int create, char *err, size_t errlen) {
    if (create) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = 0;
            if (sb_mkdir_p(dir) != 0) {
                snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
                return NULL;
            }
        }
    }
    sqlite_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    sb_hstore *s = &st->base;
    s->ops = &sqlite_ops;
    snprintf(s->name, sizeof s->name, "%s", path);
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open history database: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    int empty = 0, ok = 1;
    char why[1200] = "";
    /* one write transaction from the check to the marker: no other writer in between */
    int began = create ? sqlite_exec(s, "BEGIN IMMEDIATE;", 0, NULL, NULL, NULL, why, sizeof why) : 0;
    if (began == SB_HSTORE_RETRY) {
        snprintf(err, errlen, "%s: other writers held the history database for %d s: %s", path, BUSY_TIMEOUT_MS / 1000,
                 sqlite3_errmsg(st->db));
        ok = -1;
    } else if (began != 0) ok = 0;
    else if (check_marker(s, &empty, err, errlen) != 0) ok = -1;
    else if (create) {
        char marker[64];
        snprintf(marker, sizeof marker, "PRAGMA application_id = %d; COMMIT;", SB_HISTORY_APP_ID);
        char *msg = NULL;
        ok = sqlite3_exec(st->db, schema, NULL, NULL, &msg) == SQLITE_OK &&
             sqlite3_exec(st->db, marker, NULL, NULL, &msg) == SQLITE_OK;
        if (!ok) snprintf(why, sizeof why, "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
    } else if (empty) {
        snprintf(err, errlen, "%s: not a starkbench history database (no tables)", path);
        ok = -1;
    } else {
        ok = sqlite_exec(s, "SELECT count(*) FROM runs JOIN metrics ON run_id = id LIMIT 1;", 0, NULL, NULL, NULL, why,
                         sizeof why) == 0;
    }
    if (ok == 0) snprintf(err, errlen, "%s: not a starkbench history database: %s", path, sqlite3_errmsg(st->db));
    if (ok != 1) {
        if (create) sqlite3_exec(st->db, "ROLLBACK;", NULL, NULL, NULL);
        sqlite_close(s);
        return NULL;
    }
    sqlite3_exec(st->db, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
    return s;
}
