/* What both kinds of history store share (history_store.h). */
#include "history_store.h"

#include <stdio.h>
#include <string.h>

int sb_hstore_is_postgres(const char *where) {
    return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
}

void sb_hstore_display_name(const char *where, char *out, size_t cap) {
    snprintf(out, cap > 6 ? cap - 6 : cap, "%s", where); /* room for the stars */
    if (!sb_hstore_is_postgres(where)) return;
    char *scheme = strstr(out, "://"), *at = strchr(scheme + 3, '@'), *colon = strchr(scheme + 3, ':');
    if (at && colon && colon < at) { /* user:PASSWORD@ */
        memmove(colon + 4, at, strlen(at) + 1);
        memcpy(colon + 1, "***", 3);
    }
    char *pw = strstr(out, "password=");
    if (pw) {
        char *end = pw + 9 + strcspn(pw + 9, "&");
        memmove(pw + 12, end, strlen(end) + 1);
        memcpy(pw + 9, "***", 3);
    }
}

sb_hstore *sb_hstore_open(const char *where, int create, char *err, size_t errlen) {
    return sb_hstore_is_postgres(where) ? sb_hstore_pg_open(where, create, err, errlen)
                                        : sb_hstore_sqlite_open(where, create, err, errlen);
}

typedef struct first_cell {
    char *out;
    size_t cap;
} first_cell;

static int keep_first(void *ctx, int n, const char *const *cells) {
    first_cell *f = ctx;
    snprintf(f->out, f->cap, "%s", n > 0 && cells[0] ? cells[0] : "");
    return 1;
}

int sb_hstore_value(sb_hstore *s, const char *sql, char *out, size_t cap, char *err, size_t errlen) {
    first_cell f = {out, cap};
    out[0] = 0;
    return s->ops->exec(s, sql, 0, NULL, keep_first, &f, err, errlen);
}

void sb_hstore_close(sb_hstore *s) {
    if (s) s->ops->close(s);
}
