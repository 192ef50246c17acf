/* compress_file.c - a small lz4-compatible compressor built on arsenal_compress.h
   ars-build-libs: -llz4

   Build and run (from the repository root):
       cc -O2 -o compress_file examples/compress_file.c -llz4
       ./compress_file big.log big.log.lz4          # lz4 -d big.log.lz4 reads it
       ./compress_file -d big.log.lz4 big.log.copy  # reads what `lz4` writes too
       ./compress_file -9 -BD -BX -B4 - - < in > out.lz4   # '-' = stdin/stdout

   Options (named like the lz4 tool's):
       -d                 decompress (concatenated and skippable frames too)
       -1 .. -12          level: 1-2 fast, 3-12 HC
       --fast=N           faster than -1: N from 1 to 65536 (acceleration)
       -B4 -B5 -B6 -B7    block size 64 KiB, 256 KiB, 1 MiB, 4 MiB (default)
       -BD                linked blocks (better ratio on small blocks)
       -BX                a checksum after every block
       --no-frame-crc     no content checksum (on by default)
       --content-size     store the input size in the header (files only)
       -h, --help         the usage line
   A bad option or value (a level outside 1-12, -B8) is refused with a
   message and exit status 2; a file that cannot be opened or a frame that
   cannot be read ends it with the reason and exit status 1.
*/
#define ARSENAL_COMPRESS_IMPLEMENTATION
#include "../arsenal_compress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

static int file_source(void *ctx, void *buf, size_t cap) {
    FILE *f = (FILE *)ctx;
    size_t n = fread(buf, 1, cap, f);
    if (n == 0 && ferror(f)) return ARS_EIO;
    return (int)n;
}

static int file_sink(void *ctx, const void *data, size_t n) {
    return fwrite(data, 1, n, (FILE *)ctx) == n ? 0 : ARS_EIO;
}

static const char usage[] =
    "usage: compress_file [-d] [-1..-12|--fast=N] [-B4..-B7] [-BD] [-BX] "
    "[--no-frame-crc] [--content-size] IN OUT   ('-' = stdin/stdout)\n";

/* Exit status 2, after a one-line reason (if any) and the usage line. */
static int bad_usage(const char *arg, const char *what) {
    if (arg) fprintf(stderr, "compress_file: %s %s\n", arg, what);
    fputs(usage, stderr);
    exit(2);
}

/* s (the value in argument arg) as a whole decimal number from lo to hi,
   or refused naming arg and the range ("1x", "" and overflow included). */
static long number(const char *arg, const char *s, long lo, long hi) {
    char *end, why[160];
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!(*s >= '0' && *s <= '9') || *end) {
        snprintf(why, sizeof why, "is not a number (%ld to %ld)", lo, hi);
        bad_usage(arg, why);
    }
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(why, sizeof why, "is out of range (%ld to %ld)", lo, hi);
        bad_usage(arg, why);
    }
    return v;
}

int main(int argc, char **argv) {
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    const char *in_name = NULL, *out_name = NULL;
    int decompress = 0, want_size = 0, i, r;
    FILE *in, *out;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-d")) decompress = 1;
        else if (!strcmp(a, "-BD")) o.linked = 1;
        else if (!strcmp(a, "-BX")) o.block_checksum = 1;
        else if (!strcmp(a, "--no-frame-crc")) o.content_checksum = 0;
        else if (!strcmp(a, "--content-size")) want_size = 1;
        else if (!strncmp(a, "--fast=", 7)) o.level = -(int)number(a, a + 7, 1, 65536);
        else if (a[0] == '-' && a[1] == 'B' && a[2] >= '4' && a[2] <= '7' && !a[3])
            o.block_size = (size_t)1 << (8 + 2 * (a[2] - '0'));
        else if (a[0] == '-' && a[1] >= '0' && a[1] <= '9') o.level = (int)number(a, a + 1, 1, 12);
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage, stdout); return 0; }
        else if (a[0] == '-' && a[1]) bad_usage(a, "is not an option");
        else if (!in_name) in_name = a;
        else if (!out_name) out_name = a;
        else bad_usage(a, "is one argument too many");
    }
    if (!in_name || !out_name) return bad_usage(NULL, NULL);
    in = strcmp(in_name, "-") ? fopen(in_name, "rb") : stdin;
    if (!in) { perror(in_name); return 1; }
    out = strcmp(out_name, "-") ? fopen(out_name, "wb") : stdout;
    if (!out) { perror(out_name); return 1; }
    if (want_size && in != stdin && fseek(in, 0, SEEK_END) == 0) {
        long size = ftell(in);
        if (size > 0) o.content_size = (uint64_t)size;
        rewind(in);
    }
    if (decompress) r = ars_lz4_decompress_stream(file_source, in, file_sink, out, 0, NULL);
    else r = ars_lz4_compress_stream(file_source, in, file_sink, out, &o, NULL);
    if (fflush(out) != 0 && r == 0) r = ARS_EIO;
    if (in != stdin) fclose(in);
    if (out != stdout && fclose(out) != 0 && r == 0) r = ARS_EIO;
    if (r < 0) {
        fprintf(stderr, "compress_file: %s: %s\n", in_name, ars_strerror(r));
        return 1;
    }
    return 0;
}
