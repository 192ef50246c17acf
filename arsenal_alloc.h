/* arsenal_alloc.h - v0.1.0 - arena, fixed-size pool and an O(1) heap for C/C++

   Allocators for servers and firmware: a bump arena (one buffer or chained
   blocks from a parent allocator, mark/rewind, reset), a fixed-size pool
   (caller memory or growing chunks, plus a lock-free thread-safe variant), and
   a general O(1) two-level segregated-fit heap over caller memory regions
   (malloc, free, realloc, aligned alloc, calloc, integrity check, statistics)
   that can replace malloc in firmware. Each one can be wrapped as the
   `ars_allocator` every Arsenal header accepts. Needs no other header.

   USAGE

   Define ARSENAL_ALLOC_IMPLEMENTATION in exactly one .c file before including
   (ARSENAL_IMPLEMENTATION switches on every Arsenal header at once):

       #define ARSENAL_ALLOC_IMPLEMENTATION
       #include "arsenal_alloc.h"

   Other files include "arsenal_alloc.h" without the define.

   CONFIGURATION (define before including the implementation)

       ARSENAL_ALLOC_API          extern     linkage of every public function
       ARSENAL_ALLOC_STATIC       undefined  make everything static (implies the
                                             implementation in this file)
       ARSENAL_ASSERT(x)          assert(x)  internal checks; freestanding default
                                             traps (__builtin_trap) on failure
       ARSENAL_MALLOC(size)       malloc     with ARSENAL_FREE: memory for the
       ARSENAL_FREE(ptr)          free       default allocator (one without the
                                             other is an #error)
       ARSENAL_ALLOC_FREESTANDING undefined  no libc (also when __STDC_HOSTED__==0):
                                             only <stddef.h>/<stdint.h>; you provide
                                             memcpy and memset; no default malloc
       ARSENAL_ALLOC_MEMCPY(d,s,n) memcpy    copy used by realloc
       ARSENAL_ALLOC_MEMSET(d,c,n) memset    fill used by calloc and poisoning
       ARSENAL_ALLOC_DEBUG        !NDEBUG    fill freed memory with 0xDD; heap free
                                             and realloc check the block (double
                                             free, also of a merged or cached block;
                                             bad ptr) with ARSENAL_ASSERT, and skip
                                             the call if that assert returns
       ARSENAL_ALLOC_NO_ASAN      undefined  do not tell AddressSanitizer about
                                             poisoned memory (it is told when the
                                             build has -fsanitize=address)
       ARSENAL_ALLOC_NO_ATOMICS   undefined  leave out ars_pool_mt (cores without
                                             compare-and-swap, e.g. Cortex-M0)
       ARSENAL_ALLOC_ARENA_BLOCK  65536      default block size of a growing arena
       ARSENAL_ALLOC_HEAP_SL_LOG2 5          log2 of second-level lists per power
                                             of two (1..5); 5 = sizes within 3%
       ARSENAL_ALLOC_HEAP_MAX_LOG2 32        largest heap block is 2^N - 8 bytes;
                                             smaller N shrinks ars_heap (firmware)
       ARSENAL_ALLOC_HEAP_SCAN    8          entries of one list scanned before
                                             failing (bounds the worst case)
       ARSENAL_ALLOC_HEAP_CACHE_CLASSES 128  exact-size classes (8 bytes apart) of
                                             the optional free-block cache, see
                                             ars_heap_set_cache; 0 removes it

   EXAMPLE

       #define ARSENAL_ALLOC_IMPLEMENTATION
       #include "arsenal_alloc.h"
       #include <stdio.h>

       static unsigned char memory[64 * 1024];

       int main(void) {
           ars_heap heap;
           ars_arena scratch;
           ars_heap_init(&heap, memory, sizeof memory);
           char *s = (char *)ars_heap_alloc(&heap, 100);
           double *v = (double *)ars_heap_alloc_aligned(&heap, 8 * sizeof(double), 64);
           v = (double *)ars_heap_realloc(&heap, v, 1000 * sizeof(double)); // still 64-aligned
           ars_allocator via_heap = ars_heap_allocator(&heap);
           ars_arena_init_parent(&scratch, &via_heap, 4096);  // arena blocks from the heap
           ars_arena_pos pos = ars_arena_mark(&scratch);
           int *tmp = (int *)ars_arena_alloc(&scratch, 256 * sizeof(int));
           tmp[0] = 1;
           ars_arena_rewind(&scratch, pos);                    // tmp is gone
           ars_arena_deinit(&scratch);
           printf("heap ok: %d\n", ars_heap_check(&heap) == 0);
           ars_heap_free(&heap, v);
           ars_heap_free(&heap, s);
           return 0;
       }

   SECTIONS (grep for the marker)

       >>common   error codes, ars_strerror, ars_allocator (shared by all headers)
       >>api      public declarations
       >>impl     platform glue: asserts, atomics, ASan, bit scans
       >>malloc   the malloc adapter
       >>arena    bump arena
       >>pool     fixed-size pool
       >>poolmt   lock-free fixed-size pool
       >>heap     two-level segregated-fit heap

   PLATFORMS

       Any C99 or C++11 compiler. Tested: gcc and clang on x86_64 Linux
       (also ASan+UBSan, TSan, Valgrind), aarch64/armhf/i686/riscv64 Linux
       (qemu-user), x86_64 Windows (mingw-w64 under wine), and bare metal
       (-ffreestanding -nostdlib): Cortex-M3, Cortex-M4F, RV32IMAC, RV64IMAC
       booted in QEMU. The MSVC branches (Interlocked, _BitScan*) are written
       but not tested here.
       ars_pool_mt uses GCC/Clang __atomic builtins or MSVC Interlocked calls;
       it uses a 64-bit tagged head where the target has a 64-bit CAS and a
       32-bit one (16-bit index, at most 65534 objects) elsewhere.

   CAVEATS

       - The arena, ars_pool and ars_heap are not thread-safe: lock around them
         or use one per thread. ars_pool_mt is lock-free (multi-producer,
         multi-consumer) with ABA protection by a tag in the head word.
       - Heap blocks are 8-byte aligned (like TLSF): ask ars_heap_alloc_aligned
         for more (e.g. 16 for long double on x86_64). The alignment a block was
         allocated with is kept when ars_heap_realloc moves it.
       - A heap block carries 4 bytes of overhead; the smallest block is 24 bytes
         on 64-bit targets (16 on 32-bit). One request is at most
         2^(MAX_LOG2-1) - 4 bytes (2 GiB by default); regions larger than
         2^MAX_LOG2 are split into several.
       - Requests that cannot be met (SIZE_MAX, count*size overflowing) return
         NULL; nothing here ever aborts on out of memory.
       - ars_heap_realloc(h, p, 0) frees p and returns NULL.
       - An initialised ars_heap points into itself: never copy or move it.
       - Speed: a heap alloc+free pair with random sizes costs about 2-3x
         glibc malloc (coalescing touches neighbours; glibc and mimalloc keep
         per-size caches). ars_heap_set_cache trades memory for speed: with a
         large budget it reaches mimalloc-class speed but holds ~2x the live
         bytes; off (the default) the heap stays within ~4% of live bytes plus
         fragmentation. Fixed-size work belongs in ars_pool.
       - Debug poisoning (0xDD) costs time; the benchmark and release builds
         define NDEBUG or ARSENAL_ALLOC_DEBUG=0.
       - With ASan, memory handed to a pool/arena/heap is poisoned until
         allocated; call the matching _deinit before reusing the buffer.
*/
#ifndef ARSENAL_ALLOC_H
#define ARSENAL_ALLOC_H

#define ARSENAL_ALLOC_VERSION_MAJOR 0
#define ARSENAL_ALLOC_VERSION_MINOR 1
#define ARSENAL_ALLOC_VERSION_PATCH 0

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

/* >>api ------------------------------------------------------------------ */

#ifndef ARSENAL_ALLOC_API
#ifdef ARSENAL_ALLOC_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define ARSENAL_ALLOC_API static __attribute__((unused))
#else
#define ARSENAL_ALLOC_API static
#endif
#else
#define ARSENAL_ALLOC_API extern
#endif
#endif

#ifndef ARSENAL_ALLOC_HEAP_SL_LOG2
#define ARSENAL_ALLOC_HEAP_SL_LOG2 5
#endif
#ifndef ARSENAL_ALLOC_HEAP_MAX_LOG2
#define ARSENAL_ALLOC_HEAP_MAX_LOG2 32
#endif
#if ARSENAL_ALLOC_HEAP_SL_LOG2 < 1 || ARSENAL_ALLOC_HEAP_SL_LOG2 > 5
#error "arsenal_alloc.h: ARSENAL_ALLOC_HEAP_SL_LOG2 must be 1..5"
#endif
#if ARSENAL_ALLOC_HEAP_MAX_LOG2 > 32 || ARSENAL_ALLOC_HEAP_MAX_LOG2 < ARSENAL_ALLOC_HEAP_SL_LOG2 + 5
#error "arsenal_alloc.h: ARSENAL_ALLOC_HEAP_MAX_LOG2 must be in SL_LOG2+5..32"
#endif
/* Sizes of the heap's list table (second level, first level). */
#define ARS_HEAP_SL_COUNT (1 << ARSENAL_ALLOC_HEAP_SL_LOG2)
#define ARS_HEAP_FL_COUNT (ARSENAL_ALLOC_HEAP_MAX_LOG2 - ARSENAL_ALLOC_HEAP_SL_LOG2 - 2)
/* The heap's bitmap words (one bit per free list): 64 lists a word where
   pointers are 64-bit, 32 elsewhere. */
#if defined(UINTPTR_MAX) && UINTPTR_MAX > 0xffffffffu
typedef uint64_t ars_heap_map;
#define ARS_HEAP_MAP_LOG2 6
#else
typedef uint32_t ars_heap_map;
#define ARS_HEAP_MAP_LOG2 5
#endif
#define ARS_HEAP_MAP_WORDS \
    ((ARS_HEAP_FL_COUNT * ARS_HEAP_SL_COUNT + (1 << ARS_HEAP_MAP_LOG2) - 1) >> ARS_HEAP_MAP_LOG2)
#ifndef ARSENAL_ALLOC_HEAP_CACHE_CLASSES
#define ARSENAL_ALLOC_HEAP_CACHE_CLASSES 128
#endif
#define ARS_HEAP_CACHE_COUNT (ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0 ? ARSENAL_ALLOC_HEAP_CACHE_CLASSES : 1)

#ifdef __cplusplus
extern "C" {
#endif

/* The default allocator (ARSENAL_MALLOC/ARSENAL_FREE, else malloc/free) with
   any power-of-two alignment. Freestanding without ARSENAL_MALLOC: always NULL. */
ARSENAL_ALLOC_API ars_allocator ars_malloc_allocator(void);

/* ---- arena: bump allocation, freed all at once ---- */
typedef struct ars_arena_block ars_arena_block;
typedef struct ars_arena {
    unsigned char *cur, *end;   /* bump pointer and end of the current block */
    unsigned char *base;        /* start of the current block's space */
    ars_arena_block *block;     /* newest block (NULL: fixed buffer or none yet) */
    size_t done;                /* bytes used in blocks older than the current */
    size_t peak;                /* highest `used` seen at mark/rewind/stats time */
    size_t block_size;          /* growing arenas: default block size */
    size_t nblocks, reserved;   /* blocks held, bytes obtained from the parent */
    ars_allocator parent;
    int fixed;                  /* 1: one caller buffer, never grows */
} ars_arena;
/* A savepoint: ars_arena_rewind(a, pos) frees everything allocated after it. */
typedef struct ars_arena_pos { ars_arena_block *block; unsigned char *cur; size_t done; } ars_arena_pos;
typedef struct ars_arena_stats {
    size_t used;       /* bytes handed out, alignment padding included */
    size_t peak;       /* highest used */
    size_t capacity;   /* bytes of the buffer from its first aligned byte / of all blocks held */
    size_t blocks;     /* blocks obtained from the parent and still held */
} ars_arena_stats;

/* One fixed buffer; allocations fail (NULL) when it is full. */
ARSENAL_ALLOC_API void  ars_arena_init(ars_arena *a, void *buf, size_t size);
/* Blocks of block_size bytes (0: ARSENAL_ALLOC_ARENA_BLOCK) from parent
   (NULL: the default allocator), larger ones for larger requests. */
ARSENAL_ALLOC_API void  ars_arena_init_parent(ars_arena *a, const ars_allocator *parent, size_t block_size);
/* Returns every block to the parent. The arena may be initialised again. */
ARSENAL_ALLOC_API void  ars_arena_deinit(ars_arena *a);
/* size bytes aligned for any fundamental type (8 or 16), or NULL. */
ARSENAL_ALLOC_API void *ars_arena_alloc(ars_arena *a, size_t size);
/* align: any power of two (0 = default). NULL if out of memory or bad align. */
ARSENAL_ALLOC_API void *ars_arena_alloc_aligned(ars_arena *a, size_t size, size_t align);
/* count*size zeroed bytes; NULL on overflow or out of memory. */
ARSENAL_ALLOC_API void *ars_arena_calloc(ars_arena *a, size_t count, size_t size);
/* Savepoints nest: rewind in reverse order of marking. */
ARSENAL_ALLOC_API ars_arena_pos ars_arena_mark(ars_arena *a);
ARSENAL_ALLOC_API void  ars_arena_rewind(ars_arena *a, ars_arena_pos pos);
/* Frees everything; a growing arena keeps its oldest block for reuse. */
ARSENAL_ALLOC_API void  ars_arena_reset(ars_arena *a);
/* Fills *st (and notes the peak, hence the non-const arena). */
ARSENAL_ALLOC_API void  ars_arena_get_stats(ars_arena *a, ars_arena_stats *st);
/* free() through this allocator only rolls back the most recent allocation. */
ARSENAL_ALLOC_API ars_allocator ars_arena_allocator(ars_arena *a);

/* ---- pool: fixed-size objects, O(1) ---- */
typedef struct ars_pool {
    void *free_list;                  /* freed objects, linked through their first word */
    unsigned char *fresh, *fresh_end; /* never-used objects of the newest chunk */
    size_t stride, align;             /* object spacing and alignment */
    size_t allocs, frees;             /* counts (in use: their difference; two counters
                                         keep alloc and free off each other's stores) */
    size_t capacity;                  /* objects held */
    size_t chunk_objs, nchunks;       /* growing pools */
    void *chunks;                     /* chain of chunks from the parent */
    ars_allocator parent;
    int grows;
} ars_pool;
typedef struct ars_pool_stats { size_t used, peak, capacity, object_size, chunks; } ars_pool_stats;

/* Objects of obj_size bytes aligned to align (0 = default, else a power of
   two) carved from buf. 0, or ARS_EINVAL if not one object fits (also for
   obj_size 0, an align that is not a power of two, or a NULL buf). */
ARSENAL_ALLOC_API int   ars_pool_init(ars_pool *p, size_t obj_size, size_t align, void *buf, size_t size);
/* Grows by chunks of objs_per_chunk objects (0: 64) from parent (NULL:
   default). 0, or ARS_EINVAL as for ars_pool_init or for a chunk past
   SIZE_MAX / 4 bytes; the first chunk comes with the first alloc. */
ARSENAL_ALLOC_API int   ars_pool_init_grow(ars_pool *p, size_t obj_size, size_t align, size_t objs_per_chunk,
                                           const ars_allocator *parent);
/* Returns a growing pool's chunks to the parent; every object is gone. */
ARSENAL_ALLOC_API void  ars_pool_deinit(ars_pool *p);
ARSENAL_ALLOC_API void *ars_pool_alloc(ars_pool *p);   /* NULL when exhausted */
ARSENAL_ALLOC_API void  ars_pool_free(ars_pool *p, void *obj);   /* NULL is ignored */
/* used and peak count objects; object_size is the stride (size rounded to align). */
ARSENAL_ALLOC_API void  ars_pool_get_stats(const ars_pool *p, ars_pool_stats *st);
/* alloc fails (NULL) for size > object size or align > the pool's alignment. */
ARSENAL_ALLOC_API ars_allocator ars_pool_allocator(ars_pool *p);

#ifndef ARSENAL_ALLOC_NO_ATOMICS
/* ---- pool_mt: lock-free fixed-size pool over one region ---- */
#if defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8) || defined(_WIN64) || defined(_M_IX86) || defined(_M_ARM64)
typedef uint64_t ars__pool_word;  /* tag:32 | index+1:32 */
#else
typedef uint32_t ars__pool_word;  /* tag:16 | index+1:16 */
#endif
/* The head is atomic, so it must be naturally aligned, but the i386 SysV
   ABI aligns a uint64_t member to 4 only: after a 4-byte member the head
   could straddle a cache line, where i386's 64-bit atomic load (fildq) is
   not atomic and its CAS (lock cmpxchg8b) is a split lock. (MSVC aligns
   it to 8 already.) */
#if defined(__GNUC__) || defined(__clang__)
#define ARS__PMT_HEAD_ALIGN __attribute__((aligned(sizeof(ars__pool_word))))
#else
#define ARS__PMT_HEAD_ALIGN
#endif
typedef struct ars_pool_mt {
    ars__pool_word head ARS__PMT_HEAD_ALIGN;   /* free stack: tag and index+1 (0 = empty) */
    unsigned char pad0[64 - sizeof(ars__pool_word)];
    size_t fresh;                     /* next never-used index */
    unsigned char pad1[64 - sizeof(size_t)];
    ars__pool_word *next;             /* link of each free object (side table) */
    unsigned char *base;
    size_t stride, capacity;
    void *owned; size_t owned_size;   /* memory obtained from parent */
    ars_allocator parent;
} ars_pool_mt;
/* Bytes of caller memory ars_pool_mt_init needs for count objects; 0 if the
   size overflows or count is more than the head word can index (65534 with
   a 32-bit head, 2^32 - 2 with a 64-bit one). */
ARSENAL_ALLOC_API size_t ars_pool_mt_need(size_t obj_size, size_t align, size_t count);
/* Carve as many objects as fit in buf (the link table lives there too).
   Return 0, or ARS_EINVAL. Not thread-safe itself; alloc/free are. */
ARSENAL_ALLOC_API int   ars_pool_mt_init(ars_pool_mt *p, size_t obj_size, size_t align, void *buf, size_t size);
/* Same, with count objects' memory from parent (NULL: default allocator). */
ARSENAL_ALLOC_API int   ars_pool_mt_init_alloc(ars_pool_mt *p, size_t obj_size, size_t align, size_t count,
                                               const ars_allocator *parent);
/* Returns memory from ars_pool_mt_init_alloc to its parent. Not thread-safe. */
ARSENAL_ALLOC_API void  ars_pool_mt_deinit(ars_pool_mt *p);
/* Any thread: an object, or NULL when all are in use. */
ARSENAL_ALLOC_API void *ars_pool_mt_alloc(ars_pool_mt *p);
/* Any thread: obj from this pool (NULL is ignored). */
ARSENAL_ALLOC_API void  ars_pool_mt_free(ars_pool_mt *p, void *obj);
/* Objects the pool holds (what fitted, at least the count asked for). */
ARSENAL_ALLOC_API size_t ars_pool_mt_capacity(const ars_pool_mt *p);
/* alloc fails (NULL) for a size over the stride or an alignment objects lack. */
ARSENAL_ALLOC_API ars_allocator ars_pool_mt_allocator(ars_pool_mt *p);
#endif

/* ---- heap: O(1) two-level segregated fit over caller regions ---- */
/* A heap block header (private; here because ars_heap holds one). */
struct ars__hblk {
    uint32_t prev_size, head;
    struct ars__hblk *next_free, *prev_free;
};
/* Holds pointers to itself once initialised: do not copy it. */
typedef struct ars_heap {
    uint32_t fl_bitmap;                                /* words of sl_bitmap not 0 */
    ars_heap_map sl_bitmap[ARS_HEAP_MAP_WORDS + 1];    /* non-empty lists; 0 at the end */
    struct ars__hblk *heads[ARS_HEAP_FL_COUNT * ARS_HEAP_SL_COUNT]; /* free lists by class */
    struct ars__hblk nil;                              /* end of every list */
    size_t cache_max;                                  /* largest size cached (0: cache off) */
    size_t fast_n;                                     /* requests below take the fast path */
    size_t used, peak;                                 /* bytes in used blocks, cached ones included */
    size_t allocs, frees;                              /* operations so far */
    size_t total;                                      /* bytes in blocks */
    void *regions;                                     /* chain of region headers */
    void *cache[ARS_HEAP_CACHE_COUNT];                 /* freed blocks kept whole, by size */
    size_t cached, ncached, cache_limit;               /* bytes, blocks, byte budget */
    unsigned char cache_n[ARS_HEAP_CACHE_COUNT];       /* blocks per class */
    unsigned char cache_per_class;                     /* limit per class */
} ars_heap;
typedef struct ars_heap_stats {
    size_t total;          /* bytes of all blocks (regions minus their headers) */
    size_t used;           /* bytes in used blocks, 4-byte headers included */
    size_t free;           /* bytes in free blocks (the cache excluded) */
    size_t cached;         /* bytes of freed blocks held by the cache */
    size_t peak_used;      /* highest used + cached (used alone with the cache off):
                              the cache is left out of the hot paths' count */
    size_t largest_free;   /* payload of the largest free block */
    size_t used_blocks, free_blocks;
    size_t allocs, frees;  /* successful allocations and frees so far */
    unsigned fragmentation; /* percent, rounded up: 100 * (1 - the largest free
                               block, its 4-byte header included, / free) */
} ars_heap_stats;

/* Empty heap plus the region [mem, mem+size). (NULL, 0) makes an empty heap
   (add regions later); 0, or ARS_EINVAL for a region too small to hold a
   block (size 0 with a buffer included) or a NULL one. */
ARSENAL_ALLOC_API int   ars_heap_init(ars_heap *h, void *mem, size_t size);
/* Adds another region (need not be adjacent). 0, or ARS_EINVAL if too small. */
ARSENAL_ALLOC_API int   ars_heap_add_region(ars_heap *h, void *mem, size_t size);
/* Forgets all regions (unpoisons them for ASan). */
ARSENAL_ALLOC_API void  ars_heap_deinit(ars_heap *h);
ARSENAL_ALLOC_API void *ars_heap_alloc(ars_heap *h, size_t size);   /* 8-aligned */
/* align: 0 (8, as ars_heap_alloc) or a power of two up to
   2^(ARSENAL_ALLOC_HEAP_MAX_LOG2 - 4) (256 MiB by default), else NULL; kept
   by ars_heap_realloc. */
ARSENAL_ALLOC_API void *ars_heap_alloc_aligned(ars_heap *h, size_t size, size_t align);
/* count*size zeroed bytes, 8-aligned; NULL on overflow or out of memory. */
ARSENAL_ALLOC_API void *ars_heap_calloc(ars_heap *h, size_t count, size_t size);
/* In place when the block or its free neighbour after it suffices; on failure
   returns NULL and ptr is untouched. */
ARSENAL_ALLOC_API void *ars_heap_realloc(ars_heap *h, void *ptr, size_t size);
/* ptr from this heap (any of its alloc calls); NULL is ignored. */
ARSENAL_ALLOC_API void  ars_heap_free(ars_heap *h, void *ptr);
/* Bytes usable at ptr (>= the size asked for); all of them may be written
   (under ASan the call unpoisons them). */
ARSENAL_ALLOC_API size_t ars_heap_usable_size(const ars_heap *h, const void *ptr);
/* Walks every block and free list: 0 if consistent, ARS_ECORRUPT if not. */
ARSENAL_ALLOC_API int   ars_heap_check(const ars_heap *h);
/* Optional speed for memory: up to max_bytes of freed blocks (smaller than
   8*ARSENAL_ALLOC_HEAP_CACHE_CLASSES bytes), at most per_class (1..255, 0 =
   255) of each 8-byte size class, are kept whole and handed back to the next
   request of exactly their class without touching neighbours or lists.
   max_bytes 0 (the default) turns it off. Cached blocks return to the free
   lists by ars_heap_trim, by lower limits, and automatically before an
   allocation would fail, so the cache never causes an out-of-memory.
   Measured (random 16..512 B, 1000 live): off 1.10x the live bytes in the
   heap's span; (64 KiB, 4) ~2x faster at 1.26x; (1 MiB, 0) ~4x at 2x. */
ARSENAL_ALLOC_API void  ars_heap_set_cache(ars_heap *h, size_t max_bytes, unsigned per_class);
/* Returns every cached block to the free lists. */
ARSENAL_ALLOC_API void  ars_heap_trim(ars_heap *h);
/* Fills *st; walks the free lists (time grows with the free blocks). */
ARSENAL_ALLOC_API void  ars_heap_get_stats(const ars_heap *h, ars_heap_stats *st);
/* alloc is ars_heap_alloc_aligned; free ignores the size. */
ARSENAL_ALLOC_API ars_allocator ars_heap_allocator(ars_heap *h);

#ifdef __cplusplus
}
#endif
#endif /* ARSENAL_ALLOC_H */

/* >>impl ----------------------------------------------------------------- */

#if defined(ARSENAL_IMPLEMENTATION) && !defined(ARSENAL_ALLOC_IMPLEMENTATION)
#define ARSENAL_ALLOC_IMPLEMENTATION
#endif

#if defined(ARSENAL_ALLOC_IMPLEMENTATION) && !defined(ARSENAL_ALLOC_IMPLEMENTATION_ONCE)
#define ARSENAL_ALLOC_IMPLEMENTATION_ONCE

#if defined(ARSENAL_MALLOC) && !defined(ARSENAL_FREE)
#error "arsenal_alloc.h: ARSENAL_MALLOC is defined but ARSENAL_FREE is not; define both or neither"
#endif
#if defined(ARSENAL_FREE) && !defined(ARSENAL_MALLOC)
#error "arsenal_alloc.h: ARSENAL_FREE is defined but ARSENAL_MALLOC is not; define both or neither"
#endif

#if !defined(ARSENAL_ALLOC_FREESTANDING) && defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0
#define ARSENAL_ALLOC_FREESTANDING
#endif

#ifdef ARSENAL_ALLOC_FREESTANDING
#ifndef ARSENAL_ALLOC_MEMCPY
#if defined(__GNUC__) || defined(__clang__)
#define ARSENAL_ALLOC_MEMCPY(d, s, n) __builtin_memcpy(d, s, n)
#else
#error "arsenal_alloc.h: freestanding build: define ARSENAL_ALLOC_MEMCPY(dst, src, n)"
#endif
#endif
#ifndef ARSENAL_ALLOC_MEMSET
#if defined(__GNUC__) || defined(__clang__)
#define ARSENAL_ALLOC_MEMSET(d, c, n) __builtin_memset(d, c, n)
#else
#error "arsenal_alloc.h: freestanding build: define ARSENAL_ALLOC_MEMSET(dst, byte, n)"
#endif
#endif
#ifndef ARSENAL_ASSERT
#if defined(__GNUC__) || defined(__clang__)
#define ARSENAL_ASSERT(x) do { if (!(x)) __builtin_trap(); } while (0)
#else
#define ARSENAL_ASSERT(x) ((void)0)
#endif
#endif
#else /* hosted */
#include <string.h>
#ifndef ARSENAL_MALLOC
#include <stdlib.h>
#endif
#ifndef ARSENAL_ASSERT
#include <assert.h>
#define ARSENAL_ASSERT(x) assert(x)
#endif
#ifndef ARSENAL_ALLOC_MEMCPY
#define ARSENAL_ALLOC_MEMCPY(d, s, n) memcpy(d, s, n)
#endif
#ifndef ARSENAL_ALLOC_MEMSET
#define ARSENAL_ALLOC_MEMSET(d, c, n) memset(d, c, n)
#endif
#endif

#ifndef ARSENAL_ALLOC_DEBUG
#ifdef NDEBUG
#define ARSENAL_ALLOC_DEBUG 0
#else
#define ARSENAL_ALLOC_DEBUG 1
#endif
#endif
#ifndef ARSENAL_ALLOC_ARENA_BLOCK
#define ARSENAL_ALLOC_ARENA_BLOCK 65536
#endif
#ifndef ARSENAL_ALLOC_HEAP_SCAN
#define ARSENAL_ALLOC_HEAP_SCAN 8
#endif

/* AddressSanitizer manual poisoning. */
#if !defined(ARSENAL_ALLOC_NO_ASAN) && !defined(ARSENAL_ALLOC_FREESTANDING)
#if defined(__SANITIZE_ADDRESS__)
#define ARS__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARS__ASAN 1
#endif
#endif
#endif
#ifdef ARS__ASAN
#include <sanitizer/asan_interface.h>
#define ARS__POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define ARS__UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define ARS__NOASAN __attribute__((no_sanitize_address))
#else
#define ARS__POISON(p, n)   ((void)(p), (void)(n))
#define ARS__UNPOISON(p, n) ((void)(p), (void)(n))
#define ARS__NOASAN
#endif

#if ARSENAL_ALLOC_DEBUG
#define ARS__DEBUG_FILL(p, n) ARSENAL_ALLOC_MEMSET((p), 0xDD, (n))
#else
#define ARS__DEBUG_FILL(p, n) ((void)(p), (void)(n))
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ARS__UNUSED __attribute__((unused))
#define ARS__NOINLINE __attribute__((noinline))
#define ARS__INLINE inline __attribute__((always_inline))
#define ARS__LIKELY(x) __builtin_expect(!!(x), 1)
#define ARS__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ARS__UNUSED
#define ARS__NOINLINE
#define ARS__INLINE
#define ARS__LIKELY(x) (x)
#define ARS__UNLIKELY(x) (x)
#endif

/* Default alignment: enough for any fundamental type on the target. */
#define ARS__ALIGN (sizeof(void *) >= 8 ? (size_t)16 : (size_t)8)
#define ARS__IS_POW2(x) ((x) != 0 && ((x) & ((x) - 1)) == 0)
#define ARS__ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~(uintptr_t)((a) - 1))

#ifdef __cplusplus
extern "C" {
#endif

/* >>malloc --------------------------------------------------------------- */

#if defined(ARSENAL_MALLOC)
#define ARS__SYS_MALLOC(n) ARSENAL_MALLOC(n)
#define ARS__SYS_FREE(p) ARSENAL_FREE(p)
#elif !defined(ARSENAL_ALLOC_FREESTANDING)
#define ARS__SYS_MALLOC(n) malloc(n)
#define ARS__SYS_FREE(p) free(p)
#else
#define ARS__SYS_MALLOC(n) ((void)(n), (void *)0)
#define ARS__SYS_FREE(p) ((void)(p))
#endif

/* Every block keeps the raw pointer just below the aligned one, because
   free() is not told the alignment. */
static void *ars__malloc_alloc(void *ctx, size_t size, size_t align) {
    unsigned char *raw;
    uintptr_t p;
    (void)ctx;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (!ARS__IS_POW2(align) || size > (size_t)-1 - align - sizeof(void *)) return NULL;
    raw = (unsigned char *)ARS__SYS_MALLOC(size + align - 1 + sizeof(void *));
    if (!raw) return NULL;
    p = ARS__ALIGN_UP((uintptr_t)raw + sizeof(void *), align);
    ((void **)p)[-1] = raw;
    return (void *)p;
}
static void ars__malloc_free(void *ctx, void *ptr, size_t size) {
    (void)ctx; (void)size;
    if (ptr) ARS__SYS_FREE(((void **)ptr)[-1]);
}

ARSENAL_ALLOC_API ars_allocator ars_malloc_allocator(void) {
    ars_allocator a;
    a.alloc = ars__malloc_alloc;
    a.free = ars__malloc_free;
    a.ctx = NULL;
    return a;
}

static ars_allocator ars__parent_or_default(const ars_allocator *parent) {
    return parent ? *parent : ars_malloc_allocator();
}

/* >>arena ---------------------------------------------------------------- */

struct ars_arena_block {
    ars_arena_block *prev;
    size_t size;       /* bytes obtained from the parent, this header included */
};
#define ARS__ARENA_HDR (ARS__ALIGN_UP(sizeof(ars_arena_block), ARS__ALIGN))

/* The bump pointer stays ARS__ALIGN-aligned: allocations are rounded up to
   it, so the common call needs no alignment arithmetic. Only the last bytes
   of a fixed buffer, given out whole by the slow path, leave it unaligned,
   with fewer than ARS__ALIGN bytes to the end, where the fast path never
   fits. */
ARSENAL_ALLOC_API void ars_arena_init(ars_arena *a, void *buf, size_t size) {
    uintptr_t b = (uintptr_t)buf, e = b + size;
    ARSENAL_ALLOC_MEMSET(a, 0, sizeof *a);
    a->fixed = 1;
    if (!buf || e < b) e = b;
    b = ARS__ALIGN_UP(b, ARS__ALIGN);
    if (b > e || b < (uintptr_t)buf) b = e;
    a->base = a->cur = (unsigned char *)b;
    a->end = (unsigned char *)e;
    if (e > b) ARS__POISON(a->base, (size_t)(e - b));
}

ARSENAL_ALLOC_API void ars_arena_init_parent(ars_arena *a, const ars_allocator *parent, size_t block_size) {
    ARSENAL_ALLOC_MEMSET(a, 0, sizeof *a);
    a->parent = ars__parent_or_default(parent);
    a->block_size = block_size ? block_size : (size_t)ARSENAL_ALLOC_ARENA_BLOCK;
}

static void ars__arena_release(ars_arena *a, ars_arena_block *b) {
    a->nblocks--;
    a->reserved -= b->size;
    ARS__UNPOISON(b, b->size);
    a->parent.free(a->parent.ctx, b, b->size);
}

static size_t ars__arena_used(const ars_arena *a) { return a->done + (size_t)(a->cur - a->base); }
static void ars__arena_note_peak(ars_arena *a) {
    size_t u = ars__arena_used(a);
    if (u > a->peak) a->peak = u;
}

ARSENAL_ALLOC_API void ars_arena_deinit(ars_arena *a) {
    if (a->fixed) {
        if (a->base) ARS__UNPOISON(a->base, (size_t)(a->end - a->base));
    } else {
        while (a->block) {
            ars_arena_block *prev = a->block->prev;
            ars__arena_release(a, a->block);
            a->block = prev;
        }
    }
    a->base = a->cur = a->end = NULL;
    a->done = 0;
}

ARS__NOINLINE static void *ars__arena_grow(ars_arena *a, size_t size, size_t align) {
    size_t need, bsz;
    ars_arena_block *b;
    uintptr_t p;
    p = ARS__ALIGN_UP((uintptr_t)a->cur, align);
    if (a->cur && p >= (uintptr_t)a->cur && p <= (uintptr_t)a->end && size <= (uintptr_t)a->end - p) {
        /* it fits after all: size 0, or the end of a block where less than
           the rounded size is left (the bump pointer then goes to the end) */
        size_t n = ARS__ALIGN_UP(size, ARS__ALIGN);
        a->cur = (unsigned char *)(p + (n >= size && n <= (uintptr_t)a->end - p ? n : size));
        ARS__UNPOISON((void *)p, size);
        return (void *)p;
    }
    if (a->fixed) return NULL;
    /* align first: a top-bit alignment would wrap the bound below around */
    if (align > (size_t)-1 / 4 || size > (size_t)-1 / 2 - align - ARS__ARENA_HDR) return NULL;
    size = ARS__ALIGN_UP(size, ARS__ALIGN);
    need = ARS__ARENA_HDR + size + (align > ARS__ALIGN ? align : 0);
    bsz = need > a->block_size ? need : a->block_size;
    b = (ars_arena_block *)a->parent.alloc(a->parent.ctx, bsz, ARS__ALIGN);
    if (!b) return NULL;   /* arena unchanged */
    b->prev = a->block;
    b->size = bsz;
    a->done += (size_t)(a->cur - a->base);
    a->block = b;
    a->nblocks++;
    a->reserved += bsz;
    a->base = (unsigned char *)b + ARS__ARENA_HDR;
    a->end = (unsigned char *)b + bsz;
    ARS__POISON(a->base, (size_t)(a->end - a->base));
    p = ARS__ALIGN_UP((uintptr_t)a->base, align);
    a->cur = (unsigned char *)(p + size);
    ARS__UNPOISON((void *)p, size);
    return (void *)p;
}

ARSENAL_ALLOC_API void *ars_arena_alloc(ars_arena *a, size_t size) {
    unsigned char *p = a->cur;
    size_t n = (size + (ARS__ALIGN - 1)) & ~(ARS__ALIGN - 1);
    /* n - 1 < room: n > 0 (size 0 and wrap-around go slow) and it fits */
    if (ARS__LIKELY(n - 1 < (size_t)(a->end - p))) {
        a->cur = p + n;
        ARS__UNPOISON(p, size);
        return p;
    }
    return ars__arena_grow(a, size, ARS__ALIGN);
}

ARSENAL_ALLOC_API void *ars_arena_alloc_aligned(ars_arena *a, size_t size, size_t align) {
    uintptr_t p, end = (uintptr_t)a->end;
    size_t n;
    if (align <= ARS__ALIGN) {
        if (ARS__UNLIKELY(align & (align - 1))) return NULL;
        return ars_arena_alloc(a, size);
    }
    if (ARS__UNLIKELY(!ARS__IS_POW2(align))) return NULL;
    p = ARS__ALIGN_UP((uintptr_t)a->cur, align);
    n = (size + (ARS__ALIGN - 1)) & ~(ARS__ALIGN - 1);
    /* p - 1 < end also rejects p == 0 (no block yet) */
    if (ARS__LIKELY(p >= (uintptr_t)a->cur && p - 1 < end && n >= size && n <= end - p)) {
        a->cur = (unsigned char *)(p + n);
        ARS__UNPOISON((void *)p, size);
        return (void *)p;
    }
    return ars__arena_grow(a, size, align);
}

ARSENAL_ALLOC_API void *ars_arena_calloc(ars_arena *a, size_t count, size_t size) {
    void *p;
    if (size && count > (size_t)-1 / size) return NULL;
    p = ars_arena_alloc(a, count * size);
    if (p) ARSENAL_ALLOC_MEMSET(p, 0, count * size);
    return p;
}

ARSENAL_ALLOC_API ars_arena_pos ars_arena_mark(ars_arena *a) {
    ars_arena_pos pos;
    pos.block = a->block;
    pos.cur = a->cur;
    pos.done = a->done;
    return pos;
}

ARSENAL_ALLOC_API void ars_arena_rewind(ars_arena *a, ars_arena_pos pos) {
    ars__arena_note_peak(a);
    if (!a->fixed) {
        if (!pos.block) { ars_arena_reset(a); return; }
        while (a->block && a->block != pos.block) {
            ars_arena_block *prev = a->block->prev;
            ars__arena_release(a, a->block);
            a->block = prev;
        }
        ARSENAL_ASSERT(a->block == pos.block);
        a->base = (unsigned char *)a->block + ARS__ARENA_HDR;
        a->end = (unsigned char *)a->block + a->block->size;
    }
    if (pos.cur && pos.cur < a->end) {
        ARS__UNPOISON(pos.cur, (size_t)(a->end - pos.cur));
        ARS__DEBUG_FILL(pos.cur, (size_t)((a->cur > pos.cur && a->cur <= a->end ? a->cur : a->end) - pos.cur));
        ARS__POISON(pos.cur, (size_t)(a->end - pos.cur));
    }
    a->cur = pos.cur;
    a->done = pos.done;
}

ARSENAL_ALLOC_API void ars_arena_reset(ars_arena *a) {
    ars__arena_note_peak(a);
    if (!a->fixed) {
        if (!a->block) return;
        while (a->block->prev) {   /* keep the oldest block */
            ars_arena_block *prev = a->block->prev;
            ars__arena_release(a, a->block);
            a->block = prev;
        }
        a->base = (unsigned char *)a->block + ARS__ARENA_HDR;
        a->end = (unsigned char *)a->block + a->block->size;
    }
    if (a->base) {
        ARS__UNPOISON(a->base, (size_t)(a->end - a->base));
        ARS__DEBUG_FILL(a->base, (size_t)(a->end - a->base));
        ARS__POISON(a->base, (size_t)(a->end - a->base));
    }
    a->cur = a->base;
    a->done = 0;
}

ARSENAL_ALLOC_API void ars_arena_get_stats(ars_arena *a, ars_arena_stats *st) {
    ars__arena_note_peak(a);
    st->used = ars__arena_used(a);
    st->peak = a->peak;
    st->capacity = a->fixed ? (size_t)(a->end - a->base) : a->reserved - a->nblocks * ARS__ARENA_HDR;
    st->blocks = a->nblocks;
}

static void *ars__arena_a_alloc(void *ctx, size_t size, size_t align) {
    return ars_arena_alloc_aligned((ars_arena *)ctx, size, align);
}
static void ars__arena_a_free(void *ctx, void *ptr, size_t size) {
    ars_arena *a = (ars_arena *)ctx;
    unsigned char *e = (unsigned char *)ptr + size;
    /* the most recent allocation ends at cur, or up to its rounding before */
    if (ptr && e <= a->cur && (size_t)(a->cur - e) < ARS__ALIGN && (unsigned char *)ptr >= a->base) {
        ars__arena_note_peak(a);      /* the peak is noted lazily: before rolling back */
        a->cur = (unsigned char *)ptr;
        ARS__DEBUG_FILL(ptr, size);
        ARS__POISON(ptr, size);
    }
}
ARSENAL_ALLOC_API ars_allocator ars_arena_allocator(ars_arena *a) {
    ars_allocator al;
    al.alloc = ars__arena_a_alloc;
    al.free = ars__arena_a_free;
    al.ctx = a;
    return al;
}

/* >>pool ----------------------------------------------------------------- */

static int ars__pool_geometry(size_t obj_size, size_t *align, size_t *stride) {
    size_t a = *align ? *align : ARS__ALIGN;
    size_t s = obj_size < sizeof(void *) ? sizeof(void *) : obj_size;
    if (!ARS__IS_POW2(a) || obj_size == 0 || s > (size_t)-1 / 4 || a > (size_t)-1 / 4) return ARS_EINVAL;
    if (a < sizeof(void *)) a = sizeof(void *);   /* ars_pool links through objects */
    s = (s + a - 1) & ~(a - 1);
    *align = a;
    *stride = s;
    return 0;
}

ARSENAL_ALLOC_API int ars_pool_init(ars_pool *p, size_t obj_size, size_t align, void *buf, size_t size) {
    uintptr_t start, end;
    ARSENAL_ALLOC_MEMSET(p, 0, sizeof *p);
    if (ars__pool_geometry(obj_size, &align, &p->stride) || !buf) return ARS_EINVAL;
    p->align = align;
    start = ARS__ALIGN_UP((uintptr_t)buf, align);
    end = (uintptr_t)buf + size;
    if (start < (uintptr_t)buf || start > end || (end - start) / p->stride == 0) return ARS_EINVAL;
    p->capacity = (end - start) / p->stride;
    p->fresh = (unsigned char *)start;
    p->fresh_end = p->fresh + p->capacity * p->stride;
    ARS__POISON(buf, size);
    p->chunks = buf;       /* remembered for deinit */
    p->chunk_objs = size;
    return 0;
}

ARSENAL_ALLOC_API int ars_pool_init_grow(ars_pool *p, size_t obj_size, size_t align, size_t objs_per_chunk,
                                         const ars_allocator *parent) {
    ARSENAL_ALLOC_MEMSET(p, 0, sizeof *p);
    if (ars__pool_geometry(obj_size, &align, &p->stride)) return ARS_EINVAL;
    p->align = align;
    p->grows = 1;
    p->chunk_objs = objs_per_chunk ? objs_per_chunk : 64;
    if (p->chunk_objs > ((size_t)-1 / 4) / p->stride) return ARS_EINVAL;
    p->parent = ars__parent_or_default(parent);
    return 0;
}

/* A chunk from the parent: [link][size] then objects from offset `hdr`. */
static size_t ars__pool_chunk_hdr(const ars_pool *p) {
    return ARS__ALIGN_UP(2 * sizeof(void *), p->align);
}

ARSENAL_ALLOC_API void ars_pool_deinit(ars_pool *p) {
    if (p->grows) {
        while (p->chunks) {
            void **c = (void **)p->chunks;
            void *next = c[0];
            size_t sz = (size_t)(uintptr_t)c[1];
            ARS__UNPOISON(c, sz);
            p->parent.free(p->parent.ctx, c, sz);
            p->chunks = next;
        }
    } else if (p->chunks) {
        ARS__UNPOISON(p->chunks, p->chunk_objs);
    }
    ARSENAL_ALLOC_MEMSET(p, 0, sizeof *p);
}

ARS__NOINLINE static void *ars__pool_slow(ars_pool *p) {
    void **c;
    size_t hdr, sz;
    if (!p->grows) return NULL;
    hdr = ars__pool_chunk_hdr(p);
    sz = hdr + p->chunk_objs * p->stride;
    c = (void **)p->parent.alloc(p->parent.ctx, sz, p->align);
    if (!c) return NULL;
    c[0] = p->chunks;
    c[1] = (void *)(uintptr_t)sz;
    p->chunks = c;
    p->nchunks++;
    p->capacity += p->chunk_objs;
    p->fresh = (unsigned char *)c + hdr;
    p->fresh_end = p->fresh + p->chunk_objs * p->stride;
    ARS__POISON(p->fresh, p->chunk_objs * p->stride);
    return p->fresh;
}

ARSENAL_ALLOC_API void *ars_pool_alloc(ars_pool *p) {
    void *o = p->free_list;
    if (ARS__LIKELY(o != NULL)) {
        ARS__UNPOISON(o, p->stride);
        p->free_list = *(void **)o;
    } else if (p->fresh != p->fresh_end) {
        o = p->fresh;
        p->fresh += p->stride;
        ARS__UNPOISON(o, p->stride);
    } else {
        o = ars__pool_slow(p);
        if (!o) return NULL;
        p->fresh += p->stride;
        ARS__UNPOISON(o, p->stride);
    }
    p->allocs++;
    return o;
}

ARSENAL_ALLOC_API void ars_pool_free(ars_pool *p, void *obj) {
    if (!obj) return;
    ARSENAL_ASSERT(((uintptr_t)obj & (p->align - 1)) == 0);
    ARSENAL_ASSERT(p->allocs != p->frees);
    ARS__DEBUG_FILL(obj, p->stride);
    *(void **)obj = p->free_list;
    p->free_list = obj;
    p->frees++;
    ARS__POISON(obj, p->stride);
}

ARSENAL_ALLOC_API void ars_pool_get_stats(const ars_pool *p, ars_pool_stats *st) {
    st->used = p->allocs - p->frees;
    /* A fresh object is taken only when every object taken before is in
       use, so the objects ever taken are the most ever in use at once.
       (stride 0: a pool after deinit or a failed init, all zero) */
    st->peak = p->stride ? p->capacity - (size_t)(p->fresh_end - p->fresh) / p->stride : 0;
    st->capacity = p->capacity;
    st->object_size = p->stride;
    st->chunks = p->grows ? p->nchunks : (p->chunks != NULL);
}

static void *ars__pool_a_alloc(void *ctx, size_t size, size_t align) {
    ars_pool *p = (ars_pool *)ctx;
    if (size > p->stride || align > p->align) return NULL;
    return ars_pool_alloc(p);
}
static void ars__pool_a_free(void *ctx, void *ptr, size_t size) {
    (void)size;
    ars_pool_free((ars_pool *)ctx, ptr);
}
ARSENAL_ALLOC_API ars_allocator ars_pool_allocator(ars_pool *p) {
    ars_allocator al;
    al.alloc = ars__pool_a_alloc;
    al.free = ars__pool_a_free;
    al.ctx = p;
    return al;
}

/* >>poolmt --------------------------------------------------------------- */
/* A Treiber stack of object indices. The links live in a side table, never in
   the objects, so a thread reading a stale head never touches memory another
   thread owns (clean under TSan and ASan). Each push and pop bumps a tag in
   the head word, so a head that was popped and pushed back meanwhile (ABA)
   fails the compare-and-swap. */
#ifndef ARSENAL_ALLOC_NO_ATOMICS

#define ARS__PMT_BITS (sizeof(ars__pool_word) * 4)
#define ARS__PMT_MASK ((((ars__pool_word)1) << ARS__PMT_BITS) - 1)

#if defined(__GNUC__) || defined(__clang__)
#define ARS__LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ARS__LOAD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ARS__STORE_RLX(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ARS__LOAD_RLXZ(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ARS__CAS(p, expp, v) \
    __atomic_compare_exchange_n((p), (expp), (v), 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define ARS__CASZ(p, expp, v) \
    __atomic_compare_exchange_n((p), (expp), (v), 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#elif defined(_MSC_VER)
#include <intrin.h>
/* MSVC: full-barrier Interlocked calls; head word is 64-bit on these targets. */
static ars__pool_word ars__msvc_cas64(ars__pool_word *p, ars__pool_word cmp, ars__pool_word v) {
    return (ars__pool_word)_InterlockedCompareExchange64((volatile __int64 *)p, (__int64)v, (__int64)cmp);
}
static size_t ars__msvc_casz(size_t *p, size_t cmp, size_t v) {
#ifdef _WIN64
    return (size_t)_InterlockedCompareExchange64((volatile __int64 *)p, (__int64)v, (__int64)cmp);
#else
    return (size_t)_InterlockedCompareExchange((volatile long *)p, (long)v, (long)cmp);
#endif
}
static int ars__msvc_cas_w(ars__pool_word *p, ars__pool_word *exp, ars__pool_word v) {
    ars__pool_word old = ars__msvc_cas64(p, *exp, v);
    if (old == *exp) return 1;
    *exp = old;
    return 0;
}
static int ars__msvc_cas_z(size_t *p, size_t *exp, size_t v) {
    size_t old = ars__msvc_casz(p, *exp, v);
    if (old == *exp) return 1;
    *exp = old;
    return 0;
}
#define ARS__LOAD_ACQ(p) ars__msvc_cas64((p), 0, 0)
#define ARS__LOAD_RLX(p) ars__msvc_cas64((p), 0, 0)
#define ARS__LOAD_RLXZ(p) ars__msvc_casz((p), 0, 0)
#define ARS__STORE_RLX(p, v) (*(volatile ars__pool_word *)(p) = (v))
#define ARS__CAS(p, expp, v) ars__msvc_cas_w((p), (expp), (v))
#define ARS__CASZ(p, expp, v) ars__msvc_cas_z((p), (expp), (v))
#else
#error "arsenal_alloc.h: ars_pool_mt needs GCC/Clang atomics or MSVC; define ARSENAL_ALLOC_NO_ATOMICS"
#endif

ARSENAL_ALLOC_API size_t ars_pool_mt_need(size_t obj_size, size_t align, size_t count) {
    size_t stride;
    if (ars__pool_geometry(obj_size, &align, &stride)) return 0;
    /* ars_pool_mt_init holds at most MASK - 1 objects (an index + 1 in the head) */
    if (count > (size_t)ARS__PMT_MASK - 1) return 0;
    if (count > ((size_t)-1 / 4) / (stride + sizeof(ars__pool_word))) return 0;
    return count * stride + count * sizeof(ars__pool_word) + align + sizeof(ars__pool_word);
}

ARSENAL_ALLOC_API int ars_pool_mt_init(ars_pool_mt *p, size_t obj_size, size_t align, void *buf, size_t size) {
    uintptr_t links, objs, end;
    size_t n, per;
    ARSENAL_ALLOC_MEMSET(p, 0, sizeof *p);
    if (!buf || ars__pool_geometry(obj_size, &align, &p->stride)) return ARS_EINVAL;
    end = (uintptr_t)buf + size;
    links = ARS__ALIGN_UP((uintptr_t)buf, sizeof(ars__pool_word));
    if (links < (uintptr_t)buf || links >= end) return ARS_EINVAL;
    per = p->stride + sizeof(ars__pool_word);
    n = (size_t)(end - links) / per;
    for (;;) {  /* shrink n until links + objects (aligned) fit */
        objs = ARS__ALIGN_UP(links + n * sizeof(ars__pool_word), align);
        if (n == 0 || (objs <= end && (end - objs) / p->stride >= n)) break;
        n--;
    }
    if (n > (size_t)ARS__PMT_MASK - 1) n = (size_t)ARS__PMT_MASK - 1;
    if (n == 0) return ARS_EINVAL;
    p->next = (ars__pool_word *)links;
    p->base = (unsigned char *)objs;
    p->capacity = n;
    ARS__POISON(p->base, n * p->stride);
    return 0;
}

ARSENAL_ALLOC_API int ars_pool_mt_init_alloc(ars_pool_mt *p, size_t obj_size, size_t align, size_t count,
                                             const ars_allocator *parent) {
    ars_allocator par = ars__parent_or_default(parent);
    size_t need = ars_pool_mt_need(obj_size, align, count);
    void *mem;
    int rc;
    if (!need || count == 0) return ARS_EINVAL;
    mem = par.alloc(par.ctx, need, sizeof(ars__pool_word));
    if (!mem) return ARS_ENOMEM;
    rc = ars_pool_mt_init(p, obj_size, align, mem, need);
    if (rc) { par.free(par.ctx, mem, need); return rc; }
    p->owned = mem;
    p->owned_size = need;
    p->parent = par;
    return 0;
}

ARSENAL_ALLOC_API void ars_pool_mt_deinit(ars_pool_mt *p) {
    if (p->base) ARS__UNPOISON(p->base, p->capacity * p->stride);
    if (p->owned) p->parent.free(p->parent.ctx, p->owned, p->owned_size);
    ARSENAL_ALLOC_MEMSET(p, 0, sizeof *p);
}

ARSENAL_ALLOC_API void *ars_pool_mt_alloc(ars_pool_mt *p) {
    ars__pool_word old = ARS__LOAD_ACQ(&p->head), nw;
    size_t f;
    while (old & ARS__PMT_MASK) {
        size_t i = (size_t)(old & ARS__PMT_MASK) - 1;
        nw = (((old >> ARS__PMT_BITS) + 1) << ARS__PMT_BITS) | ARS__LOAD_RLX(&p->next[i]);
        if (ARS__CAS(&p->head, &old, nw)) {
            void *o = p->base + i * p->stride;
            ARS__UNPOISON(o, p->stride);
            return o;
        }
    }
    f = ARS__LOAD_RLXZ(&p->fresh);
    while (f < p->capacity) {
        if (ARS__CASZ(&p->fresh, &f, f + 1)) {
            void *o = p->base + f * p->stride;
            ARS__UNPOISON(o, p->stride);
            return o;
        }
    }
    return NULL;
}

ARSENAL_ALLOC_API void ars_pool_mt_free(ars_pool_mt *p, void *obj) {
    size_t i;
    ars__pool_word old, nw;
    if (!obj) return;
    ARSENAL_ASSERT((unsigned char *)obj >= p->base && (unsigned char *)obj < p->base + p->capacity * p->stride);
    i = (size_t)((unsigned char *)obj - p->base) / p->stride;
    ARSENAL_ASSERT(p->base + i * p->stride == (unsigned char *)obj);
    ARS__DEBUG_FILL(obj, p->stride);
    ARS__POISON(obj, p->stride);
    old = ARS__LOAD_RLX(&p->head);
    do {
        ARS__STORE_RLX(&p->next[i], old & ARS__PMT_MASK);
        nw = (((old >> ARS__PMT_BITS) + 1) << ARS__PMT_BITS) | (ars__pool_word)(i + 1);
    } while (!ARS__CAS(&p->head, &old, nw));
}

ARSENAL_ALLOC_API size_t ars_pool_mt_capacity(const ars_pool_mt *p) { return p->capacity; }

static void *ars__pmt_a_alloc(void *ctx, size_t size, size_t align) {
    ars_pool_mt *p = (ars_pool_mt *)ctx;
    if (size > p->stride || (align && ((uintptr_t)p->base & (align - 1)))
        || (align && (p->stride & (align - 1)))) return NULL;
    return ars_pool_mt_alloc(p);
}
static void ars__pmt_a_free(void *ctx, void *ptr, size_t size) {
    (void)size;
    ars_pool_mt_free((ars_pool_mt *)ctx, ptr);
}
ARSENAL_ALLOC_API ars_allocator ars_pool_mt_allocator(ars_pool_mt *p) {
    ars_allocator al;
    al.alloc = ars__pmt_a_alloc;
    al.free = ars__pmt_a_free;
    al.ctx = p;
    return al;
}
#endif /* ARSENAL_ALLOC_NO_ATOMICS */

/* >>heap ----------------------------------------------------------------- */
/* Block layout (B is 8-aligned; a block's size is the distance to the next):

       B+0  prev_size  size of the previous block; valid only while it is free
                       (otherwise these bytes are the tail of its payload)
       B+4  head       size | FREE | PREV_FREE
       B+8  payload    usable: size - 4 bytes (up to the next block's head);
                       a free block keeps its list links here

   Each region ends with a zero-size used sentinel, so coalescing never walks
   past it. A block allocated with alignment > 8 has a marker word just below
   the user pointer (bit 2 set, log2 of the alignment above) and the real head
   12 bytes below that; the alignment survives realloc.

   Free blocks sit in ARS_HEAP_FL_COUNT x ARS_HEAP_SL_COUNT lists, numbered
   by one flat class index (one bit scan of the size, a shift and an add).
   The classes below 2 * ARS_HEAP_SL_COUNT are exact: every block in one of
   them has the same size, so the first non-empty class at or above the
   request's, found with two bit scans, always fits. Above that a class
   spans several sizes: allocation takes the head of the request's own class
   if it fits, else the first block of the next non-empty class (good fit),
   and as a last resort looks a bounded way down its own class.

   One bit per class says its list is not empty, in words of 64 bits (32
   where pointers are), and fl_bitmap has one bit per word that is not 0:
   a search is a bit scan in the request's word and, when nothing is left
   there, one in fl_bitmap and one in the word it names. With 64-bit words,
   word 0 holds every exact class for requests below 501 bytes: the fast
   path of ars_heap_alloc looks only there, and knows the size of the block
   it takes (the class times 8) before it reads the block, so whether to
   split is decided by the bitmap, not by a load that may miss the cache.

   A free block's previous block is never free (neighbours are coalesced at
   once), so a block taken from a list never has PREV_FREE set. */

typedef struct ars__hblk ars__hblk;

typedef struct ars__hregion {
    struct ars__hregion *next;
    ars__hblk *first, *end;
    size_t size;              /* bytes given by the caller */
    void *mem;
} ars__hregion;

#define ARS__HB_FREE 1u
#define ARS__HB_PFREE 2u
#define ARS__HB_MARK 4u
#define ARS__HB_MIN ((sizeof(ars__hblk) + 7) & ~(size_t)7)
#define ARS__HB_SIZE(b) ((size_t)((b)->head & ~(uint32_t)7))
#define ARS__HB_AT(b, off) ((ars__hblk *)((unsigned char *)(b) + (off)))
#define ARS__HB_BACK(b, off) ((ars__hblk *)((unsigned char *)(b) - (off)))
#define ARS__HB_PAYLOAD(b) ((void *)((unsigned char *)(b) + 8))
#define ARS__HEAP_SMALL ((size_t)1 << (ARSENAL_ALLOC_HEAP_SL_LOG2 + 3))
#define ARS__HEAP_EXACT (2u << ARSENAL_ALLOC_HEAP_SL_LOG2)   /* classes below: one size each */
/* classes below ARS__HEAP_FAST are exact and in bitmap word 0; requests
   below ARS__HEAP_FAST_N bytes make blocks of those classes */
#define ARS__HEAP_FAST (ARS__HEAP_EXACT < (1u << ARS_HEAP_MAP_LOG2) ? ARS__HEAP_EXACT : (1u << ARS_HEAP_MAP_LOG2))
#define ARS__HEAP_FAST_N ((size_t)ARS__HEAP_FAST * 8 - 11)
#define ARS__HEAP_NCLASS ((unsigned)(ARS_HEAP_FL_COUNT * ARS_HEAP_SL_COUNT))
#define ARS__HEAP_MAXBLK ((size_t)(((uint64_t)1 << ARSENAL_ALLOC_HEAP_MAX_LOG2) - 8))
#define ARS__HEAP_MAXREQ (ARS__HEAP_MAXBLK / 2)

#if defined(__GNUC__) || defined(__clang__)
static ARS__INLINE unsigned ars__fls32(uint32_t x) { return (unsigned)__builtin_clz(x) ^ 31u; }
static ARS__INLINE unsigned ars__ffs32(uint32_t x) { return (unsigned)__builtin_ctz(x); }
#elif defined(_MSC_VER)
#include <intrin.h>
static unsigned ars__fls32(uint32_t x) { unsigned long i; _BitScanReverse(&i, x); return (unsigned)i; }
static unsigned ars__ffs32(uint32_t x) { unsigned long i; _BitScanForward(&i, x); return (unsigned)i; }
#else
static unsigned ars__fls32(uint32_t x) { unsigned n = 0; while (x >>= 1) n++; return n; }
static unsigned ars__ffs32(uint32_t x) { unsigned n = 0; while (!(x & 1u)) { x >>= 1; n++; } return n; }
#endif
#if ARS_HEAP_MAP_LOG2 == 5
#define ars__ffsmap(x) ars__ffs32(x)
#elif defined(__GNUC__) || defined(__clang__)
#define ars__ffsmap(x) ((unsigned)__builtin_ctzll(x))
#elif defined(_MSC_VER) && defined(_WIN64)
static unsigned ars__ffsmap(uint64_t x) { unsigned long i; _BitScanForward64(&i, x); return (unsigned)i; }
#else
static unsigned ars__ffsmap(uint64_t x) {
    return (uint32_t)x ? ars__ffs32((uint32_t)x) : 32u + ars__ffs32((uint32_t)(x >> 32));
}
#endif

/* Flat class of a block size: first level (class >> SL_LOG2) and second
   level (class & (SL_COUNT - 1)) of the usual two-level scheme. Sizes below
   ARS__HEAP_SMALL are 8 bytes apart in level 0; each higher power of two has
   SL_COUNT classes (the first of them, too, 8 bytes apart). */
static ARS__INLINE unsigned ars__heap_class(size_t size) {
    unsigned t = ars__fls32((uint32_t)size | (uint32_t)ARS__HEAP_SMALL);
    return ((t - (ARSENAL_ALLOC_HEAP_SL_LOG2 + 3)) << ARSENAL_ALLOC_HEAP_SL_LOG2)
           + (unsigned)(size >> (t - ARSENAL_ALLOC_HEAP_SL_LOG2));
}

/* Block size for a request of n bytes (n <= ARS__HEAP_MAXREQ). */
static ARS__INLINE size_t ars__heap_bsize(size_t n) {
    size_t s = (n + 4 + 7) & ~(size_t)7;
    return s < ARS__HB_MIN ? ARS__HB_MIN : s;
}

/* Lists are doubly linked without NULLs, so linking and unlinking never
   branch: an empty list and the end of a list are the heap's `nil` block,
   and a list head acts as the next_free field of a block that begins just
   before it (only that field is ever touched). Every access to a list head
   goes through ARS__HEAD, the same lvalue type as the links, so the
   compiler's type-based alias analysis sees them as the same memory. */
#define ARS__NIL(h) ((ars__hblk *)&(h)->nil)
#define ARS__CELL(h, c) \
    ((ars__hblk *)(void *)((unsigned char *)&(h)->heads[c] - offsetof(ars__hblk, next_free)))
#define ARS__HEAD(h, c) (ARS__CELL(h, c)->next_free)
#define ARS__SLMASK ((uint32_t)ARS_HEAP_SL_COUNT - 1)
#define ARS__MAPMASK ((1u << ARS_HEAP_MAP_LOG2) - 1)

/* Clears class c's bits when `empty` (0 or 1). Arithmetic, not a branch or
   a select a compiler would turn into one: whether a list just ran empty is
   a coin toss under random sizes. */
static ARS__INLINE void ars__heap_clear_if(ars_heap *h, unsigned c, uint32_t empty) {
    unsigned w = c >> ARS_HEAP_MAP_LOG2;
    ars_heap_map s = h->sl_bitmap[w] & ~((ars_heap_map)empty << (c & ARS__MAPMASK));
    h->sl_bitmap[w] = s;
    h->fl_bitmap &= ~((uint32_t)(s == 0) << w);
}

/* Links free block b at the head of class c's list (the bitmaps are the
   caller's). */
ARS__NOASAN static ARS__INLINE void ars__heap_link(ars_heap *h, ars__hblk *b, unsigned c) {
    ars__hblk *first = ARS__HEAD(h, c);
    b->next_free = first;
    b->prev_free = ARS__CELL(h, c);
    first->prev_free = b;                 /* harmless on nil */
    ARS__HEAD(h, c) = b;
}

/* Links free block b at the head of class c, a class of bitmap word 0
   (below ARS__HEAP_FAST; fl_bitmap's bit 0 is never read, so not kept). */
ARS__NOASAN static ARS__INLINE void ars__heap_link_w0(ars_heap *h, ars__hblk *b, unsigned c) {
    ars__heap_link(h, b, c);
    h->sl_bitmap[0] |= (ars_heap_map)1 << c;
}

/* Sizes below ARS__HEAP_FAST * 8 have class size / 8, in word 0: insert
   and remove take them apart from the general class computation. */
ARS__NOASAN static ARS__INLINE void ars__heap_insert(ars_heap *h, ars__hblk *b, size_t size) {
    unsigned c;
    if (ARS__LIKELY(size < (size_t)ARS__HEAP_FAST * 8)) {
        ars__heap_link_w0(h, b, (unsigned)(size >> 3));
        return;
    }
    c = ars__heap_class(size);
    ars__heap_link(h, b, c);
    h->sl_bitmap[c >> ARS_HEAP_MAP_LOG2] |= (ars_heap_map)1 << (c & ARS__MAPMASK);
    h->fl_bitmap |= 1u << (c >> ARS_HEAP_MAP_LOG2);
}

/* Unlinks free block b (of `size` bytes) from anywhere in its list. */
ARS__NOASAN static ARS__INLINE void ars__heap_remove(ars_heap *h, ars__hblk *b, size_t size) {
    ars__hblk *n = b->next_free, *p = b->prev_free;
    unsigned c;
    n->prev_free = p;
    p->next_free = n;                     /* a list head when b was first */
    if (ARS__LIKELY(size < (size_t)ARS__HEAP_FAST * 8)) {
        c = (unsigned)(size >> 3);
        h->sl_bitmap[0] &= ~((ars_heap_map)(ARS__HEAD(h, c) == ARS__NIL(h)) << c);
        return;
    }
    c = ars__heap_class(size);
    ars__heap_clear_if(h, c, (uint32_t)(ARS__HEAD(h, c) == ARS__NIL(h)));
}

/* Unlinks and returns the first block of non-empty class c. */
ARS__NOASAN static ARS__INLINE ars__hblk *ars__heap_pop(ars_heap *h, unsigned c) {
    ars__hblk *b = ARS__HEAD(h, c), *n = b->next_free;
    ARS__HEAD(h, c) = n;
    n->prev_free = ARS__CELL(h, c);
    ars__heap_clear_if(h, c, (uint32_t)(n == ARS__NIL(h)));
    return b;
}

/* First non-empty class at or above c (< ARS__HEAP_NCLASS), or NCLASS. */
static ARS__INLINE unsigned ars__heap_search(const ars_heap *h, unsigned c) {
    unsigned w = c >> ARS_HEAP_MAP_LOG2;
    ars_heap_map m = h->sl_bitmap[w] & (~(ars_heap_map)0 << (c & ARS__MAPMASK));
    /* the next non-empty word, or the always-empty one past the end (a
       branch here beats selects: it lets the CPU run ahead to the list) */
    unsigned w2 = ars__ffs32((h->fl_bitmap & (~(uint32_t)1 << w)) | ((uint32_t)1 << ARS_HEAP_MAP_WORDS));
    if (!m) {
        w = w2;
        m = h->sl_bitmap[w2];
    }
    if (!m) return ARS__HEAP_NCLASS;
    return (w << ARS_HEAP_MAP_LOG2) + ars__ffsmap(m);
}

/* Marks the unlinked free block b used with `size` bytes; splits off and
   frees the remainder when it can hold a block. Returns the used size. */
ARS__NOASAN static ARS__INLINE size_t ars__heap_take(ars_heap *h, ars__hblk *b, size_t size) {
    uint32_t head = b->head;
    size_t bs = head & ~(uint32_t)7, rem = bs - size;
    if (rem >= ARS__HB_MIN) {
        ars__hblk *r = ARS__HB_AT(b, size);
        r->head = (uint32_t)rem | ARS__HB_FREE;
        ARS__HB_AT(r, rem)->prev_size = (uint32_t)rem;   /* next already has PREV_FREE */
        ars__heap_insert(h, r, rem);
    } else {
        size = bs;
        ARS__HB_AT(b, bs)->head &= ~ARS__HB_PFREE;
    }
    b->head = (uint32_t)size | (head & ARS__HB_PFREE);
    h->used += size;
    if (h->used > h->peak) h->peak = h->used;
    return size;
}

/* Returns used block b to the free lists, merged with free neighbours. */
ARS__NOASAN static ARS__INLINE void ars__heap_release(ars_heap *h, ars__hblk *b, uint32_t head) {
    size_t size = head & ~(uint32_t)7;
    ars__hblk *n = ARS__HB_AT(b, size);
    uint32_t nh = n->head;
#if ARSENAL_ALLOC_DEBUG
    b->head = head | ARS__HB_FREE;   /* still reads as free once merged into its predecessor */
#endif
    h->used -= size;
    if (nh & ARS__HB_FREE) {
        size_t ns = nh & ~(uint32_t)7;
        ars__heap_remove(h, n, ns);
        size += ns;
        n = ARS__HB_AT(n, ns);
    }
    if (head & ARS__HB_PFREE) {
        size_t ps = b->prev_size;
        b = ARS__HB_BACK(b, ps);
        ars__heap_remove(h, b, ps);
        size += ps;
    }
    b->head = (uint32_t)size | ARS__HB_FREE;
    n->prev_size = (uint32_t)size;
    n->head |= ARS__HB_PFREE;
    ars__heap_insert(h, b, size);
}

/* Finds and unlinks a free block of at least `size` bytes (the general
   search, for aligned requests and the slow path). */
ARS__NOASAN static ars__hblk *ars__heap_find(ars_heap *h, size_t size) {
    unsigned c = ars__heap_class(size), c2;
    ars__hblk *b = ARS__HEAD(h, c), *nil = ARS__NIL(h);
    int k;
    if (ARS__HB_SIZE(b) >= size) return ars__heap_pop(h, c);   /* nil has size 0 */
    if (c + 1 < ARS__HEAP_NCLASS && (c2 = ars__heap_search(h, c + 1)) < ARS__HEAP_NCLASS)
        return ars__heap_pop(h, c2);
    /* nothing larger: look a bounded way down the exact class */
    for (b = b->next_free, k = 1; b != nil && k < ARSENAL_ALLOC_HEAP_SCAN; b = b->next_free, k++) {
        if (ARS__HB_SIZE(b) >= size) {
            ars__heap_remove(h, b, ARS__HB_SIZE(b));
            return b;
        }
    }
    return NULL;
}

ARS__NOASAN ARSENAL_ALLOC_API int ars_heap_add_region(ars_heap *h, void *mem, size_t size) {
    uintptr_t start = (uintptr_t)mem, end = start + size;
    int added = 0;
    if (!mem || end < start) return ARS_EINVAL;
    ARS__UNPOISON(mem, size);   /* it may come from an abandoned heap */
    while (end > start) {
        uintptr_t rs = ARS__ALIGN_UP(start, 8), fb, eb, chunk_end = end;
        ars__hregion *r;
        ars__hblk *first, *sent;
        size_t bs;
        if ((size_t)(end - start) > ARS__HEAP_MAXBLK) chunk_end = start + ARS__HEAP_MAXBLK;
        fb = ARS__ALIGN_UP(rs + sizeof(ars__hregion), 8);
        if (rs < start || fb + ARS__HB_MIN + 8 > chunk_end || fb < rs) break;
        eb = (chunk_end - 8) & ~(uintptr_t)7;
        bs = (size_t)(eb - fb);
        if (bs < ARS__HB_MIN) break;
        r = (ars__hregion *)rs;
        first = (ars__hblk *)fb;
        sent = (ars__hblk *)eb;
        r->first = first;
        r->end = sent;
        r->mem = (void *)start;
        r->size = (size_t)(chunk_end - start);
        r->next = (ars__hregion *)h->regions;
        h->regions = r;
        first->prev_size = 0;
        first->head = (uint32_t)bs | ARS__HB_FREE;
        sent->prev_size = (uint32_t)bs;
        sent->head = ARS__HB_PFREE;
        h->total += bs;
        ars__heap_insert(h, first, bs);
        ARS__POISON(ARS__HB_PAYLOAD(first), bs - 4);
        added = 1;
        start = chunk_end;
    }
    return added ? 0 : ARS_EINVAL;
}

ARSENAL_ALLOC_API int ars_heap_init(ars_heap *h, void *mem, size_t size) {
    unsigned c;
    ARSENAL_ALLOC_MEMSET(h, 0, sizeof *h);
    for (c = 0; c < ARS__HEAP_NCLASS; c++) ARS__HEAD(h, c) = ARS__NIL(h);
    ARS__NIL(h)->next_free = ARS__NIL(h);   /* the scan in ars__heap_find stops on it */
    h->fast_n = ARS__HEAP_FAST_N;
    if (!mem && size == 0) return 0;
    return ars_heap_add_region(h, mem, size);
}

ARSENAL_ALLOC_API void ars_heap_deinit(ars_heap *h) {
    ars__hregion *r = (ars__hregion *)h->regions;
    while (r) {
        ars__hregion *next = r->next;
        ARS__UNPOISON(r->mem, r->size);
        r = next;
    }
    ARSENAL_ALLOC_MEMSET(h, 0, sizeof *h);
}

/* The optional cache: LIFO lists of whole used blocks by exact size. */
#define ARS__HCACHE_CLASS(size) (((size) - ARS__HB_MIN) >> 3)

/* Cached blocks go back to the free lists until at most `keep` bytes stay. */
ARS__NOASAN static void ars__heap_flush(ars_heap *h, size_t keep) {
#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
    size_t c;
    for (c = 0; c < (size_t)ARSENAL_ALLOC_HEAP_CACHE_CLASSES && h->cached > keep; c++) {
        while (h->cache[c] && h->cached > keep) {
            ars__hblk *b = (ars__hblk *)h->cache[c];
            h->cache[c] = b->next_free;
            h->cache_n[c]--;
            h->cached -= ARS__HB_SIZE(b);
            h->ncached--;
            ars__heap_release(h, b, b->head);
        }
    }
#else
    (void)h; (void)keep;
#endif
}

/* The fast path, for a request of n bytes (block size `size`) below
   ARS__HEAP_FAST_N: classes below ARS__HEAP_FAST are exact and all in
   bitmap word 0, so the block found there is known to be (c2 - c) * 8
   bytes longer than the request before its head is read: whether to split
   is decided on the bitmap, not on a load that may miss the cache. NULL
   when word 0 has nothing at or above the request's class. */
ARS__NOASAN static ARS__INLINE void *ars__heap_alloc_w0(ars_heap *h, size_t n, size_t size) {
    size_t rem;
    unsigned c = (unsigned)(size >> 3), c2;
    ars_heap_map m = h->sl_bitmap[0] & (~(ars_heap_map)0 << c);
    ars__hblk *b, *nx;
    void *p;
    if (ARS__UNLIKELY(!m)) return NULL;
    c2 = ars__ffsmap(m);
    b = ARS__HEAD(h, c2);
    nx = b->next_free;
    ARS__HEAD(h, c2) = nx;
    nx->prev_free = ARS__CELL(h, c2);
    h->sl_bitmap[0] &= ~((ars_heap_map)(nx == ARS__NIL(h)) << c2);   /* fl_bitmap's bit 0 is never read */
    rem = (size_t)(c2 - c) << 3;
    if (rem >= ARS__HB_MIN) {
        ars__hblk *r = ARS__HB_AT(b, size);
        r->head = (uint32_t)rem | ARS__HB_FREE;
        ARS__HB_AT(r, rem)->prev_size = (uint32_t)rem;   /* next already has PREV_FREE */
        ars__heap_link_w0(h, r, c2 - c);   /* the remainder's class */
    } else {
        size = (size_t)c2 << 3;
        ARS__HB_AT(b, size)->head &= ~ARS__HB_PFREE;
    }
    b->head = (uint32_t)size;              /* a listed block's predecessor is used */
    h->used += size;
    if (h->used > h->peak) h->peak = h->used;
    h->allocs++;
    p = ARS__HB_PAYLOAD(b);
    ARS__UNPOISON(p, n);
    return p;
}

/* Every case of ars_heap_alloc but its fast path's: a request too big for
   it or refused, the cache (on, it comes first: the fast path follows a
   miss), nothing free in bitmap word 0 at or above the request's class, a
   cache to flush before giving up. */
ARS__NOASAN ARS__NOINLINE static void *ars__heap_alloc_any(ars_heap *h, size_t n) {
    size_t size;
    unsigned c;
    ars__hblk *b;
    void *p;
    if (n > ARS__HEAP_MAXREQ) return NULL;
    size = ars__heap_bsize(n);
#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
    if (size <= h->cache_max) {   /* cache_max is 0 when it is off */
        b = (ars__hblk *)h->cache[ARS__HCACHE_CLASS(size)];
        if (b) {
            h->cache[ARS__HCACHE_CLASS(size)] = b->next_free;
            h->cache_n[ARS__HCACHE_CLASS(size)]--;
            h->cached -= size;
            h->ncached--;
            h->allocs++;
            p = ARS__HB_PAYLOAD(b);
            ARS__UNPOISON(p, n);
            return p;
        }
    }
#endif
    /* with the cache off, ars_heap_alloc has tried this for such n */
    if (h->cache_max && n < ARS__HEAP_FAST_N && (p = ars__heap_alloc_w0(h, n, size)) != NULL) return p;
    /* the exact classes are the sizes below 16 << SL_LOG2, 8 bytes apart:
       any block found at or above the request's fits */
    if (size < (ARS__HEAP_SMALL << 1) && (c = ars__heap_search(h, (unsigned)(size >> 3))) < ARS__HEAP_NCLASS) {
        b = ars__heap_pop(h, c);
    } else if ((b = ars__heap_find(h, size)) == NULL) {
        if (!h->ncached) return NULL;
        ars__heap_flush(h, 0);
        b = ars__heap_find(h, size);
        if (!b) return NULL;
    }
    ars__heap_take(h, b, size);
    h->allocs++;
    p = ARS__HB_PAYLOAD(b);
    ARS__UNPOISON(p, n);
    return p;
}

/* Requests from h->fast_n bytes up (all of them while the cache is on)
   go to ars__heap_alloc_any. */
ARS__NOASAN ARSENAL_ALLOC_API void *ars_heap_alloc(ars_heap *h, size_t n) {
    void *p;
    if (ARS__UNLIKELY(n >= h->fast_n)) return ars__heap_alloc_any(h, n);
    p = ars__heap_alloc_w0(h, n, ars__heap_bsize(n));
    if (ARS__UNLIKELY(!p)) return ars__heap_alloc_any(h, n);
    return p;
}

ARS__NOASAN ARSENAL_ALLOC_API void ars_heap_set_cache(ars_heap *h, size_t max_bytes, unsigned per_class) {
    size_t c;
    if (per_class == 0 || per_class > 255) per_class = 255;
    h->cache_limit = ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0 ? max_bytes : 0;
    h->cache_max = h->cache_limit ? ARS__HB_MIN + 8 * ((size_t)ARS_HEAP_CACHE_COUNT - 1) : 0;
    h->fast_n = h->cache_max ? 0 : ARS__HEAP_FAST_N;
    h->cache_per_class = (unsigned char)per_class;
    ars__heap_flush(h, h->cache_limit);
    for (c = 0; c < (size_t)ARS_HEAP_CACHE_COUNT; c++)   /* trim classes over the new limit */
        while (h->cache_n[c] > per_class) {
            ars__hblk *b = (ars__hblk *)h->cache[c];
            h->cache[c] = b->next_free;
            h->cache_n[c]--;
            h->cached -= ARS__HB_SIZE(b);
            h->ncached--;
            ars__heap_release(h, b, b->head);
        }
}
ARSENAL_ALLOC_API void ars_heap_trim(ars_heap *h) { ars__heap_flush(h, 0); }

/* The word below a user pointer is a block head or an alignment marker that
   lies inside a block's list links: copy it as bytes (like memcpy, without
   a call ASan would check), so no type-based aliasing assumption applies. */
ARS__NOASAN static ARS__INLINE uint32_t ars__get32(const unsigned char *p) {
    uint32_t w;
    unsigned char *d = (unsigned char *)&w;
    d[0] = p[0]; d[1] = p[1]; d[2] = p[2]; d[3] = p[3];
    return w;
}
ARS__NOASAN static void ars__put32(unsigned char *p, uint32_t w) {
    const unsigned char *s = (const unsigned char *)&w;
    p[0] = s[0]; p[1] = s[1]; p[2] = s[2]; p[3] = s[3];
}

/* Block of a user pointer: 8 bytes below it, or 16 below an aligned one. */
ARS__NOASAN static ARS__INLINE ars__hblk *ars__heap_block(const void *ptr) {
    uint32_t w = ars__get32((const unsigned char *)ptr - 4);
    return (ars__hblk *)((uintptr_t)ptr - 8 - ((w & ARS__HB_MARK) << 1));
}
/* The same, and the log2 alignment it was allocated with (3 for plain). */
ARS__NOASAN static ars__hblk *ars__heap_block_of(const void *ptr, unsigned *align_log2) {
    uint32_t w = ars__get32((const unsigned char *)ptr - 4);
    *align_log2 = (w & ARS__HB_MARK) ? (unsigned)(w >> 3) : 3u;
    return ars__heap_block(ptr);
}

ARS__NOASAN static ARS__INLINE size_t ars__heap_usable(const ars__hblk *b, const void *ptr) {
    return (size_t)((const unsigned char *)b + ARS__HB_SIZE(b) + 4 - (const unsigned char *)ptr);
}

ARS__UNUSED ARS__NOASAN static int ars__heap_valid_used(const ars__hblk *b) {
    size_t s = ARS__HB_SIZE(b);
    return !(b->head & ARS__HB_FREE) && s >= ARS__HB_MIN && s <= ARS__HEAP_MAXBLK
        && !(ARS__HB_AT(b, s)->head & ARS__HB_PFREE);
}

#if ARSENAL_ALLOC_DEBUG
/* Debug builds: does block c wait in a free list or in the cache? Its class
   list is walked (a cache list is at most 255 long). */
ARS__NOASAN static int ars__heap_debug_held(const ars_heap *h, const ars__hblk *c) {
    size_t s = ARS__HB_SIZE(c);
    const ars__hblk *x;
    if (s < ARS__HB_MIN || s > ARS__HEAP_MAXBLK) return 0;
    if (c->head & ARS__HB_FREE) {
        for (x = ARS__HEAD(h, ars__heap_class(s)); x != ARS__NIL(h); x = x->next_free)
            if (x == c) return 1;
        return 0;
    }
#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
    if (s <= h->cache_max)
        for (x = (const ars__hblk *)h->cache[ARS__HCACHE_CLASS(s)]; x; x = x->next_free)
            if (x == c) return 1;
#endif
    return 0;
}

/* Debug builds: may the user free or resize block b, found from ptr? Not if
   it is free (its head says so, also when it was merged into the free block
   before it) or waiting in the cache. A freed aligned block loses the marker
   below ptr to the list or cache links written over it, and then reads as a
   plain one (b 8 bytes below ptr) with a head made of a link: its real block,
   16 bytes below ptr, is looked for first. That is exact: 8 bytes below a
   live block no block can start. */
ARS__NOASAN static int ars__heap_debug_live(const ars_heap *h, const ars__hblk *b, const void *ptr) {
    const unsigned char *u = (const unsigned char *)ptr;
    if ((const unsigned char *)b == u - 8 && ars__heap_debug_held(h, (const ars__hblk *)(const void *)(u - 16)))
        return 0;
    return ars__heap_valid_used(b) && !ars__heap_debug_held(h, b);
}
#endif

#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
/* Keeps used block b whole in the cache if the budget allows: 1, else 0. */
ARS__NOASAN static int ars__heap_cache_put(ars_heap *h, ars__hblk *b) {
    size_t size = ARS__HB_SIZE(b), c = ARS__HCACHE_CLASS(size);
    if (h->cached + size > h->cache_limit || h->cache_n[c] >= h->cache_per_class) return 0;
    b->next_free = (ars__hblk *)h->cache[c];
    h->cache[c] = b;
    h->cache_n[c]++;
    h->cached += size;
    h->ncached++;
    return 1;
}
#endif

ARS__NOASAN ARSENAL_ALLOC_API void ars_heap_free(ars_heap *h, void *ptr) {
    ars__hblk *b;
    uint32_t head;
    if (!ptr) return;
    /* a plain block's head is the word below ptr: no second, dependent load */
    head = ars__get32((const unsigned char *)ptr - 4);
    b = (ars__hblk *)((uintptr_t)ptr - 8);
    if (ARS__UNLIKELY(head & ARS__HB_MARK)) {
        b = (ars__hblk *)((uintptr_t)ptr - 16);
        head = b->head;
    }
#if ARSENAL_ALLOC_DEBUG
    {
        int valid = ars__heap_debug_live(h, b, ptr);
        ARSENAL_ASSERT(valid);   /* double free or foreign pointer */
        if (!valid) return;      /* an ARSENAL_ASSERT that returns: the free is ignored */
    }
    {
        size_t u = ars__heap_usable(b, ptr);
        ARS__UNPOISON(ptr, u);
        ARS__DEBUG_FILL(ptr, u);
    }
#endif
    ARS__POISON(ptr, ars__heap_usable(b, ptr));
    h->frees++;
#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
    if (ARS__UNLIKELY((head & ~(uint32_t)7) <= h->cache_max) && ars__heap_cache_put(h, b)) return;
#endif
    ars__heap_release(h, b, head);
}

/* Carves an aligned block out of free block b (unlinked, size >= needed):
   returns the block that will hold the user pointer at +16. */
ARS__NOASAN static ars__hblk *ars__heap_carve_aligned(ars_heap *h, ars__hblk *b, size_t align) {
    uintptr_t p = ARS__ALIGN_UP((uintptr_t)b + 16, align);
    size_t gap = (size_t)(p - 16 - (uintptr_t)b);
    while (gap != 0 && gap < ARS__HB_MIN) { p += align; gap += align; }
    if (gap) {
        size_t bs = ARS__HB_SIZE(b);
        ars__hblk *nb = ARS__HB_AT(b, gap);
        /* the front gap becomes a free block; the previous block is used */
        b->head = (uint32_t)gap | ARS__HB_FREE | (b->head & ARS__HB_PFREE);
        nb->prev_size = (uint32_t)gap;
        nb->head = (uint32_t)(bs - gap) | ARS__HB_FREE | ARS__HB_PFREE;
        ars__heap_insert(h, b, gap);
        b = nb;
    }
    return b;
}

ARS__NOASAN ARSENAL_ALLOC_API void *ars_heap_alloc_aligned(ars_heap *h, size_t n, size_t align) {
    size_t size, search;
    ars__hblk *b;
    unsigned char *p;
    if (align <= 8) {
        if (align == 0 || ARS__IS_POW2(align)) return ars_heap_alloc(h, n);
        return NULL;
    }
    if (!ARS__IS_POW2(align) || align > ARS__HEAP_MAXREQ / 4 || n > ARS__HEAP_MAXREQ) return NULL;
    size = ars__heap_bsize(n + 8);
    search = size + align + ARS__HB_MIN;
    if (search > ARS__HEAP_MAXBLK) return NULL;
    b = ars__heap_find(h, search);
    if (!b) {
        if (!h->ncached) return NULL;
        ars__heap_flush(h, 0);
        b = ars__heap_find(h, search);
        if (!b) return NULL;
    }
    b = ars__heap_carve_aligned(h, b, align);
    ars__heap_take(h, b, size);
    h->allocs++;
    p = (unsigned char *)b + 16;
    {
        uint32_t mark = ARS__HB_MARK | ((uint32_t)ars__fls32((uint32_t)align) << 3);
        ars__put32(p - 4, mark);
    }
    ARS__UNPOISON(p, n);
    return p;
}

ARSENAL_ALLOC_API void *ars_heap_calloc(ars_heap *h, size_t count, size_t size) {
    void *p;
    if (size && count > (size_t)-1 / size) return NULL;
    p = ars_heap_alloc(h, count * size);
    if (p) ARSENAL_ALLOC_MEMSET(p, 0, count * size);
    return p;
}

/* Shrinks used block b to `size` (<= its size), freeing the tail. */
ARS__NOASAN static void ars__heap_shrink(ars_heap *h, ars__hblk *b, size_t size) {
    size_t bs = ARS__HB_SIZE(b);
    ars__hblk *n = ARS__HB_AT(b, bs);
    size_t rem = bs - size;
    if (n->head & ARS__HB_FREE) {   /* merge the tail into the free neighbour */
        size_t ns = ARS__HB_SIZE(n);
        ars__heap_remove(h, n, ns);
        rem += ns;                  /* >= ARS__HB_MIN since ns is */
    } else if (rem < ARS__HB_MIN) {
        return;
    }
    b->head = (uint32_t)size | (b->head & ARS__HB_PFREE);
    n = ARS__HB_AT(b, size);
    n->head = (uint32_t)rem | ARS__HB_FREE;
    ARS__HB_AT(n, rem)->prev_size = (uint32_t)rem;
    ARS__HB_AT(n, rem)->head |= ARS__HB_PFREE;
    ars__heap_insert(h, n, rem);
    h->used -= bs - size;
}

/* Grows used block b (bs bytes) in place to `size` when the block after
   it is free and big enough: 1, else 0. */
ARS__NOASAN static int ars__heap_grow(ars_heap *h, ars__hblk *b, size_t bs, size_t size) {
    ars__hblk *nx = ARS__HB_AT(b, bs);
    size_t ns = ARS__HB_SIZE(nx);
    if (!(nx->head & ARS__HB_FREE) || bs + ns < size) return 0;
    ars__heap_remove(h, nx, ns);
    b->head = (uint32_t)(bs + ns) | (b->head & ARS__HB_PFREE);
    ARS__HB_AT(b, bs + ns)->head &= ~ARS__HB_PFREE;
    h->used += ns;
    ars__heap_shrink(h, b, size);           /* gives back what is not needed */
    if (h->used > h->peak) h->peak = h->used;   /* then the real peak */
    return 1;
}

ARS__NOASAN ARSENAL_ALLOC_API void *ars_heap_realloc(ars_heap *h, void *ptr, size_t n) {
    ars__hblk *b;
    unsigned al;
    size_t size, bs, usable;
    void *np;
    if (!ptr) return ars_heap_alloc(h, n);
    if (n == 0) { ars_heap_free(h, ptr); return NULL; }
    if (n > ARS__HEAP_MAXREQ) return NULL;
    b = ars__heap_block_of(ptr, &al);
#if ARSENAL_ALLOC_DEBUG
    {
        int valid = ars__heap_debug_live(h, b, ptr);
        ARSENAL_ASSERT(valid);   /* freed or foreign pointer */
        if (!valid) return NULL;
    }
#else
    ARSENAL_ASSERT(ars__heap_valid_used(b));
#endif
    size = ars__heap_bsize(n + (al > 3 ? 8 : 0));
    bs = ARS__HB_SIZE(b);
    usable = ars__heap_usable(b, ptr);
    if (size <= bs) {                       /* shrink in place */
        ars__heap_shrink(h, b, size);
        ARS__POISON(ptr, usable);
        ARS__UNPOISON(ptr, n);
        return ptr;
    }
    if (ars__heap_grow(h, b, bs, size)) { ARS__UNPOISON(ptr, n); return ptr; }
    np = al > 3 ? ars_heap_alloc_aligned(h, n, (size_t)1 << al) : ars_heap_alloc(h, n);
    if (!np) {
        /* The neighbour after the block may have been in the cache, where
           a block stays marked used: with the cache emptied it is free
           (merged), and may be room enough after all. */
        ars__heap_flush(h, 0);
        if (ars__heap_grow(h, b, bs, size)) { ARS__UNPOISON(ptr, n); return ptr; }
        return NULL;
    }
    ARS__UNPOISON(ptr, usable);
    ARSENAL_ALLOC_MEMCPY(np, ptr, usable < n ? usable : n);
    ars_heap_free(h, ptr);
    return np;
}

ARS__NOASAN ARSENAL_ALLOC_API size_t ars_heap_usable_size(const ars_heap *h, const void *ptr) {
    size_t u;
    (void)h;
    if (!ptr) return 0;
    u = ars__heap_usable(ars__heap_block(ptr), ptr);
    ARS__UNPOISON((void *)(uintptr_t)ptr, u);   /* all u bytes may be written */
    return u;
}

#define ARS__HCHECK(c) do { if (!(c)) return ARS_ECORRUPT; } while (0)

ARS__NOASAN ARSENAL_ALLOC_API int ars_heap_check(const ars_heap *h) {
    const ars__hregion *r;
    size_t total = 0, used = 0, nused = 0, nfree = 0, listed = 0;
    unsigned c;
    for (r = (const ars__hregion *)h->regions; r; r = r->next) {
        const ars__hblk *b = r->first;
        int prev_free = 0;
        size_t prev_size = 0;
        ARS__HCHECK(((uintptr_t)b & 7) == 0 && b < r->end);
        while (b != r->end) {
            size_t s = ARS__HB_SIZE(b);
            int is_free = (b->head & ARS__HB_FREE) != 0;
            ARS__HCHECK(b < r->end);
            ARS__HCHECK(s >= ARS__HB_MIN && s <= (size_t)((const unsigned char *)r->end - (const unsigned char *)b));
            ARS__HCHECK(!(b->head & ARS__HB_MARK));
            ARS__HCHECK(((b->head & ARS__HB_PFREE) != 0) == prev_free);
            if (prev_free) ARS__HCHECK(b->prev_size == prev_size);
            ARS__HCHECK(!(is_free && prev_free));   /* free neighbours are coalesced */
            total += s;
            if (is_free) nfree++; else { used += s; nused++; }
            prev_free = is_free;
            prev_size = s;
            b = ARS__HB_AT(b, s);
        }
        ARS__HCHECK(ARS__HB_SIZE(b) == 0 && !(b->head & ARS__HB_FREE));
        ARS__HCHECK(((b->head & ARS__HB_PFREE) != 0) == prev_free);
        if (prev_free) ARS__HCHECK(b->prev_size == prev_size);
    }
    ARS__HCHECK(total == h->total && used == h->used && nused == h->allocs - h->frees + h->ncached);
    for (c = 0; c < ARS__HEAP_NCLASS; c++) {
        unsigned w = c >> ARS_HEAP_MAP_LOG2;
        const ars__hblk *b = ARS__HEAD(h, c), *prev = ARS__CELL(h, c);
        /* bit 0 is never read, and the fast path leaves it as it was */
        if ((c & ARS__MAPMASK) == 0 && w > 0) ARS__HCHECK(((h->fl_bitmap >> w) & 1u) == (h->sl_bitmap[w] != 0));
        ARS__HCHECK(((h->sl_bitmap[w] >> (c & ARS__MAPMASK)) & 1u) == (b != ARS__NIL(h)));
        for (; b != ARS__NIL(h); prev = b, b = b->next_free) {
            ARS__HCHECK(++listed <= nfree);   /* also stops cycles */
            ARS__HCHECK((b->head & ARS__HB_FREE) && b->prev_free == prev);
            ARS__HCHECK(ars__heap_class(ARS__HB_SIZE(b)) == c);
            ARS__HCHECK(ARS__HB_AT(b, ARS__HB_SIZE(b))->prev_size == ARS__HB_SIZE(b));
        }
    }
    ARS__HCHECK(listed == nfree);
    ARS__HCHECK(ARS__NIL(h)->next_free == ARS__NIL(h) && h->fl_bitmap >> ARS_HEAP_MAP_WORDS == 0);
#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
    {
        size_t cc, cbytes = 0, cn = 0;
        for (cc = 0; cc < (size_t)ARSENAL_ALLOC_HEAP_CACHE_CLASSES; cc++) {
            const ars__hblk *b;
            size_t per = 0;
            for (b = (const ars__hblk *)h->cache[cc]; b; b = b->next_free) {
                ARS__HCHECK(++cn <= h->ncached);
                ARS__HCHECK(!(b->head & ARS__HB_FREE) && ARS__HCACHE_CLASS(ARS__HB_SIZE(b)) == cc);
                ARS__HCHECK(ARS__HB_SIZE(b) <= h->cache_max);
                cbytes += ARS__HB_SIZE(b);
                per++;
            }
            ARS__HCHECK(per == h->cache_n[cc] && per <= h->cache_per_class);
        }
        ARS__HCHECK(cn == h->ncached && cbytes == h->cached && cbytes <= h->cache_limit);
    }
#endif
    return 0;
}
#undef ARS__HCHECK

ARS__NOASAN ARSENAL_ALLOC_API void ars_heap_get_stats(const ars_heap *h, ars_heap_stats *st) {
    size_t largest = 0, nfree = 0;
    unsigned c;
    st->total = h->total;
    st->used = h->used - h->cached;
    st->free = h->total - h->used;
    st->cached = h->cached;
    st->peak_used = h->peak;
    st->used_blocks = h->allocs - h->frees;
    st->allocs = h->allocs;
    st->frees = h->frees;
    for (c = 0; c < ARS__HEAP_NCLASS; c++) {   /* counts the free lists */
        const ars__hblk *b;
        if (!((h->sl_bitmap[c >> ARS_HEAP_MAP_LOG2] >> (c & ARS__MAPMASK)) & 1u)) continue;
        for (b = ARS__HEAD(h, c); b != ARS__NIL(h); b = b->next_free) {
            nfree++;
            if (ARS__HB_SIZE(b) > largest) largest = ARS__HB_SIZE(b);
        }
    }
    st->free_blocks = nfree;
    if (largest) largest -= 4;
    st->largest_free = largest;
    st->fragmentation = st->free ? (unsigned)(100 - (uint64_t)(largest + 4) * 100 / st->free) : 0;
}

static void *ars__heap_a_alloc(void *ctx, size_t size, size_t align) {
    return ars_heap_alloc_aligned((ars_heap *)ctx, size, align);
}
static void ars__heap_a_free(void *ctx, void *ptr, size_t size) {
    (void)size;
    ars_heap_free((ars_heap *)ctx, ptr);
}
ARSENAL_ALLOC_API ars_allocator ars_heap_allocator(ars_heap *h) {
    ars_allocator al;
    al.alloc = ars__heap_a_alloc;
    al.free = ars__heap_a_free;
    al.ctx = h;
    return al;
}

#ifdef __cplusplus
}
#endif

/* private macros end here */
#undef ARS__ASAN
#undef ARS__POISON
#undef ARS__UNPOISON
#undef ARS__NOASAN
#undef ARS__DEBUG_FILL
#undef ARS__LIKELY
#undef ARS__UNUSED
#undef ARS__NOINLINE
#undef ARS__INLINE
#undef ARS__UNLIKELY
#undef ARS__ALIGN
#undef ARS__IS_POW2
#undef ARS__ALIGN_UP
#undef ARS__SYS_MALLOC
#undef ARS__SYS_FREE
#undef ARS__ARENA_HDR
#undef ARS__PMT_BITS
#undef ARS__PMT_MASK
#undef ARS__LOAD_ACQ
#undef ARS__LOAD_RLX
#undef ARS__STORE_RLX
#undef ARS__CAS
#undef ARS__CASZ
#undef ARS__LOAD_RLXZ
#undef ARS__HB_FREE
#undef ARS__HB_PFREE
#undef ARS__HB_MARK
#undef ARS__HB_MIN
#undef ARS__HB_SIZE
#undef ARS__HB_AT
#undef ARS__HB_BACK
#undef ARS__HB_PAYLOAD
#undef ARS__HEAP_SMALL
#undef ARS__HEAP_EXACT
#undef ARS__HEAP_NCLASS
#undef ARS__SLMASK
#undef ARS__HEAP_MAXBLK
#undef ARS__HEAP_MAXREQ
#undef ARS__HCACHE_CLASS
#undef ARS__NIL
#undef ARS__CELL
#undef ARS__HEAD

#endif /* ARSENAL_ALLOC_IMPLEMENTATION */

/*
   MIT License

   Copyright (c) 2026 Arsenal contributors

   Permission is hereby granted, free of charge, to any person obtaining a copy
   of this software and associated documentation files (the "Software"), to deal
   in the Software without restriction, including without limitation the rights
   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
   copies of the Software, and to permit persons to whom the Software is
   furnished to do so, subject to the following conditions:

   The above copyright notice and this permission notice shall be included in
   all copies or substantial portions of the Software.

   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
   SOFTWARE.
*/
