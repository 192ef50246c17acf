/* arsenal_compress.h - v0.1.0 - LZ4 block, LZ4 frame and framed messages on liblz4

   Do this:
       #define ARSENAL_COMPRESS_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation (ARSENAL_IMPLEMENTATION switches on every Arsenal header).
   Every other file includes it without the define. Link with -llz4.
   Link flags, as the project's build reads them -- ars-build-libs: -llz4

   NEEDS
       liblz4 (lz4.h, lz4hc.h, -llz4; Debian: liblz4-dev) for the block codec,
       xxhash.h (Debian: libxxhash-dev) for XXH32, included privately by the
       implementation with XXH_INLINE_ALL, so it cannot clash with a copy of
       xxHash the program links itself. Nothing needs including before this
       header; the public part uses only <stddef.h> and <stdint.h>.

   CONFIGURATION (define before including the implementation)
       ARSENAL_COMPRESS_API      default `extern`: storage class of every
                                 public function.
       ARSENAL_COMPRESS_STATIC   default undefined: makes every function
                                 `static` (private to one translation unit).
       ARSENAL_MALLOC(size)      default malloc(size): used when a function is
       ARSENAL_FREE(ptr)         default free(ptr):    given a NULL allocator.
                                 Define both or neither (#error otherwise).
       ARSENAL_COMPRESS_NO_HUGEPAGES  default undefined: on Linux, without
                                 ARSENAL_MALLOC and with mmap's MAP_ANONYMOUS
                                 visible (_DEFAULT_SOURCE or _GNU_SOURCE),
                                 buffers of 2 MiB and more that a NULL
                                 allocator gets (streaming with 4 MiB blocks)
                                 are mapped on their own and advised
                                 MADV_HUGEPAGE (not under ASan, so that it
                                 checks them); define this to use malloc.
       (No ARSENAL_ASSERT: every check here is a returned error, as the
       input may be hostile.)

   EXAMPLE
       #define ARSENAL_COMPRESS_IMPLEMENTATION
       #include "arsenal_compress.h"
       #include <stdio.h>
       static int to_file(void *ctx, const void *p, size_t n) {
           return fwrite(p, 1, n, (FILE *)ctx) == n ? 0 : ARS_EIO;
       }
       int main(void) {
           // 1. One buffer, one frame that `lz4 -d` reads.
           static char text[] = "hello hello hello hello hello hello";
           char frame[256], back[256];
           int n = ars_lz4_frame_compress(text, sizeof text, frame, sizeof frame, NULL);
           int m = n < 0 ? n : ars_lz4_frame_decompress(frame, (size_t)n, back, sizeof back);
           if (m < 0) { fprintf(stderr, "%s\n", ars_strerror(m)); return 1; }
           // 2. Streaming: write pieces, the frame goes to a sink callback.
           ars_lz4_writer *w;
           if (ars_lz4_writer_create(&w, NULL, to_file, stdout, NULL) == 0) {
               ars_lz4_writer_write(w, text, 5);
               ars_lz4_writer_write(w, text + 5, sizeof text - 5);
               ars_lz4_writer_finish(w);          // end mark + content checksum
               ars_lz4_writer_destroy(w);
           }
           return 0;
       }

   API SUMMARY (grep for the >>markers)
       >>block   ars_lz4_compress_bound, ars_lz4_compress (fast: level <= 2,
                 negative = faster; HC: 3..12), ars_lz4_state_size,
                 ars_lz4_compress_with_state (no allocation),
                 ars_lz4_decompress (safe on untrusted input).
       >>frame   LZ4 frame format (magic 0x184D2204), compatible with the `lz4`
                 tool both ways: ars_lz4_frame_bound / _compress / _decompress
                 (buffer to buffer), ars_lz4_writer (push data, frame goes to
                 a sink), ars_lz4_reader (pull data decoded from a source),
                 ars_lz4_compress_stream / ars_lz4_decompress_stream (source
                 to sink). 64 KiB..4 MiB blocks, linked or independent, block
                 and content checksums (XXH32), content size, skippable frames
                 and concatenated frames.
       >>msg     framed messages for sockets and channels: a 16-byte header
                 (magic "AZ", version, flags, payload size, content size,
                 XXH32 over header and payload) and an LZ4 or stored payload.
                 ars_lz4_msg_bound / _encode / _peek / _decode; the receiver
                 sets the largest content size it accepts.

   ERRORS
       Functions return a count or 0 on success and a negative ARS_E* code
       (see ars_strerror) on failure:
       ARS_EINVAL     bad argument (NULL pointer, size beyond LZ4's 2 GiB limit,
                      a frame that needs a dictionary, a writer given fewer or
                      more bytes than the content size it promised).
       ARS_ENOMEM     an allocation failed.
       ARS_ECORRUPT   input is corrupt or truncated (bad magic, bad header
                      checksum, block or content checksum mismatch, an LZ4
                      block that does not decode, a stream ending mid-frame).
       ARS_EOVERFLOW  the output does not fit the destination, or the input
                      asks for more than the receiver allows (block size over
                      the reader's limit, message over max_size).
       ARS_EAGAIN     (messages only) incomplete: more bytes are needed.
       ARS_ESTATE     a writer or reader used after an earlier failure.
       Errors returned by your sink or source callbacks are passed through.

   PLATFORMS
       Anything liblz4 and a C99 or C++11 compiler support: Linux (x86_64,
       i686, aarch64, armhf, riscv64), Windows (mingw-w64, MSVC), macOS, BSD.
       Integers are read and written little-endian byte by byte, so the
       formats are the same on big-endian machines.

   CAVEATS
       - Sizes returned as int: one block, one buffer-to-buffer frame or one
         message is limited to LZ4_MAX_INPUT_SIZE (0x7E000000 bytes); use the
         streaming writer/reader for more.
       - Frames that need a dictionary (FLG.DictID) and the legacy format of
         `lz4 -l` are not decoded (ARS_EINVAL / ARS_ECORRUPT).
       - ars_lz4_decompress cannot tell "corrupt" from "does not fit in
         dst_cap" (liblz4 cannot either): both are ARS_ECORRUPT.
       - Content checksums cost time: XXH32 is computed per block right after
         it is decoded (prefetching ahead when a block is larger than the
         cache), but it is not free: about 7 GB/s on a 3.5 GHz x86-64, bound
         by its multiplies (see bench/bench_compress.c).
       - Firmware: build liblz4's lz4.c and lz4hc.c into the image (with
         LZ4_USER_MEMORY_FUNCTIONS and LZ4_HEAPMODE=1 they allocate through
         your LZ4_malloc/LZ4_calloc/LZ4_free, not malloc), define
         ARSENAL_MALLOC/ARSENAL_FREE (an arsenal_alloc.h heap will do), and
         give the calling stack room for the 16 KiB LZ4 stream that block
         compression at fast levels (also in ars_lz4_msg_encode) and frame
         compression keep on it; a <string.h> (newlib, picolibc) is used.
         tests/test_compress.c runs this way on Cortex-M3/M4F and RV32/RV64
         in QEMU (see its ars-test-fwflags lines).
*/
#ifndef ARSENAL_COMPRESS_H
#define ARSENAL_COMPRESS_H

#define ARSENAL_COMPRESS_VERSION_MAJOR 0
#define ARSENAL_COMPRESS_VERSION_MINOR 1
#define ARSENAL_COMPRESS_VERSION_PATCH 0

#ifndef ARSENAL_COMPRESS_API
#ifdef ARSENAL_COMPRESS_STATIC
#define ARSENAL_COMPRESS_API static
#else
#define ARSENAL_COMPRESS_API extern
#endif
#endif

/* >>common: identical in every arsenal_*.h (tests/check_common.sh compares) */
#ifndef ARSENAL_COMMON_BLOCK_V1
#define ARSENAL_COMMON_BLOCK_V1
#include <stddef.h>
#include <stdint.h>
/* Error codes: 0 is success, negative is failure. One list makes the enum
   and ars_strerror(). */
#define ARS__ERRORS(X) \
    X(ARS_OK,          0,  "success") \
    X(ARS_EINVAL,     -1,  "invalid argument") \
    X(ARS_ENOMEM,     -2,  "out of memory") \
    X(ARS_ETIMEDOUT,  -3,  "deadline passed") \
    X(ARS_ECANCELED,  -4,  "operation canceled") \
    X(ARS_ECLOSED,    -5,  "closed") \
    X(ARS_EAGAIN,     -6,  "would block") \
    X(ARS_ESTATE,     -7,  "wrong state for this call") \
    X(ARS_EOVERFLOW,  -8,  "value too large") \
    X(ARS_ECORRUPT,   -9,  "corrupt or truncated data") \
    X(ARS_EEOF,       -10, "end of stream") \
    X(ARS_ECONNRESET, -11, "connection reset by peer") \
    X(ARS_ECONNREFUSED, -12, "connection refused") \
    X(ARS_EADDRINUSE, -13, "address in use") \
    X(ARS_EPIPE,      -14, "broken pipe") \
    X(ARS_EMFILE,     -15, "too many open files") \
    X(ARS_ENOTFOUND,  -16, "not found") \
    X(ARS_EPERM,      -17, "operation not permitted") \
    X(ARS_EBUSY,      -18, "resource busy") \
    X(ARS_EUNREACH,   -19, "network unreachable") \
    X(ARS_EISR,       -20, "not allowed in interrupt context") \
    X(ARS_EIO,        -21, "input/output error")
#define ARS__ERROR_ENUM(name, value, text) name = value,
enum ars_error { ARS__ERRORS(ARS__ERROR_ENUM) ARS__ERROR_LAST = -21 };
#undef ARS__ERROR_ENUM
/* Human-readable text of an ARS_E* code (or "unknown error"). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((unused))
#endif
static const char *ars_strerror(int err) {
    switch (err) {
#define ARS__ERROR_CASE(name, value, text) case value: return text;
    ARS__ERRORS(ARS__ERROR_CASE)
#undef ARS__ERROR_CASE
    default: return "unknown error";
    }
}
/* Allocator: alloc returns memory aligned to `align` (a power of two) or
   NULL; free receives the size that was asked for. NULL allocator pointers
   mean the header's default (ARSENAL_MALLOC / ARSENAL_FREE, else malloc). */
typedef struct ars_allocator {
    void *(*alloc)(void *ctx, size_t size, size_t align);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} ars_allocator;
#endif /* ARSENAL_COMMON_BLOCK_V1 */
/* <<common */

#ifdef __cplusplus
extern "C" {
#endif

/* >>block ---------------------------------------------------------------
   Raw LZ4 blocks (no header: the caller keeps the sizes). Levels: 0, 1 and 2
   are LZ4's fast mode, negative levels are faster still (acceleration
   -level, like `lz4 --fast=N`), 3..12 are LZ4HC (above 12 means 12). */
#define ARS_LZ4_LEVEL_FAST    0
#define ARS_LZ4_LEVEL_HC      9
#define ARS_LZ4_LEVEL_MAX     12
#define ARS_LZ4_MAX_INPUT     0x7E000000u

/* Worst-case compressed size of n bytes; 0 if n > ARS_LZ4_MAX_INPUT. */
ARSENAL_COMPRESS_API size_t ars_lz4_compress_bound(size_t n);
/* Compresses src into dst. Returns the compressed size, ARS_EOVERFLOW if it
   does not fit in dst_cap (dst_cap >= ars_lz4_compress_bound(src_size) always
   fits), ARS_EINVAL for a bad argument, ARS_ENOMEM if an HC state could not be
   allocated (alloc NULL = default allocator; fast levels never allocate).
   After an error the contents of dst are unspecified. */
ARSENAL_COMPRESS_API int ars_lz4_compress(const void *src, size_t src_size, void *dst,
                                          size_t dst_cap, int level, const ars_allocator *alloc);
/* Bytes of state ars_lz4_compress_with_state needs for `level`. */
ARSENAL_COMPRESS_API size_t ars_lz4_state_size(int level);
/* Same as ars_lz4_compress, with caller memory for the state (aligned to 8,
   at least ars_lz4_state_size(level) bytes): never allocates. */
ARSENAL_COMPRESS_API int ars_lz4_compress_with_state(void *state, size_t state_size,
                                                     const void *src, size_t src_size,
                                                     void *dst, size_t dst_cap, int level);
/* Decompresses one block. Safe for untrusted input: never reads past
   src + src_size nor writes past dst + dst_cap. Returns the decompressed size
   or ARS_ECORRUPT (corrupt, truncated, empty, or larger than dst_cap);
   ARS_EINVAL for a NULL src or dst with a nonzero size. */
ARSENAL_COMPRESS_API int ars_lz4_decompress(const void *src, size_t src_size, void *dst,
                                            size_t dst_cap);

/* >>frame ---------------------------------------------------------------
   The LZ4 frame format of the `lz4` tool. */

/* Sink: consumes all n bytes; returns 0, or a negative ARS_E* code that the
   calling function returns. Source: fills up to cap bytes of buf; returns
   the number filled (0 = end of input) or a negative ARS_E* code. */
typedef int (*ars_lz4_sink)(void *ctx, const void *data, size_t n);
typedef int (*ars_lz4_source)(void *ctx, void *buf, size_t cap);

typedef struct ars_lz4_frame_opts {
    int level;             /* as for ars_lz4_compress; 0 = fast */
    size_t block_size;     /* 65536, 262144, 1048576 or 4194304; 0 = 4 MiB */
    int linked;            /* 1: blocks may refer to earlier ones (lz4 -BD) */
    int content_checksum;  /* 1: XXH32 of the content after the end mark */
    int block_checksum;    /* 1: XXH32 after every block (lz4 -BX) */
    uint64_t content_size; /* nonzero: written in the header (and enforced) */
} ars_lz4_frame_opts;
/* What a NULL opts means: the `lz4` tool's defaults. */
#define ARS_LZ4_FRAME_OPTS_DEFAULT { 0, 4194304, 0, 1, 0, 0 }

/* Buffer to buffer. frame_bound is the largest frame compress can produce
   (0 if n is too large or opts invalid); compress returns the frame size or an
   error; decompress accepts one or more concatenated frames (and skippable
   frames) and returns the total content size. HC levels allocate a state
   through the default allocator. */
ARSENAL_COMPRESS_API size_t ars_lz4_frame_bound(size_t n, const ars_lz4_frame_opts *opts);
ARSENAL_COMPRESS_API int ars_lz4_frame_compress(const void *src, size_t src_size, void *dst,
                                                size_t dst_cap, const ars_lz4_frame_opts *opts);
ARSENAL_COMPRESS_API int ars_lz4_frame_decompress(const void *src, size_t src_size, void *dst,
                                                  size_t dst_cap);

/* Writer: compresses what it is given into frames sent to a sink. The frame
   header goes out with the first data (or at finish); finish writes the end
   mark and checksum, after which the next write starts a new frame. flush
   sends buffered data as a (short) block now. After an error every call
   returns ARS_ESTATE, but for a write refused with ARS_EINVAL (NULL data,
   or more bytes than a promised content_size leaves room for): it has done
   nothing and the writer goes on. A finish short of content_size is an
   error. Memory: one allocation of about 2 * block_size (+ 64 KiB
   when linked, + 256 KiB of HC state at levels >= 3). */
typedef struct ars_lz4_writer ars_lz4_writer;
ARSENAL_COMPRESS_API int ars_lz4_writer_create(ars_lz4_writer **out, const ars_lz4_frame_opts *opts,
                                               ars_lz4_sink sink, void *sink_ctx,
                                               const ars_allocator *alloc);
ARSENAL_COMPRESS_API int ars_lz4_writer_write(ars_lz4_writer *w, const void *data, size_t n);
ARSENAL_COMPRESS_API int ars_lz4_writer_flush(ars_lz4_writer *w);
ARSENAL_COMPRESS_API int ars_lz4_writer_finish(ars_lz4_writer *w);
ARSENAL_COMPRESS_API void ars_lz4_writer_destroy(ars_lz4_writer *w);

/* Reader: pulls compressed bytes from a source and returns content. read
   returns the number of bytes stored in buf (> 0; cap must be > 0), 0 once
   the source ended after a complete frame, or an error. Concatenated and skippable frames
   are read through. max_block_size (0 = 4 MiB) rejects frames whose blocks
   are larger with ARS_EOVERFLOW, which bounds the reader's memory at about
   2 * max_block_size + 64 KiB. With cap at least the frame's block size
   (and independent blocks, the lz4 tool's default) a block is decoded
   straight into buf, one block per call, without a copy. Data decoded
   before an error is returned first; after an error (the source's, or
   corrupt input) every read returns ARS_ESTATE. The reader owns its source
   to the end: it reads ahead (up to 64 KiB past what it has decoded) and
   takes whatever follows the last frame as the start of another, so bytes
   that are not frames (the next request on a socket, say) must not follow
   on the same source: frame such a stream with ars_lz4_msg_*, or give the
   reader a source that ends where the frames do. */
typedef struct ars_lz4_reader ars_lz4_reader;
ARSENAL_COMPRESS_API int ars_lz4_reader_create(ars_lz4_reader **out, ars_lz4_source source,
                                               void *source_ctx, size_t max_block_size,
                                               const ars_allocator *alloc);
ARSENAL_COMPRESS_API int ars_lz4_reader_read(ars_lz4_reader *r, void *buf, size_t cap);
ARSENAL_COMPRESS_API void ars_lz4_reader_destroy(ars_lz4_reader *r);

/* Source to sink in one call; 0 on success. */
ARSENAL_COMPRESS_API int ars_lz4_compress_stream(ars_lz4_source in, void *in_ctx, ars_lz4_sink out,
                                                 void *out_ctx, const ars_lz4_frame_opts *opts,
                                                 const ars_allocator *alloc);
ARSENAL_COMPRESS_API int ars_lz4_decompress_stream(ars_lz4_source in, void *in_ctx, ars_lz4_sink out,
                                                   void *out_ctx, size_t max_block_size,
                                                   const ars_allocator *alloc);

/* >>msg -----------------------------------------------------------------
   One message = 16-byte header + payload, all integers little-endian:
     0  'A' 'Z'      magic           2  version (1)     3  flags (bit 0: LZ4
     payload, else stored; other bits 0)   4  payload size (u32)
     8  content size (u32)   12  XXH32 (seed 0) of bytes 0..11 and payload. */
#define ARS_LZ4_MSG_HEADER 16

typedef struct ars_lz4_msg_info {
    size_t message_size;   /* header + payload: bytes the message occupies */
    size_t content_size;   /* bytes it decodes to */
    int compressed;        /* 1 if the payload is LZ4, 0 if stored */
} ars_lz4_msg_info;

/* Largest message for n content bytes; 0 if n is too large for a message
   (more than ARS_LZ4_MAX_INPUT - ARS_LZ4_MSG_HEADER content bytes). */
ARSENAL_COMPRESS_API size_t ars_lz4_msg_bound(size_t n);
/* Encodes src as one message in dst; returns the message size or an error.
   Stores the content uncompressed when LZ4 would not make it smaller. */
ARSENAL_COMPRESS_API int ars_lz4_msg_encode(const void *src, size_t src_size, void *dst,
                                            size_t dst_cap, int level, const ars_allocator *alloc);
/* Reads the header at buf: ARS_EAGAIN if len < 16, ARS_ECORRUPT for a bad
   header, ARS_EOVERFLOW if the content exceeds max_size; else fills info and
   returns 0 (the payload need not be there yet: read info->message_size). */
ARSENAL_COMPRESS_API int ars_lz4_msg_peek(const void *buf, size_t len, size_t max_size,
                                          ars_lz4_msg_info *info);
/* Decodes the message at buf into dst. Returns the content size; ARS_EAGAIN
   if buf holds less than the whole message; ARS_ECORRUPT on a bad header,
   checksum or payload; ARS_EOVERFLOW if the content exceeds max_size or
   dst_cap. Bytes after the message are ignored (see ars_lz4_msg_peek). */
ARSENAL_COMPRESS_API int ars_lz4_msg_decode(const void *buf, size_t len, void *dst, size_t dst_cap,
                                            size_t max_size);

#ifdef __cplusplus
}
#endif
#endif /* ARSENAL_COMPRESS_H */

/* ======================================================================
   Implementation
   ====================================================================== */
#if defined(ARSENAL_IMPLEMENTATION) && !defined(ARSENAL_COMPRESS_IMPLEMENTATION)
#define ARSENAL_COMPRESS_IMPLEMENTATION
#endif

#ifdef ARSENAL_COMPRESS_IMPLEMENTATION
#ifndef ARSENAL_COMPRESS_IMPLEMENTATION_ONCE
#define ARSENAL_COMPRESS_IMPLEMENTATION_ONCE

#if defined(ARSENAL_MALLOC) != defined(ARSENAL_FREE)
#error "arsenal_compress.h: define both ARSENAL_MALLOC(size) and ARSENAL_FREE(ptr), or neither"
#endif
/* Private names, so that the defaults do not leak into other headers of a
   program that includes several with ARSENAL_IMPLEMENTATION. */
#ifdef ARSENAL_MALLOC
#define ARS__LZ4_MALLOC(size) ARSENAL_MALLOC(size)
#define ARS__LZ4_FREE(ptr) ARSENAL_FREE(ptr)
#else
#include <stdlib.h>
#define ARS__LZ4_MALLOC(size) malloc(size)
#define ARS__LZ4_FREE(ptr) free(ptr)
#endif

#include <string.h>
#include <limits.h>
#include <lz4.h>
#include <lz4hc.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#define ARS__LZ4_DEFINED_XXH_INLINE_ALL
#endif
#include <xxhash.h>
#ifdef ARS__LZ4_DEFINED_XXH_INLINE_ALL
#undef XXH_INLINE_ALL
#undef ARS__LZ4_DEFINED_XXH_INLINE_ALL
#endif

#ifdef ARSENAL_COMPRESS_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define ARS__LZ4_DEF static __attribute__((unused)) /* a TU may use only some */
#else
#define ARS__LZ4_DEF static
#endif
#else
#define ARS__LZ4_DEF
#endif
#define ARS__LZ4_CHECK(call) do { int ars__e_ = (call); if (ars__e_ < 0) return ars__e_; } while (0)

#define ARS__LZ4_FRAME_MAGIC  0x184D2204u
#define ARS__LZ4_SKIP_MAGIC   0x184D2A50u   /* ..0x184D2A5F */
#define ARS__LZ4_SKIP_MASK    0xFFFFFFF0u
#define ARS__LZ4_UNCOMPRESSED 0x80000000u
#define ARS__LZ4_DICT         65536
#define ARS__LZ4_MAX_HEADER   19             /* magic 4, FLG, BD, size 8, dictID 4, HC */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- small helpers ---- */
static uint32_t ars__lz4_rd32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void ars__lz4_wr32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}
static uint64_t ars__lz4_rd64(const unsigned char *p) {
    return (uint64_t)ars__lz4_rd32(p) | ((uint64_t)ars__lz4_rd32(p + 4) << 32);
}
static void ars__lz4_wr64(unsigned char *p, uint64_t v) {
    ars__lz4_wr32(p, (uint32_t)v); ars__lz4_wr32(p + 4, (uint32_t)(v >> 32));
}

/* Big buffers of the default allocator (Linux): a private mapping aligned
   to 2 MiB, its whole 2 MiB pieces advised MADV_HUGEPAGE (a hint: kernels
   with transparent huge pages off ignore it). A streaming reader or writer
   with 4 MiB blocks gets 8 MiB of fresh buffers per stream: as 4 KiB pages
   that is 2048 page faults on first touch, which took 10 us each on this
   project's VM (2.6x the whole decode of 32 MiB; bench/bench_compress.c's
   "to sink" rows), where a huge page is one fault. glibc's malloc maps
   such sizes anew per call too, so reusing the memory is not on offer
   there. The freeing side tells big from small by the size, as both sides
   pass the same one. */
#if defined(__SANITIZE_ADDRESS__)
#define ARS__LZ4_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARS__LZ4_ASAN 1
#endif
#endif
/* (not under ASan, which checks malloc's blocks but not private mappings) */
#if !defined(ARSENAL_MALLOC) && !defined(ARSENAL_COMPRESS_NO_HUGEPAGES) && defined(__linux__) && \
    !defined(ARS__LZ4_ASAN)
#include <sys/mman.h>
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
#define ARS__LZ4_HUGE ((size_t)2 << 20)
#endif
#endif
#ifdef ARS__LZ4_HUGE
/* whole 2 MiB pieces, so every address and length given to munmap is
   page-aligned whatever the page size (4, 16 or 64 KiB) */
static size_t ars__lz4_map_len(size_t n) { return (n + ARS__LZ4_HUGE - 1) & ~(ARS__LZ4_HUGE - 1); }
static void *ars__lz4_map(size_t n) {
    size_t len = ars__lz4_map_len(n), head, tail;
    unsigned char *p, *q;
    if (len < n || len + ARS__LZ4_HUGE < len) return NULL;   /* wrapped */
    p = (unsigned char *)mmap(NULL, len + ARS__LZ4_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                              -1, 0);
    if (p == (unsigned char *)MAP_FAILED) return NULL;
    q = (unsigned char *)(((uintptr_t)p + ARS__LZ4_HUGE - 1) & ~(uintptr_t)(ARS__LZ4_HUGE - 1));
    head = (size_t)(q - p);
    tail = ARS__LZ4_HUGE - head;
    if (head) munmap(p, head);
    if (tail) munmap(q + len, tail);
    (void)madvise(q, n & ~(ARS__LZ4_HUGE - 1), MADV_HUGEPAGE);   /* the partial tail stays small */
    return q;
}
#endif
static void *ars__lz4_alloc(const ars_allocator *a, size_t n) {
    if (a && a->alloc) return a->alloc(a->ctx, n, 16);
#ifdef ARS__LZ4_HUGE
    if (n >= ARS__LZ4_HUGE) return ars__lz4_map(n);
#endif
    return ARS__LZ4_MALLOC(n);
}
static void ars__lz4_free(const ars_allocator *a, void *p, size_t n) {
    if (!p) return;
    if (a && a->alloc) { if (a->free) a->free(a->ctx, p, n); return; }
#ifdef ARS__LZ4_HUGE
    if (n >= ARS__LZ4_HUGE) { munmap(p, ars__lz4_map_len(n)); return; }
#endif
    (void)n;
    ARS__LZ4_FREE(p);
}

static int ars__lz4_is_hc(int level) { return level >= LZ4HC_CLEVEL_MIN; }
static int ars__lz4_accel(int level) { return level < 0 ? (level < -65536 ? 65537 : 1 - level) : 1; }
static int ars__lz4_hc_level(int level) { return level > LZ4HC_CLEVEL_MAX ? LZ4HC_CLEVEL_MAX : level; }

/* XXH32 over data that may have left L1/L2 (a 4 MiB block is decoded whole
   before it can be hashed, and L2 is often smaller): xxhash's loop is bound
   by the multiplier (two multiplies per 4 bytes) and by load latency once
   the data is out of cache, so for long inputs hash 256-byte pieces while
   prefetching 4 KiB ahead, one line per 64 bytes hashed. Measured here on
   4 MiB blocks: +5% over 2 KiB bursts of prefetches, +50% over none; neutral
   on cache-hot 64 KiB blocks (bench/bench_compress.c). Same result as
   XXH32_update. */
#define ARS__LZ4_PF_PIECE 256
#define ARS__LZ4_PF_AHEAD 4096
static void ars__lz4_xxh_update(XXH32_state_t *st, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
#if defined(__GNUC__) || defined(__clang__)
    while (n > ARS__LZ4_PF_AHEAD + ARS__LZ4_PF_PIECE) {
        __builtin_prefetch(p + ARS__LZ4_PF_AHEAD);
        __builtin_prefetch(p + ARS__LZ4_PF_AHEAD + 64);
        __builtin_prefetch(p + ARS__LZ4_PF_AHEAD + 128);
        __builtin_prefetch(p + ARS__LZ4_PF_AHEAD + 192);
        XXH32_update(st, p, ARS__LZ4_PF_PIECE);
        p += ARS__LZ4_PF_PIECE; n -= ARS__LZ4_PF_PIECE;
    }
#endif
    XXH32_update(st, p, n);
}
static uint32_t ars__lz4_xxh(const void *data, size_t n) {
    XXH32_state_t st;
    if (n <= ARS__LZ4_PF_AHEAD + ARS__LZ4_PF_PIECE) return XXH32(data, n, 0);
    XXH32_reset(&st, 0);
    ars__lz4_xxh_update(&st, data, n);
    return XXH32_digest(&st);
}

/* >>block implementation */
ARS__LZ4_DEF size_t ars_lz4_compress_bound(size_t n) {
    if (n > (size_t)LZ4_MAX_INPUT_SIZE) return 0;
    return (size_t)LZ4_COMPRESSBOUND((int)n);
}

static int ars__lz4_clamp_cap(size_t cap) { return cap > (size_t)INT_MAX ? INT_MAX : (int)cap; }

ARS__LZ4_DEF size_t ars_lz4_state_size(int level) {
    return ars__lz4_is_hc(level) ? (size_t)LZ4_sizeofStateHC() : (size_t)LZ4_sizeofState();
}

ARS__LZ4_DEF int ars_lz4_compress_with_state(void *state, size_t state_size, const void *src,
                                             size_t src_size, void *dst, size_t dst_cap, int level) {
    int r;
    if (!state || state_size < ars_lz4_state_size(level) || ((uintptr_t)state & 7u)) return ARS_EINVAL;
    if ((!src && src_size) || !dst || src_size > (size_t)LZ4_MAX_INPUT_SIZE) return ARS_EINVAL;
    if (ars__lz4_is_hc(level))
        r = LZ4_compress_HC_extStateHC(state, (const char *)src, (char *)dst, (int)src_size,
                                       ars__lz4_clamp_cap(dst_cap), ars__lz4_hc_level(level));
    else
        r = LZ4_compress_fast_extState(state, (const char *)src, (char *)dst, (int)src_size,
                                       ars__lz4_clamp_cap(dst_cap), ars__lz4_accel(level));
    return r > 0 ? r : ARS_EOVERFLOW;
}

ARS__LZ4_DEF int ars_lz4_compress(const void *src, size_t src_size, void *dst, size_t dst_cap,
                                  int level, const ars_allocator *alloc) {
    int r;
    if ((!src && src_size) || !dst || src_size > (size_t)LZ4_MAX_INPUT_SIZE) return ARS_EINVAL;
    if (ars__lz4_is_hc(level)) {
        size_t sz = ars_lz4_state_size(level);
        void *st = ars__lz4_alloc(alloc, sz);
        if (!st) return ARS_ENOMEM;
        r = ars_lz4_compress_with_state(st, sz, src, src_size, dst, dst_cap, level);
        ars__lz4_free(alloc, st, sz);
        return r;
    }
    {
        /* the state on our stack, as LZ4_compress_fast keeps it by default:
           built with LZ4_HEAPMODE=1 (firmware) it would allocate instead,
           and report a failed allocation as "does not fit" */
        LZ4_stream_t st;
        r = LZ4_compress_fast_extState(&st, (const char *)src, (char *)dst, (int)src_size,
                                       ars__lz4_clamp_cap(dst_cap), ars__lz4_accel(level));
    }
    return r > 0 ? r : ARS_EOVERFLOW;
}

ARS__LZ4_DEF int ars_lz4_decompress(const void *src, size_t src_size, void *dst, size_t dst_cap) {
    int r;
    if ((!src && src_size) || (!dst && dst_cap)) return ARS_EINVAL;
    if (src_size > (size_t)INT_MAX) return ARS_ECORRUPT; /* no valid block is that long */
    if (src_size == 0) return ARS_ECORRUPT;
    r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_size, ars__lz4_clamp_cap(dst_cap));
    return r >= 0 ? r : ARS_ECORRUPT;
}

/* >>frame implementation */
typedef struct ars__lz4_fhdr {
    size_t block_size;
    int linked, block_checksum, content_checksum, has_size;
    uint64_t content_size;
    size_t header_size;
} ars__lz4_fhdr;

static int ars__lz4_bsid(size_t bs) {
    switch (bs) {
    case 0: case 4194304: return 7;
    case 1048576: return 6;
    case 262144: return 5;
    case 65536: return 4;
    default: return 0;
    }
}

/* Parses a frame header at p (n bytes available, starting at the magic).
   Returns 0 (h filled), ARS_EAGAIN if more bytes are needed, or an error. */
static int ars__lz4_parse_header(const unsigned char *p, size_t n, ars__lz4_fhdr *h) {
    unsigned flg, bd;
    size_t need = 7;
    if (n < 7) return ARS_EAGAIN;
    if (ars__lz4_rd32(p) != ARS__LZ4_FRAME_MAGIC) return ARS_ECORRUPT;
    flg = p[4]; bd = p[5];
    if ((flg >> 6) != 1 || (flg & 0x02) || (bd & 0x8F)) return ARS_ECORRUPT;
    if (((bd >> 4) & 7) < 4) return ARS_ECORRUPT;
    if (flg & 0x08) need += 8;
    if (flg & 0x01) need += 4;
    if (n < need) return ARS_EAGAIN;
    if (((XXH32(p + 4, need - 5, 0) >> 8) & 0xFF) != p[need - 1]) return ARS_ECORRUPT;
    if (flg & 0x01) return ARS_EINVAL; /* dictionary frames are not supported */
    h->block_size = (size_t)1 << (8 + 2 * ((bd >> 4) & 7));
    h->linked = !(flg & 0x20);
    h->block_checksum = (flg & 0x10) != 0;
    h->content_checksum = (flg & 0x04) != 0;
    h->has_size = (flg & 0x08) != 0;
    h->content_size = h->has_size ? ars__lz4_rd64(p + 6) : 0;
    h->header_size = need;
    return 0;
}

static int ars__lz4_check_opts(const ars_lz4_frame_opts *o) {
    if (!ars__lz4_bsid(o->block_size)) return ARS_EINVAL;
    return 0;
}

static size_t ars__lz4_write_header(unsigned char *p, const ars_lz4_frame_opts *o) {
    size_t n = 6;
    unsigned flg = 0x40;
    if (!o->linked) flg |= 0x20;
    if (o->block_checksum) flg |= 0x10;
    if (o->content_size) flg |= 0x08;
    if (o->content_checksum) flg |= 0x04;
    ars__lz4_wr32(p, ARS__LZ4_FRAME_MAGIC);
    p[4] = (unsigned char)flg;
    p[5] = (unsigned char)(ars__lz4_bsid(o->block_size) << 4);
    if (o->content_size) { ars__lz4_wr64(p + 6, o->content_size); n += 8; }
    p[n] = (unsigned char)((XXH32(p + 4, n - 4, 0) >> 8) & 0xFF);
    return n + 1;
}

static const ars_lz4_frame_opts ars__lz4_default_opts = ARS_LZ4_FRAME_OPTS_DEFAULT;

static ars_lz4_frame_opts ars__lz4_opts(const ars_lz4_frame_opts *o) {
    ars_lz4_frame_opts r = o ? *o : ars__lz4_default_opts;
    if (!r.block_size) r.block_size = 4194304;
    return r;
}

ARS__LZ4_DEF size_t ars_lz4_frame_bound(size_t n, const ars_lz4_frame_opts *opts) {
    ars_lz4_frame_opts o = ars__lz4_opts(opts);
    size_t blocks, per;
    if (ars__lz4_check_opts(&o) || n > (size_t)LZ4_MAX_INPUT_SIZE) return 0;
    blocks = n / o.block_size + 1;
    per = 4 + (o.block_checksum ? 4 : 0);
    /* a block is stored raw when LZ4 does not shrink it: <= block + header */
    return ARS__LZ4_MAX_HEADER + n + blocks * per + 4 + 4;
}

/* ---- writer ---- */
struct ars_lz4_writer {
    ars_lz4_frame_opts o;
    ars_lz4_sink sink;
    void *sink_ctx;
    ars_allocator alloc;
    int has_alloc;
    int failed;          /* an error happened: every call is ARS_ESTATE */
    int in_frame;        /* header sent */
    int dict_external;   /* linked: the stream's dictionary points at user memory */
    int history;         /* linked: a block went through the stream since its reset */
    uint64_t total;      /* content bytes in this frame */
    XXH32_state_t xxh;
    void *lz;            /* LZ4_stream_t or LZ4_streamHC_t */
    unsigned char *buf;  /* linked: [64 KiB dictionary | block ...]; else one block */
    size_t buf_cap;
    unsigned char *in;   /* where the block being gathered starts, in buf */
    size_t in_len;
    unsigned char *out;  /* block header + compressed block + checksum */
    size_t out_cap;
    size_t mem_size;
    void *mem;
};

static int ars__lz4_writer_reset_stream(ars_lz4_writer *w) {
    if (!w->o.linked) return 0;
    if (ars__lz4_is_hc(w->o.level)) LZ4_resetStreamHC_fast((LZ4_streamHC_t *)w->lz, ars__lz4_hc_level(w->o.level));
    else LZ4_resetStream_fast((LZ4_stream_t *)w->lz);
    w->in = w->buf;
    w->dict_external = 0;
    w->history = 0;
    return 0;
}

ARS__LZ4_DEF int ars_lz4_writer_create(ars_lz4_writer **out, const ars_lz4_frame_opts *opts,
                                       ars_lz4_sink sink, void *sink_ctx, const ars_allocator *alloc) {
    ars_lz4_frame_opts o = ars__lz4_opts(opts);
    size_t lzsize, total, off_lz, off_buf, off_out, buf_cap, out_cap;
    unsigned char *mem;
    ars_lz4_writer *w;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    if (!sink || ars__lz4_check_opts(&o)) return ARS_EINVAL;
    lzsize = ars__lz4_is_hc(o.level) ? (size_t)LZ4_sizeofStateHC() : (size_t)LZ4_sizeofState();
    buf_cap = o.block_size + (o.linked ? ARS__LZ4_DICT : 0);
    out_cap = 4 + (size_t)LZ4_COMPRESSBOUND((int)o.block_size) + 4;
    off_lz = (sizeof(ars_lz4_writer) + 63) & ~(size_t)63;
    off_buf = off_lz + ((lzsize + 63) & ~(size_t)63);
    off_out = off_buf + ((buf_cap + 63) & ~(size_t)63);
    total = off_out + out_cap;
    mem = (unsigned char *)ars__lz4_alloc(alloc, total);
    if (!mem) return ARS_ENOMEM;
    w = (ars_lz4_writer *)(void *)mem;
    memset(w, 0, sizeof *w);
    w->o = o;
    w->sink = sink; w->sink_ctx = sink_ctx;
    if (alloc) { w->alloc = *alloc; w->has_alloc = 1; }
    w->mem = mem; w->mem_size = total;
    w->lz = mem + off_lz;
    w->buf = mem + off_buf; w->buf_cap = buf_cap;
    w->out = mem + off_out; w->out_cap = out_cap;
    w->in = w->buf;
    if (ars__lz4_is_hc(o.level)) {
        if (!LZ4_initStreamHC(w->lz, lzsize)) { ars__lz4_free(alloc, mem, total); return ARS_EINVAL; }
        LZ4_resetStreamHC_fast((LZ4_streamHC_t *)w->lz, ars__lz4_hc_level(o.level));
    } else if (!LZ4_initStream(w->lz, lzsize)) { ars__lz4_free(alloc, mem, total); return ARS_EINVAL; }
    *out = w;
    return 0;
}

ARS__LZ4_DEF void ars_lz4_writer_destroy(ars_lz4_writer *w) {
    if (!w) return;
    ars__lz4_free(w->has_alloc ? &w->alloc : NULL, w->mem, w->mem_size);
}

static int ars__lz4_writer_fail(ars_lz4_writer *w, int err) { w->failed = 1; return err; }

static int ars__lz4_writer_start(ars_lz4_writer *w) {
    unsigned char hdr[ARS__LZ4_MAX_HEADER];
    size_t n;
    int r;
    if (w->in_frame) return 0;
    n = ars__lz4_write_header(hdr, &w->o);
    r = w->sink(w->sink_ctx, hdr, n);
    if (r < 0) return ars__lz4_writer_fail(w, r);
    w->in_frame = 1;
    w->total = 0;
    XXH32_reset(&w->xxh, 0);
    return 0;
}

/* Compresses one block of n bytes at src and sends it. */
static int ars__lz4_writer_block(ars_lz4_writer *w, const unsigned char *src, size_t n) {
    unsigned char *o = w->out + 4;
    int cap = (int)(w->out_cap - 8), c;
    size_t len;
    uint32_t word;
    if (w->o.linked) {
        if (ars__lz4_is_hc(w->o.level))
            c = LZ4_compress_HC_continue((LZ4_streamHC_t *)w->lz, (const char *)src, (char *)o, (int)n, cap);
        else
            c = LZ4_compress_fast_continue((LZ4_stream_t *)w->lz, (const char *)src, (char *)o, (int)n, cap,
                                           ars__lz4_accel(w->o.level));
    } else if (ars__lz4_is_hc(w->o.level)) {
        c = LZ4_compress_HC_extStateHC(w->lz, (const char *)src, (char *)o, (int)n, cap,
                                       ars__lz4_hc_level(w->o.level));
    } else {
        c = LZ4_compress_fast_extState(w->lz, (const char *)src, (char *)o, (int)n, cap,
                                       ars__lz4_accel(w->o.level));
    }
    if (c <= 0 || (size_t)c >= n) { /* no gain: store the block as it is */
        memcpy(o, src, n);
        len = n;
        word = (uint32_t)n | ARS__LZ4_UNCOMPRESSED;
    } else {
        len = (size_t)c;
        word = (uint32_t)c;
    }
    w->history = 1;
    ars__lz4_wr32(w->out, word);
    if (w->o.block_checksum) { ars__lz4_wr32(o + len, ars__lz4_xxh(o, len)); len += 4; }
    if (w->o.content_checksum) ars__lz4_xxh_update(&w->xxh, src, n);
    w->total += n;
    c = w->sink(w->sink_ctx, w->out, len + 4);
    if (c < 0) return ars__lz4_writer_fail(w, c);
    return 0;
}

/* Linked mode: keep the last 64 KiB of history at the start of buf. */
static void ars__lz4_writer_save_dict(ars_lz4_writer *w) {
    int d;
    if (!w->history) { /* nothing compressed since the reset: nothing to keep */
        w->in = w->buf;
        return;
    }
    if (ars__lz4_is_hc(w->o.level)) d = LZ4_saveDictHC((LZ4_streamHC_t *)w->lz, (char *)w->buf, ARS__LZ4_DICT);
    else d = LZ4_saveDict((LZ4_stream_t *)w->lz, (char *)w->buf, ARS__LZ4_DICT);
    w->in = w->buf + (d > 0 ? (size_t)d : 0);
    w->dict_external = 0;
}

ARS__LZ4_DEF int ars_lz4_writer_write(ars_lz4_writer *w, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    size_t bs;
    if (!w || (!data && n)) return ARS_EINVAL;
    if (w->failed) return ARS_ESTATE;
    bs = w->o.block_size;
    if (w->o.content_size && n > w->o.content_size - (w->in_frame ? w->total + w->in_len : 0))
        return ARS_EINVAL;
    if (n == 0) return 0;
    ARS__LZ4_CHECK(ars__lz4_writer_start(w));
    while (n) {
        if (w->in_len == 0 && n >= bs) {
            /* a whole block straight from the caller's memory */
            ARS__LZ4_CHECK(ars__lz4_writer_block(w, p, bs));
            if (w->o.linked) w->dict_external = 1;
            p += bs; n -= bs;
            continue;
        }
        if (w->o.linked && w->in_len == 0 && (w->dict_external || w->in + bs > w->buf + w->buf_cap))
            ars__lz4_writer_save_dict(w);
        {
            size_t take = bs - w->in_len;
            if (take > n) take = n;
            memcpy(w->in + w->in_len, p, take);
            w->in_len += take; p += take; n -= take;
        }
        if (w->in_len == bs) {
            ARS__LZ4_CHECK(ars__lz4_writer_block(w, w->in, bs));
            if (w->o.linked) w->in += bs;
            w->in_len = 0;
        }
    }
    if (w->dict_external) ars__lz4_writer_save_dict(w);
    return 0;
}

ARS__LZ4_DEF int ars_lz4_writer_flush(ars_lz4_writer *w) {
    if (!w) return ARS_EINVAL;
    if (w->failed) return ARS_ESTATE;
    if (!w->in_len) return 0;
    ARS__LZ4_CHECK(ars__lz4_writer_block(w, w->in, w->in_len));
    if (w->o.linked) w->in += w->in_len;
    w->in_len = 0;
    return 0;
}

ARS__LZ4_DEF int ars_lz4_writer_finish(ars_lz4_writer *w) {
    unsigned char tail[8];
    size_t n = 4;
    int r;
    if (!w) return ARS_EINVAL;
    if (w->failed) return ARS_ESTATE;
    ARS__LZ4_CHECK(ars__lz4_writer_start(w));
    ARS__LZ4_CHECK(ars_lz4_writer_flush(w));
    if (w->o.content_size && w->total != w->o.content_size) return ars__lz4_writer_fail(w, ARS_EINVAL);
    ars__lz4_wr32(tail, 0);
    if (w->o.content_checksum) { ars__lz4_wr32(tail + 4, XXH32_digest(&w->xxh)); n = 8; }
    r = w->sink(w->sink_ctx, tail, n);
    if (r < 0) return ars__lz4_writer_fail(w, r);
    w->in_frame = 0;
    ars__lz4_writer_reset_stream(w);
    return 0;
}

/* ---- buffer to buffer ---- */
/* Compresses straight from src into dst: no staging buffers, and linked
   blocks use src itself as their history. */
ARS__LZ4_DEF int ars_lz4_frame_compress(const void *src, size_t src_size, void *dst, size_t dst_cap,
                                        const ars_lz4_frame_opts *opts) {
    ars_lz4_frame_opts o = ars__lz4_opts(opts);
    const unsigned char *s = (const unsigned char *)src;
    unsigned char *d = (unsigned char *)dst, *p;
    size_t off = 0, tail, extra, hc_size = 0;
    LZ4_stream_t fast;
    void *hc = NULL;
    XXH32_state_t xxh;
    int hc_mode = ars__lz4_is_hc(o.level), r = 0;
    if ((!src && src_size) || !dst || src_size > (size_t)LZ4_MAX_INPUT_SIZE) return ARS_EINVAL;
    if (ars__lz4_check_opts(&o) || (o.content_size && o.content_size != src_size)) return ARS_EINVAL;
    if (dst_cap > (size_t)INT_MAX) dst_cap = (size_t)INT_MAX;
    tail = 4 + (o.content_checksum ? 4 : 0);   /* end mark + content checksum */
    {
        unsigned char hdr[ARS__LZ4_MAX_HEADER];
        size_t hn = ars__lz4_write_header(hdr, &o);
        if (dst_cap < hn + tail) return ARS_EOVERFLOW;
        memcpy(d, hdr, hn);
        p = d + hn;
    }
    extra = 4 + (o.block_checksum ? 4 : 0);    /* per block: size word + checksum */
    if (hc_mode) {
        hc_size = (size_t)LZ4_sizeofStateHC();
        hc = ars__lz4_alloc(NULL, hc_size);
        if (!hc) return ARS_ENOMEM;
        LZ4_initStreamHC(hc, hc_size);
        LZ4_resetStreamHC_fast((LZ4_streamHC_t *)hc, ars__lz4_hc_level(o.level));
    } else {
        LZ4_initStream(&fast, sizeof fast);
    }
    if (o.content_checksum) XXH32_reset(&xxh, 0);
    while (off < src_size) {
        size_t k = src_size - off < o.block_size ? src_size - off : o.block_size;
        size_t room = (size_t)(d + dst_cap - p), len;
        const char *in = (const char *)s + off;
        char *op = (char *)p + 4;
        int c, cap;
        if (room < extra + tail) { r = ARS_EOVERFLOW; break; }
        room -= extra + tail;
        /* with room for the worst case LZ4 runs unchecked (faster); else it
           may use what is left, and only a gain is worth keeping */
        if (room >= (size_t)LZ4_COMPRESSBOUND((int)k)) cap = LZ4_COMPRESSBOUND((int)k);
        else cap = (int)(room < k - 1 ? room : k - 1);
        /* lz4.h calls a stream undefined after a _continue call that ran out
           of room; liblz4's own frame code (LZ4F_makeBlock) calls it with
           srcSize - 1 bytes of room and goes on with the stream when a block
           does not shrink, as we do here: the input is in the stream's
           history either way (test_frame_linked_tight checks it) */
        if (cap <= 0) c = 0;
        else if (o.linked && hc_mode) c = LZ4_compress_HC_continue((LZ4_streamHC_t *)hc, in, op, (int)k, cap);
        else if (o.linked) c = LZ4_compress_fast_continue(&fast, in, op, (int)k, cap, ars__lz4_accel(o.level));
        else if (hc_mode) c = LZ4_compress_HC_extStateHC(hc, in, op, (int)k, cap, ars__lz4_hc_level(o.level));
        else c = LZ4_compress_fast_extState(&fast, in, op, (int)k, cap, ars__lz4_accel(o.level));
        if (c <= 0 || (size_t)c >= k) {
            if (k > room) { r = ARS_EOVERFLOW; break; }
            memcpy(op, in, k);
            ars__lz4_wr32(p, (uint32_t)k | ARS__LZ4_UNCOMPRESSED);
            len = k;
        } else {
            ars__lz4_wr32(p, (uint32_t)c);
            len = (size_t)c;
        }
        if (o.block_checksum) ars__lz4_wr32((unsigned char *)op + len, ars__lz4_xxh(op, len));
        if (o.content_checksum) ars__lz4_xxh_update(&xxh, in, k);
        p += len + extra;
        off += k;
    }
    if (hc) ars__lz4_free(NULL, hc, hc_size);
    if (r < 0) return r;
    ars__lz4_wr32(p, 0);
    if (o.content_checksum) ars__lz4_wr32(p + 4, XXH32_digest(&xxh));
    p += tail;
    return (int)(p - d);
}

/* Decodes one block (compressed or stored) of `size` bytes at src into dst
   (room for cap bytes), with `dict` bytes of history right before dst. */
static int ars__lz4_decode_block(const unsigned char *src, size_t size, int raw, unsigned char *dst,
                                 size_t cap, size_t dict) {
    int r;
    if (raw) {
        if (size > cap) return ARS_EOVERFLOW;
        memcpy(dst, src, size);
        return (int)size;
    }
    if (size == 0) return ARS_ECORRUPT;
    if (dict)
        r = LZ4_decompress_safe_usingDict((const char *)src, (char *)dst, (int)size, (int)cap,
                                          (const char *)dst - dict, (int)dict);
    else
        r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)size, (int)cap);
    return r < 0 ? ARS_ECORRUPT : r;
}

ARS__LZ4_DEF int ars_lz4_frame_decompress(const void *src, size_t src_size, void *dst, size_t dst_cap) {
    const unsigned char *p = (const unsigned char *)src, *end;
    unsigned char none, *d = (unsigned char *)dst;
    size_t total = 0;
    int frames = 0;
    if ((!src && src_size) || (!dst && dst_cap)) return ARS_EINVAL;
    if (!d) d = &none; /* dst_cap is 0: nothing is written, but d + total must be defined */
    if (dst_cap > (size_t)INT_MAX) dst_cap = (size_t)INT_MAX;
    end = p + src_size;
    while (p < end) {
        ars__lz4_fhdr h;
        size_t start = total;
        XXH32_state_t xxh;
        uint32_t magic;
        int r;
        if ((size_t)(end - p) < 4) return ARS_ECORRUPT;
        magic = ars__lz4_rd32(p);
        if ((magic & ARS__LZ4_SKIP_MASK) == ARS__LZ4_SKIP_MAGIC) {
            uint32_t skip;
            if ((size_t)(end - p) < 8) return ARS_ECORRUPT;
            skip = ars__lz4_rd32(p + 4);
            if ((size_t)(end - p) - 8 < skip) return ARS_ECORRUPT;
            p += 8 + (size_t)skip;
            frames++;
            continue;
        }
        r = ars__lz4_parse_header(p, (size_t)(end - p), &h);
        if (r == ARS_EAGAIN) return ARS_ECORRUPT;
        if (r < 0) return r;
        if (h.has_size && h.content_size > dst_cap - total) return ARS_EOVERFLOW;
        p += h.header_size;
        if (h.content_checksum) XXH32_reset(&xxh, 0);
        for (;;) {
            uint32_t word, size;
            size_t room, dict;
            if ((size_t)(end - p) < 4) return ARS_ECORRUPT;
            word = ars__lz4_rd32(p); p += 4;
            if (word == 0) break;
            size = word & ~ARS__LZ4_UNCOMPRESSED;
            if (size > h.block_size) return ARS_ECORRUPT;
            if ((size_t)(end - p) < (size_t)size + (h.block_checksum ? 4 : 0)) return ARS_ECORRUPT;
            if (h.block_checksum && ars__lz4_xxh(p, size) != ars__lz4_rd32(p + size)) return ARS_ECORRUPT;
            room = dst_cap - total;
            if (room > h.block_size) room = h.block_size;
            /* with a content size (checked above to fit), a block that
               decodes past it is corrupt, stored or compressed */
            if (h.has_size && room > h.content_size - (total - start))
                room = (size_t)(h.content_size - (total - start));
            dict = h.linked ? total - start : 0;
            if (dict > ARS__LZ4_DICT) dict = ARS__LZ4_DICT;
            r = ars__lz4_decode_block(p, size, (word & ARS__LZ4_UNCOMPRESSED) != 0, d + total, room, dict);
            if (r == ARS_EOVERFLOW && h.has_size) r = ARS_ECORRUPT;
            if (r == ARS_ECORRUPT && room < h.block_size && !h.has_size) {
                /* corrupt, or simply bigger than what is left of dst? It
                   does not fit if its first `room` bytes decode. (With a
                   content size, checked above to fit, it is corrupt.) */
                int part;
                if (!dict)
                    part = LZ4_decompress_safe_partial((const char *)p, (char *)d + total, (int)size,
                                                       (int)room, (int)room);
#if LZ4_VERSION_NUMBER >= 10904
                else
                    part = LZ4_decompress_safe_partial_usingDict((const char *)p, (char *)d + total, (int)size,
                                                                 (int)room, (int)room,
                                                                 (const char *)d + total - dict, (int)dict);
#else
                else
                    part = (int)room; /* liblz4 < 1.9.4 cannot tell: say it does not fit */
#endif
                if (part == (int)room) return ARS_EOVERFLOW;
            }
            if (r < 0) return r;
            if (h.content_checksum) ars__lz4_xxh_update(&xxh, d + total, (size_t)r);
            total += (size_t)r;
            p += size + (h.block_checksum ? 4 : 0);
        }
        if (h.has_size && total - start != h.content_size) return ARS_ECORRUPT;
        if (h.content_checksum) {
            if ((size_t)(end - p) < 4) return ARS_ECORRUPT;
            if (XXH32_digest(&xxh) != ars__lz4_rd32(p)) return ARS_ECORRUPT;
            p += 4;
        }
        frames++;
    }
    if (!frames) return ARS_ECORRUPT;
    return (int)total;
}

/* ---- reader ---- */
struct ars_lz4_reader {
    ars_lz4_source source;
    void *source_ctx;
    ars_allocator alloc;
    int has_alloc;
    int failed, eof, frames, in_frame;
    size_t max_block;
    ars__lz4_fhdr h;
    XXH32_state_t xxh;
    uint64_t frame_total;
    unsigned char *in;   /* compressed bytes: in[in_pos..in_len) unread */
    size_t in_pos, in_len, in_cap;
    unsigned char *out;  /* decoded: out[out_pos..out_len) not yet returned */
    size_t out_pos, out_len, out_cap;
    uint64_t skip;       /* bytes of a skippable frame still to drop */
};

ARS__LZ4_DEF int ars_lz4_reader_create(ars_lz4_reader **out, ars_lz4_source source, void *source_ctx,
                                       size_t max_block_size, const ars_allocator *alloc) {
    ars_lz4_reader *r;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    if (!source) return ARS_EINVAL;
    if (max_block_size == 0 || max_block_size > 4194304) max_block_size = 4194304;
    r = (ars_lz4_reader *)ars__lz4_alloc(alloc, sizeof *r);
    if (!r) return ARS_ENOMEM;
    memset(r, 0, sizeof *r);
    r->source = source; r->source_ctx = source_ctx;
    if (alloc) { r->alloc = *alloc; r->has_alloc = 1; }
    r->max_block = max_block_size;
    *out = r;
    return 0;
}

ARS__LZ4_DEF void ars_lz4_reader_destroy(ars_lz4_reader *r) {
    const ars_allocator *a;
    if (!r) return;
    a = r->has_alloc ? &r->alloc : NULL;
    ars__lz4_free(a, r->in, r->in_cap);
    ars__lz4_free(a, r->out, r->out_cap);
    {
        ars_allocator copy = r->alloc;
        int has = r->has_alloc;
        ars__lz4_free(has ? &copy : NULL, r, sizeof *r);
    }
}

/* Makes at least `need` unread bytes available in r->in (need <= in_cap).
   Returns 1 if they are there, 0 if the source ended first, or an error.
   Reads ahead at most ARS__LZ4_AHEAD past what a large block needs, so the
   part of the next block that must move to the front of r->in is small
   (filling the whole buffer moved about half a block each time). */
#define ARS__LZ4_AHEAD 65536
static int ars__lz4_fill(ars_lz4_reader *r, size_t need) {
    while (r->in_len - r->in_pos < need) {
        size_t want, missing;
        int got;
        if (r->eof) return 0;
        if (r->in_pos && r->in_pos == r->in_len) r->in_pos = r->in_len = 0;
        if (r->in_cap - r->in_pos < need) {
            memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
            r->in_len -= r->in_pos; r->in_pos = 0;
        }
        want = r->in_cap - r->in_len;
        missing = need - (r->in_len - r->in_pos);
        if (want > missing + ARS__LZ4_AHEAD) want = missing + ARS__LZ4_AHEAD;
        got = r->source(r->source_ctx, r->in + r->in_len, want);
        if (got < 0) return got;
        if ((size_t)got > want) return ARS_EINVAL;
        if (got == 0) r->eof = 1;
        r->in_len += (size_t)got;
    }
    return 1;
}

static int ars__lz4_reader_buffers(ars_lz4_reader *r) {
    const ars_allocator *a = r->has_alloc ? &r->alloc : NULL;
    size_t in_need = r->h.block_size + 8, out_need = r->h.block_size + (r->h.linked ? ARS__LZ4_DICT : 0);
    if (r->in_cap < in_need) {
        unsigned char *n = (unsigned char *)ars__lz4_alloc(a, in_need);
        if (!n) return ARS_ENOMEM;
        memcpy(n, r->in + r->in_pos, r->in_len - r->in_pos);
        ars__lz4_free(a, r->in, r->in_cap);
        r->in_len -= r->in_pos; r->in_pos = 0;
        r->in = n; r->in_cap = in_need;
    }
    if (r->out_cap < out_need) {
        unsigned char *n = (unsigned char *)ars__lz4_alloc(a, out_need);
        if (!n) return ARS_ENOMEM;
        ars__lz4_free(a, r->out, r->out_cap);
        r->out = n; r->out_cap = out_need;
    }
    r->out_pos = r->out_len = 0;
    return 0;
}

/* Decodes the next block into out[out_pos..out_len), or, when `direct` has
   room for a whole block of an independent-block frame, straight into
   direct (*direct_len = its size, out left empty): the caller's buffer then
   receives the data without a copy through out. Returns 1 if a block is
   there, 0 at a clean end of input, or an error. */
static int ars__lz4_reader_next(ars_lz4_reader *r, unsigned char *direct, size_t direct_cap,
                                size_t *direct_len) {
    for (;;) {
        int k;
        if (!r->in_frame) {
            uint32_t magic;
            if (!r->in) { /* first use: room for any frame header */
                const ars_allocator *a = r->has_alloc ? &r->alloc : NULL;
                r->in = (unsigned char *)ars__lz4_alloc(a, 4096);
                if (!r->in) return ARS_ENOMEM;
                r->in_cap = 4096;
            }
            while (r->skip) {
                size_t have = r->in_len - r->in_pos, drop;
                if (!have) {
                    k = ars__lz4_fill(r, 1);
                    if (k <= 0) return k < 0 ? k : ARS_ECORRUPT;
                    continue;
                }
                drop = have < r->skip ? have : (size_t)r->skip;
                r->in_pos += drop; r->skip -= drop;
            }
            k = ars__lz4_fill(r, 4);
            if (k < 0) return k;
            if (k == 0) {
                if (r->in_len - r->in_pos == 0 && r->frames) return 0;
                return ARS_ECORRUPT;
            }
            magic = ars__lz4_rd32(r->in + r->in_pos);
            if ((magic & ARS__LZ4_SKIP_MASK) == ARS__LZ4_SKIP_MAGIC) {
                k = ars__lz4_fill(r, 8);
                if (k <= 0) return k < 0 ? k : ARS_ECORRUPT;
                r->skip = ars__lz4_rd32(r->in + r->in_pos + 4);
                r->in_pos += 8;
                r->frames++;
                continue;
            }
            k = ars__lz4_fill(r, 7);
            if (k <= 0) return k < 0 ? k : ARS_ECORRUPT;
            k = ars__lz4_parse_header(r->in + r->in_pos, r->in_len - r->in_pos, &r->h);
            if (k == ARS_EAGAIN) {
                k = ars__lz4_fill(r, ARS__LZ4_MAX_HEADER);
                if (k < 0) return k;
                k = ars__lz4_parse_header(r->in + r->in_pos, r->in_len - r->in_pos, &r->h);
                if (k == ARS_EAGAIN) return ARS_ECORRUPT;
            }
            if (k < 0) return k;
            if (r->h.block_size > r->max_block) return ARS_EOVERFLOW;
            r->in_pos += r->h.header_size;
            ARS__LZ4_CHECK(ars__lz4_reader_buffers(r));
            XXH32_reset(&r->xxh, 0);
            r->frame_total = 0;
            r->in_frame = 1;
        }
        {
            uint32_t word, size;
            size_t pos, dict;
            int raw;
            k = ars__lz4_fill(r, 4);
            if (k <= 0) return k < 0 ? k : ARS_ECORRUPT;
            word = ars__lz4_rd32(r->in + r->in_pos);
            if (word == 0) {
                r->in_pos += 4;
                if (r->h.has_size && r->frame_total != r->h.content_size) return ARS_ECORRUPT;
                if (r->h.content_checksum) {
                    k = ars__lz4_fill(r, 4);
                    if (k <= 0) return k < 0 ? k : ARS_ECORRUPT;
                    if (XXH32_digest(&r->xxh) != ars__lz4_rd32(r->in + r->in_pos)) return ARS_ECORRUPT;
                    r->in_pos += 4;
                }
                r->in_frame = 0;
                r->frames++;
                continue;
            }
            size = word & ~ARS__LZ4_UNCOMPRESSED;
            raw = (word & ARS__LZ4_UNCOMPRESSED) != 0;
            if (size > r->h.block_size) return ARS_ECORRUPT;
            k = ars__lz4_fill(r, 4 + (size_t)size + (r->h.block_checksum ? 4 : 0));
            if (k <= 0) return k < 0 ? k : ARS_ECORRUPT;
            r->in_pos += 4;
            if (r->h.block_checksum &&
                ars__lz4_xxh(r->in + r->in_pos, size) != ars__lz4_rd32(r->in + r->in_pos + size))
                return ARS_ECORRUPT;
            if (direct && !r->h.linked && direct_cap >= r->h.block_size) {
                k = ars__lz4_decode_block(r->in + r->in_pos, size, raw, direct, r->h.block_size, 0);
                if (k < 0) return k == ARS_EOVERFLOW ? ARS_ECORRUPT : k;
                r->in_pos += size + (r->h.block_checksum ? 4 : 0);
                if (r->h.content_checksum) ars__lz4_xxh_update(&r->xxh, direct, (size_t)k);
                r->frame_total += (uint64_t)k;
                if (r->h.has_size && r->frame_total > r->h.content_size) return ARS_ECORRUPT;
                r->out_pos = r->out_len = 0;
                *direct_len = (size_t)k;
                if (k > 0) return 1;
                continue;
            }
            /* where to decode: linked blocks follow their history in out */
            pos = 0; dict = 0;
            if (r->h.linked) {
                pos = r->out_len;
                if (pos + r->h.block_size > r->out_cap) {
                    size_t keep = pos < ARS__LZ4_DICT ? pos : ARS__LZ4_DICT;
                    memmove(r->out, r->out + pos - keep, keep);
                    pos = keep;
                }
                dict = pos < ARS__LZ4_DICT ? pos : ARS__LZ4_DICT;
            }
            k = ars__lz4_decode_block(r->in + r->in_pos, size, raw, r->out + pos, r->h.block_size, dict);
            if (k < 0) return k == ARS_EOVERFLOW ? ARS_ECORRUPT : k;
            r->in_pos += size + (r->h.block_checksum ? 4 : 0);
            if (r->h.content_checksum) ars__lz4_xxh_update(&r->xxh, r->out + pos, (size_t)k);
            r->frame_total += (uint64_t)k;
            if (r->h.has_size && r->frame_total > r->h.content_size) return ARS_ECORRUPT;
            r->out_pos = pos;
            r->out_len = pos + (size_t)k;
            if (k > 0) return 1;
        }
    }
}

ARS__LZ4_DEF int ars_lz4_reader_read(ars_lz4_reader *r, void *buf, size_t cap) {
    unsigned char *b = (unsigned char *)buf;
    size_t done = 0;
    if (!r || !buf || !cap) return ARS_EINVAL; /* 0 must only ever mean "end" */
    if (r->failed) return ARS_ESTATE;
    if (cap > (size_t)INT_MAX) cap = (size_t)INT_MAX;
    while (done < cap) {
        size_t avail = r->out_len - r->out_pos;
        if (avail == 0) {
            size_t direct = 0;
            int k;
            if (done) break; /* return what we have rather than block on the source */
            k = ars__lz4_reader_next(r, b, cap, &direct);
            if (k < 0) { r->failed = 1; return k; }
            if (k == 0) break;
            if (direct) return (int)direct; /* decoded straight into buf */
            continue;
        }
        if (avail > cap - done) avail = cap - done;
        memcpy(b + done, r->out + r->out_pos, avail);
        r->out_pos += avail; done += avail;
    }
    return (int)done;
}

/* ---- source to sink ---- */
ARS__LZ4_DEF int ars_lz4_compress_stream(ars_lz4_source in, void *in_ctx, ars_lz4_sink out, void *out_ctx,
                                         const ars_lz4_frame_opts *opts, const ars_allocator *alloc) {
    ars_lz4_frame_opts o = ars__lz4_opts(opts);
    ars_lz4_writer *w;
    unsigned char *chunk;
    size_t cap;
    int r = 0;
    if (!in || !out) return ARS_EINVAL;
    if (ars__lz4_check_opts(&o)) return ARS_EINVAL;
    cap = o.block_size;
    chunk = (unsigned char *)ars__lz4_alloc(alloc, cap);
    if (!chunk) return ARS_ENOMEM;
    r = ars_lz4_writer_create(&w, &o, out, out_ctx, alloc);
    if (r < 0) { ars__lz4_free(alloc, chunk, cap); return r; }
    for (;;) {
        size_t len = 0;
        int got = 1;
        while (len < cap) { /* gather a whole block so it compresses in place */
            got = in(in_ctx, chunk + len, cap - len);
            if (got <= 0) break;
            if ((size_t)got > cap - len) { got = ARS_EINVAL; break; }
            len += (size_t)got;
        }
        if (got < 0) { r = got; break; }
        if (len) { r = ars_lz4_writer_write(w, chunk, len); if (r < 0) break; }
        if (got == 0) { r = ars_lz4_writer_finish(w); break; }
    }
    ars_lz4_writer_destroy(w);
    ars__lz4_free(alloc, chunk, cap);
    return r < 0 ? r : 0;
}

ARS__LZ4_DEF int ars_lz4_decompress_stream(ars_lz4_source in, void *in_ctx, ars_lz4_sink out, void *out_ctx,
                                           size_t max_block_size, const ars_allocator *alloc) {
    ars_lz4_reader *r;
    int k;
    if (!in || !out) return ARS_EINVAL;
    ARS__LZ4_CHECK(ars_lz4_reader_create(&r, in, in_ctx, max_block_size, alloc));
    for (;;) {
        k = ars__lz4_reader_next(r, NULL, 0, NULL);
        if (k <= 0) break;
        k = out(out_ctx, r->out + r->out_pos, r->out_len - r->out_pos);
        if (k < 0) break;
        r->out_pos = r->out_len;
    }
    ars_lz4_reader_destroy(r);
    return k < 0 ? k : 0;
}

/* >>msg implementation */
#define ARS__LZ4_MSG_VERSION 1

ARS__LZ4_DEF size_t ars_lz4_msg_bound(size_t n) {
    /* the limit encode and peek enforce, not the block codec's */
    if (n > (size_t)LZ4_MAX_INPUT_SIZE - ARS_LZ4_MSG_HEADER) return 0;
    return ARS_LZ4_MSG_HEADER + ars_lz4_compress_bound(n);
}

ARS__LZ4_DEF int ars_lz4_msg_encode(const void *src, size_t src_size, void *dst, size_t dst_cap, int level,
                                    const ars_allocator *alloc) {
    unsigned char *d = (unsigned char *)dst;
    size_t payload;
    int compressed = 0;
    XXH32_state_t xxh;
    if ((!src && src_size) || !dst || src_size > (size_t)LZ4_MAX_INPUT_SIZE - ARS_LZ4_MSG_HEADER) return ARS_EINVAL;
    if (dst_cap < ARS_LZ4_MSG_HEADER) return ARS_EOVERFLOW;
    if (dst_cap > (size_t)INT_MAX) dst_cap = (size_t)INT_MAX;
    payload = src_size;
    if (src_size) {
        /* compress only if it saves space: give LZ4 at most src_size - 1 */
        size_t room = dst_cap - ARS_LZ4_MSG_HEADER;
        int c;
        if (room > src_size - 1) room = src_size - 1;
        c = room ? ars_lz4_compress(src, src_size, d + ARS_LZ4_MSG_HEADER, room, level, alloc) : ARS_EOVERFLOW;
        if (c == ARS_ENOMEM || c == ARS_EINVAL) return c;
        if (c > 0) { payload = (size_t)c; compressed = 1; }
    }
    if (!compressed) {
        if (dst_cap - ARS_LZ4_MSG_HEADER < src_size) return ARS_EOVERFLOW;
        if (src_size) memcpy(d + ARS_LZ4_MSG_HEADER, src, src_size);
    }
    d[0] = 'A'; d[1] = 'Z'; d[2] = ARS__LZ4_MSG_VERSION; d[3] = (unsigned char)compressed;
    ars__lz4_wr32(d + 4, (uint32_t)payload);
    ars__lz4_wr32(d + 8, (uint32_t)src_size);
    XXH32_reset(&xxh, 0);
    XXH32_update(&xxh, d, 12);
    XXH32_update(&xxh, d + ARS_LZ4_MSG_HEADER, payload);
    ars__lz4_wr32(d + 12, XXH32_digest(&xxh));
    return (int)(ARS_LZ4_MSG_HEADER + payload);
}

ARS__LZ4_DEF int ars_lz4_msg_peek(const void *buf, size_t len, size_t max_size, ars_lz4_msg_info *info) {
    const unsigned char *p = (const unsigned char *)buf;
    uint32_t payload, content;
    if ((!buf && len) || !info) return ARS_EINVAL;
    if (len < ARS_LZ4_MSG_HEADER) return ARS_EAGAIN;
    if (p[0] != 'A' || p[1] != 'Z' || p[2] != ARS__LZ4_MSG_VERSION || (p[3] & ~1u)) return ARS_ECORRUPT;
    payload = ars__lz4_rd32(p + 4);
    content = ars__lz4_rd32(p + 8);
    if (content > (uint32_t)LZ4_MAX_INPUT_SIZE - ARS_LZ4_MSG_HEADER) return ARS_ECORRUPT;
    if (p[3] & 1) {
        if (payload == 0 || payload >= content) return ARS_ECORRUPT;
    } else if (payload != content) return ARS_ECORRUPT;
    if ((size_t)content > max_size) return ARS_EOVERFLOW;
    info->message_size = ARS_LZ4_MSG_HEADER + (size_t)payload;
    info->content_size = content;
    info->compressed = p[3] & 1;
    return 0;
}

ARS__LZ4_DEF int ars_lz4_msg_decode(const void *buf, size_t len, void *dst, size_t dst_cap, size_t max_size) {
    const unsigned char *p = (const unsigned char *)buf;
    ars_lz4_msg_info info;
    size_t payload;
    XXH32_state_t xxh;
    int r;
    if (!dst && dst_cap) return ARS_EINVAL;
    ARS__LZ4_CHECK(ars_lz4_msg_peek(buf, len, max_size, &info));
    if (info.content_size > dst_cap) return ARS_EOVERFLOW;
    if (len < info.message_size) return ARS_EAGAIN;
    payload = info.message_size - ARS_LZ4_MSG_HEADER;
    XXH32_reset(&xxh, 0);
    XXH32_update(&xxh, p, 12);
    XXH32_update(&xxh, p + ARS_LZ4_MSG_HEADER, payload);
    if (XXH32_digest(&xxh) != ars__lz4_rd32(p + 12)) return ARS_ECORRUPT;
    if (!info.compressed) {
        if (payload) memcpy(dst, p + ARS_LZ4_MSG_HEADER, payload);
        return (int)payload;
    }
    r = LZ4_decompress_safe((const char *)p + ARS_LZ4_MSG_HEADER, (char *)dst, (int)payload, (int)info.content_size);
    if (r < 0 || (size_t)r != info.content_size) return ARS_ECORRUPT;
    return r;
}

#ifdef __cplusplus
}
#endif

#undef ARS__LZ4_DEF
#undef ARS__LZ4_CHECK
#undef ARS__LZ4_FRAME_MAGIC
#undef ARS__LZ4_SKIP_MAGIC
#undef ARS__LZ4_SKIP_MASK
#undef ARS__LZ4_UNCOMPRESSED
#undef ARS__LZ4_DICT
#undef ARS__LZ4_MAX_HEADER
#undef ARS__LZ4_MSG_VERSION
#undef ARS__LZ4_AHEAD
#undef ARS__LZ4_PF_PIECE
#undef ARS__LZ4_PF_AHEAD
#undef ARS__LZ4_MALLOC
#undef ARS__LZ4_FREE
#undef ARS__LZ4_HUGE
#undef ARS__LZ4_ASAN

#endif /* ARSENAL_COMPRESS_IMPLEMENTATION_ONCE */
#endif /* ARSENAL_COMPRESS_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
MIT License

Copyright (c) 2026 Arsenal contributors

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/
