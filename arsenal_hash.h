/* arsenal_hash.h - v0.1.0 - hashing on xxhash.h and a Swiss-table hash map/set

   Part of Arsenal, single-header C libraries. Needs xxhash.h (Debian package
   libxxhash-dev; header only) where the implementation is compiled.

   In exactly one .c file:

       #define ARSENAL_HASH_IMPLEMENTATION    // or ARSENAL_IMPLEMENTATION
       #include "arsenal_hash.h"

   Everywhere else just #include "arsenal_hash.h".

   CONFIGURATION (define before the #include; defaults in brackets)
     ARSENAL_HASH_API        storage class of the library functions [extern]
     ARSENAL_HASH_STATIC     make every library function static (one TU) [off]
     ARSENAL_ASSERT(c)       not used by this header (the implementation defines
                             it as assert(c), or nothing if freestanding, when unset)
     ARSENAL_MALLOC(n)       default allocation for maps without an allocator [malloc]
     ARSENAL_FREE(p)         must be defined together with ARSENAL_MALLOC [free]
     ARSENAL_REALLOC(p, n)   optional; lets a large table grow in place [realloc,
                             or none when ARSENAL_MALLOC is defined without it]
     ARSENAL_HASH_FREESTANDING  no libc beyond memcpy/memset/memcmp; the seed
                             is fixed; maps need an allocator or ARSENAL_MALLOC
                             [off; ARSENAL_FREESTANDING also turns it on]
     ARSENAL_HASH_SEED       fixed 64-bit seed: hashing and iteration order become
                             reproducible [a random seed per process; also
                             settable at run time with ars_hash_set_seed()]
     ARSENAL_HASH_XXHASH_H   the xxhash header to include, e.g. <xxhash.h> or
                             "third_party/xxhash.h" ["xxhash.h"]
     ARSENAL_HASH_USE_SSE2, ARSENAL_HASH_USE_NEON, ARSENAL_HASH_USE_SWAR
                             force the group-probing code [SSE2 on x86 with SSE2,
                             NEON on AArch64, portable 64-bit SWAR elsewhere]
     ARSENAL_HASH_MAX_PROBE  groups an insert may probe before the hash counts
                             as broken (reseed, then ARS_EOVERFLOW) [64]
     ARSENAL_HASH_INPLACE_BYTES  tables at least this large grow in place with
                             realloc (peak memory = new table only) [1048576;
                             0 = never]
     ARSENAL_HASH_PREFETCH_BYTES  in tables larger than this, a lookup asks for
                             its home group's next cache lines along with its
                             control bytes (faster hits, a little slower misses)
                             [2097152; (size_t)-1 = never]

   EXAMPLE

       #define ARSENAL_HASH_IMPLEMENTATION
       #include "arsenal_hash.h"
       #include <stdio.h>

       static uint64_t u64_hash(uint64_t k, uint64_t seed) { return ars_hash_u64(k, seed); }
       static int u64_eq(uint64_t a, uint64_t b) { return a == b; }
       ARS_MAP_DEFINE(u64map, uint64_t, uint64_t, u64_hash, u64_eq)

       int main(void) {
           u64map m; size_t i;
           u64map_init(&m, NULL);                  // NULL: malloc/free
           if (u64map_put(&m, 42, 1) < 0) return 1; // 1 inserted, 0 assigned, <0 ARS_E*
           uint64_t *v = u64map_get(&m, 42);        // NULL when absent
           for (i = u64map_begin(&m); i != u64map_end(&m); i = u64map_next(&m, i))
               if (*u64map_val(&m, i) == 1) u64map_erase_at(&m, i);   // safe here
           printf("%d %zu\n", v != NULL, u64map_size(&m));
           u64map_deinit(&m);
           return 0;
       }

   API (>>api)
     Hashing: ars_hash64 (XXH3-64), ars_hash128 (XXH3-128), ars_hash_xxh64,
       streaming ars_hash_stream_init/update/digest64/digest128, integer mixers
       ars_hash_u64/u32/ptr (inline), ars_hash_seed, ars_hash_set_seed.
     Maps and sets are generated per type by macros (see >>generators):
       ARS_MAP_DECLARE(name, K, V)                       types + prototypes
       ARS_MAP_IMPLEMENT(name, K, V, hashfn, eqfn)       definitions (one .c)
       ARS_MAP_DEFINE(name, K, V, hashfn, eqfn)          both, static, one TU
       ARS_SET_DECLARE/IMPLEMENT/DEFINE(name, K[, hashfn, eqfn])
       ARS_MAP_CACHED_* / ARS_SET_CACHED_*  the same, storing each key's 64-bit
         hash beside it: growth never rereads key bytes and unequal keys are
         rejected on the hash (use for string keys).
       hashfn: uint64_t hashfn(K key, uint64_t seed)  (use the seed!)
       eqfn:   int eqfn(K a, K b)       (functions or function-like macros)
     Generated for a map `name` (a set has no V and no put/emplace/val):
       void name_init(name *m, const ars_allocator *a)   a: NULL = default
       void name_deinit(name *m)                          frees; m reusable after init
       int  name_insert(name *m, K k, V v)   1 inserted, 0 present (unchanged), <0 error
       int  name_put(name *m, K k, V v)      1 inserted, 0 assigned, <0 error
       int  name_emplace(name *m, K k, V **out)  1 inserted (*out zeroed), 0 present
       V   *name_get(const name *m, K k)     NULL when absent
       int  name_contains(const name *m, K k)
       size_t name_find(const name *m, K k)  position, or name_end(m)
       int  name_erase(name *m, K k)         1 erased, 0 absent
       void name_erase_at(name *m, size_t i)
       size_t name_size(const name *m), name_capacity(const name *m)  (slots)
       int  name_reserve(name *m, size_t n)  room for n without rehash (but a
                                             reseed for a bad hash); 0 or <0
       void name_clear(name *m)              keeps the memory; the reseed budget
                                             (see THE TABLE) starts over
       int  name_shrink(name *m)             smallest table for the current size
       size_t name_begin(m), name_next(m, i), name_end(m): positions of the
       elements; const K *name_key(m, i); V *name_val(m, i)
     String keys: ars_str {ptr, len} with ars_str_n, ars_str_c, ars_str_hash,
       ars_str_eq; the map stores the ars_str, not the bytes (keep them alive).

   ITERATION AND ERASE: erasing never moves elements, so inside a loop over
   begin/next you may erase the current element (name_erase_at(m, i)) or any
   other key and continue with name_next(m, i). Inserting during iteration may
   rehash: restart the loop after it. Pointers from get/val/key stay valid until
   the next insert, reserve, shrink or deinit.

   THE TABLE: open addressing over groups of 15 slots (7 with SWAR), each with
   16 (8) control bytes: one per slot holding 8 bits of the hash, and an
   overflow byte that records which hash classes had to move past the group
   when it was full (the boost::unordered_flat_map idea; code written here). A
   lookup compares one group of control bytes at a time (SSE2, NEON or SWAR)
   and stops at the first group whose overflow bit for its class is clear, so
   a miss reads ~1.0 groups at half load and ~1.6 at the maximum load, and
   erase needs no tombstones. Each group's control bytes sit right before its
   slots in one block (256 bytes per group for 16-byte slots, group 0 aligned
   to 64): a hit reads the control line and a slot line of the same page,
   often neighbours, where a separate control array costs a second far access;
   a miss in a large table pays for it, its control line being spread over the
   whole table instead of a compact array (see docs/BENCHMARKS.md: at 1e7,
   hits ~0.7x abseil's time, misses 1.2-1.6x; at 1e6, where abseil's 2 MiB
   of control bytes still fit the caches, misses ~2.3x). Maximum load 14/15
   (7/8 with SWAR); capacity doubles. Tables of at least ARSENAL_HASH_INPLACE_BYTES
   grow in place with realloc and an in-place rehash (abseil's drop-deletes
   walk), so growing needs no second table: peak memory at 1e7 uint64 pairs
   is ~0.63x abseil's.
   Erases in overflowed groups do not give their room back until the next
   rebuild, so insert/erase churn cannot pile up stale overflow bits.

   BAD HASHES: an insert that has to probe more than ARSENAL_HASH_MAX_PROBE
   groups rehashes the table with a new seed (at most 4 times per table) and
   then fails with ARS_EOVERFLOW; the table never grows because of it. With a
   constant hash function about MAX_PROBE*15 keys fit before inserts fail;
   lookups then visit at most that many groups.

   PLATFORMS: any C99 or C++11 compiler; SSE2 on x86/x86_64, NEON on AArch64,
   SWAR (8-byte groups) elsewhere; tested on x86_64, i686, aarch64, armhf,
   riscv64 Linux, Windows (mingw-w64) and Cortex-M firmware.

   LIMITS: keys and values aligned to more than 16 bytes (__m256d, a struct
   with _Alignas(64)) are aligned as they ask, at the price of padding in
   each group (slots start alignof bytes into it). A table holds at most SIZE_MAX / 64 bytes: no limit
   that matters on 64-bit targets, but 64 MiB on 32-bit ones (3.2 to 3.7
   million uint64 pairs, SWAR or SSE2), past which inserts and reserve fail
   with ARS_ENOMEM.

   CAVEATS: not thread-safe (one writer, or many readers). Call
   ars_hash_set_seed() before other threads use the library. xxhash.h 0.8.1
   includes <stdlib.h>, <string.h> and <limits.h> even in freestanding builds
   (only memcpy is used): the toolchain needs a libc's headers (newlib,
   picolibc --specs=picolibc.specs). The integer mixers are
   fast, not cryptographic: with the random seed they resist casual flooding,
   not a determined attacker who can read hash timings. Iteration order depends
   on the seed; a fixed seed (ARSENAL_HASH_SEED) makes it reproducible. The
   macros that generate maps use a few private macros (ARS__HASH_*), so those
   stay defined after the header.
*/
#ifndef ARSENAL_HASH_H
#define ARSENAL_HASH_H

#define ARSENAL_HASH_VERSION_MAJOR 0
#define ARSENAL_HASH_VERSION_MINOR 1
#define ARSENAL_HASH_VERSION_PATCH 0

#if defined(ARSENAL_MALLOC) && !defined(ARSENAL_FREE)
#error "arsenal_hash.h: ARSENAL_MALLOC is defined without ARSENAL_FREE; define both"
#endif
#if defined(ARSENAL_FREE) && !defined(ARSENAL_MALLOC)
#error "arsenal_hash.h: ARSENAL_FREE is defined without ARSENAL_MALLOC; define both"
#endif
#if defined(ARSENAL_FREESTANDING) && !defined(ARSENAL_HASH_FREESTANDING)
#define ARSENAL_HASH_FREESTANDING
#endif

#ifndef ARSENAL_HASH_API
#ifdef ARSENAL_HASH_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define ARSENAL_HASH_API static __attribute__((unused))
#else
#define ARSENAL_HASH_API static
#endif
#else
#define ARSENAL_HASH_API extern
#endif
#endif

#ifndef ARSENAL_HASH_MAX_PROBE
#define ARSENAL_HASH_MAX_PROBE 64
#endif
#ifndef ARSENAL_HASH_INPLACE_BYTES
#define ARSENAL_HASH_INPLACE_BYTES 1048576
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

/* ------------------------------------------------------------------ >>platform */
/* These private macros are used by the generator macros, hence stay defined. */
#ifdef ARSENAL_HASH_FREESTANDING
#if defined(__GNUC__) || defined(__clang__)
#define ARS__HASH_MEMCPY(d, s, n) __builtin_memcpy((d), (s), (n))
#define ARS__HASH_MEMMOVE(d, s, n) __builtin_memmove((d), (s), (n))
#define ARS__HASH_MEMSET(d, c, n) __builtin_memset((d), (c), (n))
#define ARS__HASH_MEMCMP(a, b, n) __builtin_memcmp((a), (b), (n))
#else
#include <string.h>
#define ARS__HASH_MEMCPY(d, s, n) memcpy((d), (s), (n))
#define ARS__HASH_MEMMOVE(d, s, n) memmove((d), (s), (n))
#define ARS__HASH_MEMSET(d, c, n) memset((d), (c), (n))
#define ARS__HASH_MEMCMP(a, b, n) memcmp((a), (b), (n))
#endif
#else
#include <string.h>
#define ARS__HASH_MEMCPY(d, s, n) memcpy((d), (s), (n))
#define ARS__HASH_MEMMOVE(d, s, n) memmove((d), (s), (n))
#define ARS__HASH_MEMSET(d, c, n) memset((d), (c), (n))
#define ARS__HASH_MEMCMP(a, b, n) memcmp((a), (b), (n))
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ARS__HASH_UNUSED __attribute__((unused))
#define ARS__HASH_LIKELY(x) __builtin_expect(!!(x), 1)
#define ARS__HASH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ARS__HASH_NOINLINE __attribute__((noinline))
#define ARS__HASH_FORCEINLINE static inline __attribute__((always_inline, unused))
#define ARS__HASH_PREFETCH(p) __builtin_prefetch((p))
#else
#define ARS__HASH_PREFETCH(p) ((void)(p))
#define ARS__HASH_UNUSED
#define ARS__HASH_LIKELY(x) (x)
#define ARS__HASH_UNLIKELY(x) (x)
#define ARS__HASH_NOINLINE
#if defined(_MSC_VER)
#define ARS__HASH_FORCEINLINE static __forceinline
#else
#define ARS__HASH_FORCEINLINE static inline
#endif
#endif

/* Which group-probing code is compiled (HAVE) and which one maps use (GROUP). */
#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define ARS__HASH_HAVE_SSE2 1
#endif
#if (defined(__aarch64__) && defined(__ARM_NEON)) || defined(_M_ARM64)
#define ARS__HASH_HAVE_NEON 1
#endif
#if defined(ARSENAL_HASH_USE_SWAR)
#define ARS__HASH_GROUP swar
#elif defined(ARSENAL_HASH_USE_SSE2)
#ifndef ARS__HASH_HAVE_SSE2
#error "arsenal_hash.h: ARSENAL_HASH_USE_SSE2 needs an x86 target with SSE2 (-msse2); or use ARSENAL_HASH_USE_SWAR"
#endif
#define ARS__HASH_GROUP sse2
#elif defined(ARSENAL_HASH_USE_NEON)
#ifndef ARS__HASH_HAVE_NEON
#error "arsenal_hash.h: ARSENAL_HASH_USE_NEON needs AArch64 with NEON; or use ARSENAL_HASH_USE_SWAR"
#endif
#define ARS__HASH_GROUP neon
#elif defined(ARS__HASH_HAVE_SSE2)
#define ARS__HASH_GROUP sse2
#elif defined(ARS__HASH_HAVE_NEON)
#define ARS__HASH_GROUP neon
#else
#define ARS__HASH_GROUP swar
#endif

#ifdef ARS__HASH_HAVE_SSE2
#include <emmintrin.h>
#endif
#ifdef ARS__HASH_HAVE_NEON
#include <arm_neon.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- >>api */
typedef struct ars_hash128_t { uint64_t lo, hi; } ars_hash128_t;

/* One-shot hashes of a byte buffer (XXH3 64/128 and XXH64, with a seed). */
ARSENAL_HASH_API uint64_t ars_hash64(const void *data, size_t len, uint64_t seed);
ARSENAL_HASH_API ars_hash128_t ars_hash128(const void *data, size_t len, uint64_t seed);
ARSENAL_HASH_API uint64_t ars_hash_xxh64(const void *data, size_t len, uint64_t seed);

/* Streaming: init, update any number of times, digest (digest does not end
   the stream; update may continue). A stream may not be copied with memcpy
   while in use (the xxhash state inside is aligned by address). */
typedef enum ars_hash_algo { ARS_HASH_XXH3_64 = 0, ARS_HASH_XXH3_128 = 1, ARS_HASH_XXH64 = 2 } ars_hash_algo;
#define ARS_HASH_STREAM_BYTES 768
typedef struct ars_hash_stream {
    union { unsigned char bytes[ARS_HASH_STREAM_BYTES]; uint64_t align_; } u;
    int algo;
} ars_hash_stream;
ARSENAL_HASH_API int ars_hash_stream_init(ars_hash_stream *s, ars_hash_algo algo, uint64_t seed);
ARSENAL_HASH_API int ars_hash_stream_update(ars_hash_stream *s, const void *data, size_t len);
/* digest64: XXH3_64 or XXH64 (an XXH3_128 stream gives the low 64 bits of
   its 128-bit hash, which is not XXH3_64 of the same input) */
ARSENAL_HASH_API uint64_t ars_hash_stream_digest64(const ars_hash_stream *s);
ARSENAL_HASH_API ars_hash128_t ars_hash_stream_digest128(const ars_hash_stream *s); /* XXH3_128; 64-bit algos: hi = 0 */

/* The process seed: random on first use (fixed with ARSENAL_HASH_SEED, in
   freestanding builds, or after ars_hash_set_seed). Maps mix it with their own
   address unless the seed is fixed. */
ARSENAL_HASH_API uint64_t ars_hash_seed(void);
ARSENAL_HASH_API void ars_hash_set_seed(uint64_t seed);

/* Used by generated map code; not for direct use. */
ARSENAL_HASH_API uint64_t ars_map__seed(const void *map);
ARSENAL_HASH_API void *ars_map__alloc(const ars_allocator *a, size_t size);
ARSENAL_HASH_API void ars_map__free(const ars_allocator *a, void *p, size_t size);
ARSENAL_HASH_API void *ars_map__realloc(const ars_allocator *a, void *p, size_t old_size, size_t size);
ARSENAL_HASH_API int ars_map__can_realloc(const ars_allocator *a);

/* Integer mixers: 64x64->128 multiply folded; fast, good low and high bits. */
static inline uint64_t ars_hash_mix(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
    __uint128_t p = (__uint128_t)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
#else
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return lo ^ hi;
#endif
}
static inline uint64_t ars_hash_u64(uint64_t x, uint64_t seed) {
    return ars_hash_mix(x ^ seed, 0x9e3779b97f4a7c15ull);
}
static inline uint64_t ars_hash_u32(uint32_t x, uint64_t seed) { return ars_hash_u64((uint64_t)x, seed); }
static inline uint64_t ars_hash_ptr(const void *p, uint64_t seed) { return ars_hash_u64((uint64_t)(uintptr_t)p, seed); }

/* String keys: the map stores this pair; the bytes stay the caller's. */
typedef struct ars_str { const char *ptr; size_t len; } ars_str;
static inline ars_str ars_str_n(const char *p, size_t n) { ars_str s; s.ptr = p; s.len = n; return s; }
static inline ars_str ars_str_c(const char *p) { size_t n = 0; while (p[n]) n++; return ars_str_n(p, n); }
ARSENAL_HASH_API uint64_t ars_str_hash(ars_str s, uint64_t seed);
static inline int ars_str_eq(ars_str a, ars_str b) {
    return a.len == b.len && (a.len == 0 || ARS__HASH_MEMCMP(a.ptr, b.ptr, a.len) == 0);
}

/* ------------------------------------------------------------------- >>group */
/* Table layout. Slots come in groups of W-1 (15 with SSE2/NEON, 7 with SWAR),
   each with W control bytes: one per slot (0 empty, 1 "to do" during an
   in-place rehash, 2..255 full: the low byte of the key's hash) and one
   overflow byte whose bit (hash >> 8) & 7 is set when a key of that class
   had to move past the group because it was full (the idea of
   boost::unordered_flat_map). A lookup stops at the first group whose
   overflow bit for its class is clear, so a miss rarely reads a second group
   even at high load, and erase needs no tombstones. Groups are probed
   triangularly (1, 2, 3... groups apart), which visits every group. */
#define ARS__HASH_EMPTY 0
#define ARS__HASH_TODO 1

static ARS__HASH_UNUSED const unsigned char ars__hash_empty_group[16] = { 0 };

static inline unsigned ars__hash_ctz(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) { x >>= 1; n++; }
    return n;
#endif
}
/* Control byte of a hash (2..255), its overflow class bit, its home group. */
static inline unsigned ars__hash_h2(uint64_t h) { unsigned v = (unsigned)(h & 0xff); return v < 2 ? v + 2 : v; }
static inline unsigned ars__hash_ovf(uint64_t h) { return 1u << ((unsigned)(h >> 8) & 7u); }
#define ARS__HASH_HOME(h, gmask) ((size_t)((h) >> 11) & (gmask))

/* Per backend: W (group bytes), L = log2(W), SHIFT (mask bits per slot =
   1 << SHIFT, slot index = ctz(mask) >> SHIFT), M (mask of the W-1 slots),
   and match(c, v): the slots of the group at c whose control byte is v. */
#ifdef ARS__HASH_HAVE_SSE2
#define ARS__HASH_G_sse2_W 16
#define ARS__HASH_G_sse2_L 4
#define ARS__HASH_G_sse2_SHIFT 0
#define ARS__HASH_G_sse2_M 0x7fffull
static inline uint64_t ars__g_sse2_match(const unsigned char *c, unsigned v) {
    __m128i g = _mm_loadu_si128((const __m128i *)(const void *)c);
    return (uint64_t)((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(g, _mm_set1_epi8((char)v))) & 0x7fffu);
}
#endif

#ifdef ARS__HASH_HAVE_NEON
#define ARS__HASH_G_neon_W 16
#define ARS__HASH_G_neon_L 4
#define ARS__HASH_G_neon_SHIFT 2
#define ARS__HASH_G_neon_M 0x0888888888888888ull
static inline uint64_t ars__g_neon_match(const unsigned char *c, unsigned v) {
    /* 0xff/0x00 per byte, narrowed to one nibble per byte, one bit kept. */
    uint8x16_t eq = vceqq_u8(vld1q_u8(c), vdupq_n_u8((uint8_t)v));
    uint8x8_t n = vshrn_n_u16(vreinterpretq_u16_u8(eq), 4);
    return vget_lane_u64(vreinterpret_u64_u8(n), 0) & 0x0888888888888888ull;
}
#endif

/* SWAR: 8 control bytes in a uint64_t, little-endian order; exact matches. */
#define ARS__HASH_G_swar_W 8
#define ARS__HASH_G_swar_L 3
#define ARS__HASH_G_swar_SHIFT 3
#define ARS__HASH_G_swar_M 0x0080808080808080ull
static inline uint64_t ars__g_swar_match(const unsigned char *c, unsigned v) {
    uint64_t x, t;
    ARS__HASH_MEMCPY(&x, c, 8);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    x ^= 0x0101010101010101ull * v;                 /* matching bytes become 0 */
    t = (x & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full;
    return ~(t | x | 0x7f7f7f7f7f7f7f7full) & 0x0080808080808080ull;
}

#define ARS__HASH_CAT_(a, b) a##b
#define ARS__HASH_CAT(a, b) ARS__HASH_CAT_(a, b)
#define ARS__HASH_GF_(b) ars__g_##b##_match
#define ARS__HASH_MATCH(b) ARS__HASH_GF_(b)
#define ARS__HASH_GW_(b) ARS__HASH_G_##b##_W
#define ARS__HASH_GW(b) ARS__HASH_GW_(b)
#define ARS__HASH_GL_(b) ARS__HASH_G_##b##_L
#define ARS__HASH_GL(b) ARS__HASH_GL_(b)
#define ARS__HASH_GS_(b) ARS__HASH_G_##b##_SHIFT
#define ARS__HASH_GS(b) ARS__HASH_GS_(b)
#define ARS__HASH_GM_(b) ARS__HASH_G_##b##_M
#define ARS__HASH_GM(b) ARS__HASH_GM_(b)

/* Most elements a table of cap slots in groups of w bytes holds: 14 per
   15-slot group (14/15), 7/8 with SWAR's 7-slot groups. 14 per group is
   abseil's 7/8 of 16 slots in the same memory (about 17 bytes a slot,
   control included, for 16-byte slots), so tables double where abseil's
   do; at 7/8, tables of 13.1 to 14 x 2^k elements would double early, to
   twice abseil's memory. Near that load a miss reads ~1.6 groups (a
   simulation of this insert policy: 1.2 at 7/8), at half the load ~1.0. */
static inline size_t ars__hash_max_load(size_t cap, size_t w) { return cap - cap / (w >= 16 ? 15 : 8); }
#define ARS__HASH_ML(b, cap) ars__hash_max_load((cap), ARS__HASH_GW(b))
/* Smallest power-of-two group count whose slots (w-1 each) hold n at the
   maximum load; 0 when n == 0 or the table would be absurdly large. */
static inline size_t ars__hash_groups_for(size_t n, size_t w) {
    size_t g = 1;
    if (n == 0) return 0;
    while (ars__hash_max_load(g * (w - 1), w) < n) {
        if (g > ((size_t)-1) / 64 / w) return 0;
        g *= 2;
    }
    return g;
}
/* Memory layout: one block of groups, each W control bytes followed by its
   W-1 slots at offset 16, so a lookup's control bytes and slot share a page
   and often a cache line pair. Group 0 is aligned to ARS__HASH_BALIGN; the
   block has BALIGN - 1 spare bytes for that, whatever the allocator's own
   alignment (glibc's malloc gives only 8 on 32-bit ARM). A slot type S
   aligned to more than 16 (a key or value with _Alignas(32), say) puts its
   slots at offset alignof(S), rounds the stride up to it, and aligns group 0
   to it when that exceeds BALIGN: every slot is then aligned as S asks. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define ARS__HASH_ALIGNOF(T) alignof(T)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define ARS__HASH_ALIGNOF(T) _Alignof(T)
#elif defined(__GNUC__) || defined(__clang__)
#define ARS__HASH_ALIGNOF(T) __alignof__(T)
#elif defined(_MSC_VER)
#define ARS__HASH_ALIGNOF(T) __alignof(T)
#else
#define ARS__HASH_ALIGNOF(T) offsetof(struct { char c_; T t_; }, t_)
#endif
#ifndef ARSENAL_HASH_PREFETCH_BYTES
#define ARSENAL_HASH_PREFETCH_BYTES (2u << 20)
#endif
#ifndef ARS__HASH_BALIGN
#define ARS__HASH_BALIGN 64
#endif
/* slot offset in a group and unit of the stride: 16, or alignof(S) above */
#define ARS__HASH_SALIGN(S) (ARS__HASH_ALIGNOF(S) > 16 ? (size_t)ARS__HASH_ALIGNOF(S) : (size_t)16)
#define ARS__HASH_STRIDE(B, S) ((2 * ARS__HASH_SALIGN(S) - 1 + (ARS__HASH_GW(B) - 1) * sizeof(S)) & ~(ARS__HASH_SALIGN(S) - 1))
/* alignment of group 0 */
#define ARS__HASH_GALIGN(S) (ARS__HASH_ALIGNOF(S) > ARS__HASH_BALIGN ? (size_t)ARS__HASH_ALIGNOF(S) : (size_t)ARS__HASH_BALIGN)

#ifdef __cplusplus
}
#endif

/* -------------------------------------------------------------- >>generators */
/* Slot layouts. CACHE 0: key (+ value); CACHE 1: also the key's full hash. */
#define ARS__HASH_SLOTM_0(K, V) K key; V val;
#define ARS__HASH_SLOTM_1(K, V) K key; V val; uint64_t hash;
#define ARS__HASH_SLOTS_0(K, V) K key;
#define ARS__HASH_SLOTS_1(K, V) K key; uint64_t hash;
/* Hash of a stored slot: cached or recomputed. */
#define ARS__HASH_OF_0(hashfn, s, seed) hashfn((s)->key, (seed))
#define ARS__HASH_OF_1(hashfn, s, seed) ((s)->hash)
#define ARS__HASH_STORE_0(s, h) ((void)0)
#define ARS__HASH_STORE_1(s, h) ((s)->hash = (h))
#define ARS__HASH_PRE_0(s, h) 1
#define ARS__HASH_PRE_1(s, h) ((s)->hash == (h))

#define ARS__HASH_TABLE_STRUCT(name, SLOTM)                                        \
    typedef struct name##_slot { SLOTM } name##_slot;                              \
    typedef struct name {                                                          \
        unsigned char *ctrl;  /* group 0; a group is W control bytes, then */      \
                              /* its W-1 slots (a static empty group if none) */   \
        void *block;          /* the allocation (NULL when empty) */               \
        size_t boff;          /* ctrl - block: 0 .. GALIGN - 1 */                    \
        size_t gmask;         /* groups - 1 */                                     \
        size_t nctrl;         /* groups * W, 0 when empty: the end position */     \
        size_t cap, size, growth_left;                                             \
        uint64_t seed;                                                             \
        ars_allocator alloc;                                                       \
        unsigned reseeds;                                                          \
    } name;

#define ARS__HASH_TABLE_PROTOS(name, K, LINK)                                      \
    LINK void name##_init(name *m, const ars_allocator *a);                        \
    LINK void name##_deinit(name *m);                                              \
    LINK size_t name##_find(const name *m, K key);                                 \
    LINK int name##_contains(const name *m, K key);                                \
    LINK int name##_erase(name *m, K key);                                         \
    LINK void name##_erase_at(name *m, size_t i);                                  \
    LINK size_t name##_size(const name *m);                                        \
    LINK size_t name##_capacity(const name *m);                                    \
    LINK int name##_reserve(name *m, size_t n);                                    \
    LINK void name##_clear(name *m);                                               \
    LINK int name##_shrink(name *m);                                               \
    LINK size_t name##_begin(const name *m);                                       \
    LINK size_t name##_next(const name *m, size_t i);                              \
    LINK size_t name##_end(const name *m);                                         \
    LINK const K *name##_key(const name *m, size_t i);                             \
    LINK int name##__slot_for_insert(name *m, K key, size_t *out);

/* The table core: lookup, insert, erase, resize, iteration. Positions are
   group * W + slot index; B = backend (sse2, neon, swar); C = cache flag 0/1. */
#define ARS__HASH_TABLE_IMPL(name, K, hashfn, eqfn, LINK, B, C)                    \
    static ARS__HASH_UNUSED void name##__set_empty(name *m) {                      \
        m->ctrl = (unsigned char *)ars__hash_empty_group; m->block = NULL; m->boff = 0; \
        m->gmask = 0; m->nctrl = 0; m->cap = 0; m->size = 0; m->growth_left = 0;   \
    }                                                                              \
    LINK void name##_init(name *m, const ars_allocator *a) {                       \
        name##__set_empty(m);                                                      \
        m->seed = ars_map__seed(m); m->reseeds = 0;                                \
        if (a) m->alloc = *a; else { m->alloc.alloc = NULL; m->alloc.free = NULL; m->alloc.ctx = NULL; } \
    }                                                                              \
    /* A block of G groups, with room to align group 0 to ARS__HASH_GALIGN. */     \
    static ARS__HASH_UNUSED size_t name##__bytes(size_t groups) {                  \
        return groups * ARS__HASH_STRIDE(B, name##_slot) + ARS__HASH_GALIGN(name##_slot) - 1; \
    }                                                                              \
    static ARS__HASH_UNUSED unsigned char *name##__align(void *p) {                \
        return (unsigned char *)p + (((uintptr_t)0 - (uintptr_t)p) & (uintptr_t)(ARS__HASH_GALIGN(name##_slot) - 1)); \
    }                                                                              \
    ARS__HASH_FORCEINLINE unsigned char *name##__grp(const name *m, size_t g) {    \
        return m->ctrl + g * ARS__HASH_STRIDE(B, name##_slot);                     \
    }                                                                              \
    ARS__HASH_FORCEINLINE name##_slot *name##__gslot(unsigned char *c, size_t j) { \
        return (name##_slot *)(void *)(c + ARS__HASH_SALIGN(name##_slot) + j * sizeof(name##_slot)); \
    }                                                                              \
    ARS__HASH_FORCEINLINE name##_slot *name##__slot(const name *m, size_t pos) {   \
        return name##__gslot(name##__grp(m, pos >> ARS__HASH_GL(B)), pos & (ARS__HASH_GW(B) - 1)); \
    }                                                                              \
    LINK void name##_deinit(name *m) {                                             \
        if (m->block) ars_map__free(&m->alloc, m->block, name##__bytes(m->gmask + 1)); \
        name##__set_empty(m);                                                      \
    }                                                                              \
    /* A hit reads its group's control line, then its slot's line. In a          \
       table larger than ARSENAL_HASH_PREFETCH_BYTES the next lines of the         \
       home group (up to 256 bytes of it: all of a group of 16-byte slots)         \
       are asked for at once, so that read seldom waits for the control            \
       bytes; a miss reads only the control line and pays the bandwidth.          \
       Smaller tables sit in the caches, where the second line costs little. */    \
    ARS__HASH_FORCEINLINE void name##__prefetch(const name *m, const unsigned char *c) { \
        if (m->gmask + 1 <= (size_t)ARSENAL_HASH_PREFETCH_BYTES / ARS__HASH_STRIDE(B, name##_slot)) return; \
        if (ARS__HASH_STRIDE(B, name##_slot) > 64) ARS__HASH_PREFETCH(c + 64);     \
        if (ARS__HASH_STRIDE(B, name##_slot) > 128) ARS__HASH_PREFETCH(c + 128);   \
        if (ARS__HASH_STRIDE(B, name##_slot) > 192) ARS__HASH_PREFETCH(c + 192);   \
    }                                                                              \
    /* The slot holding key, or NULL; *pg, *pj: its group and index. */            \
    ARS__HASH_FORCEINLINE name##_slot *name##__lookup(const name *m, K key, size_t *pg, size_t *pj) { \
        const uint64_t h = hashfn(key, m->seed);                                   \
        const unsigned h2 = ars__hash_h2(h), ovf = ars__hash_ovf(h);               \
        size_t g = ARS__HASH_HOME(h, m->gmask), step = 0;                          \
        name##__prefetch(m, name##__grp(m, g));                                    \
        for (;;) {                                                                 \
            unsigned char *c = name##__grp(m, g);                                  \
            uint64_t mk = ARS__HASH_MATCH(B)(c, h2);                               \
            while (mk) {                                                           \
                size_t j = ars__hash_ctz(mk) >> ARS__HASH_GS(B);                   \
                name##_slot *s = name##__gslot(c, j);                              \
                if (ARS__HASH_CAT(ARS__HASH_PRE_, C)(s, h) && eqfn(s->key, key)) { *pg = g; *pj = j; return s; } \
                mk &= mk - 1;                                                      \
            }                                                                      \
            if (ARS__HASH_LIKELY(!(c[ARS__HASH_GW(B) - 1] & ovf)) || step >= m->gmask) \
                return NULL;                                                       \
            step++;                                                                \
            g = (g + step) & m->gmask;                                             \
        }                                                                          \
    }                                                                              \
    LINK size_t name##_find(const name *m, K key) {                                \
        size_t g = 0, j = 0;                                                       \
        return name##__lookup(m, key, &g, &j) ? (g << ARS__HASH_GL(B)) + j : m->nctrl; \
    }                                                                              \
    LINK int name##_contains(const name *m, K key) {                               \
        size_t g = 0, j = 0;                                                       \
        return name##__lookup(m, key, &g, &j) != NULL;                             \
    }                                                                              \
    /* Every full control byte becomes TODO, the rest EMPTY; no overflow. */       \
    static ARS__HASH_UNUSED void name##__mark_todo(name *m) {                      \
        size_t g, j;                                                               \
        if (!m->nctrl) return;                                                     \
        for (g = 0; g <= m->gmask; g++) {                                          \
            unsigned char *c = name##__grp(m, g);                                  \
            for (j = 0; j < ARS__HASH_GW(B) - 1; j++)                              \
                c[j] = c[j] >= 2 ? ARS__HASH_TODO : ARS__HASH_EMPTY;               \
            c[ARS__HASH_GW(B) - 1] = 0;                                            \
        }                                                                          \
    }                                                                              \
    /* Re-place every TODO element where a fresh insert would put it, in           \
       place (abseil's drop-deletes idea): an element stays if its own group       \
       comes first on its probe path, moves to an EMPTY slot, or swaps with a      \
       TODO element, which is then placed in turn. reseed: rehash keys. */         \
    static ARS__HASH_UNUSED void name##__rehash_inplace(name *m, int reseed) {     \
        size_t g, j, G = m->nctrl ? m->gmask + 1 : 0;                              \
        name##_slot tmp;                                                           \
        for (g = 0; g < G; g++) {                                                  \
            unsigned char *gc = name##__grp(m, g);                                 \
            for (j = 0; j < ARS__HASH_GW(B) - 1; j++) {                            \
                while (gc[j] == ARS__HASH_TODO) {                                  \
                    name##_slot *s = name##__gslot(gc, j);                         \
                    uint64_t h;                                                    \
                    size_t pg, step = 0;                                           \
                    unsigned h2, ovf;                                              \
                    if (reseed) { h = hashfn(s->key, m->seed); ARS__HASH_CAT(ARS__HASH_STORE_, C)(s, h); } \
                    else h = ARS__HASH_CAT(ARS__HASH_OF_, C)(hashfn, s, m->seed);  \
                    h2 = ars__hash_h2(h); ovf = ars__hash_ovf(h);                  \
                    pg = ARS__HASH_HOME(h, m->gmask);                              \
                    for (;;) {                                                     \
                        unsigned char *c = name##__grp(m, pg);                     \
                        uint64_t fm;                                               \
                        if (pg == g) { gc[j] = (unsigned char)h2; break; }         \
                        fm = ARS__HASH_MATCH(B)(c, ARS__HASH_EMPTY) | ARS__HASH_MATCH(B)(c, ARS__HASH_TODO); \
                        if (fm) {                                                  \
                            size_t t = ars__hash_ctz(fm) >> ARS__HASH_GS(B);       \
                            name##_slot *d = name##__gslot(c, t);                  \
                            if (c[t] == ARS__HASH_EMPTY) {                         \
                                *d = *s; gc[j] = ARS__HASH_EMPTY;                  \
                            } else {                                               \
                                tmp = *d; *d = *s; *s = tmp;                       \
                            }                                                      \
                            c[t] = (unsigned char)h2;                              \
                            break;                                                 \
                        }                                                          \
                        c[ARS__HASH_GW(B) - 1] |= (unsigned char)ovf;              \
                        step++;                                                    \
                        pg = (pg + step) & m->gmask;                               \
                    }                                                              \
                }                                                                  \
            }                                                                      \
        }                                                                          \
        m->growth_left = ARS__HASH_ML(B, m->cap) - m->size;                        \
    }                                                                              \
    /* Move to a table of `groups` groups (a power of two, or 0 = empty). */       \
    static ARS__HASH_UNUSED int name##__resize(name *m, size_t groups) {           \
        size_t old_groups = m->nctrl ? m->gmask + 1 : 0, nb = name##__bytes(groups), g; \
        if (groups && groups == old_groups * 2 && nb >= (size_t)ARSENAL_HASH_INPLACE_BYTES \
            && ARSENAL_HASH_INPLACE_BYTES > 0 && ars_map__can_realloc(&m->alloc)) { \
            /* Grow in place: realloc (mremap for big blocks), empty the new       \
               groups, re-place. Peak memory is the new block only. */             \
            size_t off = m->boff;                                                  \
            void *p = ars_map__realloc(&m->alloc, m->block, name##__bytes(old_groups), nb); \
            if (p) {                                                               \
                unsigned char *base = name##__align(p);                            \
                if (base != (unsigned char *)p + off)                              \
                    ARS__HASH_MEMMOVE(base, (unsigned char *)p + off, old_groups * ARS__HASH_STRIDE(B, name##_slot)); \
                m->block = p; m->ctrl = base; m->boff = (size_t)(base - (unsigned char *)p); \
                m->gmask = groups - 1; m->nctrl = groups * ARS__HASH_GW(B);        \
                m->cap = groups * (ARS__HASH_GW(B) - 1);                           \
                for (g = old_groups; g < groups; g++) ARS__HASH_MEMSET(name##__grp(m, g), 0, ARS__HASH_GW(B)); \
                name##__mark_todo(m);                                              \
                name##__rehash_inplace(m, 0);                                      \
                return 0;                                                          \
            } /* realloc failed: the old block is intact; try a new one */         \
        }                                                                          \
        {                                                                          \
            name n2 = *m;                                                          \
            if (groups) {                                                          \
                void *p = ars_map__alloc(&m->alloc, nb);                           \
                if (!p) return ARS_ENOMEM;                                         \
                n2.block = p; n2.ctrl = name##__align(p); n2.boff = (size_t)(n2.ctrl - (unsigned char *)p); \
                n2.gmask = groups - 1; n2.nctrl = groups * ARS__HASH_GW(B);        \
                n2.cap = groups * (ARS__HASH_GW(B) - 1);                           \
                for (g = 0; g < groups; g++) ARS__HASH_MEMSET(name##__grp(&n2, g), 0, ARS__HASH_GW(B)); \
            } else {                                                               \
                name##__set_empty(&n2);                                            \
            }                                                                      \
            for (g = 0; g < old_groups; g++) {                                     \
                unsigned char *oc = name##__grp(m, g);                             \
                uint64_t mk = ARS__HASH_MATCH(B)(oc, ARS__HASH_EMPTY) ^ ARS__HASH_GM(B); \
                while (mk) {                                                       \
                    const name##_slot *s = name##__gslot(oc, ars__hash_ctz(mk) >> ARS__HASH_GS(B)); \
                    uint64_t h = ARS__HASH_CAT(ARS__HASH_OF_, C)(hashfn, s, m->seed); \
                    size_t pg = ARS__HASH_HOME(h, n2.gmask), step = 0, t;          \
                    unsigned char *c;                                              \
                    uint64_t fm;                                                   \
                    for (;;) {                                                     \
                        c = name##__grp(&n2, pg);                                  \
                        fm = ARS__HASH_MATCH(B)(c, ARS__HASH_EMPTY);               \
                        if (fm) break;                                             \
                        c[ARS__HASH_GW(B) - 1] |= (unsigned char)ars__hash_ovf(h); \
                        step++;                                                    \
                        pg = (pg + step) & n2.gmask;                               \
                    }                                                              \
                    t = ars__hash_ctz(fm) >> ARS__HASH_GS(B);                      \
                    c[t] = (unsigned char)ars__hash_h2(h);                         \
                    *name##__gslot(c, t) = *s;                                     \
                    mk &= mk - 1;                                                  \
                }                                                                  \
            }                                                                      \
            if (m->block) ars_map__free(&m->alloc, m->block, name##__bytes(old_groups)); \
            n2.size = m->size;                                                     \
            n2.growth_left = groups ? ARS__HASH_ML(B, n2.cap) - m->size : 0;       \
            *m = n2;                                                               \
        }                                                                          \
        return 0;                                                                  \
    }                                                                              \
    /* No room left: when erases used up the room (stale overflow bits),           \
       rebuild in place; else double. */                                           \
    static ARS__HASH_NOINLINE ARS__HASH_UNUSED int name##__make_room(name *m) {    \
        if (m->nctrl && m->size * 8 <= ARS__HASH_ML(B, m->cap) * 7) {              \
            name##__mark_todo(m);                                                  \
            name##__rehash_inplace(m, 0);                                          \
            return 0;                                                              \
        }                                                                          \
        if (!m->nctrl) return name##__resize(m, 1);                                \
        if (m->gmask + 1 > ((size_t)-1) / 64 / ARS__HASH_GW(B) / sizeof(name##_slot)) return ARS_ENOMEM; \
        return name##__resize(m, (m->gmask + 1) * 2);                              \
    }                                                                              \
    /* Bad hash: new seed, re-place everything, at most 4 times per table. */      \
    static ARS__HASH_NOINLINE ARS__HASH_UNUSED int name##__reseed(name *m) {       \
        if (m->reseeds >= 4) return ARS_EOVERFLOW;                                 \
        m->reseeds++;                                                              \
        m->seed = ars_hash_mix(m->seed ^ 0x2545f4914f6cdd1dull, 0x9e3779b97f4a7c15ull + m->reseeds); \
        name##__mark_todo(m);                                                      \
        name##__rehash_inplace(m, 1);                                              \
        return 0;                                                                  \
    }                                                                              \
    /* Finds key or claims a slot for it: 1 = new slot (control byte set, the      \
       slot holds only the cached hash), 0 = found, <0 error; *out = its           \
       position, *os = the slot. */                                                \
    ARS__HASH_FORCEINLINE int name##__claim(name *m, K key, size_t *out, name##_slot **os) { \
        for (;;) {                                                                 \
            const uint64_t h = hashfn(key, m->seed);                               \
            const unsigned h2 = ars__hash_h2(h), ovf = ars__hash_ovf(h);           \
            size_t g = ARS__HASH_HOME(h, m->gmask), step = 0, j;                   \
            unsigned char *c;                                                      \
            uint64_t fm;                                                           \
            for (;;) {                                                             \
                uint64_t mk;                                                       \
                c = name##__grp(m, g);                                             \
                mk = ARS__HASH_MATCH(B)(c, h2);                                    \
                while (mk) {                                                       \
                    name##_slot *s;                                                \
                    j = ars__hash_ctz(mk) >> ARS__HASH_GS(B);                      \
                    s = name##__gslot(c, j);                                       \
                    if (ARS__HASH_CAT(ARS__HASH_PRE_, C)(s, h) && eqfn(s->key, key)) { \
                        *out = (g << ARS__HASH_GL(B)) + j; *os = s; return 0;      \
                    }                                                              \
                    mk &= mk - 1;                                                  \
                }                                                                  \
                if (ARS__HASH_LIKELY(!(c[ARS__HASH_GW(B) - 1] & ovf)) || step >= m->gmask) break; \
                step++;                                                            \
                g = (g + step) & m->gmask;                                         \
            }                                                                      \
            if (ARS__HASH_UNLIKELY(m->growth_left == 0)) {                         \
                int rc = name##__make_room(m);                                     \
                if (rc < 0) return rc;                                             \
            }                                                                      \
            g = ARS__HASH_HOME(h, m->gmask); step = 0;                             \
            for (;;) {                                                             \
                c = name##__grp(m, g);                                             \
                fm = ARS__HASH_MATCH(B)(c, ARS__HASH_EMPTY);                       \
                if (ARS__HASH_LIKELY(fm)) break;                                   \
                step++;                                                            \
                g = (g + step) & m->gmask;                                         \
            }                                                                      \
            if (ARS__HASH_UNLIKELY(step)) {                                        \
                size_t g2 = ARS__HASH_HOME(h, m->gmask), s2;                       \
                if (step > (size_t)ARSENAL_HASH_MAX_PROBE) {                       \
                    int rc = name##__reseed(m);                                    \
                    if (rc < 0) return rc;                                         \
                    continue;                                                      \
                }                                                                  \
                for (s2 = 0; s2 < step; ) {                                        \
                    name##__grp(m, g2)[ARS__HASH_GW(B) - 1] |= (unsigned char)ovf; \
                    s2++;                                                          \
                    g2 = (g2 + s2) & m->gmask;                                     \
                }                                                                  \
            }                                                                      \
            j = ars__hash_ctz(fm) >> ARS__HASH_GS(B);                              \
            c[j] = (unsigned char)h2;                                              \
            *os = name##__gslot(c, j);                                             \
            ARS__HASH_CAT(ARS__HASH_STORE_, C)(*os, h);                            \
            m->growth_left--;                                                      \
            m->size++;                                                             \
            *out = (g << ARS__HASH_GL(B)) + j;                                     \
            return 1;                                                              \
        }                                                                          \
    }                                                                              \
    LINK int name##__slot_for_insert(name *m, K key, size_t *out) {                \
        name##_slot *s = NULL;                                                     \
        return name##__claim(m, key, out, &s);                                     \
    }                                                                              \
    /* Erase: the slot is free at once; its room comes back only if no key         \
       overflowed the group (else the next rebuild reclaims it). */                \
    ARS__HASH_FORCEINLINE void name##__erase_in(name *m, unsigned char *c, size_t j) { \
        c[j] = ARS__HASH_EMPTY;                                                    \
        m->size--;                                                                 \
        if (!c[ARS__HASH_GW(B) - 1]) m->growth_left++;                             \
    }                                                                              \
    LINK void name##_erase_at(name *m, size_t i) {                                 \
        name##__erase_in(m, name##__grp(m, i >> ARS__HASH_GL(B)), i & (ARS__HASH_GW(B) - 1)); \
    }                                                                              \
    LINK int name##_erase(name *m, K key) {                                        \
        size_t g = 0, j = 0;                                                       \
        if (!name##__lookup(m, key, &g, &j)) return 0;                             \
        name##__erase_in(m, name##__grp(m, g), j);                                 \
        return 1;                                                                  \
    }                                                                              \
    LINK size_t name##_size(const name *m) { return m->size; }                     \
    LINK size_t name##_capacity(const name *m) { return m->cap; }                  \
    LINK int name##_reserve(name *m, size_t n) {                                   \
        size_t groups;                                                             \
        if (n <= m->size + m->growth_left) return 0;                               \
        groups = ars__hash_groups_for(n, ARS__HASH_GW(B));                         \
        /* the limit of make_room, which doubles tables of up to LIMIT groups */  \
        if (!groups || groups / 2 > ((size_t)-1) / 64 / ARS__HASH_GW(B) / sizeof(name##_slot)) return ARS_ENOMEM; \
        if (m->nctrl && groups <= m->gmask + 1) {                                  \
            name##__mark_todo(m); name##__rehash_inplace(m, 0); return 0;          \
        }                                                                          \
        return name##__resize(m, groups);                                          \
    }                                                                              \
    LINK void name##_clear(name *m) {                                              \
        size_t g;                                                                  \
        m->reseeds = 0;    /* a cleared table gets its reseed budget back */      \
        if (!m->nctrl) return;                                                     \
        for (g = 0; g <= m->gmask; g++) ARS__HASH_MEMSET(name##__grp(m, g), 0, ARS__HASH_GW(B)); \
        m->size = 0; m->growth_left = ARS__HASH_ML(B, m->cap);                     \
    }                                                                              \
    LINK int name##_shrink(name *m) {                                              \
        size_t groups = ars__hash_groups_for(m->size, ARS__HASH_GW(B));            \
        if (!m->nctrl || groups >= m->gmask + 1) return 0;                         \
        return name##__resize(m, groups);                                          \
    }                                                                              \
    LINK size_t name##_next(const name *m, size_t i) {                             \
        size_t p = i + 1;                                                          \
        while (p < m->nctrl) {                                                     \
            size_t g = p >> ARS__HASH_GL(B);                                       \
            uint64_t mk = ARS__HASH_MATCH(B)(name##__grp(m, g), ARS__HASH_EMPTY) ^ ARS__HASH_GM(B); \
            mk &= ~(uint64_t)0 << ((p & (ARS__HASH_GW(B) - 1)) << ARS__HASH_GS(B)); \
            if (mk) return (g << ARS__HASH_GL(B)) + (ars__hash_ctz(mk) >> ARS__HASH_GS(B)); \
            p = (g + 1) << ARS__HASH_GL(B);                                        \
        }                                                                          \
        return m->nctrl;                                                           \
    }                                                                              \
    LINK size_t name##_begin(const name *m) { return name##_next(m, (size_t)-1); } \
    LINK size_t name##_end(const name *m) { return m->nctrl; }                     \
    LINK const K *name##_key(const name *m, size_t i) { return &name##__slot(m, i)->key; }

#define ARS__HASH_MAP_PROTOS(name, K, V, LINK)                                     \
    ARS__HASH_TABLE_PROTOS(name, K, LINK)                                          \
    LINK int name##_insert(name *m, K key, V val);                                 \
    LINK int name##_put(name *m, K key, V val);                                    \
    LINK int name##_emplace(name *m, K key, V **out);                              \
    LINK V *name##_get(const name *m, K key);                                      \
    LINK V *name##_val(const name *m, size_t i);

#define ARS__HASH_MAP_IMPL(name, K, V, hashfn, eqfn, LINK, B, C)                   \
    ARS__HASH_TABLE_IMPL(name, K, hashfn, eqfn, LINK, B, C)                        \
    LINK int name##_insert(name *m, K key, V val) {                                \
        size_t i = 0; name##_slot *s = NULL; int rc = name##__claim(m, key, &i, &s); \
        if (rc == 1) { s->key = key; s->val = val; }                               \
        return rc;                                                                 \
    }                                                                              \
    LINK int name##_put(name *m, K key, V val) {                                   \
        size_t i = 0; name##_slot *s = NULL; int rc = name##__claim(m, key, &i, &s); \
        if (rc == 1) s->key = key;                                                 \
        if (rc >= 0) s->val = val;                                                 \
        return rc;                                                                 \
    }                                                                              \
    LINK int name##_emplace(name *m, K key, V **out) {                             \
        size_t i = 0; name##_slot *s = NULL; int rc = name##__claim(m, key, &i, &s); \
        if (rc == 1) {                                                             \
            s->key = key;                                                          \
            ARS__HASH_MEMSET(&s->val, 0, sizeof(V));                               \
        }                                                                          \
        if (out) *out = rc >= 0 ? &s->val : NULL;                                  \
        return rc;                                                                 \
    }                                                                              \
    LINK V *name##_get(const name *m, K key) {                                     \
        size_t g = 0, j = 0;                                                       \
        name##_slot *s = name##__lookup(m, key, &g, &j);                           \
        return s ? &s->val : NULL;                                                 \
    }                                                                              \
    LINK V *name##_val(const name *m, size_t i) { return &name##__slot(m, i)->val; }

#define ARS__HASH_SET_PROTOS(name, K, LINK)                                        \
    ARS__HASH_TABLE_PROTOS(name, K, LINK)                                          \
    LINK int name##_insert(name *m, K key);

#define ARS__HASH_SET_IMPL(name, K, hashfn, eqfn, LINK, B, C)                      \
    ARS__HASH_TABLE_IMPL(name, K, hashfn, eqfn, LINK, B, C)                        \
    LINK int name##_insert(name *m, K key) {                                       \
        size_t i = 0; name##_slot *s = NULL; int rc = name##__claim(m, key, &i, &s); \
        if (rc == 1) s->key = key;                                                 \
        return rc;                                                                 \
    }

#define ARS__HASH_LINK_STATIC static inline ARS__HASH_UNUSED

/* Full generator with an explicit backend (sse2, neon, swar: those compiled
   on the target) and cache flag; the test uses it to run every backend. */
#define ARS__MAP_GENERATE(name, K, V, hashfn, eqfn, LINK, B, C)                    \
    ARS__HASH_TABLE_STRUCT(name, ARS__HASH_CAT(ARS__HASH_SLOTM_, C)(K, V))          \
    ARS__HASH_MAP_PROTOS(name, K, V, LINK)                                         \
    ARS__HASH_MAP_IMPL(name, K, V, hashfn, eqfn, LINK, B, C)
#define ARS__SET_GENERATE(name, K, hashfn, eqfn, LINK, B, C)                       \
    ARS__HASH_TABLE_STRUCT(name, ARS__HASH_CAT(ARS__HASH_SLOTS_, C)(K, V))          \
    ARS__HASH_SET_PROTOS(name, K, LINK)                                            \
    ARS__HASH_SET_IMPL(name, K, hashfn, eqfn, LINK, B, C)

/* Public generators. */
#define ARS_MAP_DECLARE(name, K, V)                                                \
    ARS__HASH_TABLE_STRUCT(name, ARS__HASH_SLOTM_0(K, V)) ARS__HASH_MAP_PROTOS(name, K, V, extern)
#define ARS_MAP_IMPLEMENT(name, K, V, hashfn, eqfn)                                \
    ARS__HASH_MAP_IMPL(name, K, V, hashfn, eqfn, , ARS__HASH_GROUP, 0)
#define ARS_MAP_DEFINE(name, K, V, hashfn, eqfn)                                   \
    ARS__MAP_GENERATE(name, K, V, hashfn, eqfn, ARS__HASH_LINK_STATIC, ARS__HASH_GROUP, 0)
#define ARS_MAP_CACHED_DECLARE(name, K, V)                                         \
    ARS__HASH_TABLE_STRUCT(name, ARS__HASH_SLOTM_1(K, V)) ARS__HASH_MAP_PROTOS(name, K, V, extern)
#define ARS_MAP_CACHED_IMPLEMENT(name, K, V, hashfn, eqfn)                         \
    ARS__HASH_MAP_IMPL(name, K, V, hashfn, eqfn, , ARS__HASH_GROUP, 1)
#define ARS_MAP_CACHED_DEFINE(name, K, V, hashfn, eqfn)                            \
    ARS__MAP_GENERATE(name, K, V, hashfn, eqfn, ARS__HASH_LINK_STATIC, ARS__HASH_GROUP, 1)
#define ARS_SET_DECLARE(name, K)                                                   \
    ARS__HASH_TABLE_STRUCT(name, ARS__HASH_SLOTS_0(K, V)) ARS__HASH_SET_PROTOS(name, K, extern)
#define ARS_SET_IMPLEMENT(name, K, hashfn, eqfn)                                   \
    ARS__HASH_SET_IMPL(name, K, hashfn, eqfn, , ARS__HASH_GROUP, 0)
#define ARS_SET_DEFINE(name, K, hashfn, eqfn)                                      \
    ARS__SET_GENERATE(name, K, hashfn, eqfn, ARS__HASH_LINK_STATIC, ARS__HASH_GROUP, 0)
#define ARS_SET_CACHED_DECLARE(name, K)                                            \
    ARS__HASH_TABLE_STRUCT(name, ARS__HASH_SLOTS_1(K, V)) ARS__HASH_SET_PROTOS(name, K, extern)
#define ARS_SET_CACHED_IMPLEMENT(name, K, hashfn, eqfn)                            \
    ARS__HASH_SET_IMPL(name, K, hashfn, eqfn, , ARS__HASH_GROUP, 1)
#define ARS_SET_CACHED_DEFINE(name, K, hashfn, eqfn)                               \
    ARS__SET_GENERATE(name, K, hashfn, eqfn, ARS__HASH_LINK_STATIC, ARS__HASH_GROUP, 1)

#endif /* ARSENAL_HASH_H */

/* ------------------------------------------------------------ >>implementation */
#if (defined(ARSENAL_HASH_IMPLEMENTATION) || defined(ARSENAL_IMPLEMENTATION)) && !defined(ARSENAL_HASH_IMPLEMENTATION_ONCE)
#define ARSENAL_HASH_IMPLEMENTATION_ONCE

#ifndef ARSENAL_HASH_FREESTANDING
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#endif

#ifndef ARSENAL_ASSERT
#ifdef ARSENAL_HASH_FREESTANDING
#define ARSENAL_ASSERT(c) ((void)0)
#else
#include <assert.h>
#define ARSENAL_ASSERT(c) assert(c)
#endif
#endif

/* xxhash.h, private to this file: XXH_INLINE_ALL makes every function static
   (XXH_INLINE_ prefixed), so a user's own xxhash cannot clash. */
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#define ARS__HASH_DEFINED_XXH_INLINE_ALL
#endif
#ifdef ARSENAL_HASH_XXHASH_H
#include ARSENAL_HASH_XXHASH_H
#else
#include "xxhash.h"
#endif
#ifdef ARS__HASH_DEFINED_XXH_INLINE_ALL
#undef XXH_INLINE_ALL
#undef ARS__HASH_DEFINED_XXH_INLINE_ALL
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__cplusplus)
_Static_assert(sizeof(XXH3_state_t) + 64 <= ARS_HASH_STREAM_BYTES, "ars_hash_stream too small");
_Static_assert(sizeof(XXH64_state_t) + 64 <= ARS_HASH_STREAM_BYTES, "ars_hash_stream too small");
#else
typedef char ars__hash_stream_size_check[(sizeof(XXH3_state_t) + 64 <= ARS_HASH_STREAM_BYTES) ? 1 : -1];
#endif

ARSENAL_HASH_API ARS__HASH_NOINLINE uint64_t ars_hash64(const void *data, size_t len, uint64_t seed) {
    return (uint64_t)XXH3_64bits_withSeed(data, len, (XXH64_hash_t)seed);
}
ARSENAL_HASH_API ARS__HASH_NOINLINE ars_hash128_t ars_hash128(const void *data, size_t len, uint64_t seed) {
    XXH128_hash_t h = XXH3_128bits_withSeed(data, len, (XXH64_hash_t)seed);
    ars_hash128_t r;
    r.lo = h.low64; r.hi = h.high64;
    return r;
}
ARSENAL_HASH_API ARS__HASH_NOINLINE uint64_t ars_hash_xxh64(const void *data, size_t len, uint64_t seed) {
    return (uint64_t)XXH64(data, len, (XXH64_hash_t)seed);
}
ARSENAL_HASH_API ARS__HASH_NOINLINE uint64_t ars_str_hash(ars_str s, uint64_t seed) {
    return (uint64_t)XXH3_64bits_withSeed(s.ptr, s.len, (XXH64_hash_t)seed);
}

/* (The one-shot wrappers above are noinline: inlined into a caller that
   passes a short constant buffer, gcc 12 -O3 warns about xxhash's dead
   long-input branches with -Warray-bounds.) */
/* The xxhash state lives at the first 64-byte boundary inside the buffer. */
static void *ars__hash_state(const ars_hash_stream *s) {
    uintptr_t p = (uintptr_t)s->u.bytes;
    return (void *)((p + 63u) & ~(uintptr_t)63u);
}
ARSENAL_HASH_API int ars_hash_stream_init(ars_hash_stream *s, ars_hash_algo algo, uint64_t seed) {
    void *st;
    if (!s) return ARS_EINVAL;
    st = ars__hash_state(s);
    s->algo = (int)algo;
    switch (algo) {
    case ARS_HASH_XXH3_64:
        ARS__HASH_MEMSET(st, 0, sizeof(XXH3_state_t));
        return XXH3_64bits_reset_withSeed((XXH3_state_t *)st, seed) == XXH_OK ? 0 : ARS_EINVAL;
    case ARS_HASH_XXH3_128:
        ARS__HASH_MEMSET(st, 0, sizeof(XXH3_state_t));
        return XXH3_128bits_reset_withSeed((XXH3_state_t *)st, seed) == XXH_OK ? 0 : ARS_EINVAL;
    case ARS_HASH_XXH64:
        return XXH64_reset((XXH64_state_t *)st, seed) == XXH_OK ? 0 : ARS_EINVAL;
    }
    return ARS_EINVAL;
}
ARSENAL_HASH_API int ars_hash_stream_update(ars_hash_stream *s, const void *data, size_t len) {
    void *st;
    if (!s || (!data && len)) return ARS_EINVAL;
    st = ars__hash_state(s);
    switch (s->algo) {
    case ARS_HASH_XXH3_64: return XXH3_64bits_update((XXH3_state_t *)st, data, len) == XXH_OK ? 0 : ARS_EINVAL;
    case ARS_HASH_XXH3_128: return XXH3_128bits_update((XXH3_state_t *)st, data, len) == XXH_OK ? 0 : ARS_EINVAL;
    case ARS_HASH_XXH64: return XXH64_update((XXH64_state_t *)st, data, len) == XXH_OK ? 0 : ARS_EINVAL;
    default: return ARS_EINVAL;
    }
}
ARSENAL_HASH_API uint64_t ars_hash_stream_digest64(const ars_hash_stream *s) {
    const void *st = ars__hash_state(s);
    switch (s->algo) {
    case ARS_HASH_XXH3_64: return XXH3_64bits_digest((const XXH3_state_t *)st);
    case ARS_HASH_XXH3_128: return XXH3_128bits_digest((const XXH3_state_t *)st).low64;
    case ARS_HASH_XXH64: return XXH64_digest((const XXH64_state_t *)st);
    default: return 0;
    }
}
ARSENAL_HASH_API ars_hash128_t ars_hash_stream_digest128(const ars_hash_stream *s) {
    ars_hash128_t r;
    if (s->algo == ARS_HASH_XXH3_128) {
        XXH128_hash_t h = XXH3_128bits_digest((const XXH3_state_t *)ars__hash_state(s));
        r.lo = h.low64; r.hi = h.high64;
    } else {
        r.lo = ars_hash_stream_digest64(s); r.hi = 0;
    }
    return r;
}

/* >>seed */
#if defined(ARSENAL_HASH_SEED) || defined(ARSENAL_HASH_FREESTANDING)
/* Fixed seed: no entropy, no atomics (Cortex-M0/M3 have no 64-bit ones). */
#ifdef ARSENAL_HASH_SEED
static uint64_t ars__hash_seed_value = (uint64_t)(ARSENAL_HASH_SEED);
#else
static uint64_t ars__hash_seed_value = 0x6a09e667f3bcc908ull;
#endif
ARSENAL_HASH_API uint64_t ars_hash_seed(void) { return ars__hash_seed_value; }
ARSENAL_HASH_API void ars_hash_set_seed(uint64_t seed) { ars__hash_seed_value = seed; }
ARSENAL_HASH_API uint64_t ars_map__seed(const void *map) { (void)map; return ars__hash_seed_value; }
#else
static uint64_t ars__hash_seed_value;
static int ars__hash_seed_state; /* 0 unset, 1 being set, 2 random, 3 fixed */

#if defined(__GNUC__) || defined(__clang__)
#define ARS__HASH_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ARS__HASH_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ARS__HASH_CLAIM(p) __atomic_compare_exchange_n((p), &ars__zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#else /* no atomics known: first use should happen before threads start */
#define ARS__HASH_LOAD(p) (*(p))
#define ARS__HASH_STORE(p, v) (*(p) = (v))
#define ARS__HASH_CLAIM(p) (*(p) == 0 ? (*(p) = 1, 1) : 0)
#endif

static uint64_t ars__hash_random_seed(void) {
    /* Entropy: /dev/urandom where it exists, mixed with ASLR addresses and
       clocks (the only sources on Windows without extra libraries). */
    uint64_t s = 0x243f6a8885a308d3ull;
    int local = 0;
#if !defined(_WIN32)
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        uint64_t r = 0;
        if (fread(&r, sizeof r, 1, f) == 1) s ^= r;
        fclose(f);
    }
#endif
    s = ars_hash_mix(s ^ (uint64_t)(uintptr_t)&local, 0x9e3779b97f4a7c15ull);
    s = ars_hash_mix(s ^ (uint64_t)(uintptr_t)&ars__hash_seed_value, 0xbf58476d1ce4e5b9ull);
    s = ars_hash_mix(s ^ (uint64_t)time(NULL), 0x94d049bb133111ebull);
    s = ars_hash_mix(s ^ (uint64_t)clock(), 0x9e3779b97f4a7c15ull);
    return s;
}

ARSENAL_HASH_API uint64_t ars_hash_seed(void) {
    int st = ARS__HASH_LOAD(&ars__hash_seed_state), ars__zero = 0;
    uint64_t s;
    (void)ars__zero;
    if (st >= 2) return ars__hash_seed_value;   /* published by the release store */
    s = ars__hash_random_seed();
    if (st == 0 && ARS__HASH_CLAIM(&ars__hash_seed_state)) {
        ars__hash_seed_value = s;
        ARS__HASH_STORE(&ars__hash_seed_state, 2);
    }
    /* Another thread is setting it: this caller keeps its own random seed. */
    return s;
}
/* Call before any other thread uses the library. */
ARSENAL_HASH_API void ars_hash_set_seed(uint64_t seed) {
    ars__hash_seed_value = seed;
    ARS__HASH_STORE(&ars__hash_seed_state, 3);
}
ARSENAL_HASH_API uint64_t ars_map__seed(const void *map) {
    uint64_t s = ars_hash_seed();
    if (ARS__HASH_LOAD(&ars__hash_seed_state) == 3) return s;
    return ars_hash_mix(s ^ (uint64_t)(uintptr_t)map, 0xbf58476d1ce4e5b9ull);
}
#undef ARS__HASH_LOAD
#undef ARS__HASH_STORE
#undef ARS__HASH_CLAIM
#endif

/* >>memory */
ARSENAL_HASH_API void *ars_map__alloc(const ars_allocator *a, size_t size) {
    if (a && a->alloc) return a->alloc(a->ctx, size, 16);
#if defined(ARSENAL_MALLOC)
    return ARSENAL_MALLOC(size);
#elif defined(ARSENAL_HASH_FREESTANDING)
    (void)size;
    return NULL;
#else
    return malloc(size);
#endif
}
ARSENAL_HASH_API void ars_map__free(const ars_allocator *a, void *p, size_t size) {
    if (!p) return;
    if (a && a->alloc) { if (a->free) a->free(a->ctx, p, size); return; }
    (void)size;
#if defined(ARSENAL_MALLOC)
    ARSENAL_FREE(p);
#elif defined(ARSENAL_HASH_FREESTANDING)
    (void)p;
#else
    free(p);
#endif
}
ARSENAL_HASH_API int ars_map__can_realloc(const ars_allocator *a) {
    if (a && a->alloc) return 0;
#if defined(ARSENAL_MALLOC)
#ifdef ARSENAL_REALLOC
    return 1;
#else
    return 0;
#endif
#elif defined(ARSENAL_HASH_FREESTANDING)
    return 0;
#else
    return 1;
#endif
}
ARSENAL_HASH_API void *ars_map__realloc(const ars_allocator *a, void *p, size_t old_size, size_t size) {
    (void)a; (void)old_size;
#if defined(ARSENAL_MALLOC)
#ifdef ARSENAL_REALLOC
    return ARSENAL_REALLOC(p, size);
#else
    (void)p; (void)size;
    return NULL;
#endif
#elif defined(ARSENAL_HASH_FREESTANDING)
    (void)p; (void)size;
    return NULL;
#else
    return realloc(p, size);
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* ARSENAL_HASH_IMPLEMENTATION */

/*
   MIT License

   Copyright (c) 2026 Arsenal contributors

   Permission is hereby granted, free of charge, to any person obtaining a copy
   of this software and associated documentation files (the "Software"), to deal
   in the Software without restriction, including without limitation the rights
   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
   copies of the Software, and to permit persons to whom the Software is
   furnished to do so, subject to the following conditions:

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
