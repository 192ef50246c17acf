/* hash_digest.c - file checksums with arsenal_hash.h's byte hashes: one-shot
   XXH3-64, XXH3-128 and XXH64, the streaming API, and the process seed

   Build and run (from the repository root; xxhash.h must be on the include
   path, Debian: libxxhash-dev):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o hash_digest examples/hash_digest.c && ./hash_digest && ./hash_digest README.md

   ./hash_digest FILE...   reads each file ("-" is standard input) in 64 KiB
       pieces into two streams (ars_hash_stream_init/update) and prints
           <XXH64>  <XXH3-128>  FILE
       from ars_hash_stream_digest64 and ars_hash_stream_digest128, seed 0:
       the first column is what `xxh64sum FILE` prints, the second what
       `xxh128sum FILE` prints (xxhsum 0.8, Debian package xxhash). A file
       that cannot be read is reported on stderr and the others go on; the
       exit status is then 1. A name that starts with '-' goes after "--".
       -h, --help prints the usage line; another option is refused with a
       message and exit status 2, before any file is read.

   ./hash_digest           a self-check on data the program makes (the same
       every run; well under a second):
     1. xxh64    ars_hash_xxh64 against XXH64 written out below from its
                 specification, for every length 0..300 (each tail path and
                 the 32-byte stripe loop) and three seeds, and against the
                 values `xxhsum` prints for two strings; ars_hash64 and
                 ars_hash128 against `xxhsum -H3` / `-H2` for the same.
     2. stream   each algorithm streamed over 6000 bytes in pieces of 1, 2,
                 3, 5, ... 377 bytes (and one empty update), seed 0 and a
                 non-zero seed: after every update the digest equals the
                 one-shot hash of the bytes so far (a digest does not end
                 the stream). digest128 of a 64-bit stream has hi = 0.
     3. seed     ars_hash_seed() is random per process but stable within it;
                 after ars_hash_set_seed(S) it returns S, and hashes taken
                 with it equal fixed values (reproducible in every run and
                 on every machine). Another seed changes every hash.
   Exit status 0 when everything behaved as documented; otherwise 1, with
   the reason on stderr.

   A checksum must not use ars_hash_seed() unless it was fixed first: the
   process seed is random on first use, so hashes taken with it differ from
   one run to the next (that is what protects hash maps from crafted keys).
*/
#define ARSENAL_HASH_IMPLEMENTATION
#include "../arsenal_hash.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *fmt, ...) {
    va_list ap;
    fputs("hash_digest: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static unsigned long long ull(uint64_t v) { return (unsigned long long)v; }

/* ------------------------------------------------------------ file digests */
static unsigned char filebuf[1 << 16];

/* Prints "<xxh64>  <xxh128>  name"; 0, or -1 when the file can't be read. */
static int digest_file(const char *name) {
    ars_hash_stream s64, s128;
    ars_hash128_t h;
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    size_t n;
    int bad = 0;

    if (!f) { perror(name); return -1; }
    /* seed 0: the checksums xxhsum prints. */
    if (ars_hash_stream_init(&s64, ARS_HASH_XXH64, 0) != 0 || ars_hash_stream_init(&s128, ARS_HASH_XXH3_128, 0) != 0)
        fail("ars_hash_stream_init failed");
    while ((n = fread(filebuf, 1, sizeof filebuf, f)) > 0)
        if (ars_hash_stream_update(&s64, filebuf, n) != 0 || ars_hash_stream_update(&s128, filebuf, n) != 0)
            fail("ars_hash_stream_update failed");
    if (ferror(f)) { perror(name); bad = 1; }
    if (f != stdin) fclose(f);
    else clearerr(stdin);
    if (bad) return -1;
    h = ars_hash_stream_digest128(&s128);
    /* xxhsum writes the 128-bit value high half first (big-endian canonical). */
    printf("%016llx  %016llx%016llx  %s\n", ull(ars_hash_stream_digest64(&s64)), ull(h.hi), ull(h.lo), name);
    return 0;
}

/* ------------------------------------------- XXH64 from its specification */
/* Independent of xxhash.h: written from the XXH64 algorithm description
   (four 64-bit lanes over 32-byte stripes, then 8-, 4- and 1-byte tails and
   a final avalanche). All reads are little-endian. */
#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint64_t rd64(const unsigned char *p) {
    uint64_t v = 0; int i;
    for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint64_t rd32(const unsigned char *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}
static uint64_t lane(uint64_t acc, uint64_t in) { return rotl(acc + in * P2, 31) * P1; }
static uint64_t merge(uint64_t h, uint64_t v) { return (h ^ lane(0, v)) * P1 + P4; }

static uint64_t spec_xxh64(const unsigned char *p, size_t len, uint64_t seed) {
    const unsigned char *end = p + len;
    uint64_t h;
    if (len >= 32) {
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        do {
            v1 = lane(v1, rd64(p)); v2 = lane(v2, rd64(p + 8));
            v3 = lane(v3, rd64(p + 16)); v4 = lane(v4, rd64(p + 24));
            p += 32;
        } while (end - p >= 32);
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge(merge(merge(merge(h, v1), v2), v3), v4);
    } else {
        h = seed + P5;
    }
    h += (uint64_t)len;
    for (; end - p >= 8; p += 8) h = rotl(h ^ lane(0, rd64(p)), 27) * P1 + P4;
    if (end - p >= 4) { h = rotl(h ^ rd32(p) * P1, 23) * P2 + P3; p += 4; }
    for (; p < end; p++) h = rotl(h ^ *p * P5, 11) * P1;
    h ^= h >> 33; h *= P2;
    h ^= h >> 29; h *= P3;
    return h ^ (h >> 32);
}

/* --------------------------------------------------------------- self-check */
#define DATA_LEN 6000
static unsigned char data[DATA_LEN];

static void make_data(void) {
    uint64_t x = 0x2545f4914f6cdd1dull;   /* xorshift64: the same bytes every run */
    size_t i;
    for (i = 0; i < DATA_LEN; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        data[i] = (unsigned char)(x >> 56);
    }
}

static const char *const algo_name[] = { "XXH3-64", "XXH3-128", "XXH64" };

/* The one-shot call that matches a stream of this algorithm. */
static ars_hash128_t one_shot(ars_hash_algo algo, const void *p, size_t len, uint64_t seed) {
    ars_hash128_t r;
    r.hi = 0;
    switch (algo) {
    case ARS_HASH_XXH3_64: r.lo = ars_hash64(p, len, seed); break;
    case ARS_HASH_XXH3_128: r = ars_hash128(p, len, seed); break;
    default: r.lo = ars_hash_xxh64(p, len, seed); break;
    }
    return r;
}

static int same128(ars_hash128_t a, ars_hash128_t b) { return a.lo == b.lo && a.hi == b.hi; }

/* The digest of a stream, as the one-shot call would return it. */
static ars_hash128_t stream_digest(const ars_hash_stream *s, ars_hash_algo algo) {
    ars_hash128_t r;
    if (algo == ARS_HASH_XXH3_128) return ars_hash_stream_digest128(s);
    r.lo = ars_hash_stream_digest64(s);
    r.hi = 0;
    return r;
}

/* 1. ars_hash_xxh64 against the specification; all three against xxhsum. */
static void check_known_values(void) {
    static const struct {
        const char *text;
        uint64_t xxh64, xxh3_64, xxh128_hi, xxh128_lo;   /* xxhsum -H1, -H3, -H2 */
    } known[] = {
        { "", 0xef46db3751d8e999ull, 0x2d06800538d394c2ull, 0x99aa06d3014798d8ull, 0x6001c324468d497full },
        { "The quick brown fox jumps over the lazy dog", 0x0b242d361fda71bcull, 0xce7d19a5418fb365ull,
          0xddd650205ca3e7faull, 0x24a1cc2e3a8a7651ull },
    };
    static const uint64_t seeds[] = { 0, 1, 0x9e3779b97f4a7c15ull };
    size_t i, len, checked = 0;

    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        for (len = 0; len <= 300; len++, checked++) {
            uint64_t got = ars_hash_xxh64(data, len, seeds[i]), want = spec_xxh64(data, len, seeds[i]);
            if (got != want)
                fail("ars_hash_xxh64(%zu bytes, seed %llx) = %016llx, the specification gives %016llx",
                     len, ull(seeds[i]), ull(got), ull(want));
        }
    printf("xxh64   ars_hash_xxh64 equals XXH64 from its specification on %zu inputs\n", checked);

    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *t = known[i].text;
        size_t n = strlen(t);
        uint64_t x = ars_hash_xxh64(t, n, 0), h = ars_hash64(t, n, 0);
        ars_hash128_t w = ars_hash128(t, n, 0);
        if (x != known[i].xxh64 || spec_xxh64((const unsigned char *)t, n, 0) != known[i].xxh64)
            fail("XXH64(\"%s\") = %016llx, xxhsum prints %016llx", t, ull(x), ull(known[i].xxh64));
        if (h != known[i].xxh3_64)
            fail("ars_hash64(\"%s\") = %016llx, xxhsum -H3 prints %016llx", t, ull(h), ull(known[i].xxh3_64));
        if (w.hi != known[i].xxh128_hi || w.lo != known[i].xxh128_lo)
            fail("ars_hash128(\"%s\") = %016llx%016llx, xxhsum -H2 prints %016llx%016llx",
                 t, ull(w.hi), ull(w.lo), ull(known[i].xxh128_hi), ull(known[i].xxh128_lo));
        printf("        \"%s\": XXH64 %016llx  XXH3-64 %016llx  XXH3-128 %016llx%016llx (= xxhsum)\n",
               t, ull(x), ull(h), ull(w.hi), ull(w.lo));
    }
}

/* 2. Streaming in uneven pieces equals one-shot, after every update. */
static void check_streaming(void) {
    static const size_t piece[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 0 };
    static const uint64_t seeds[] = { 0, 0x0123456789abcdefull };
    size_t si, updates = 0;
    int a;

    for (si = 0; si < sizeof seeds / sizeof seeds[0]; si++)
        for (a = ARS_HASH_XXH3_64; a <= ARS_HASH_XXH64; a++) {
            ars_hash_algo algo = (ars_hash_algo)a;
            ars_hash_stream s;
            size_t off = 0, k = 0;
            int rc = ars_hash_stream_init(&s, algo, seeds[si]);
            if (rc != 0) fail("ars_hash_stream_init(%s): %s", algo_name[a], ars_strerror(rc));
            if (!same128(stream_digest(&s, algo), one_shot(algo, data, 0, seeds[si])))
                fail("%s: digest of an empty stream differs from the one-shot hash of 0 bytes", algo_name[a]);
            while (off < DATA_LEN) {
                size_t n = piece[k++ % (sizeof piece / sizeof piece[0])];
                ars_hash128_t got, want;
                if (n > DATA_LEN - off) n = DATA_LEN - off;
                if ((rc = ars_hash_stream_update(&s, data + off, n)) != 0)
                    fail("ars_hash_stream_update(%s, %zu bytes): %s", algo_name[a], n, ars_strerror(rc));
                off += n;
                updates++;
                got = stream_digest(&s, algo);
                want = one_shot(algo, data, off, seeds[si]);
                if (!same128(got, want))
                    fail("%s seed %llx: after %zu bytes the stream gives %016llx%016llx, one-shot %016llx%016llx",
                         algo_name[a], ull(seeds[si]), off, ull(got.hi), ull(got.lo), ull(want.hi), ull(want.lo));
            }
            if (algo != ARS_HASH_XXH3_128) {
                ars_hash128_t w = ars_hash_stream_digest128(&s);
                if (w.hi != 0 || w.lo != ars_hash_stream_digest64(&s))
                    fail("%s: digest128 of a 64-bit stream is not {digest64, 0}", algo_name[a]);
            }
        }
    printf("stream  %zu updates of 0..377 bytes over %d bytes, 3 algorithms x 2 seeds:"
           " every digest equals the one-shot hash\n", updates, DATA_LEN);
}

/* 3. The process seed. */
static void check_seed(void) {
    /* Fixed values for the message below with FIXED_SEED (computed once with
       the xxhash library; the same in every run and on every machine). */
    const uint64_t FIXED_SEED = 0x5eed5eed5eed5eedull;
    const uint64_t WANT64 = 0xa9b2da2e5cc6f642ull, WANT_X64 = 0xaa33e8c9d6c1c43full;
    const ars_hash128_t WANT128 = { 0xa9bb39175a1690b2ull, 0x0d89e4892b3e64bdull };   /* lo, hi */
    static const char msg[] = "hash_digest: a fixed seed makes every hash reproducible";
    const size_t n = sizeof msg - 1;
    uint64_t s0 = ars_hash_seed(), seed, h64, x64, o64, ox64;
    ars_hash128_t h128, o128, sd;
    ars_hash_stream st;

    /* Random on first use (not printed: the output stays the same every
       run), then stable for the rest of the process. */
    if (ars_hash_seed() != s0) fail("ars_hash_seed() changed between two calls");

    ars_hash_set_seed(FIXED_SEED);
    seed = ars_hash_seed();
    if (seed != FIXED_SEED) fail("ars_hash_seed() = %016llx after ars_hash_set_seed(%016llx)", ull(seed), ull(FIXED_SEED));
    h64 = ars_hash64(msg, n, seed);
    h128 = ars_hash128(msg, n, seed);
    x64 = ars_hash_xxh64(msg, n, seed);
    if (h64 != WANT64) fail("ars_hash64 with the fixed seed = %016llx, expected %016llx", ull(h64), ull(WANT64));
    if (!same128(h128, WANT128))
        fail("ars_hash128 with the fixed seed = %016llx%016llx, expected %016llx%016llx",
             ull(h128.hi), ull(h128.lo), ull(WANT128.hi), ull(WANT128.lo));
    if (x64 != WANT_X64 || spec_xxh64((const unsigned char *)msg, n, seed) != WANT_X64)
        fail("ars_hash_xxh64 with the fixed seed = %016llx, expected %016llx", ull(x64), ull(WANT_X64));
    printf("seed    ars_hash_set_seed(%016llx): ars_hash_seed() returns it\n", ull(seed));
    printf("        XXH3-64 %016llx  XXH3-128 %016llx%016llx  XXH64 %016llx (= fixed values)\n",
           ull(h64), ull(h128.hi), ull(h128.lo), ull(x64));

    /* A stream started from the process seed agrees with the one-shot hash. */
    if (ars_hash_stream_init(&st, ARS_HASH_XXH3_128, ars_hash_seed()) != 0 ||
        ars_hash_stream_update(&st, msg, 10) != 0 || ars_hash_stream_update(&st, msg + 10, n - 10) != 0)
        fail("streaming with the process seed failed");
    sd = ars_hash_stream_digest128(&st);
    if (!same128(sd, h128)) fail("XXH3-128 stream with the process seed differs from ars_hash128");

    /* Another seed: every hash changes. */
    ars_hash_set_seed(FIXED_SEED + 1);
    seed = ars_hash_seed();
    if (seed != FIXED_SEED + 1) fail("ars_hash_seed() did not follow a second ars_hash_set_seed");
    o64 = ars_hash64(msg, n, seed);
    o128 = ars_hash128(msg, n, seed);
    ox64 = ars_hash_xxh64(msg, n, seed);
    if (o64 == h64 || o128.lo == h128.lo || o128.hi == h128.hi || ox64 == x64)
        fail("seeds %016llx and %016llx give an equal hash", ull(FIXED_SEED), ull(seed));
    printf("        ars_hash_set_seed(%016llx): XXH3-64 %016llx  XXH3-128 %016llx%016llx  XXH64 %016llx\n",
           ull(seed), ull(o64), ull(o128.hi), ull(o128.lo), ull(ox64));
}

static const char usage[] = "usage: hash_digest [--] [FILE...]   ('-' = standard input; none: the self-check)\n";

int main(int argc, char **argv) {
    int i, rc = 0, opts = 1, files = 0;
    for (i = 1; i < argc; i++) {   /* the options first: nothing is read if one is wrong */
        const char *a = argv[i];
        if (opts && !strcmp(a, "--")) opts = 0;
        else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) { fputs(usage, stdout); return 0; }
        else if (opts && a[0] == '-' && a[1]) {
            fprintf(stderr, "hash_digest: %s is not an option\n%s", a, usage);
            return 2;
        } else files++;
    }
    if (files) {
        for (i = 1, opts = 1; i < argc; i++) {
            if (opts && !strcmp(argv[i], "--")) { opts = 0; continue; }
            if (digest_file(argv[i]) != 0) rc = 1;
        }
        return rc;
    }
    make_data();
    check_known_values();
    check_streaming();
    check_seed();
    printf("self-check passed\n");
    return 0;
}
