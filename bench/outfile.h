/* Every file starkbench writes (proofs, results JSON and CSV, sweep checkpoints, the detector
 * calibration, report.md, chart data, scripts and logs) goes through here, so that no input can
 * make a write destroy something (docs/ARCHITECTURE.md "Output files"):
 *
 * - a regular file, or a name that does not exist yet: written to a new temporary in the same
 *   directory, ".NAME.XXXXXX", created by mkostemp (O_CREAT|O_EXCL: never an existing name,
 *   never through a planted symbolic link), flushed and fsync'd, given the mode of the file it
 *   replaces (and its owner where permitted; a new file gets 0666 less the umask), then
 *   renamed over the target: a reader sees the old file or the whole new one, never a part;
 * - an existing file that is not regular (a character device, a FIFO): written in place, never
 *   replaced, truncated or renamed (a FIFO waits for its reader, as a shell redirection does);
 * - a symbolic link: followed to the file it names, to which the two rules above apply (the
 *   link stays a link); a link to nothing is refused;
 * - a directory: refused. */
#ifndef SB_OUTFILE_H
#define SB_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define SB_OUTFILE_PATH_MAX 4096

typedef struct sb_outfile {
    FILE *f;                            /* write here between open and finish */
    char path[SB_OUTFILE_PATH_MAX];     /* as given (for messages) */
    char target[SB_OUTFILE_PATH_MAX];   /* the file replaced: path, or where its link points */
    char tmp[SB_OUTFILE_PATH_MAX + 16]; /* the temporary; "" when writing in place */
} sb_outfile;

/* Opens path for writing as the rules above say. Returns 0, or -1 with "PATH: reason" in err
 * (a directory, a dangling link, a folder that cannot be written, ...). */
int sb_outfile_open(sb_outfile *o, const char *path, char *err, size_t errlen);

/* Flushes, fsyncs and closes o->f: every byte is on disk, nothing renamed yet. Returns 0, or
 * -1 with "PATH: write failed: reason" in err after removing the temporary. */
int sb_outfile_finish(sb_outfile *o, char *err, size_t errlen);

/* Renames a finished temporary over its target (nothing to do in place). Returns 0, or -1
 * with a reason in err after removing the temporary. */
int sb_outfile_commit(sb_outfile *o, char *err, size_t errlen);

/* sb_outfile_finish, then sb_outfile_commit. Returns 0 or -1 with a reason in err. */
int sb_outfile_close(sb_outfile *o, char *err, size_t errlen);

/* Gives up: closes o->f if still open and removes the temporary; the target is untouched. */
void sb_outfile_discard(sb_outfile *o);

/* Checks, before any work, that path could be written by sb_outfile_open (its folder takes a
 * new file; it is no directory nor dangling link). Leaves nothing behind. Returns 0, or -1
 * with "PATH: reason" in err. */
int sb_outfile_check(const char *path, char *err, size_t errlen);

/* Removes path when it is a regular file (a leftover the program wrote), never a device, FIFO
 * or link. */
void sb_outfile_remove(const char *path);

#endif
