/* The history in a PostgreSQL database (history_store.h), shared by a team's CI jobs: libpq,
 * a URL "postgresql://user@host:port/db" (libpq's syntax, "?host=/socket/dir" included). The
 * tables of the SQLite file, with its types spelled for PostgreSQL and bytewise ("C") ordering
 * of text, so both list in the same order; the marker is the table starkbench_meta. Writers
 * serialise their schema check on an advisory lock, and a run is added once: the unique key
 * on (commit, machine, config, date) with ON CONFLICT DO NOTHING. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_store.h"

#ifdef SB_HAVE_LIBPQ
#include <libpq-fe.h>

static const char *const schema =
    "CREATE TABLE starkbench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO starkbench_meta VALUES ('application_id', 'SBHI'), ('format_version', '1');"
    "CREATE TABLE runs ("
    " id BIGSERIAL PRIMARY KEY, git_commit TEXT COLLATE \"C\" NOT NULL, machine TEXT COLLATE \"C\" NOT NULL,"
    " config TEXT COLLATE \"C\" NOT NULL, date TEXT COLLATE \"C\" NOT NULL, gpu TEXT COLLATE \"C\","
    " build_type TEXT COLLATE \"C\", status TEXT COLLATE \"C\", verdict TEXT COLLATE \"C\", reps INTEGER,"
    " proof_digest TEXT COLLATE \"C\", source TEXT COLLATE \"C\", UNIQUE (git_commit, machine, config, date));"
    "CREATE TABLE metrics ("
    " run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT COLLATE \"C\" NOT NULL,"
    " n INTEGER, median DOUBLE PRECISION, mean DOUBLE PRECISION, min DOUBLE PRECISION, max DOUBLE PRECISION,"
    " stddev DOUBLE PRECISION, mad DOUBLE PRECISION, cv DOUBLE PRECISION, PRIMARY KEY (run_id, key));";

typedef struct pg_store {
    sb_hstore base;
    PGconn *conn;
} pg_store;

/* libpq's message without its trailing newline and detail lines. */
static void first_line(char *out, size_t cap, const char *msg) {
    snprintf(out, cap, "%.*s", (int)strcspn(msg ? msg : "", "\n"), msg ? msg : "");
}

static int pg_exec(sb_hstore *s, const char *sql, int n, const char *const *params, sb_hstore_row_fn row, void *ctx,
                   char *err, size_t errlen) {
    PGconn *conn = ((pg_store *)s)->conn; /* without parameters, several statements may go at once */
    PGresult *res = n ? PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0) : PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st == PGRES_TUPLES_OK && row) {
        int cols = PQnfields(res) < 16 ? PQnfields(res) : 16;
        for (int r = 0; r < PQntuples(res); r++) {
            const char *cells[16];
            for (int c = 0; c < cols; c++) cells[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
            if (row(ctx, cols, cells) != 0) break;
        }
    } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        char msg[512];
        first_line(msg, sizeof msg, res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
        snprintf(err, errlen, "%s: %s", s->name, msg);
        /* deadlock_detected, serialization_failure: another writer; the transaction can run again */
        rc = state && (!strcmp(state, "40P01") || !strcmp(state, "40001")) ? SB_HSTORE_RETRY : -1;
    }
    PQclear(res);
    return rc;
}

static void pg_close(sb_hstore *s) {
    PQfinish(((pg_store *)s)->conn);
    free(s);
}

static const sb_hstore_ops pg_ops = {"BEGIN;", pg_exec, pg_close};

static void quiet(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* Checks the marker (and with create, makes the schema in an empty database), inside the
 * caller's transaction. Returns 0, or -1 with a reason in err. */
static int check_marker(sb_hstore *s, int create, char *err, size_t errlen) {
    char v[1024], why[1200];
    if (sb_hstore_value(s, "SELECT to_regclass('starkbench_meta') IS NOT NULL;", v, sizeof v, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    if (!strcmp(v, "t")) {
        char version[64];
        if (sb_hstore_value(s, "SELECT value FROM starkbench_meta WHERE key = 'application_id';", v, sizeof v, why,
                            sizeof why) != 0 ||
            sb_hstore_value(s, "SELECT value FROM starkbench_meta WHERE key = 'format_version';", version, sizeof version,
                            why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: not a starkbench history database (%s)", s->name, why);
            return -1;
        }
        if (strcmp(v, "SBHI") != 0) {
            snprintf(err, errlen, "%s: not a starkbench history database (starkbench_meta application_id '%.40s')",
                     s->name, v);
            return -1;
        }
        if (atoi(version) != SB_HISTORY_FORMAT_VERSION) {
            snprintf(err, errlen, "%s: a starkbench history of format version '%.20s'; this starkbench reads version %d",
                     s->name, version, SB_HISTORY_FORMAT_VERSION);
            return -1;
        }
        return 0;
    }
    if (sb_hstore_value(s,
                        "SELECT string_agg(table_name, ', ' ORDER BY table_name) FROM information_schema.tables "
                        "WHERE table_schema = current_schema();",
                        v, sizeof v, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    if (v[0]) {
        snprintf(err, errlen, "%s: not a starkbench history database (no starkbench_meta table; tables: %.200s)",
                 s->name, v);
        return -1;
    }
    if (!create) {
        snprintf(err, errlen, "%s: not a starkbench history database (no tables)", s->name);
        return -1;
    }
    return s->ops->exec(s, schema, 0, NULL, NULL, NULL, err, errlen) == 0 ? 0 : -1;
}

sb_hstore *sb_hstore_pg_open(const char *url, int create, char *err, size_t errlen) {
    pg_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sb_hstore *s = &st->base;
    s->ops = &pg_ops;
    sb_hstore_display_name(url, s->name, sizeof s->name);
    st->conn = PQconnectdb(url);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        char msg[512];
        first_line(msg, sizeof msg, PQerrorMessage(st->conn));
        snprintf(err, errlen, "%s: cannot connect: %s", s->name, msg);
        pg_close(s);
        return NULL;
    }
    PQsetNoticeProcessor(st->conn, quiet, NULL);
    char why[1200];
    /* a reader never writes; writers check (and create) one at a time, inside one transaction */
    int rc = create ? pg_exec(s, "BEGIN; SELECT pg_advisory_xact_lock(1396852809);", 0, NULL, NULL, NULL, err, errlen)
                    : pg_exec(s, "SET default_transaction_read_only = on;", 0, NULL, NULL, NULL, err, errlen);
    if (rc == 0) rc = check_marker(s, create, err, errlen);
    if (rc == 0 && create) rc = pg_exec(s, "COMMIT;", 0, NULL, NULL, NULL, err, errlen);
    if (rc != 0) {
        if (create) pg_exec(s, "ROLLBACK;", 0, NULL, NULL, NULL, why, sizeof why);
        pg_close(s);
        return NULL;
    }
    return s;
}

#else

sb_hstore *sb_hstore_pg_open(const char *url, int create, char *err, size_t errlen) {
    char name[1024];
    (void)create;
    sb_hstore_display_name(url, name, sizeof name);
    snprintf(err, errlen, "%s: this starkbench was built without libpq, so it cannot use a PostgreSQL history "
                          "(install libpq-dev and build again)", name);
    return NULL;
}

#endif
