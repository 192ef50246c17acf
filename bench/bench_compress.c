/* bench_compress.c - arsenal_compress.h against liblz4's own APIs
   ars-build-libs: -llz4

   Build and run:
       cc -O2 -D_DEFAULT_SOURCE -o bench_compress bench/bench_compress.c -llz4
       ./bench_compress [corpus_MiB]        (default 32)

   Corpus, built in memory and the same on every run of one machine: the
   .h files of /usr/include in name order, then regular files of /usr/bin in name
   order, cut at corpus_MiB. Each figure is the median of REPS runs, in MB/s
   of uncompressed data (1 MB = 1e6 bytes) per second of thread CPU time.

   Decompression (frame with content checksum, the case the issue targets),
   on the same frame written by LZ4F_compressFrame, with 4 MiB blocks (the
   lz4 tool's default; the headline) and 64 KiB blocks, independent and
   linked; the runs are interleaved and each ratio is the median of the
   ratios taken within one round:
     buffer   ars_lz4_frame_decompress vs one LZ4F_decompress call, both
              with the whole frame and a destination for all of it.
     to sink  ars_lz4_decompress_stream vs an LZ4F_decompress loop, both fed
              by a source that copies from memory into a block_size + 8 input
              buffer, both decoding into one block of output handed to a sink
              that counts bytes; both timed with their setup (context and
              buffers allocated and freed inside the call, as ours does).
   Then the parts: the same blocks without a content checksum (ours, LZ4F,
   and liblz4's LZ4_decompress_safe alone on each block into the same
   destination), XXH32 alone on cache-hot data, and what decoding then
   hashing back to back would give at best (1 / (1/decode + 1/XXH32)).
   Compression: LZ4_compress_default over 4 MiB pieces vs ars_lz4_compress on
   the same pieces, and ars_lz4_frame_compress with and without checksum
   (frame compression includes the XXH32 pass when the checksum is on).
*/
#define ARSENAL_COMPRESS_IMPLEMENTATION
#include "../arsenal_compress.h"

#include <lz4.h>
#include <lz4frame.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define REPS 9

/* CPU time of this thread, not wall time: the machines this runs on are
   shared, and a descheduled run would otherwise count as a slow one. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Appends files of dir (name filter: suffix, or NULL for all) in name order. */
static size_t add_dir(unsigned char *buf, size_t len, size_t cap, const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;
    if (!d) return len;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.') continue;
        if (suffix && (l < strlen(suffix) || strcmp(e->d_name + l - strlen(suffix), suffix))) continue;
        names = (char **)realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (len < cap && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (f = fopen(path, "rb")) != NULL) {
            len += fread(buf + len, 1, cap - len, f);
            fclose(f);
        }
        free(names[i]);
    }
    free(names);
    return len;
}

static double median(double *v) { qsort(v, REPS, sizeof *v, cmp_dbl); return v[REPS / 2]; }

static unsigned char *corpus, *frame, *out;
static size_t n, frame_len;

static double run_ours_dec(void) {
    double t = now();
    int d = ars_lz4_frame_decompress(frame, frame_len, out, n);
    t = now() - t;
    if (d != (int)n || memcmp(out, corpus, n)) { fprintf(stderr, "ours: bad result %d\n", d); exit(1); }
    return (double)n / t / 1e6;
}

static double run_lz4f_dec(void) {
    LZ4F_dctx *dc;
    size_t dn = n, sn = frame_len, r;
    double t;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION))) exit(1);
    t = now();
    r = LZ4F_decompress(dc, out, &dn, frame, &sn, NULL);
    t = now() - t;
    LZ4F_freeDecompressionContext(dc);
    if (r != 0 || dn != n || memcmp(out, corpus, n)) { fprintf(stderr, "LZ4F: bad result\n"); exit(1); }
    return (double)n / t / 1e6;
}

/* Source to sink. The source hands out the frame from memory (a memcpy into
   the caller's buffer, as read(2) would); the sink only counts the bytes.
   Both sides get the same buffers: compressed input in a block_size + 8
   buffer that the source fills as far as it can, output in one block. */
typedef struct { const unsigned char *p; size_t len, pos; } memsrc;
static int mem_source(void *ctx, void *buf, size_t cap) {
    memsrc *s = (memsrc *)ctx;
    size_t k = s->len - s->pos;
    if (k > cap) k = cap;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (int)k;
}
static size_t sunk;
static int count_sink(void *ctx, const void *p, size_t len) { (void)ctx; (void)p; sunk += len; return 0; }
static size_t block_size;
static double run_ours_stream_dec(void) {
    memsrc s;
    double t;
    s.p = frame; s.len = frame_len; s.pos = 0;
    sunk = 0;
    t = now();
    if (ars_lz4_decompress_stream(mem_source, &s, count_sink, NULL, 0, NULL)) exit(1);
    t = now() - t;
    if (sunk != n) { fprintf(stderr, "ours stream: bad result\n"); exit(1); }
    return (double)n / t / 1e6;
}
static double run_lz4f_stream_dec(void) {
    unsigned char *in, *ob;
    size_t in_cap = block_size + 8, in_len = 0, in_pos = 0, r = 1;
    LZ4F_dctx *dc;
    memsrc s;
    double t;
    s.p = frame; s.len = frame_len; s.pos = 0;
    sunk = 0;
    t = now(); /* setup included, as ars_lz4_decompress_stream allocates its own */
    in = (unsigned char *)malloc(in_cap);
    ob = (unsigned char *)malloc(block_size);
    if (!in || !ob || LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION))) exit(1);
    while (r != 0) {
        size_t dn = block_size, sn;
        if (in_pos == in_len) {
            in_len = (size_t)mem_source(&s, in, in_cap); in_pos = 0;
            if (!in_len) break;
        }
        sn = in_len - in_pos;
        r = LZ4F_decompress(dc, ob, &dn, in + in_pos, &sn, NULL);
        if (LZ4F_isError(r)) exit(1);
        in_pos += sn;
        if (dn) count_sink(NULL, ob, dn);
    }
    LZ4F_freeDecompressionContext(dc);
    free(in); free(ob);
    t = now() - t;
    if (r != 0 || sunk != n) { fprintf(stderr, "LZ4F stream: bad result\n"); exit(1); }
    return (double)n / t / 1e6;
}

/* The parts, to see where the time goes: liblz4's block decoder alone into
   the same destination, and XXH32 (xxhash.h) alone over cache-hot data. */
static double run_blocks_only(void) {
    size_t off = 0, o = 0;
    double t = now();
    off = 7; /* the header LZ4F_compressFrame writes without content size */
    for (;;) {
        uint32_t w = (uint32_t)frame[off] | (uint32_t)frame[off + 1] << 8 | (uint32_t)frame[off + 2] << 16 |
                     (uint32_t)frame[off + 3] << 24;
        int r;
        off += 4;
        if (w == 0) break;
        if (w & 0x80000000u) { memcpy(out + o, frame + off, w & 0x7FFFFFFFu); r = (int)(w & 0x7FFFFFFFu); }
        else r = LZ4_decompress_safe((const char *)frame + off, (char *)out + o, (int)w, (int)block_size);
        if (r < 0) exit(1);
        o += (size_t)r; off += w & 0x7FFFFFFFu;
    }
    t = now() - t;
    if (o != n) { fprintf(stderr, "blocks: bad result\n"); exit(1); }
    return (double)n / t / 1e6;
}
/* Not inlined into the loop below: gcc -O3 would vectorize XXH32 there
   (half speed), which is not the code the library runs. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static unsigned xxh_once(const void *p, size_t k) { return ars__lz4_xxh(p, k); }
static double run_xxh_hot(void) {
    size_t k = 32768, i, reps = n / k;
    unsigned h = 0;
    double t = now();
    for (i = 0; i < reps; i++) h ^= xxh_once(corpus, k);
    t = now() - t;
    if (h == 0x12345678u) printf(" ");
    return (double)(reps * k) / t / 1e6;
}

static void bench_decompress(int bsid, int linked) {
    LZ4F_preferences_t p;
    double a[REPS], b[REPS], c[REPS], d[REPS], ra[REPS], rc[REPS], e[REPS], f[REPS], x[REPS], lz4f_crc;
    int i;
    memset(&p, 0, sizeof p);
    block_size = bsid == 7 ? 4u << 20 : 64u << 10;
    p.frameInfo.blockSizeID = (LZ4F_blockSizeID_t)bsid;
    p.frameInfo.blockMode = linked ? LZ4F_blockLinked : LZ4F_blockIndependent;
    p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    frame_len = LZ4F_compressFrame(frame, LZ4F_compressFrameBound(n, &p), corpus, n, &p);
    if (LZ4F_isError(frame_len)) exit(1);
    /* interleaved, and each ratio taken within one round */
    for (i = 0; i < REPS; i++) {
        a[i] = run_ours_dec(); b[i] = run_lz4f_dec(); c[i] = run_ours_stream_dec(); d[i] = run_lz4f_stream_dec();
        ra[i] = a[i] / b[i]; rc[i] = c[i] / d[i];
    }
    printf("decompress %-3s %-11s buffer: ours %5.0f LZ4F %5.0f MB/s = %.2fx | to sink: ours %5.0f LZ4F %5.0f = %.2fx"
           " | ratio %.3f\n", bsid == 7 ? "4M" : "64K", linked ? "linked" : "independent", median(a), median(b),
           median(ra), median(c), median(d), median(rc), (double)frame_len / (double)n);
    lz4f_crc = median(b);
    /* the same blocks without a content checksum: what the decoder costs alone */
    p.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    frame_len = LZ4F_compressFrame(frame, LZ4F_compressFrameBound(n, &p), corpus, n, &p);
    for (i = 0; i < REPS; i++) {
        a[i] = run_ours_dec(); b[i] = run_lz4f_dec(); e[i] = linked ? 0 : run_blocks_only(); f[i] = run_xxh_hot();
        x[i] = 1.0 / (1.0 / a[i] + 1.0 / f[i]);
    }
    printf("           no checksum:      ours %5.0f LZ4F %5.0f MB/s", median(a), median(b));
    if (!linked) printf(", LZ4_decompress_safe alone %5.0f", median(e));
    printf("; XXH32 hot %5.0f; decoder + XXH32 back to back at best %5.0f = %.2fx LZ4F with checksum\n",
           median(f), median(x), median(x) / lz4f_crc);
}

static void bench_compress(void) {
    double ref[REPS], blk[REPS], fr0[REPS], fr1[REPS], lzf[REPS], m0, m1, m2, m3, m4, t;
    size_t piece = 4u << 20, cap = ars_lz4_frame_bound(n, NULL) + 4096, sz_ref = 0, sz_fr = 0, sz_lzf = 0;
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    LZ4F_preferences_t p;
    int i;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max4MB;
    p.frameInfo.blockMode = LZ4F_blockIndependent;
    p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    for (i = 0; i < REPS; i++) {
        size_t off, tot = 0;
        int r;
        t = now();
        for (off = 0; off < n; off += piece) {
            size_t k = n - off < piece ? n - off : piece;
            tot += (size_t)LZ4_compress_default((const char *)corpus + off, (char *)frame, (int)k, (int)cap);
        }
        ref[i] = (double)n / (now() - t) / 1e6; sz_ref = tot; tot = 0;
        t = now();
        for (off = 0; off < n; off += piece) {
            size_t k = n - off < piece ? n - off : piece;
            tot += (size_t)ars_lz4_compress(corpus + off, k, frame, cap, 0, NULL);
        }
        blk[i] = (double)n / (now() - t) / 1e6;
        o.content_checksum = 0;
        t = now();
        r = ars_lz4_frame_compress(corpus, n, frame, cap, &o);
        fr0[i] = (double)n / (now() - t) / 1e6;
        o.content_checksum = 1;
        t = now();
        r = ars_lz4_frame_compress(corpus, n, frame, cap, &o);
        fr1[i] = (double)n / (now() - t) / 1e6; sz_fr = (size_t)r;
        t = now();
        sz_lzf = LZ4F_compressFrame(frame, cap, corpus, n, &p);
        lzf[i] = (double)n / (now() - t) / 1e6;
    }
    m0 = median(ref); m1 = median(blk); m2 = median(fr0); m3 = median(fr1); m4 = median(lzf);
    printf("compress   LZ4_compress_default %6.0f MB/s ratio %.3f\n", m0, (double)sz_ref / (double)n);
    printf("compress   ars_lz4_compress     %6.0f MB/s (%+.1f%%)\n", m1, 100.0 * (m1 / m0 - 1));
    printf("compress   ars frame, no crc    %6.0f MB/s (%+.1f%%)\n", m2, 100.0 * (m2 / m0 - 1));
    printf("compress   ars frame, crc       %6.0f MB/s (%+.1f%%) ratio %.3f\n", m3, 100.0 * (m3 / m0 - 1),
           (double)sz_fr / (double)n);
    printf("compress   LZ4F frame, crc      %6.0f MB/s (%+.1f%%) ratio %.3f\n", m4, 100.0 * (m4 / m0 - 1),
           (double)sz_lzf / (double)n);
}

int main(int argc, char **argv) {
    size_t cap = (size_t)(argc > 1 ? atoi(argv[1]) : 32) << 20;
    corpus = (unsigned char *)malloc(cap);
    if (!corpus) return 1;
    n = add_dir(corpus, 0, cap, "/usr/include", ".h");
    n = add_dir(corpus, n, cap, "/usr/bin", NULL);
    printf("corpus: %zu bytes (/usr/include/*.h + /usr/bin/*, name order), median of %d runs, MB/s of CPU time, liblz4 %s\n",
           n, REPS, LZ4_versionString());
    frame = (unsigned char *)malloc(ars_lz4_frame_bound(n, NULL) + 65536);
    out = (unsigned char *)malloc(n);
    if (!frame || !out || n == 0) return 1;
    memset(out, 0, n);
    memset(frame, 0, ars_lz4_frame_bound(n, NULL) + 65536);
    bench_decompress(7, 0);
    bench_decompress(4, 0);
    bench_decompress(4, 1);
    bench_compress();
    return 0;
}
