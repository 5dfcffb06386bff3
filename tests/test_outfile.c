/* The output-file helper (bench/outfile.h), on every kind of target: a new name, a regular file
 * (replaced whole, its mode kept, no temporary left), a failed write (the old file intact), a
 * symbolic link (followed, never replaced), a dangling link and a directory (refused), a
 * character device and a FIFO (written in place, never replaced), and the pre-flight check.
 * Also the writers that used predictable temporaries: the calibration's fixed "<out>.tmp" and the
 * results' "<out>.tmp.<pid>", planted as links, are left alone. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "check.h"
#include "detector.h"
#include "outfile.h"
#include "results.h"

static char dir[64];

static void path_in_dir(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

/* The file's first 255 bytes, or "" when it cannot be read. */
static const char *read_text(const char *path) {
    static char buf[256];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    return buf;
}

/* Writes text to path through the helper; returns its result, with the reason in err. */
static int put(const char *path, const char *text, char *err, size_t errlen) {
    sb_outfile o;
    if (sb_outfile_open(&o, path, err, errlen) != 0) return -1;
    fputs(text, o.f);
    return sb_outfile_close(&o, err, errlen);
}

/* Entries of dir whose name starts with prefix. */
static int count_entries(const char *prefix) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d) closedir(d);
    return n;
}

static void check_regular(void) {
    char path[128], err[512] = "";
    struct stat st;
    path_in_dir(path, sizeof path, "new.txt");
    mode_t old = umask(027);
    CHECK(put(path, "first\n", err, sizeof err) == 0, "new file: %s", err);
    umask(old);
    EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640); /* 0666 less the umask, as fopen gives */
    EXPECT(strcmp(read_text(path), "first\n") == 0);
    /* a file replaced keeps its mode, and nothing else is left in the folder */
    EXPECT(chmod(path, 0604) == 0);
    ino_t before = st.st_ino;
    CHECK(put(path, "second\n", err, sizeof err) == 0, "replace: %s", err);
    EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0604 && st.st_ino != before);
    EXPECT(strcmp(read_text(path), "second\n") == 0);
    EXPECT(count_entries(".new.txt") == 0);
    /* a write that fails half-way (file size limit) leaves the old file and no temporary */
    struct rlimit lim, small;
    getrlimit(RLIMIT_FSIZE, &lim);
    small = lim;
    small.rlim_cur = 1024;
    signal(SIGXFSZ, SIG_IGN);
    static char big[8192];
    memset(big, 'x', sizeof big - 1);
    EXPECT(setrlimit(RLIMIT_FSIZE, &small) == 0);
    int rc = put(path, big, err, sizeof err);
    EXPECT(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    CHECK(rc == -1 && strstr(err, "write failed") && strstr(err, path) && !strchr(err, '\n'), "full disk: %s", err);
    EXPECT(strcmp(read_text(path), "second\n") == 0);
    EXPECT(count_entries(".new.txt") == 0);
    /* discard leaves the target as it was */
    sb_outfile o;
    EXPECT(sb_outfile_open(&o, path, err, sizeof err) == 0);
    fputs("never", o.f);
    sb_outfile_discard(&o);
    EXPECT(strcmp(read_text(path), "second\n") == 0 && count_entries(".new.txt") == 0);
}

static void check_links_and_folders(void) {
    char path[128], target[128], err[512] = "";
    struct stat st;
    /* a link to a regular file: the file it names gets the content, the link stays */
    path_in_dir(target, sizeof target, "target.txt");
    path_in_dir(path, sizeof path, "link.txt");
    write_text(target, "old\n");
    EXPECT(chmod(target, 0600) == 0);
    EXPECT(symlink("target.txt", path) == 0);
    CHECK(put(path, "through\n", err, sizeof err) == 0, "link: %s", err);
    EXPECT(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
    EXPECT(stat(target, &st) == 0 && (st.st_mode & 0777) == 0600);
    EXPECT(strcmp(read_text(target), "through\n") == 0);
    /* a link to nothing is refused and stays a link to nothing */
    path_in_dir(path, sizeof path, "dangling.txt");
    EXPECT(symlink("nothing-here", path) == 0);
    CHECK(put(path, "x", err, sizeof err) == -1 && strstr(err, "symbolic link to nothing"), "dangling: %s", err);
    EXPECT(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
    path_in_dir(target, sizeof target, "nothing-here");
    EXPECT(access(target, F_OK) != 0);
    CHECK(sb_outfile_check(path, err, sizeof err) == -1, "check of a dangling link passed");
    /* a directory, a name ending in '/', a missing folder */
    CHECK(put(dir, "x", err, sizeof err) == -1 && strstr(err, "is a directory"), "directory: %s", err);
    CHECK(sb_outfile_check(dir, err, sizeof err) == -1 && strstr(err, "is a directory"), "check directory: %s", err);
    path_in_dir(path, sizeof path, "sub/");
    CHECK(put(path, "x", err, sizeof err) == -1 && strstr(err, "not a file name"), "slash: %s", err);
    path_in_dir(path, sizeof path, "missing/out.txt");
    CHECK(put(path, "x", err, sizeof err) == -1 && strstr(err, "No such file or directory"), "missing: %s", err);
    CHECK(sb_outfile_check(path, err, sizeof err) == -1, "check of a missing folder passed");
    /* check leaves nothing behind */
    path_in_dir(path, sizeof path, "checked.txt");
    EXPECT(sb_outfile_check(path, err, sizeof err) == 0);
    EXPECT(access(path, F_OK) != 0 && count_entries(".checked.txt") == 0);
}

/* A character device (the null device's numbers, made here) and a FIFO are written in place. */
static void check_devices(void) {
    char path[128], err[512] = "";
    struct stat st;
    path_in_dir(path, sizeof path, "null");
    if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) != 0) {
        printf("test_outfile: mknod not permitted (%s): character device case skipped\n", strerror(errno));
    } else {
        CHECK(put(path, "into the device\n", err, sizeof err) == 0, "device: %s", err);
        EXPECT(lstat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
        EXPECT(sb_outfile_check(path, err, sizeof err) == 0);
        sb_outfile_remove(path); /* never a device */
        EXPECT(lstat(path, &st) == 0 && S_ISCHR(st.st_mode));
    }
    path_in_dir(path, sizeof path, "fifo");
    EXPECT(mkfifo(path, 0600) == 0);
    int reader = open(path, O_RDONLY | O_NONBLOCK); /* so that the writer's open does not wait */
    EXPECT(reader >= 0);
    CHECK(put(path, "through the pipe\n", err, sizeof err) == 0, "fifo: %s", err);
    char got[64] = "";
    ssize_t n = read(reader, got, sizeof got - 1);
    got[n > 0 ? n : 0] = 0;
    EXPECT(strcmp(got, "through the pipe\n") == 0);
    close(reader);
    EXPECT(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    sb_outfile_remove(path);
    EXPECT(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
}

/* Links planted where the old writers put their temporaries: the victims stay untouched. */
static void check_planted_temporaries(void) {
    char path[128], link[160], victim[128], err[512] = "";
    path_in_dir(victim, sizeof victim, "victim.txt");
    write_text(victim, "precious\n");
    /* the calibration's fixed "<out>.tmp" */
    path_in_dir(path, sizeof path, "calibration.json");
    snprintf(link, sizeof link, "%s.tmp", path);
    EXPECT(symlink(victim, link) == 0);
    sb_calibration cal = {0, NULL, 0, NULL};
    CHECK(sb_calibration_save(&cal, path, err, sizeof err) == 0, "calibration: %s", err);
    EXPECT(strcmp(read_text(victim), "precious\n") == 0);
    EXPECT(sb_calibration_load(&cal, path, err, sizeof err) == 0 && cal.n == 0);
    sb_calibration_free(&cal);
    /* the results' "<out>.tmp.<pid>" and its CSV's */
    path_in_dir(path, sizeof path, "r.json");
    snprintf(link, sizeof link, "%s.tmp.%ld", path, (long)getpid());
    EXPECT(symlink(victim, link) == 0);
    path_in_dir(path, sizeof path, "r.csv");
    snprintf(link, sizeof link, "%s.tmp.%ld", path, (long)getpid());
    EXPECT(symlink(victim, link) == 0);
    sb_results r;
    char *argv[] = {"test_outfile"};
    sb_results_init(&r, 1, argv);
    path_in_dir(path, sizeof path, "r.json");
    CHECK(sb_results_write(&r, path, err, sizeof err) == 0, "results: %s", err);
    EXPECT(strcmp(read_text(victim), "precious\n") == 0);
    sb_results_free(&r);
    EXPECT(sb_results_load(&r, path, err, sizeof err) == 0);
    sb_results_free(&r);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/sb_test_outfile.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    check_regular();
    check_links_and_folders();
    check_devices();
    check_planted_temporaries();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_outfile");
}
