/* compress_tour.c - a tour of arsenal_compress.h, all in memory: LZ4 blocks,
   caller-owned state, frames, the streaming writer and reader, and framed
   messages as a socket would carry them
   ars-build-libs: -llz4

   Build and run (from the repository root):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o compress_tour examples/compress_tour.c -llz4 && ./compress_tour

   The data is a log-like text of about 384 KiB that the program generates
   (the same every run); nothing is written to disk. Five sections:
     1. blocks    ars_lz4_compress at a fast and an HC level into
                  ars_lz4_compress_bound bytes, back with ars_lz4_decompress;
                  an output buffer that is too small is an error, not an
                  overrun.
     2. state     ars_lz4_compress_with_state: one state of
                  ars_lz4_state_size bytes, allocated once by the caller,
                  compresses a page store's 4 KiB pages one after the other.
     3. frames    ars_lz4_frame_compress into ars_lz4_frame_bound bytes and
                  ars_lz4_frame_decompress; when the `lz4` tool is on PATH
                  the frame is also piped to `lz4 -t` (optional, POSIX only).
     4. stream    ars_lz4_writer takes pieces of uneven sizes, a flush
                  half-way, finish, then a second frame, and sends it all to
                  a growing memory sink; ars_lz4_reader pulls it back out of
                  a source that hands over 1500 bytes at a time, in
                  1000-byte reads.
     5. messages  ars_lz4_msg_encode'd messages back to back in one buffer,
                  received in 1400-byte pieces: ars_lz4_msg_peek gives each
                  message's length, ars_lz4_msg_decode its content; a
                  truncated message (ARS_EAGAIN), a corrupted one
                  (ARS_ECORRUPT) and one over the receiver's limit
                  (ARS_EOVERFLOW) are refused.
   Every result is checked. Exit status 0 when everything behaved as
   documented; otherwise 1, with the reason on stderr.
*/
#define ARSENAL_COMPRESS_IMPLEMENTATION
#include "../arsenal_compress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <sys/wait.h>
#define TOUR_HAVE_POPEN 1
#endif

#define TEXT_CAP (384 * 1024)

/* ---- checking ---- */
static void die(const char *what, long got) {
    if (got < 0) /* every negative value checked here is an ARS_E* code */
        fprintf(stderr, "compress_tour: %s: %s (%ld)\n", what, ars_strerror((int)got), got);
    else
        fprintf(stderr, "compress_tour: %s (got %ld)\n", what, got);
    exit(1);
}
#define CHECK(cond, what, got) do { if (!(cond)) die(what, (long)(got)); } while (0)

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory", (long)n);
    return p;
}

static double pct(size_t part, size_t whole) { return whole ? 100.0 * (double)part / (double)whole : 0.0; }

/* ---- the data: a deterministic, log-like text ---- */
static uint32_t rng = 2463534242u;
static uint32_t rnd(void) { /* xorshift32: same sequence everywhere */
    rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
    return rng;
}

static size_t make_log(char *p, size_t cap) {
    static const char *const levels[] = { "INFO ", "INFO ", "INFO ", "INFO ", "DEBUG", "WARN ", "ERROR" };
    static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };
    static const char *const paths[] = { "/api/v1/items/", "/api/v1/users/", "/api/v1/orders/",
                                         "/static/app.js?v=", "/healthz?probe=" };
    static const int statuses[] = { 200, 200, 200, 200, 201, 204, 304, 404, 500 };
    unsigned long t = 36000000; /* ms since midnight: 10:00:00.000 */
    size_t n = 0;
    for (;;) {
        char line[256];
        /* one call to rnd() per statement: argument order is unspecified */
        unsigned long step = 1 + rnd() % 900;
        const char *level = levels[rnd() % 7];
        unsigned worker = rnd() % 8;
        const char *method = methods[rnd() % 6];
        const char *path = paths[rnd() % 5];
        unsigned id = rnd() % 5000;
        int status = statuses[rnd() % 9];
        unsigned bytes = rnd() % 20000, ms = rnd() % 250;
        int len;
        t += step;
        len = snprintf(line, sizeof line,
                       "2026-03-14T%02lu:%02lu:%02lu.%03luZ %s [worker-%u] %s %s%u status=%d bytes=%u ms=%u\n",
                       (t / 3600000) % 24, (t / 60000) % 60, (t / 1000) % 60, t % 1000, level, worker,
                       method, path, id, status, bytes, ms);
        if (len <= 0 || (size_t)len >= sizeof line || (size_t)len > cap - n) break;
        memcpy(p + n, line, (size_t)len);
        n += (size_t)len;
    }
    return n;
}

/* ---- 1. blocks ---- */
static void tour_blocks(const char *text, size_t n) {
    static const int levels[2] = { 1, ARS_LZ4_LEVEL_HC };
    size_t bound = ars_lz4_compress_bound(n), small;
    char *dst = (char *)xmalloc(bound), *back = (char *)xmalloc(n);
    int i, c = 0, d, r;
    printf("1. blocks: %lu bytes of text, ars_lz4_compress_bound = %lu\n", (unsigned long)n,
           (unsigned long)bound);
    CHECK(bound >= n, "compress_bound smaller than the input", bound);
    for (i = 0; i < 2; i++) {
        c = ars_lz4_compress(text, n, dst, bound, levels[i], NULL);
        CHECK(c > 0 && (size_t)c <= bound, "ars_lz4_compress", c);
        d = ars_lz4_decompress(dst, (size_t)c, back, n);
        CHECK(d == (int)n, "ars_lz4_decompress", d);
        CHECK(memcmp(text, back, n) == 0, "block round trip differs", i);
        printf("   level %d (%s): %lu -> %d bytes (%.1f%%), decompressed and compared\n", levels[i],
               levels[i] >= 3 ? "HC" : "fast", (unsigned long)n, c, pct((size_t)c, n));
    }
    /* too small an output: a clean error, and nothing written past dst_cap.
       dst holds the HC block: decoding it into one byte too few */
    r = ars_lz4_decompress(dst, (size_t)c, back, n - 1);
    CHECK(r == ARS_ECORRUPT, "decompress into a small buffer should be ARS_ECORRUPT", r);
    printf("   decompress into %lu bytes: %s (LZ4 cannot tell \"too small\" from \"corrupt\")\n",
           (unsigned long)(n - 1), ars_strerror(r));
    /* last, as a failed compress leaves garbage in dst's first dst_cap bytes */
    small = (size_t)c / 2;
    r = ars_lz4_compress(text, n, dst, small, 1, NULL);
    CHECK(r == ARS_EOVERFLOW, "compress into a small buffer should be ARS_EOVERFLOW", r);
    printf("   compress into %lu bytes: %s\n", (unsigned long)small, ars_strerror(r));
    free(dst);
    free(back);
}

/* ---- 2. one caller-allocated state for many blocks ---- */
static void tour_state(const char *text, size_t n) {
    enum { PAGE = 4096 };
    size_t fast_ss = ars_lz4_state_size(1), hc_ss = ars_lz4_state_size(ARS_LZ4_LEVEL_HC);
    size_t ss = fast_ss > hc_ss ? fast_ss : hc_ss, out_cap = ars_lz4_compress_bound(PAGE);
    size_t totals[2] = { 0, 0 }, pages = 0;
    char *out = (char *)xmalloc(out_cap), back[PAGE];
    void *state = xmalloc(ss); /* malloc's alignment is enough (the state needs 8) */
    int pass, r;
    printf("2. state: ars_lz4_state_size = %lu bytes (fast), %lu bytes (HC); one %lu-byte state\n",
           (unsigned long)fast_ss, (unsigned long)hc_ss, (unsigned long)ss);
    for (pass = 0; pass < 2; pass++) {
        int level = pass == 0 ? 1 : ARS_LZ4_LEVEL_HC;
        size_t off;
        pages = 0;
        for (off = 0; off < n; off += PAGE) {
            size_t k = n - off < PAGE ? n - off : PAGE;
            int c = ars_lz4_compress_with_state(state, ss, text + off, k, out, out_cap, level);
            int d;
            CHECK(c > 0 && (size_t)c <= out_cap, "ars_lz4_compress_with_state", c);
            d = ars_lz4_decompress(out, (size_t)c, back, sizeof back);
            CHECK(d == (int)k, "ars_lz4_decompress of a page", d);
            CHECK(memcmp(text + off, back, k) == 0, "page round trip differs", off);
            totals[pass] += (size_t)c;
            pages++;
        }
    }
    printf("   %lu pages of 4 KiB, each compressed on its own with the same state: fast %lu bytes "
           "(%.1f%%), HC %lu bytes (%.1f%%)\n", (unsigned long)pages, (unsigned long)totals[0],
           pct(totals[0], n), (unsigned long)totals[1], pct(totals[1], n));
    /* a state sized for the fast levels is refused at an HC level */
    if (fast_ss < hc_ss) {
        r = ars_lz4_compress_with_state(state, fast_ss, text, PAGE, out, out_cap, ARS_LZ4_LEVEL_HC);
        CHECK(r == ARS_EINVAL, "an HC level with a fast-sized state should be ARS_EINVAL", r);
        printf("   HC level with a %lu-byte state: %s\n", (unsigned long)fast_ss, ars_strerror(r));
    }
    free(state);
    free(out);
}

/* ---- 3. frames, buffer to buffer ---- */
#ifdef TOUR_HAVE_POPEN
/* Pipes the frame to `lz4 -t` (test integrity; reads stdin, writes nothing).
   1 = lz4 accepted it, 0 = no lz4 on PATH, -1 = lz4 refused it. */
static int lz4_tool_accepts(const void *frame, size_t len) {
    FILE *p;
    size_t w;
    int st;
    fflush(stdout);
    if (system("command -v lz4 >/dev/null 2>&1") != 0) return 0;
    signal(SIGPIPE, SIG_IGN); /* if lz4 stops reading early, fwrite fails instead */
    p = popen("lz4 -t -q", "w");
    if (!p) return 0;
    w = fwrite(frame, 1, len, p);
    st = pclose(p);
    return w == len && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 1 : -1;
}
#endif

static void tour_frames(const char *text, size_t n) {
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    size_t fb, fb_default;
    char *frame, *bad, *back = (char *)xmalloc(n);
    int f, f_default, d, r;
    o.block_size = 65536;    /* lz4 -B4 */
    o.block_checksum = 1;    /* lz4 -BX */
    o.content_size = n;      /* lz4 --content-size */
    fb = ars_lz4_frame_bound(n, &o);
    fb_default = ars_lz4_frame_bound(n, NULL);
    CHECK(fb > n && fb_default > n, "ars_lz4_frame_bound", fb);
    frame = (char *)xmalloc(fb > fb_default ? fb : fb_default);
    bad = (char *)xmalloc(fb);
    printf("3. frames: ars_lz4_frame_bound = %lu (64 KiB blocks, checksums, content size), "
           "%lu (defaults)\n", (unsigned long)fb, (unsigned long)fb_default);

    f_default = ars_lz4_frame_compress(text, n, frame, fb_default, NULL);
    CHECK(f_default > 0 && (size_t)f_default <= fb_default, "ars_lz4_frame_compress (defaults)", f_default);
    d = ars_lz4_frame_decompress(frame, (size_t)f_default, back, n);
    CHECK(d == (int)n && memcmp(text, back, n) == 0, "frame round trip (defaults)", d);
    printf("   defaults (4 MiB blocks, content checksum): %lu -> %d bytes (%.1f%%), round trip ok\n",
           (unsigned long)n, f_default, pct((size_t)f_default, n));

    f = ars_lz4_frame_compress(text, n, frame, fb, &o);
    CHECK(f > 0 && (size_t)f <= fb, "ars_lz4_frame_compress", f);
    memset(back, 0, n);
    d = ars_lz4_frame_decompress(frame, (size_t)f, back, n);
    CHECK(d == (int)n && memcmp(text, back, n) == 0, "frame round trip", d);
    printf("   64 KiB blocks + block checksums + content size: %lu -> %d bytes (%.1f%%), round trip ok\n",
           (unsigned long)n, f, pct((size_t)f, n));
#ifdef TOUR_HAVE_POPEN
    r = lz4_tool_accepts(frame, (size_t)f);
    if (r < 0) {
        fprintf(stderr, "compress_tour: `lz4 -t` refused the frame\n");
        exit(1);
    }
    printf("   lz4 tool: %s\n", r ? "`lz4 -t` accepts the frame" : "not on PATH, check skipped");
#endif

    /* the header promises n bytes: a smaller buffer is refused up front */
    r = ars_lz4_frame_decompress(frame, (size_t)f, back, n - 1);
    CHECK(r == ARS_EOVERFLOW, "frame into a small buffer should be ARS_EOVERFLOW", r);
    printf("   decompress into %lu bytes: %s\n", (unsigned long)(n - 1), ars_strerror(r));
    /* one flipped bit in the middle: the block checksum catches it */
    memcpy(bad, frame, (size_t)f);
    bad[f / 2] ^= 0x10;
    r = ars_lz4_frame_decompress(bad, (size_t)f, back, n);
    CHECK(r == ARS_ECORRUPT, "a damaged frame should be ARS_ECORRUPT", r);
    printf("   one bit flipped at byte %d: %s\n", f / 2, ars_strerror(r));
    /* cut short: the end mark is missing */
    r = ars_lz4_frame_decompress(frame, (size_t)f - 10, back, n);
    CHECK(r == ARS_ECORRUPT, "a truncated frame should be ARS_ECORRUPT", r);
    printf("   last 10 bytes missing: %s\n", ars_strerror(r));
    free(frame);
    free(bad);
    free(back);
}

/* ---- 4. streaming: writer to a memory sink, reader from a memory source ---- */
typedef struct {
    unsigned char *p;
    size_t len, cap;
    unsigned calls;
} mem_sink;

static int sink_to_memory(void *ctx, const void *data, size_t n) {
    mem_sink *s = (mem_sink *)ctx;
    if (n > s->cap - s->len) {
        size_t cap = s->cap ? s->cap : 4096;
        unsigned char *p;
        while (cap - s->len < n) cap *= 2;
        p = (unsigned char *)realloc(s->p, cap);
        if (!p) return ARS_ENOMEM;
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, n);
    s->len += n;
    s->calls++;
    return 0;
}

typedef struct {
    const unsigned char *p;
    size_t len, pos, chunk; /* chunk: the most one call hands over, like a recv() */
    unsigned calls;
} mem_source;

static int source_from_memory(void *ctx, void *buf, size_t cap) {
    mem_source *s = (mem_source *)ctx;
    size_t n = s->len - s->pos;
    if (n > cap) n = cap;
    if (n > s->chunk) n = s->chunk;
    memcpy(buf, s->p + s->pos, n);
    s->pos += n;
    s->calls++;
    return (int)n;
}

static void tour_stream(const char *text, size_t n) {
    static const size_t pieces[] = { 1, 13, 700, 4093, 65536, 100000, 37, 30011 };
    static const char trailer[] = "-- log rotated --\n";
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    mem_sink sink = { NULL, 0, 0, 0 };
    mem_source src;
    ars_lz4_writer *w;
    ars_lz4_reader *rd;
    size_t off = 0, expect_len = n + sizeof trailer - 1, got = 0, frame1, before, fb;
    unsigned writes = 0, reads = 0, pi = 0;
    int flushed = 0, r;
    char *expect = (char *)xmalloc(expect_len), buf[1000], *big;

    memcpy(expect, text, n);
    memcpy(expect + n, trailer, sizeof trailer - 1);
    o.block_size = 65536;
    o.linked = 1; /* small blocks compress better when they may refer back */
    r = ars_lz4_writer_create(&w, &o, sink_to_memory, &sink, NULL);
    CHECK(r == 0 && w, "ars_lz4_writer_create", r);
    printf("4. stream: writer (64 KiB linked blocks) -> memory sink, memory source -> reader\n");
    while (off < n) {
        size_t k = pieces[pi++ % (sizeof pieces / sizeof *pieces)];
        if (k > n - off) k = n - off;
        r = ars_lz4_writer_write(w, text + off, k);
        CHECK(r == 0, "ars_lz4_writer_write", r);
        off += k;
        writes++;
        if (!flushed && off >= n / 2) {
            /* e.g. before going idle: whatever waits in the writer goes out now */
            before = sink.len;
            r = ars_lz4_writer_flush(w);
            CHECK(r == 0, "ars_lz4_writer_flush", r);
            if (off % o.block_size) CHECK(sink.len > before, "flush sent nothing", sink.len - before);
            printf("   flush after %lu bytes in %u writes sent %lu more bytes (a short block)\n",
                   (unsigned long)off, writes, (unsigned long)(sink.len - before));
            flushed = 1;
        }
    }
    r = ars_lz4_writer_finish(w);
    CHECK(r == 0, "ars_lz4_writer_finish", r);
    frame1 = sink.len;
    /* after finish the next write starts a second frame */
    r = ars_lz4_writer_write(w, trailer, sizeof trailer - 1);
    CHECK(r == 0, "ars_lz4_writer_write (second frame)", r);
    r = ars_lz4_writer_finish(w);
    CHECK(r == 0, "ars_lz4_writer_finish (second frame)", r);
    ars_lz4_writer_destroy(w);
    printf("   frame 1: %u writes of uneven sizes -> %lu bytes (%.1f%%); frame 2: 1 write -> %lu bytes; "
           "%u sink calls\n", writes, (unsigned long)frame1, pct(frame1, n),
           (unsigned long)(sink.len - frame1), sink.calls);

    /* pull it back out: the source gives at most 1500 bytes per call */
    src.p = sink.p; src.len = sink.len; src.pos = 0; src.chunk = 1500; src.calls = 0;
    r = ars_lz4_reader_create(&rd, source_from_memory, &src, 65536, NULL); /* our blocks are 64 KiB */
    CHECK(r == 0 && rd, "ars_lz4_reader_create", r);
    for (;;) {
        r = ars_lz4_reader_read(rd, buf, sizeof buf);
        CHECK(r >= 0, "ars_lz4_reader_read", r);
        if (r == 0) break;
        CHECK((size_t)r <= expect_len - got, "reader returned more than was written", r);
        CHECK(memcmp(expect + got, buf, (size_t)r) == 0, "reader output differs at", got);
        got += (size_t)r;
        reads++;
    }
    CHECK(got == expect_len, "reader ended early", got);
    r = ars_lz4_reader_read(rd, buf, sizeof buf);
    CHECK(r == 0, "a read after the end should return 0 again", r);
    ars_lz4_reader_destroy(rd);
    printf("   reader: %u source calls, %u reads of <= %lu bytes -> %lu bytes, identical to what "
           "was written\n", src.calls, reads, (unsigned long)sizeof buf, (unsigned long)got);

    /* both frames in one buffer decode in one call too */
    big = (char *)xmalloc(expect_len);
    r = ars_lz4_frame_decompress(sink.p, sink.len, big, expect_len);
    CHECK(r == (int)expect_len && memcmp(big, expect, expect_len) == 0, "frame_decompress of the stream", r);
    printf("   ars_lz4_frame_decompress reads the two concatenated frames too: %d bytes\n", r);

    /* a reader limited to 64 KiB blocks refuses a frame of 4 MiB blocks */
    o.block_size = 0; /* 4 MiB */
    o.linked = 0;
    fb = ars_lz4_frame_bound(n, &o);
    free(sink.p);
    sink.p = (unsigned char *)xmalloc(fb);
    r = ars_lz4_frame_compress(text, n, sink.p, fb, &o);
    CHECK(r > 0, "ars_lz4_frame_compress (4 MiB blocks)", r);
    src.p = sink.p; src.len = (size_t)r; src.pos = 0;
    r = ars_lz4_reader_create(&rd, source_from_memory, &src, 65536, NULL);
    CHECK(r == 0, "ars_lz4_reader_create", r);
    r = ars_lz4_reader_read(rd, buf, sizeof buf);
    CHECK(r == ARS_EOVERFLOW, "4 MiB blocks past a 64 KiB limit should be ARS_EOVERFLOW", r);
    printf("   a 4 MiB-block frame, reader limited to 64 KiB blocks: %s", ars_strerror(r));
    r = ars_lz4_reader_read(rd, buf, sizeof buf);
    CHECK(r == ARS_ESTATE, "a read after an error should be ARS_ESTATE", r);
    printf(", then: %s\n", ars_strerror(r));
    ars_lz4_reader_destroy(rd);
    free(big);
    free(sink.p);
    free(expect);
}

/* ---- 5. messages over a byte stream ---- */
static void tour_messages(const char *text, size_t n) {
    enum { NMSG = 5, RECV = 1400, MAX_MSG = 65536 };
    const char *content[NMSG];
    size_t size[NMSG], at[NMSG], wire_cap = 0, wire_len = 0, rx_cap, have = 0, start = 0, sent = 0;
    int level[NMSG], i, r, recvs = 0;
    unsigned char *wire, *rx, *bad, noise[2000];
    char *out = (char *)xmalloc(MAX_MSG);
    ars_lz4_msg_info info;

    for (i = 0; i < (int)sizeof noise; i++) noise[i] = (unsigned char)rnd();
    /* a log batch, a tiny command, incompressible bytes, an empty heartbeat,
       a larger batch compressed harder */
    content[0] = text;                size[0] = 20000;           level[0] = 0;
    content[1] = "PING";              size[1] = 4;               level[1] = 0;
    content[2] = (const char *)noise; size[2] = sizeof noise;    level[2] = 0;
    content[3] = "";                  size[3] = 0;               level[3] = 0;
    content[4] = text + 20000;        size[4] = MAX_MSG;         level[4] = ARS_LZ4_LEVEL_HC;
    CHECK(n >= 20000 + MAX_MSG, "text too short", n);
    for (i = 0; i < NMSG; i++) wire_cap += ars_lz4_msg_bound(size[i]);
    wire = (unsigned char *)xmalloc(wire_cap);
    for (i = 0; i < NMSG; i++) {
        size_t bound = ars_lz4_msg_bound(size[i]);
        int m = ars_lz4_msg_encode(content[i], size[i], wire + wire_len, bound, level[i], NULL);
        CHECK(m >= ARS_LZ4_MSG_HEADER && (size_t)m <= bound, "ars_lz4_msg_encode", m);
        at[i] = wire_len;
        wire_len += (size_t)m;
    }
    printf("5. messages: %d messages, %lu content bytes -> %lu bytes on the wire (bounds: %lu)\n", NMSG,
           (unsigned long)(size[0] + size[1] + size[2] + size[3] + size[4]), (unsigned long)wire_len,
           (unsigned long)wire_cap);

    /* The receiver: bytes arrive RECV at a time; it never needs more room
       than one whole message (ars_lz4_msg_bound of its limit) + one recv. */
    rx_cap = ars_lz4_msg_bound(MAX_MSG) + RECV;
    rx = (unsigned char *)xmalloc(rx_cap);
    for (i = 0; i < NMSG;) {
        int d;
        r = ars_lz4_msg_peek(rx + start, have - start, MAX_MSG, &info);
        if (r == ARS_EAGAIN || (r == 0 && have - start < info.message_size)) {
            size_t k = wire_len - sent;
            CHECK(k > 0, "the stream ended inside a message", r);
            if (start) { /* drop the messages already handled */
                memmove(rx, rx + start, have - start);
                have -= start;
                start = 0;
            }
            if (k > RECV) k = RECV;
            if (k > rx_cap - have) k = rx_cap - have;
            memcpy(rx + have, wire + sent, k); /* recv() */
            have += k;
            sent += k;
            recvs++;
            continue;
        }
        CHECK(r == 0, "ars_lz4_msg_peek", r);
        CHECK(info.content_size == size[i], "peeked content size", info.content_size);
        d = ars_lz4_msg_decode(rx + start, have - start, out, MAX_MSG, MAX_MSG);
        CHECK(d == (int)size[i], "ars_lz4_msg_decode", d);
        CHECK(memcmp(out, content[i], size[i]) == 0, "message content differs", i);
        printf("   message %d: %5lu bytes -> %5lu on the wire, %s\n", i, (unsigned long)size[i],
               (unsigned long)info.message_size,
               info.compressed ? "LZ4" : size[i] ? "stored (LZ4 would not shrink it)" : "stored (empty)");
        start += info.message_size;
        i++;
    }
    CHECK(sent == wire_len && start == have, "bytes left over after the last message", have - start);
    printf("   received in %d pieces of <= %d bytes; each length from ars_lz4_msg_peek, each "
           "content checked\n", recvs, RECV);

    /* What a receiver must refuse. The first message is the log batch. */
    r = ars_lz4_msg_peek(wire, 10, MAX_MSG, &info);
    CHECK(r == ARS_EAGAIN, "a 10-byte header should be ARS_EAGAIN", r);
    r = ars_lz4_msg_peek(wire, wire_len, MAX_MSG, &info);
    CHECK(r == 0 && info.message_size == at[1], "peek of message 0", r);
    r = ars_lz4_msg_decode(wire, info.message_size - 100, out, MAX_MSG, MAX_MSG);
    CHECK(r == ARS_EAGAIN, "a truncated message should be ARS_EAGAIN", r);
    printf("   truncated (%lu of %lu bytes): %s -- wait for more; at end of stream it is an error\n",
           (unsigned long)(info.message_size - 100), (unsigned long)info.message_size, ars_strerror(r));
    bad = (unsigned char *)xmalloc(info.message_size);
    memcpy(bad, wire, info.message_size);
    bad[ARS_LZ4_MSG_HEADER + 1000] ^= 0x01;
    r = ars_lz4_msg_decode(bad, info.message_size, out, MAX_MSG, MAX_MSG);
    CHECK(r == ARS_ECORRUPT, "a corrupted message should be ARS_ECORRUPT", r);
    printf("   one bit flipped in the payload: %s (XXH32 over header and payload)\n", ars_strerror(r));
    r = ars_lz4_msg_peek(wire, info.message_size, 16384, &info);
    CHECK(r == ARS_EOVERFLOW, "a message over max_size should be ARS_EOVERFLOW", r);
    r = ars_lz4_msg_decode(wire, wire_len, out, 16384, 16384);
    CHECK(r == ARS_EOVERFLOW, "decode over max_size should be ARS_EOVERFLOW", r);
    printf("   %lu-byte content, receiver limit 16384: %s (refused from the header alone)\n",
           (unsigned long)size[0], ars_strerror(r));
    free(bad);
    free(rx);
    free(wire);
    free(out);
}

int main(void) {
    char *text = (char *)xmalloc(TEXT_CAP);
    size_t n = make_log(text, TEXT_CAP);
    CHECK(n > TEXT_CAP - 256, "generated text too short", n);
    tour_blocks(text, n);
    tour_state(text, n);
    tour_frames(text, n);
    tour_stream(text, n);
    tour_messages(text, n);
    free(text);
    printf("all checks passed\n");
    return 0;
}
