/* fuzz_compress.c - libFuzzer target for arsenal_compress.h's decoders
   ars-test-libs: -llz4

   Build and run (CI runs it for a bounded time):
       clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
             tests/fuzz_compress.c -o /tmp/fuzz_compress -llz4
       /tmp/fuzz_compress -max_total_time=20 -rss_limit_mb=1024

   The first input byte picks a target; the rest is the data:
     0  ars_lz4_decompress (block) into a buffer sized by the next two bytes
     1  ars_lz4_frame_decompress (buffer)
     2  ars_lz4_reader_read through a source that returns odd-sized chunks
     3  ars_lz4_msg_peek / ars_lz4_msg_decode with a receiver limit
     4  valid frame of the data (options from the next byte), then damaged at
        positions the input chooses, decoded both ways: reaches deep states
        without a seed corpus
     5  valid message of the data, damaged likewise
   Any crash, sanitizer report, or decoder that returns a size it did not
   write (checked against round trips where the input is valid) is a finding.
*/
#define ARSENAL_COMPRESS_IMPLEMENTATION
#include "../arsenal_compress.h"

#include <stdlib.h>
#include <string.h>

#define CAP (1u << 20)

typedef struct { const uint8_t *p; size_t len, pos; uint8_t step; } src_t;
static int chunk_source(void *ctx, void *buf, size_t cap) {
    src_t *s = (src_t *)ctx;
    size_t n = s->len - s->pos, k = (size_t)s->step * 97u + 1u;
    if (n > cap) n = cap;
    if (n > k) n = k;
    memcpy(buf, s->p + s->pos, n);
    s->pos += n;
    s->step = (uint8_t)(s->step * 5u + 3u);
    return (int)n;
}

static void drain_reader(const uint8_t *p, size_t n, uint8_t step, unsigned char *out) {
    ars_lz4_reader *r;
    src_t s;
    int k;
    s.p = p; s.len = n; s.pos = 0; s.step = step;
    if (ars_lz4_reader_create(&r, chunk_source, &s, (size_t)1 << (16 + (step & 3) * 2), NULL)) abort();
    while ((k = ars_lz4_reader_read(r, out, 1 + (size_t)step * 331u)) > 0) {}
    ars_lz4_reader_destroy(r);
}

static void damage(unsigned char *buf, size_t len, const uint8_t *how, size_t nhow) {
    size_t i;
    for (i = 0; i + 2 < nhow && len; i += 3) buf[((size_t)how[i] << 8 | how[i + 1]) % len] ^= how[i + 2];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static unsigned char *out, *tmp;
    if (!out) { out = (unsigned char *)malloc(CAP); tmp = (unsigned char *)malloc(2 * CAP); }
    if (size < 1) return 0;
    switch (data[0] % 6) {
    case 0: {
        size_t cap = size >= 3 ? ((size_t)data[1] << 8 | data[2]) : 0;
        int d = ars_lz4_decompress(data + 1, size - 1, out, cap);
        if (d > (int)cap) abort();
        break;
    }
    case 1: {
        int d = ars_lz4_frame_decompress(data + 1, size - 1, out, CAP);
        if (d > (int)CAP) abort();
        break;
    }
    case 2:
        drain_reader(data + 1, size - 1, size > 1 ? data[1] : 0, out);
        break;
    case 3: {
        ars_lz4_msg_info info;
        size_t max = size >= 2 ? (size_t)data[1] * 4096u : 0;
        int d;
        (void)ars_lz4_msg_peek(data + 1, size - 1, max, &info);
        d = ars_lz4_msg_decode(data + 1, size - 1, out, CAP, max);
        if (d > (int)max) abort();
        break;
    }
    case 4: {
        ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
        uint8_t f = size > 1 ? data[1] : 0;
        size_t half = (size - 1) / 2, n;
        int c, d;
        o.block_size = (size_t)1 << (16 + (f & 3) * 2);
        o.linked = (f >> 2) & 1; o.block_checksum = (f >> 3) & 1; o.content_checksum = (f >> 4) & 1;
        o.content_size = (f >> 5) & 1 ? half : 0;
        o.level = (f >> 6) == 3 ? 3 : -(int)(f >> 6);
        c = ars_lz4_frame_compress(data + 1, half, tmp, 2 * CAP, &o);
        if (c < 0) abort();
        d = ars_lz4_frame_decompress(tmp, (size_t)c, out, CAP);          /* valid: must round trip */
        if (d != (int)half || memcmp(out, data + 1, half)) abort();
        damage(tmp, (size_t)c, data + 1 + half, size - 1 - half);
        n = (size_t)c - (f & 1 ? (size_t)(f % 7) : 0);                     /* and sometimes cut short */
        d = ars_lz4_frame_decompress(tmp, n, out, CAP);
        if (d > (int)CAP) abort();
        drain_reader(tmp, n, f, out);
        break;
    }
    default: {
        size_t half = (size - 1) / 2;
        int m = ars_lz4_msg_encode(data + 1, half, tmp, 2 * CAP, 0, NULL), d;
        if (m < 0) abort();
        d = ars_lz4_msg_decode(tmp, (size_t)m, out, CAP, CAP);
        if (d != (int)half || memcmp(out, data + 1, half)) abort();
        damage(tmp, (size_t)m, data + 1 + half, size - 1 - half);
        d = ars_lz4_msg_decode(tmp, (size_t)m, out, CAP, CAP);
        if (d > (int)CAP) abort();
        break;
    }
    }
    return 0;
}
