/* Where the results history lives: an SQLite file (the embedded default) or a PostgreSQL
 * database shared by a team (libpq), behind one small interface, so that history.c holds the
 * logic (add, list, change points, plot) once. Both hold the same tables (docs/RESULTS.md
 * "History database"), both carry a marker that tells a starkbench history from anything else,
 * and both run the same SQL: parameters are $1..$n, every value crosses as text. */
#ifndef SB_HISTORY_STORE_H
#define SB_HISTORY_STORE_H

#include <stddef.h>

/* The marker: SQLite's application_id header field, and in PostgreSQL the row
 * ('application_id', 'SBHI') of the table starkbench_meta, beside ('format_version', '1'). */
#define SB_HISTORY_APP_ID 0x53424849 /* "SBHI" */
#define SB_HISTORY_FORMAT_VERSION 1

#define SB_HSTORE_RETRY (-2) /* exec's answer to a conflict between writers: run the transaction again */

typedef struct sb_hstore sb_hstore;

/* Called with each row of a query: n cells as text (NULL for SQL NULL; numbers in a form
 * strtod reads back exactly). Returns 0 to go on, non-zero to stop. */
typedef int (*sb_hstore_row_fn)(void *ctx, int n, const char *const *cells);

typedef struct sb_hstore_ops {
    const char *begin_write; /* the statement that opens a write transaction */
    /* Runs sql with params[0..n) bound to $1..$n (NULL: SQL NULL), calling row (may be NULL) for
     * each row it returns. Returns 0, SB_HSTORE_RETRY when another writer got in the way (SQLite
     * busy, a PostgreSQL deadlock or serialization failure), or -1 with a one-line reason in err. */
    int (*exec)(sb_hstore *s, const char *sql, int n, const char *const *params, sb_hstore_row_fn row, void *ctx,
                char *err, size_t errlen);
    void (*close)(sb_hstore *s);
} sb_hstore_ops;

struct sb_hstore {
    const sb_hstore_ops *ops;
    char name[1024]; /* for messages: the file, or the URL with any password hidden */
};

/* Returns 1 when where names a PostgreSQL database ("postgresql://..." or "postgres://..."). */
int sb_hstore_is_postgres(const char *where);

/* Writes where as messages show it: the file, or the URL with its password (user:PW@,
 * password=PW) replaced by "***". */
void sb_hstore_display_name(const char *where, char *out, size_t cap);

/* Opens the history at where (a PostgreSQL URL, else an SQLite file) after checking its marker:
 * a database of anything else is refused before a byte is written. create: make the tables and
 * the marker where the database is empty (and an SQLite file and its folder where missing), and
 * mark an SQLite history made before the marker; otherwise the history must exist, and it is
 * opened read-only. Returns the store, or NULL with a one-line reason in err. */
sb_hstore *sb_hstore_open(const char *where, int create, char *err, size_t errlen);

/* The two kinds (history_sqlite.c, history_pg.c); sb_hstore_open picks one. */
sb_hstore *sb_hstore_sqlite_open(const char *path, int create, char *err, size_t errlen);
sb_hstore *sb_hstore_pg_open(const char *url, int create, char *err, size_t errlen);

/* Runs sql and writes its first row's first cell to out ("" for NULL or no row). Returns exec's answer. */
int sb_hstore_value(sb_hstore *s, const char *sql, char *out, size_t cap, char *err, size_t errlen);

/* Closes s (NULL is fine). */
void sb_hstore_close(sb_hstore *s);

#endif
