/* Output files: a temporary and a rename for regular files, in place for devices and FIFOs
 * (outfile.h gives the rules). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copies src into dst of cap bytes; returns -1 (ENAMETOOLONG) when it does not fit. */
static int copy_path(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

/* Starts o for path and decides where and how it is written: o->target is the file to
 * replace (the path, or where its link points); *in_place is 1 for an existing file that is
 * not regular; *exists tells whether st holds the target's status. Returns 0, or -1 with a
 * reason in err. */
static int resolve(sb_outfile *o, const char *path, struct stat *st, int *exists, int *in_place, char *err,
                   size_t errlen) {
    memset(o, 0, sizeof *o);
    *exists = *in_place = 0;
    if (copy_path(o->path, sizeof o->path, path) != 0) {
        snprintf(err, errlen, "%.200s...: cannot write: %s", path, strerror(errno));
        return -1;
    }
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/') {
        snprintf(err, errlen, "'%s': not a file name", path);
        return -1;
    }
    if (copy_path(o->target, sizeof o->target, path) != 0) goto fail;
    if (lstat(path, st) != 0) {
        if (errno == ENOENT) return 0; /* a new file (a missing folder shows when the temporary is created) */
        goto fail;
    }
    *exists = 1;
    if (S_ISLNK(st->st_mode)) {
        if (stat(path, st) != 0) {
            if (errno != ENOENT) goto fail;
            snprintf(err, errlen, "%s: a symbolic link to nothing: not followed", path);
            return -1;
        }
        if (S_ISREG(st->st_mode)) { /* replace the file it names, not the link */
            char *real = realpath(path, NULL);
            int bad = !real || copy_path(o->target, sizeof o->target, real) != 0;
            free(real);
            if (bad) goto fail;
        }
    }
    if (S_ISDIR(st->st_mode)) {
        snprintf(err, errlen, "%s: is a directory", path);
        return -1;
    }
    *in_place = !S_ISREG(st->st_mode);
    return 0;
fail:
    snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return -1;
}

/* Creates the temporary ".NAME.XXXXXX" beside o->target. Returns its descriptor, or -1 with
 * errno set. */
static int create_temp(sb_outfile *o) {
    const char *slash = strrchr(o->target, '/');
    int dir_len = slash ? (int)(slash - o->target) + 1 : 0;
    const char *base = slash ? slash + 1 : o->target;
    /* the base name shortened so that the temporary's name stays within NAME_MAX */
    if (snprintf(o->tmp, sizeof o->tmp, "%.*s.%.200s.XXXXXX", dir_len, o->target, base) >= (int)sizeof o->tmp) {
        o->tmp[0] = 0;
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkostemp(o->tmp, O_CLOEXEC);
    if (fd < 0) o->tmp[0] = 0;
    return fd;
}

static mode_t current_umask(void) {
    mode_t m = umask(0);
    umask(m);
    return m;
}

int sb_outfile_open(sb_outfile *o, const char *path, char *err, size_t errlen) {
    struct stat st;
    int exists, in_place;
    if (resolve(o, path, &st, &exists, &in_place, err, errlen) != 0) return -1;
    int fd;
    if (in_place) {
        fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    } else {
        fd = create_temp(o);
        /* the replaced file's owner where permitted (else the new file is ours), then its mode */
        if (fd >= 0 && exists && (st.st_uid != geteuid() || st.st_gid != getegid()))
            (void)!fchown(fd, st.st_uid, st.st_gid);
        if (fd >= 0 && fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~current_umask()) != 0) {
            int saved = errno;
            close(fd);
            unlink(o->tmp);
            o->tmp[0] = 0;
            errno = saved;
            fd = -1;
        }
    }
    if (fd >= 0 && !(o->f = fdopen(fd, "w"))) {
        int saved = errno;
        close(fd);
        sb_outfile_discard(o);
        errno = saved;
        fd = -1;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int sb_outfile_finish(sb_outfile *o, char *err, size_t errlen) {
    errno = 0;
    int bad = fflush(o->f) != 0 || ferror(o->f);
    if (!bad && o->tmp[0] && fsync(fileno(o->f)) != 0) bad = 1; /* devices and FIFOs have nothing to sync */
    int saved = errno;
    if (fclose(o->f) != 0 && !bad) bad = 1, saved = errno;
    o->f = NULL;
    if (!bad) return 0;
    snprintf(err, errlen, "%s: write failed: %s", o->path, saved ? strerror(saved) : "I/O error");
    sb_outfile_discard(o);
    return -1;
}

/* Makes a rename in the folder of path durable; a file system that cannot sync folders
 * keeps the rename anyway, so failures are not reported. */
static void sync_folder(const char *path) {
    char dir[SB_OUTFILE_PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

int sb_outfile_commit(sb_outfile *o, char *err, size_t errlen) {
    if (!o->tmp[0]) return 0;
    if (rename(o->tmp, o->target) != 0) {
        snprintf(err, errlen, "%s: cannot rename into place: %s", o->path, strerror(errno));
        sb_outfile_discard(o);
        return -1;
    }
    o->tmp[0] = 0;
    sync_folder(o->target);
    return 0;
}

int sb_outfile_close(sb_outfile *o, char *err, size_t errlen) {
    return sb_outfile_finish(o, err, errlen) == 0 ? sb_outfile_commit(o, err, errlen) : -1;
}

void sb_outfile_discard(sb_outfile *o) {
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) unlink(o->tmp);
    o->tmp[0] = 0;
}

int sb_outfile_check(const char *path, char *err, size_t errlen) {
    sb_outfile o;
    struct stat st;
    int exists, in_place, ok;
    if (resolve(&o, path, &st, &exists, &in_place, err, errlen) != 0) return -1;
    if (in_place) { /* opening a FIFO would wait for its reader */
        ok = access(o.target, W_OK) == 0;
    } else {
        int fd = create_temp(&o);
        ok = fd >= 0;
        if (ok) {
            close(fd);
            unlink(o.tmp);
        }
    }
    if (!ok) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return ok ? 0 : -1;
}

void sb_outfile_remove(const char *path) {
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) unlink(path);
}
