/* arsenal_chan.h - v0.1.0 - Go-style channels for arsenal_coro.h coroutines
   (same thread or across threads), select, and lock-free SPSC/MPMC queues.
   Public domain or MIT (end of file).

   USAGE

   Define the implementation in exactly one .c file:

       #define ARSENAL_CHAN_IMPLEMENTATION
       #include "arsenal_chan.h"

   (ARSENAL_IMPLEMENTATION switches on every arsenal header at once.)
   This header includes "arsenal_coro.h" (keep it next to this one); the
   coroutine implementation must be compiled somewhere too, e.g. by defining
   ARSENAL_CORO_IMPLEMENTATION in the same file. The lock-free queues
   (>>spsc, >>mpmc) never call into arsenal_coro.h: a program that has no
   coroutines can use them.

   SECTIONS (grep for the marker)
   >>chan    ars_chan: capacity 0 (rendezvous) or N (ring buffer); send,
             recv, try_, deadlines, close, len/cap, create/destroy and
             init/deinit over caller memory (firmware)
   >>typed   ARS_CHAN_TYPED(name, T): type-checked wrappers that read like Go
   >>select  ars_select over send and receive cases with a deadline
   >>spsc    bounded single-producer single-consumer ring, batch push/pop
   >>mpmc    bounded multi-producer multi-consumer queue (Vyukov), batches

   CONFIGURATION (define before including the implementation; defaults in [])
   ARSENAL_CHAN_API             [extern] linkage of every public function
   ARSENAL_CHAN_STATIC          make every function static to the including file
   ARSENAL_CHAN_NO_THREADS      channels without their per-channel lock: only
                                coroutines of one thread may use a channel
                                [on when ARSENAL_CHAN_FREESTANDING]
   ARSENAL_CHAN_FREESTANDING    no libc (firmware): only <stddef.h>/<stdint.h>;
                                memcpy/memset come from the firmware; no default
                                malloc (create needs an allocator, or use init)
                                [auto when __STDC_HOSTED__ == 0]
   ARSENAL_CHAN_CACHE_LINE      padding between the hot fields of the queues: a
                                power of two from 8 to 256 [64]
   ARSENAL_CHAN_SELECT_MAX      most cases in one ars_select [1024]
   ARSENAL_CHAN_SELECT_STACK    most cases whose state ars_select keeps in its
                                frame, 2 to 64; more take a heap block [8]
   ARSENAL_CHAN_SPIN            spin-wait rounds (a pause each) before a
                                coroutine parks on a channel used across
                                threads (one woke a coroutine of another),
                                when no other coroutine of its thread can
                                run: a peer thread that answers meanwhile
                                leaves it running, with no futex round trip
                                and no pass through its scheduler; 0
                                disables [1024]
   ARSENAL_CHAN_BIAS            biased channel locks: 1 on Linux (where the
                                membarrier system call works; else the plain
                                spinlock), 0 elsewhere and under TSan; see
                                CAVEATS [1 on Linux]
   ARSENAL_ASSERT(x)            [assert(x); nothing in freestanding builds]
   ARSENAL_MALLOC(size) / ARSENAL_FREE(ptr)  [malloc/free]; define both or
                                neither (the same pair for every arsenal header)

   EXAMPLE

       #define ARSENAL_CORO_IMPLEMENTATION
       #define ARSENAL_CHAN_IMPLEMENTATION
       #include "arsenal_chan.h"
       #include <stdio.h>

       ARS_CHAN_TYPED(intchan, int)           // intchan_send, intchan_recv, ...

       static void producer(void *arg) {
           intchan c = *(intchan *)arg;
           for (int i = 1; i <= 3; i++) intchan_send(c, i);    // c <- i
           intchan_close(c);                                     // close(c)
       }
       static void consumer(void *arg) {
           intchan c = *(intchan *)arg;
           int v;
           while (intchan_recv_ok(c, &v) == 0)                   // v, ok := <-c
               printf("%d\n", v);                                // 1 2 3
       }
       int main(void) {
           intchan c;
           intchan_make(&c, 0);                  // unbuffered: a rendezvous
           ars_go(producer, &c);
           ars_go(consumer, &c);
           ars_sched_run();
           intchan_free(c);
           return 0;
       }

   ERRORS AND DEADLINES
   Blocking calls take an absolute deadline on ars_now() (ms): -1 (any
   negative value) never, 0 do not block. They return 0, or ARS_ECLOSED
   (channel closed: a receiver gets it once the buffer is drained),
   ARS_EAGAIN (would block, deadline 0, and every try_ call), ARS_ETIMEDOUT
   (the deadline passed while blocked, or had passed when the call would
   have begun to wait; never early), ARS_ECANCELED (ars_cancel on the
   coroutine), ARS_ESTATE (it would have to block where it may not: see
   CAVEATS), ARS_EINVAL, ARS_ENOMEM (no room for its deadline's timer:
   firmware, where at most ARSENAL_CORO_MAX_TIMERS coroutines wait with a
   deadline at once).
   A call that fails has moved nothing: a canceled or timed-out send did not
   deliver, a receive that fails leaves *elem untouched.

   PLATFORMS
   Everywhere arsenal_coro.h runs: x86_64 and i386 (Linux, BSD, macOS,
   Windows), ARM32, AArch64 and RISC-V Linux, Cortex-M3/M4 and RV32/RV64
   firmware. Atomics: GCC/Clang __atomic builtins (C and C++) or MSVC
   Interlocked intrinsics.

   CAVEATS
   - Cross-thread channels: each thread runs its own ars_sched_run; a send on
     thread A wakes a receiver parked on thread B. The channel lock is a
     spinlock held for a few dozen instructions (and, when it wakes a
     sleeping scheduler on another thread, for that wake-up call).
   - A buffered channel used by more than one thread turns its ring
     lock-free for good (on its first call under the spinlock): senders
     and receivers then claim cells with one atomic step at their own end
     of the ring (Vyukov's bounded MPMC queue, with the closed flag in the
     producers' word) and a full fence, and take the lock only to park or
     to wake a parked peer, which retries. Producer and consumer threads
     stop taking turns on one cache line per element. It needs an element
     buffer (not elem_size 0) and, on 32-bit targets, a power-of-two
     capacity (positions must wrap onto the same cell); other channels keep
     the ring under the lock. FIFO order and close semantics are the same.
   - Biased locks (Linux): a channel belongs to the first thread that uses
     it, whose calls take the lock with plain stores and no atomic
     instruction. The first call from a second thread revokes that for good
     (one membarrier system call, a few microseconds, and a wait while the
     owner finishes the call it is in); from then on every thread takes the
     spinlock.
   - Destroy (or deinit) wakes every parked coroutine with ARS_ECLOSED. With
     several threads, make sure no other thread is still inside, or about to
     enter, a call on the channel (close it, then join or hand off). A
     waiter that a lock-free ring's operation had already woken to try
     again (see above) is waited for: destroy returns once it is done with
     the channel, yielding meanwhile when called in a coroutine (the
     waiter may be one of its thread's). So is a select parked on the
     channel that another of its channels woke so, until it has parked
     again or returned.
   - A coroutine woken because its send/recv completed ignores an ars_cancel
     that raced with it; the cancel stays pending for its next blocking call.
   - Queues need a power-of-two capacity; their elements are copied (memcpy).
   - Blocking calls outside every coroutine (a plain thread, or main before
     ars_sched_run) block the calling thread until done or the deadline, so
     plain threads can talk to each other and to coroutines through
     channels. On a thread whose scheduler has live coroutines (they could
     not run meanwhile), in a coroutine without a scheduler, and in
     firmware, they return ARS_ESTATE instead; the try_ variants never
     wait.
*/
#ifndef ARSENAL_CHAN_H
#define ARSENAL_CHAN_H

#define ARSENAL_CHAN_VERSION_MAJOR 0
#define ARSENAL_CHAN_VERSION_MINOR 1
#define ARSENAL_CHAN_VERSION_PATCH 0

#include "arsenal_coro.h"

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

#ifndef ARSENAL_CHAN_API
#if defined(ARSENAL_CHAN_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define ARSENAL_CHAN_API static __attribute__((unused))
#elif defined(ARSENAL_CHAN_STATIC)
#define ARSENAL_CHAN_API static
#else
#define ARSENAL_CHAN_API extern
#endif
#endif

#ifndef ARSENAL_CHAN_CACHE_LINE
#define ARSENAL_CHAN_CACHE_LINE 64
#endif
/* the queues' create keeps the offset to their block in one byte, and
   aligns with a mask */
#if ARSENAL_CHAN_CACHE_LINE < 8 || ARSENAL_CHAN_CACHE_LINE > 256 || \
    (ARSENAL_CHAN_CACHE_LINE & (ARSENAL_CHAN_CACHE_LINE - 1)) != 0
#error "arsenal_chan.h: ARSENAL_CHAN_CACHE_LINE must be a power of two from 8 to 256"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ARS_CHAN_MAYBE_UNUSED __attribute__((unused))
#else
#define ARS_CHAN_MAYBE_UNUSED
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* >>chan --------------------------------------------------------------- */
/* A parked send/recv/select case. Private: lives on the parked coroutine's
   stack (or, for a select, in ars_select's frame or heap block). */
struct ars__chan_wait;
typedef struct ars__chan_state {
    uint32_t done;                  /* the waker finished its copy (ARS__CH_DONE_*) */
    int fired;                      /* which case the waker completed */
} ars__chan_state;
typedef struct ars__chan_wait {
    struct ars__chan_wait *next, *prev;
    ars_waker w;
    void *elem;                     /* recv: destination; send: source */
    ars__chan_state *st;
    int index;                      /* case number (select) */
    uint32_t linked;                /* in a channel's queue */
    const void *thread;             /* names the parked coroutine's thread */
} ars__chan_wait;

/* padding that keeps a ring's producer and consumer words off the lines
   of the rest (one byte where channels never cross threads) */
#if defined(ARSENAL_CHAN_NO_THREADS) || defined(ARSENAL_CHAN_FREESTANDING) || \
    (defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0)
#define ARS__CHAN_PAD 1
#else
#define ARS__CHAN_PAD ARSENAL_CHAN_CACHE_LINE
#endif

/* A channel. The fields are private; the struct is public so a channel can
   live in static or stack memory (ars_chan_init). */
typedef struct ars_chan {
    /* first cache line (ars_chan_create places a channel on a line
       boundary): the lock and the ring as one thread uses it; the wait
       queues in the second */
    uint32_t lock;                  /* spinlock, once the channel is shared */
    uint32_t state;                 /* ARS__CH_CLOSED | ARS__CH_LF */
    size_t owner;                   /* biased lock: the owning thread's name */
    size_t fast;                    /* owner too, once it took the biased lock, when
                                       the fast paths copy the elements (else 1) */
    uint32_t revoked;               /* 0 biased, 1 being revoked, 2 shared */
    uint32_t busy;                  /* the owner holds the biased lock */
    size_t elem_size, cap, len, head;
    unsigned char *buf;             /* cap cells of `stride` bytes */
    ars__chan_wait *recv_head, *recv_tail, *send_head, *send_tail;
    size_t stride;                  /* a cell: a sequence word, the element */
    const ars_allocator *allocator;
    size_t alloc_size;              /* nonzero when ars_chan_create made it */
    uint32_t shared;                /* a waker woke a coroutine of another thread */
    uint32_t alloc_off;             /* create: the channel's offset in its block */
    uint32_t going;                 /* deinit waits for these: waiters still leaving
                                       (ARS__CH_GOING), retries (ARS__CH_RETRY) */
    char pad0_[ARS__CHAN_PAD];
    size_t tpos;                    /* lock-free ring: 2 * next position to fill, | 1 once closed */
    char pad1_[ARS__CHAN_PAD];
    size_t hpos;                    /* lock-free ring: 2 * next position to take */
    char pad2_[ARS__CHAN_PAD];
} ars_chan;

/* Bytes of buffer ars_chan_init needs: cap cells, each a sequence word and
   the element rounded up to a word (none for elem_size 0). */
#define ARS_CHAN_BUFFER_SIZE(elem_size, cap) \
    ((size_t)(elem_size) ? ARS_MPMC_BUFFER_SIZE(elem_size, cap) : (size_t)0)

/* Creates a channel of cap elements of elem_size bytes (cap 0: unbuffered)
   with `a` (NULL: malloc). Returns 0, ARS_EINVAL, ARS_ENOMEM. */
ARSENAL_CHAN_API int ars_chan_create(ars_chan **out, size_t elem_size, size_t cap,
                                     const ars_allocator *a);
/* Wakes every parked sender and receiver with ARS_ECLOSED, then frees.
   Returns 0, or ARS_EINVAL for NULL. */
ARSENAL_CHAN_API int ars_chan_destroy(ars_chan *ch);
/* The same over caller memory: buf holds buf_size bytes, at least
   ARS_CHAN_BUFFER_SIZE(elem_size, cap), aligned like size_t (NULL when that
   is 0), and outlives the channel. Elements of size 0 make signal channels
   (Go's chan struct{}); elem may then be NULL. A channel used across
   threads is best placed on an ARSENAL_CHAN_CACHE_LINE boundary (as
   ars_chan_create does): its lock and fields then share one cache line,
   its wait queues the next, and the lock-free ring's two ends one each. */
ARSENAL_CHAN_API int ars_chan_init(ars_chan *ch, size_t elem_size, size_t cap, void *buf, size_t buf_size);
/* Closes, waking every parked sender and receiver with ARS_ECLOSED; then
   ch and buf may be freed or reused. Both return 0 or ARS_EINVAL. */
ARSENAL_CHAN_API int ars_chan_deinit(ars_chan *ch);

/* Copies elem_size bytes from *elem into the channel; blocks until a
   receiver takes it (cap 0) or there is room, or the deadline. */
ARSENAL_CHAN_API int ars_chan_send(ars_chan *ch, const void *elem, int64_t deadline);
/* Receives into *elem. After close: what is buffered, then ARS_ECLOSED. */
ARSENAL_CHAN_API int ars_chan_recv(ars_chan *ch, void *elem, int64_t deadline);
/* Never block: 0, ARS_EAGAIN, ARS_ECLOSED (and, as send and recv,
   ARS_EINVAL for a NULL channel, or a NULL elem where elem_size is not 0).
   Usable from plain threads. */
ARSENAL_CHAN_API int ars_chan_try_send(ars_chan *ch, const void *elem);
ARSENAL_CHAN_API int ars_chan_try_recv(ars_chan *ch, void *elem);
/* Closes: parked receivers get ARS_ECLOSED (the buffer is empty if they are
   parked), parked and later senders get ARS_ECLOSED. A second close returns
   ARS_ECLOSED and changes nothing. */
ARSENAL_CHAN_API int ars_chan_close(ars_chan *ch);
/* Elements buffered now, and the capacity. */
ARSENAL_CHAN_API size_t ars_chan_len(ars_chan *ch);
ARSENAL_CHAN_API size_t ars_chan_cap(const ars_chan *ch);
/* 1 once closed. */
ARSENAL_CHAN_API int ars_chan_closed(ars_chan *ch);

/* >>select ------------------------------------------------------------- */
enum { ARS_SELECT_SEND = 1, ARS_SELECT_RECV = 2 };

typedef struct ars_select_case {
    ars_chan *ch;        /* NULL: never ready (Go's nil channel) */
    int op;              /* ARS_SELECT_SEND or ARS_SELECT_RECV */
    void *elem;          /* send: the value; recv: where it goes */
    int result;          /* out, for the case that fired: 0 or ARS_ECLOSED */
} ars_select_case;

/* Initialisers: ars_select_case c[2] = { ARS_SEND_CASE(a, &x), ARS_RECV_CASE(b, &y) }; */
#define ARS_SEND_CASE(ch, elem_ptr) { (ch), ARS_SELECT_SEND, (void *)(elem_ptr), 0 }
#define ARS_RECV_CASE(ch, elem_ptr) { (ch), ARS_SELECT_RECV, (void *)(elem_ptr), 0 }

/* Waits until one case can proceed and performs it; among cases ready at
   once it picks one uniformly at random (as Go does). Returns the index of
   that case, whose `result` is 0 or ARS_ECLOSED (a receive on a closed,
   drained channel; a send on a closed channel). Otherwise ARS_EAGAIN
   (deadline 0: Go's `default`), ARS_ETIMEDOUT, ARS_ECANCELED, ARS_ESTATE,
   ARS_EINVAL, ARS_ENOMEM. No case at all blocks until the deadline.
   Select keeps its per-case state in its own frame for up to
   ARSENAL_CHAN_SELECT_STACK cases (73 bytes a case on 64-bit targets, 41
   on 32-bit ones); a select over more takes one block from ARSENAL_MALLOC
   (malloc) for the call, and returns ARS_ENOMEM, having done nothing, when
   it gets none (so always in firmware that defines no ARSENAL_MALLOC); a
   bad case is ARS_EINVAL first. The cases array is only read, but for the
   result of the case that fired. */
ARSENAL_CHAN_API int ars_select(ars_select_case *cases, int n, int64_t deadline);

/* >>typed -------------------------------------------------------------- */
/* ARS_CHAN_TYPED(name, T) defines a type `name` (a channel of T) and
       int  name##_make(name *c, size_t cap)       make(chan T, cap)
       void name##_free(name c)
       int  name##_send(name c, T v)               c <- v
       T    name##_recv(name c)                    <-c (zero value once closed)
       int  name##_recv_ok(name c, T *v)           v, ok := <-c  (0 = ok)
       int  name##_send_until(name c, T v, int64_t deadline)
       int  name##_recv_until(name c, T *v, int64_t deadline)
       int  name##_try_send(name c, T v), name##_try_recv(name c, T *v)
       int  name##_close(name c)
       size_t name##_len(name c), name##_cap(name c)
       ars_chan *name##_chan(name c)                for ars_select */
#define ARS_CHAN_TYPED(name, T) \
    typedef struct name { ars_chan *ch; } name; \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_make(name *c, size_t cap) { \
        return ars_chan_create(&c->ch, sizeof(T), cap, NULL); } \
    ARS_CHAN_MAYBE_UNUSED static inline void name##_free(name c) { ars_chan_destroy(c.ch); } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_send(name c, T v) { return ars_chan_send(c.ch, &v, -1); } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_send_until(name c, T v, int64_t deadline) { \
        return ars_chan_send(c.ch, &v, deadline); } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_try_send(name c, T v) { return ars_chan_try_send(c.ch, &v); } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_recv_until(name c, T *v, int64_t deadline) { \
        return ars_chan_recv(c.ch, v, deadline); } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_recv_ok(name c, T *v) { return ars_chan_recv(c.ch, v, -1); } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_try_recv(name c, T *v) { return ars_chan_try_recv(c.ch, v); } \
    ARS_CHAN_MAYBE_UNUSED static inline T name##_recv(name c) { \
        T v; size_t i_; \
        if (ars_chan_recv(c.ch, &v, -1) != 0) \
            for (i_ = 0; i_ < sizeof v; i_++) ((unsigned char *)&v)[i_] = 0; \
        return v; } \
    ARS_CHAN_MAYBE_UNUSED static inline int name##_close(name c) { return ars_chan_close(c.ch); } \
    ARS_CHAN_MAYBE_UNUSED static inline size_t name##_len(name c) { return ars_chan_len(c.ch); } \
    ARS_CHAN_MAYBE_UNUSED static inline size_t name##_cap(name c) { return ars_chan_cap(c.ch); } \
    ARS_CHAN_MAYBE_UNUSED static inline ars_chan *name##_chan(name c) { return c.ch; }

/* One-off sends of a literal from C (a compound literal; not in C++):
   ARS_CHAN_SEND(ch, int, 42) is ars_chan_send(ch, &(int){42}, -1). */
#ifndef __cplusplus
#define ARS_CHAN_SEND(ch, T, v) ars_chan_send((ch), &(T){ (v) }, -1)
#endif

/* >>spsc --------------------------------------------------------------- */
/* Bounded single-producer single-consumer ring of fixed-size elements.
   One thread pushes, one thread pops; no locks, no coroutines. Each cell
   carries a sequence word beside its element, so a push or pop reads only
   its own cell, never the other side's index: one cache line moves per
   hand-off (two with an index ring), and a line of cells fills before it
   moves. The struct is public (place it anywhere); the producer's and
   consumer's fields sit on separate cache lines. */
typedef struct ars_spsc {
    unsigned char *cells;
    size_t mask, elem_size, stride;
    const ars_allocator *allocator;
    size_t alloc_size;
    char pad0_[ARSENAL_CHAN_CACHE_LINE];
    size_t head;                    /* consumer: next to pop (published) */
    size_t tail_seen;               /* consumer's copy of tail (batches) */
    char pad1_[ARSENAL_CHAN_CACHE_LINE];
    size_t tail;                    /* producer: next to fill (published) */
    size_t head_seen;               /* producer's copy of head (batches) */
    char pad2_[ARSENAL_CHAN_CACHE_LINE];
} ars_spsc;

/* Bytes of buffer ars_spsc_init needs: the cells are laid out as
   ars_mpmc's, a sequence word and the element rounded up to a word. */
#define ARS_SPSC_BUFFER_SIZE(elem_size, cap) ARS_MPMC_BUFFER_SIZE(elem_size, cap)

/* elem_size >= 1; cap: a power of two >= 1; buf: buf_size bytes, at least
   ARS_SPSC_BUFFER_SIZE(elem_size, cap), aligned like size_t. create
   allocates both with `a` (NULL: malloc; `a` must outlive the queue);
   destroy frees what create made (a no-op after init). 0, ARS_EINVAL
   (create: ARS_ENOMEM). */
ARSENAL_CHAN_API int ars_spsc_init(ars_spsc *q, size_t elem_size, size_t cap, void *buf, size_t buf_size);
ARSENAL_CHAN_API int ars_spsc_create(ars_spsc **out, size_t elem_size, size_t cap,
                                     const ars_allocator *a);
ARSENAL_CHAN_API void ars_spsc_destroy(ars_spsc *q);
/* 0 or ARS_EAGAIN (full / empty). */
ARSENAL_CHAN_API int ars_spsc_push(ars_spsc *q, const void *elem);
ARSENAL_CHAN_API int ars_spsc_pop(ars_spsc *q, void *elem);
/* Up to n elements at once (contiguous array); returns how many moved. */
ARSENAL_CHAN_API size_t ars_spsc_push_n(ars_spsc *q, const void *elems, size_t n);
ARSENAL_CHAN_API size_t ars_spsc_pop_n(ars_spsc *q, void *elems, size_t n);
/* Elements in the ring (exact from either side, a snapshot elsewhere). */
ARSENAL_CHAN_API size_t ars_spsc_len(ars_spsc *q);

/* >>mpmc --------------------------------------------------------------- */
/* Bounded multi-producer multi-consumer queue (Dmitry Vyukov's design: each
   cell carries a sequence number). Lock-free for any number of threads. */
typedef struct ars_mpmc {
    unsigned char *cells;
    size_t mask, elem_size, stride;
    const ars_allocator *allocator;
    size_t alloc_size;
    char pad0_[ARSENAL_CHAN_CACHE_LINE];
    size_t enq;                     /* next position to push */
    char pad1_[ARSENAL_CHAN_CACHE_LINE];
    size_t deq;                     /* next position to pop */
    char pad2_[ARSENAL_CHAN_CACHE_LINE];
} ars_mpmc;

/* Bytes of buffer ars_mpmc_init needs (each cell: a sequence word + data). */
#define ARS_MPMC_BUFFER_SIZE(elem_size, cap) \
    ((((size_t)(elem_size) + 2 * sizeof(size_t) - 1) / sizeof(size_t)) * sizeof(size_t) * (size_t)(cap))

/* cap: a power of two >= 2; buf: ARS_MPMC_BUFFER_SIZE(elem_size, cap)
   bytes, aligned like size_t (the macro does not check for overflow; init
   and create return ARS_EINVAL when the buffer would pass SIZE_MAX / 2).
   Returns 0, ARS_EINVAL (create: ARS_ENOMEM). create and destroy as for
   the SPSC ring. */
ARSENAL_CHAN_API int ars_mpmc_init(ars_mpmc *q, size_t elem_size, size_t cap, void *buf);
ARSENAL_CHAN_API int ars_mpmc_create(ars_mpmc **out, size_t elem_size, size_t cap,
                                     const ars_allocator *a);
ARSENAL_CHAN_API void ars_mpmc_destroy(ars_mpmc *q);
/* 0 or ARS_EAGAIN (full / empty). */
ARSENAL_CHAN_API int ars_mpmc_push(ars_mpmc *q, const void *elem);
ARSENAL_CHAN_API int ars_mpmc_pop(ars_mpmc *q, void *elem);
/* Claim up to n consecutive cells with one atomic step; returns the count. */
ARSENAL_CHAN_API size_t ars_mpmc_push_n(ars_mpmc *q, const void *elems, size_t n);
ARSENAL_CHAN_API size_t ars_mpmc_pop_n(ars_mpmc *q, void *elems, size_t n);
/* A snapshot of the number of elements. */
ARSENAL_CHAN_API size_t ars_mpmc_len(ars_mpmc *q);

#ifdef __cplusplus
}
#endif
#endif /* ARSENAL_CHAN_H */

/* ====================================================================== */
#if (defined(ARSENAL_CHAN_IMPLEMENTATION) || defined(ARSENAL_IMPLEMENTATION)) && \
    !defined(ARSENAL_CHAN_IMPLEMENTATION_ONCE)
#define ARSENAL_CHAN_IMPLEMENTATION_ONCE

#if defined(ARSENAL_MALLOC) != defined(ARSENAL_FREE)
#error "arsenal_chan.h: define both ARSENAL_MALLOC and ARSENAL_FREE, or neither"
#endif

#if !defined(ARSENAL_CHAN_FREESTANDING) && defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0
#define ARSENAL_CHAN_FREESTANDING
#endif
#if defined(ARSENAL_CHAN_FREESTANDING) && !defined(ARSENAL_CHAN_NO_THREADS)
#define ARSENAL_CHAN_NO_THREADS
#endif
#ifndef ARSENAL_CHAN_SELECT_MAX
#define ARSENAL_CHAN_SELECT_MAX 1024
#endif
#if ARSENAL_CHAN_SELECT_MAX < 0 || ARSENAL_CHAN_SELECT_MAX > 0x3fff0000
#error "arsenal_chan.h: ARSENAL_CHAN_SELECT_MAX must be from 0 to 0x3fff0000"
#endif
#ifndef ARSENAL_CHAN_SELECT_STACK
#define ARSENAL_CHAN_SELECT_STACK 8
#endif
#if ARSENAL_CHAN_SELECT_STACK < 2 || ARSENAL_CHAN_SELECT_STACK > 64
#error "arsenal_chan.h: ARSENAL_CHAN_SELECT_STACK must be from 2 to 64"
#endif
#define ARS__CH_SMALL 8     /* up to this many cases, select picks in one pass */
#ifndef ARSENAL_CHAN_SPIN
#define ARSENAL_CHAN_SPIN 1024
#endif

#if defined(ARSENAL_CHAN_FREESTANDING)
#define ARS__CH_MEMCPY __builtin_memcpy
#ifndef ARSENAL_ASSERT
#define ARSENAL_ASSERT(x) ((void)0)
#endif
#else
#include <string.h>
#include <stdlib.h>
#define ARS__CH_MEMCPY memcpy
#ifndef ARSENAL_ASSERT
#include <assert.h>
#define ARSENAL_ASSERT(x) assert(x)
#endif
#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#define ARS__CH_DEFINED_LEAN
#endif
#include <windows.h>
#ifdef ARS__CH_DEFINED_LEAN
#undef WIN32_LEAN_AND_MEAN
#undef ARS__CH_DEFINED_LEAN
#endif
#define ARS__CH_OS_YIELD() SwitchToThread()
#else
#include <sched.h>
#define ARS__CH_OS_YIELD() sched_yield()
#endif
#endif

/* thread-local storage (select's random numbers) */
#if defined(ARSENAL_CHAN_FREESTANDING)
#define ARS__CH_TLS
#elif defined(_MSC_VER) && !defined(__clang__)
#define ARS__CH_TLS __declspec(thread)
#elif defined(__cplusplus)
#define ARS__CH_TLS thread_local
#else
#define ARS__CH_TLS __thread
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ARS__CH_LIKELY(x) __builtin_expect(!!(x), 1)
#define ARS__CH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ARS__CH_INLINE static inline __attribute__((always_inline))
#define ARS__CH_NOINLINE static __attribute__((noinline))
#else
#define ARS__CH_LIKELY(x) (x)
#define ARS__CH_UNLIKELY(x) (x)
#define ARS__CH_INLINE static __forceinline
#define ARS__CH_NOINLINE static __declspec(noinline)
#endif

/* spin-wait hint */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define ARS__CH_PAUSE() __builtin_ia32_pause()
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
#define ARS__CH_PAUSE() __asm__ __volatile__("yield" ::: "memory")
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#define ARS__CH_PAUSE() _mm_pause()
#else
#define ARS__CH_PAUSE() ((void)0)
#endif

/* atomics: GNU builtins (C and C++) or MSVC intrinsics (x86/x64: plain
   volatile accesses are acquire/release there) */
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define ARS__CH_LD_ACQ(p) (*(volatile size_t *)(p))
#define ARS__CH_LD_RLX(p) (*(volatile size_t *)(p))
#define ARS__CH_ST_REL(p, v) (*(volatile size_t *)(p) = (v))
#define ARS__CH_LD32_ACQ(p) (*(volatile uint32_t *)(p))
#define ARS__CH_ST32_REL(p, v) (*(volatile uint32_t *)(p) = (v))
#define ARS__CH_XCHG32_ACQ(p, v) ((uint32_t)_InterlockedExchange((volatile long *)(p), (long)(v)))
#define ARS__CH_LDP_RLX(p) (*(void *volatile *)(p))
#define ARS__CH_STP_RLX(p, v) (*(void *volatile *)(p) = (void *)(v))
#define ARS__CH_FENCE() MemoryBarrier()
#if defined(_WIN64)
#define ARS__CH_CAS(p, e, d) (_InterlockedCompareExchange64((volatile __int64 *)(p), (__int64)(d), (__int64)(e)) == (__int64)(e))
#else
#define ARS__CH_CAS(p, e, d) (_InterlockedCompareExchange((volatile long *)(p), (long)(d), (long)(e)) == (long)(e))
#endif
#else
#define ARS__CH_LD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ARS__CH_LD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ARS__CH_ST_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ARS__CH_LD32_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ARS__CH_ST32_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ARS__CH_XCHG32_ACQ(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQUIRE)
/* a wait queue's head, read without the lock by the lock-free ring */
#define ARS__CH_LDP_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ARS__CH_STP_RLX(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
/* *p from e to d; true on success */
#define ARS__CH_CAS(p, e, d) ars__ch_cas((p), (e), (d))
static inline int ars__ch_cas(size_t *p, size_t e, size_t d) {
    return __atomic_compare_exchange_n(p, &e, d, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
#endif

/* Biased locks need the membarrier system call (Linux 4.14, through
   arsenal_coro.h's ars__membarrier): the owner's plain stores are ordered
   against a revoking thread by the barrier it forces on every thread of
   the process. Where it does not work, channels take the spinlock. TSan
   cannot see that barrier, so TSan builds take the spinlock every time. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ARS__CH_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(ARS__CH_TSAN)
#define ARS__CH_TSAN 1
#endif
/* a full fence (the lock-free ring's handshake). TSan does not take
   fences: there a sequentially consistent read-modify-write of a dummy
   word orders the same on x86 (TSan checks the accesses, all atomic). */
#if !defined(_MSC_VER) || defined(__clang__)
#if defined(ARS__CH_TSAN)
static uint32_t ars__ch_fence_word;
#define ARS__CH_FENCE() ((void)__atomic_fetch_add(&ars__ch_fence_word, 0u, __ATOMIC_SEQ_CST))
#else
#define ARS__CH_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#endif
#ifndef ARSENAL_CHAN_BIAS
#if defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(ARSENAL_CHAN_NO_THREADS) && !defined(ARS__CH_TSAN)
#define ARSENAL_CHAN_BIAS 1
#else
#define ARSENAL_CHAN_BIAS 0
#endif
#endif
#if ARSENAL_CHAN_BIAS && defined(ARSENAL_CHAN_NO_THREADS)
#undef ARSENAL_CHAN_BIAS
#define ARSENAL_CHAN_BIAS 0            /* no lock at all */
#endif
/* park/wake: inline when arsenal_coro.h's implementation is in this file */
#if defined(ARSENAL_CORO_IMPLEMENTATION_ONCE) && defined(ARS__PARK_INLINE)
#define ARS__CH_PARK_PREPARE() ars__park_prepare_in()
#define ARS__CH_PARK(deadline) ars__park_in(deadline)
#define ARS__CH_WAKE(w, result) ars__wake_in((w), (result))
#else
#define ARS__CH_WAKE(w, result) ars_wake((w), (result))
#define ARS__CH_PARK_PREPARE() ars_park_prepare()
#define ARS__CH_PARK(deadline) ars_park(deadline)
#endif
/* a waiter whose coroutine another thread runs (a waker that claims it
   makes the channel shared): with arsenal_coro.h's implementation here,
   its scheduler tells (a thread waiter's is no thread's scheduler, and
   another of this thread never waits while this one runs); else the
   thread's name the waiter recorded (ARS__CH_NAME_WAITER) */
#if defined(ARSENAL_CORO_IMPLEMENTATION_ONCE) && defined(ARS__PARK_INLINE)
#define ARS__CH_WAITER_FAR(w) (!ars__here((w)->w.co))
#define ARS__CH_NAME_WAITER(w, name) ((void)0)
#else
#define ARS__CH_WAITER_FAR(w) ((w)->thread != ARS__CH_THREAD())
#define ARS__CH_NAME_WAITER(w, name) ((void)((w)->thread = (name)))
#endif

/* memory: the caller's allocator, else ARSENAL_MALLOC/FREE, else malloc */
static void *ars__ch_alloc(const ars_allocator *a, size_t size, size_t align) {
    if (a && a->alloc) return a->alloc(a->ctx, size, align);
    (void)align;
#if defined(ARSENAL_MALLOC)
    return ARSENAL_MALLOC(size);
#elif !defined(ARSENAL_CHAN_FREESTANDING)
    return malloc(size);
#else
    (void)size;
    return NULL;
#endif
}
static void ars__ch_free(const ars_allocator *a, void *p, size_t size) {
    if (!p) return;
    if (a && a->free) { a->free(a->ctx, p, size); return; }
    (void)size;
#if defined(ARSENAL_FREE)
    ARSENAL_FREE(p);
#elif !defined(ARSENAL_CHAN_FREESTANDING)
    free(p);
#endif
}

/* allocations aligned to a cache line whatever the allocator gives */
static void *ars__ch_alloc_line(const ars_allocator *a, size_t size, void **raw, size_t *raw_size) {
    size_t total = size + ARSENAL_CHAN_CACHE_LINE;
    unsigned char *p = (unsigned char *)ars__ch_alloc(a, total, ARSENAL_CHAN_CACHE_LINE);
    uintptr_t u;
    *raw = p; *raw_size = total;
    if (!p) return NULL;
    u = ((uintptr_t)p + ARSENAL_CHAN_CACHE_LINE - 1) & ~(uintptr_t)(ARSENAL_CHAN_CACHE_LINE - 1);
    return (void *)u;
}

/* element copy with the common sizes inlined. Where it is inlined with a
   variable n, gcc -O3 checks each fixed-size case against the caller's
   object and warns about the ones its size rules out (-Warray-bounds,
   -Wstringop-overflow: false positives) */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 7
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
ARS__CH_INLINE void ars__ch_copy(void *dst, const void *src, size_t n) {
    if (ARS__CH_LIKELY(n == sizeof(void *))) { ARS__CH_MEMCPY(dst, src, sizeof(void *)); return; }
    switch (n) {
    case 0: break;
    case 1: *(unsigned char *)dst = *(const unsigned char *)src; break;
    case 4: ARS__CH_MEMCPY(dst, src, 4); break;
    case 8: ARS__CH_MEMCPY(dst, src, 8); break;
    case 16: ARS__CH_MEMCPY(dst, src, 16); break;
    default: ARS__CH_MEMCPY(dst, src, n); break;
    }
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 7
#pragma GCC diagnostic pop
#endif

/* a few spins, then give the CPU away */
static void ars__ch_backoff(unsigned *n) {
    if (++*n < 64) { ARS__CH_PAUSE(); return; }
#if defined(ARS__CH_OS_YIELD)
    ARS__CH_OS_YIELD();
#endif
}

/* >>lock: one spinlock per channel, held for a few dozen instructions and
   never across a coroutine switch. With ARSENAL_CHAN_BIAS the channel first
   belongs to one thread (owner), which takes it with plain stores: busy = 1,
   then a check that no revocation started. Another thread revokes once:
   revoked 0 -> 1, membarrier (the owner's busy store is now visible, or its
   check will see the revocation), wait for busy == 0, revoked = 2; from then
   on everyone takes the spinlock. owner never changes once set, so a thread
   knows at unlock which lock it holds (it owns the channel and busy is 1). */
/* A thread's name: the address of a thread-local variable, which no two
   live threads share. With ARSENAL_CHAN_STATIC every copy of this
   implementation has its own variable, so a thread has one name per copy:
   a channel used through two copies gets revoked, never wrongly shared. A
   later thread may inherit a dead thread's name, and with it a channel the
   dead one owned: no other thread used it meanwhile without revoking it. */
#if defined(ARSENAL_CHAN_NO_THREADS)
#define ARS__CH_THREAD() ((const void *)0)
#else
/* (unused where neither the biased lock nor a waiter needs the name) */
static ARS__CH_TLS char ars__ch_thread_anchor ARS_CHAN_MAYBE_UNUSED;
#define ARS__CH_THREAD() ((const void *)&ars__ch_thread_anchor)
#endif
#define ARS__CH_OWNER_SHARED 1u        /* never biased: the spinlock only */
/* element sizes the fast paths copy inline (0, 1, 4, 8, 16 bytes); the
   others go to the general path, whose copy may call memcpy */
#define ARS__CH_INLINE_SIZE(n) ((n) <= 16 && ((0x10113u >> (n)) & 1u))
#define ARS__CH_OWNER_NONE 2u          /* not used by any thread yet */
/* ars__ch_biased(c): the calling thread holds the channel's biased lock
   (then no other thread is inside a call on it). try_bias, then lock_rest
   when it fails, is ars__ch_lock telling which lock it took (1: the biased
   one), for unlock_t: the hot paths need not work that out again. */
#if defined(ARSENAL_CHAN_NO_THREADS)
#define ars__ch_lock(c) ((void)(c))
#define ars__ch_unlock(c) ((void)(c))
#define ars__ch_biased(c) ((void)(c), 1)
#define ars__ch_unlock_t(c, b) ((void)(c), (void)(b))
#else
ARS__CH_NOINLINE void ars__ch_spin_lock(ars_chan *c) {
    unsigned n = 0;
    for (;;) {
        while (ARS__CH_LD32_ACQ(&c->lock)) ars__ch_backoff(&n);
        if (!ARS__CH_XCHG32_ACQ(&c->lock, 1u)) return;
    }
}
#if ARSENAL_CHAN_BIAS
static ARS__CH_TLS size_t ars__ch_me;       /* the name as a number; 0 until
                                               this thread's first slow lock */
/* the owner's lock: busy = 1, then no revocation may have started (the
   revoking thread's membarrier orders the two for the CPU) */
ARS__CH_INLINE int ars__ch_bias_take(ars_chan *c) {
    __atomic_store_n(&c->busy, 1u, __ATOMIC_RELAXED);
    /* the compiler keeps the store before the load; a barrier on these two
       words only, so nothing else the caller holds is reloaded */
    __asm__ __volatile__("" : "+m"(c->revoked) : "m"(c->busy));
    if (ARS__CH_LIKELY(!__atomic_load_n(&c->revoked, __ATOMIC_RELAXED))) return 1;
    ARS__CH_ST32_REL(&c->busy, 0u);
    return 0;
}
ARS__CH_NOINLINE void ars__ch_lock_slow(ars_chan *c) {
    size_t me = ars__ch_me;
    unsigned n = 0;
    if (!me) me = ars__ch_me = (size_t)(uintptr_t)ARS__CH_THREAD();
    for (;;) {
        size_t o = ARS__CH_LD_ACQ(&c->owner);
        uint32_t r;
        if (o == ARS__CH_OWNER_NONE) {
            ARS__CH_CAS(&c->owner, (size_t)ARS__CH_OWNER_NONE,
                        ars__membarrier_on() ? me : (size_t)ARS__CH_OWNER_SHARED);
            continue;
        }
        r = ARS__CH_LD32_ACQ(&c->revoked);
        if (o == ARS__CH_OWNER_SHARED || r == 2) break;
        if (r == 1) { ars__ch_backoff(&n); continue; }   /* another thread revokes */
        if (o == me) {                                    /* ours, not revoked */
            if (ars__ch_bias_take(c)) {
                /* the fast paths' test of both (only the owner stores it) */
                if (ARS__CH_LD_RLX(&c->fast) != me && ARS__CH_INLINE_SIZE(c->elem_size))
                    __atomic_store_n(&c->fast, me, __ATOMIC_RELAXED);
                return;
            }
            continue;
        }
        /* another thread's: revoke it for good */
        {
            uint32_t zero = 0;
            if (!__atomic_compare_exchange_n(&c->revoked, &zero, 1u, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
                continue;
        }
        ars__membarrier();
        while (ARS__CH_LD32_ACQ(&c->busy)) ars__ch_backoff(&n);
        /* the owner's fast paths test fast alone (ars__ch_try_bias_fast):
           from here they fail that test; one that read fast before this
           store finds revoked set in bias_take */
        __atomic_store_n(&c->fast, (size_t)ARS__CH_OWNER_SHARED, __ATOMIC_RELAXED);
        ARS__CH_ST32_REL(&c->revoked, 2u);
        break;
    }
    ars__ch_spin_lock(c);
}
#define ars__ch_biased(c) \
    (ARS__CH_LD_RLX(&(c)->owner) == ars__ch_me && __atomic_load_n(&(c)->busy, __ATOMIC_RELAXED))
/* the owner's biased lock, if it still is: revoked is read first, so the
   owner of a shared channel stores nothing (busy is on the line every
   other thread reads) */
ARS__CH_INLINE int ars__ch_try_bias_by(ars_chan *c, size_t *name) {
    return ARS__CH_LD_RLX(name) == ars__ch_me && !__atomic_load_n(&c->revoked, __ATOMIC_RELAXED) &&
           ars__ch_bias_take(c);
}
#define ars__ch_try_bias(c) ars__ch_try_bias_by((c), &(c)->owner)
/* try_bias when the element size is one the fast paths copy: one test of
   both (c->fast). The revoking thread sets fast to no thread's name once
   the revocation is complete (ars__ch_lock_slow), so the owner of a shared
   channel stops storing busy without reading revoked first; one that read
   fast just before still finds the revocation in bias_take. */
#define ars__ch_try_bias_fast(c) (ARS__CH_LD_RLX(&(c)->fast) == ars__ch_me && ars__ch_bias_take(c))
/* the rest of the lock, after try_bias failed: 1 when the slow path ended
   with the biased lock after all, else 0 (the spinlock) */
ARS__CH_INLINE int ars__ch_lock_rest(ars_chan *c) {
    if ((ARS__CH_LD_RLX(&c->owner) == ARS__CH_OWNER_SHARED || ARS__CH_LD32_ACQ(&c->revoked) == 2) &&
        !ARS__CH_XCHG32_ACQ(&c->lock, 1u))
        return 0;                                  /* shared for good: the spinlock */
    ars__ch_lock_slow(c);
    return ars__ch_biased(c);
}
ARS__CH_INLINE void ars__ch_lock(ars_chan *c) {
    if (ARS__CH_UNLIKELY(!ars__ch_try_bias(c))) (void)ars__ch_lock_rest(c);
}
ARS__CH_INLINE void ars__ch_unlock_t(ars_chan *c, int b) {
    if (b) ARS__CH_ST32_REL(&c->busy, 0u);
    else ARS__CH_ST32_REL(&c->lock, 0u);
}
/* only the owner ever writes busy, so for it busy says which lock it took;
   for every other thread owner differs */
#define ars__ch_unlock(c) ars__ch_unlock_t((c), ars__ch_biased(c))
#else
ARS__CH_INLINE void ars__ch_lock(ars_chan *c) {
    if (ARS__CH_UNLIKELY(ARS__CH_XCHG32_ACQ(&c->lock, 1u))) ars__ch_spin_lock(c);
}
ARS__CH_INLINE void ars__ch_unlock(ars_chan *c) { ARS__CH_ST32_REL(&c->lock, 0u); }
#define ars__ch_biased(c) ((void)(c), 0)
#define ars__ch_try_bias(c) ((void)(c), 0)
#define ars__ch_lock_rest(c) (ars__ch_lock(c), 0)
#define ars__ch_unlock_t(c, b) ((void)(b), ars__ch_unlock(c))
#endif
#endif
/* the lock, telling which one it took: 1 the biased one, 0 the spinlock
   (for ars__ch_unlock_t) */
#if defined(ARSENAL_CHAN_NO_THREADS)
#define ars__ch_lock_b(c) ((void)(c), 1)
#else
ARS__CH_INLINE int ars__ch_lock_b(ars_chan *c) {
    if (ARS__CH_LIKELY(ars__ch_try_bias(c))) return 1;
    return ars__ch_lock_rest(c);
}
#endif
/* the same for a channel the fast paths likely use: the fast word's test
   first (ars__ch_try_bias_fast), one load fewer when it passes */
#if ARSENAL_CHAN_BIAS && !defined(ARSENAL_CHAN_NO_THREADS)
ARS__CH_INLINE int ars__ch_lock_bf(ars_chan *c) {
    if (ARS__CH_LIKELY(ars__ch_try_bias_fast(c))) return 1;
    return ars__ch_lock_b(c);
}
#else
#define ars__ch_lock_bf(c) ars__ch_lock_b(c)
#endif

/* >>ring: a buffered channel keeps its elements in cap cells of `stride`
   bytes: a sequence word, then the element. While one thread uses the
   channel (its biased lock) the ring is plain: head and len, under the
   lock, and the words unused. Once the channel is shared across threads
   (under the spinlock) it turns lock-free for good, the channel's MPMC
   ring: tpos is twice the next position to fill (bit 0: closed, so no
   push lands after a close), hpos twice the next to take; a cell is free
   for position p when its word is 2p and holds p's element at 2p + 1 (the
   take of p frees it for p + cap). Sends and receives then touch the
   cells and their end of the ring only, and take the lock only to park or
   to wake a parked peer. A parked peer is never handed an element: it is
   woken to retry (ARS__CH_RETRY).
   The handshake that no wake is lost: an operation publishes its cell,
   then a full fence, then reads the other side's queue head; a waiter
   links itself (under the lock), then a full fence, then looks at the ring
   again before it parks. One of the two sees the other.
   Lock-free needs an element buffer (elem_size > 0), and a position that
   maps to the same cell across its wrap: a power-of-two cap, or 64-bit
   positions (they never wrap). Other channels keep the plain ring. */
#define ARS__CH_RETRY 0x7ffffffe
#define ARS__CH_CLOSED 1u       /* state bits */
#define ARS__CH_LF 2u

static int ars__ch_pow2(size_t x) { return x && !(x & (x - 1)); }
/* cell i: its sequence word, then (slot) its element */
ARS__CH_INLINE size_t *ars__ch_cell_at(const ars_chan *c, size_t i) {
    return (size_t *)(void *)(c->buf + i * c->stride);
}
ARS__CH_INLINE unsigned char *ars__ch_slot(const ars_chan *c, size_t i) {
    return (unsigned char *)(ars__ch_cell_at(c, i) + 1);
}
ARS__CH_INLINE int ars__ch_lf_able(const ars_chan *c) {
#if defined(ARSENAL_CHAN_NO_THREADS)
    (void)c;
    return 0;
#else
    return c->elem_size && (sizeof(size_t) >= 8 || ars__ch_pow2(c->cap));
#endif
}
/* the cell of ring word w (2 * position) */
ARS__CH_INLINE size_t *ars__ch_cell(const ars_chan *c, size_t w) {
    size_t p = w >> 1;
    return ars__ch_cell_at(c, ars__ch_pow2(c->cap) ? p & (c->cap - 1) : p % c->cap);
}
#if !defined(ARSENAL_CHAN_NO_THREADS)
/* Under the spinlock, no other thread inside a plain ring operation: the
   plain ring becomes lock-free, its elements where they are. */
static void ars__ch_to_lf(ars_chan *c) {
    size_t i, cap = c->cap, h = c->head, t = h + c->len;
    for (i = 0; i < cap; i++) {
        size_t p = i >= h ? i : i + cap;        /* positions h .. h + cap - 1 */
        *ars__ch_cell_at(c, i) = p < t ? 2 * p + 1 : 2 * p;
    }
    c->hpos = 2 * h;
    ARS__CH_ST_REL(&c->tpos, 2 * t + (c->state & ARS__CH_CLOSED));
    ARS__CH_ST32_REL(&c->state, c->state | ARS__CH_LF);
}
/* 0, ARS_EAGAIN (full), ARS_ECLOSED */
static int ars__ch_push_lf(ars_chan *c, const void *elem) {
    size_t t = ARS__CH_LD_RLX(&c->tpos);
    for (;;) {
        size_t *cell, sq;
        intptr_t d;
        if (t & 1u) return ARS_ECLOSED;
        cell = ars__ch_cell(c, t);
        sq = ARS__CH_LD_ACQ(cell);
        d = (intptr_t)(sq - t);
        if (d == 0) {
            if (ARS__CH_CAS(&c->tpos, t, t + 2)) {
                ars__ch_copy(cell + 1, elem, c->elem_size);
                ARS__CH_ST_REL(cell, t + 1);
                return 0;
            }
        } else if (d < 0) {                     /* p - cap not taken yet: full */
            size_t t2 = ARS__CH_LD_ACQ(&c->tpos);
            if (t2 == t) return ARS_EAGAIN;
            if (t2 & 1u) return ARS_ECLOSED;
        }
        t = ARS__CH_LD_RLX(&c->tpos);
    }
}
/* 0, ARS_EAGAIN (empty, or its next element still being written),
   ARS_ECLOSED (closed and drained) */
static int ars__ch_pop_lf(ars_chan *c, void *elem) {
    size_t h = ARS__CH_LD_RLX(&c->hpos);
    for (;;) {
        size_t *cell = ars__ch_cell(c, h), sq = ARS__CH_LD_ACQ(cell);
        intptr_t d = (intptr_t)(sq - (h + 1));
        if (d == 0) {
            if (ARS__CH_CAS(&c->hpos, h, h + 2)) {
                ars__ch_copy(elem, cell + 1, c->elem_size);
                ARS__CH_ST_REL(cell, h + 2 * c->cap);
                return 0;
            }
        } else if (d < 0) {                     /* not filled for this lap */
            size_t t = ARS__CH_LD_ACQ(&c->tpos);
            /* closed, and no position at or past h was ever claimed */
            return (t & 1u) && (t & ~(size_t)1) == h ? ARS_ECLOSED : ARS_EAGAIN;
        }
        h = ARS__CH_LD_RLX(&c->hpos);
    }
}
/* would a push / pop find a cell now (or the channel closed)? */
ARS__CH_INLINE int ars__ch_lf_ready(const ars_chan *c, int is_send) {
    if (is_send) {
        size_t t = ARS__CH_LD_ACQ(&c->tpos);
        return (t & 1u) || ARS__CH_LD_ACQ(ars__ch_cell(c, t)) == t;
    } else {
        size_t h = ARS__CH_LD_ACQ(&c->hpos), t;
        if (ARS__CH_LD_ACQ(ars__ch_cell(c, h)) == h + 1) return 1;
        t = ARS__CH_LD_ACQ(&c->tpos);
        return (t & 1u) && (t & ~(size_t)1) == h;
    }
}
#endif

/* >>queue of parked waiters (under the channel lock; a lock-free ring
   operation reads a queue's head without it, so head stores are atomic).
   A queue mostly holds one waiter or none (a rendezvous): that case is the
   one laid out straight. */
ARS__CH_INLINE void ars__ch_enqueue(ars__chan_wait **head, ars__chan_wait **tail, ars__chan_wait *w) {
    w->next = NULL;
    w->prev = *tail;
    if (ARS__CH_LIKELY(!*tail)) ARS__CH_STP_RLX(head, w); else (*tail)->next = w;
    *tail = w;
    ARS__CH_ST32_REL(&w->linked, 1u);
}
ARS__CH_INLINE void ars__ch_unlink(ars__chan_wait **head, ars__chan_wait **tail, ars__chan_wait *w) {
    if (w->prev) w->prev->next = w->next; else ARS__CH_STP_RLX(head, w->next);
    if (w->next) w->next->prev = w->prev; else *tail = w->prev;
    ARS__CH_ST32_REL(&w->linked, 0u);
}
/* the same on a channel's send (is_send) or receive queue */
ARS__CH_INLINE void ars__ch_link_q(ars_chan *c, int is_send, ars__chan_wait *w) {
    if (is_send) ars__ch_enqueue(&c->send_head, &c->send_tail, w);
    else ars__ch_enqueue(&c->recv_head, &c->recv_tail, w);
}
ARS__CH_INLINE void ars__ch_unlink_q(ars_chan *c, int is_send, ars__chan_wait *w) {
    if (is_send) ars__ch_unlink(&c->send_head, &c->send_tail, w);
    else ars__ch_unlink(&c->recv_head, &c->recv_tail, w);
}
/* the same for the first waiter, but linked is left to the caller */
ARS__CH_INLINE void ars__ch_unlink_head(ars__chan_wait **head, ars__chan_wait **tail, ars__chan_wait *w) {
    ars__chan_wait *n = w->next;
    ARS__CH_STP_RLX(head, n);
    if (ARS__CH_LIKELY(!n)) *tail = NULL; else n->prev = NULL;
}


/* A waiter's `linked`: 0 not queued, 1 queued; ARS__CH_LEAVING: still
   queued, its park ended some other way (deadline, cancel, its select done
   elsewhere) and its own thread is on the way to the channel's lock to
   unlink it (ars__ch_leave); ARS__CH_GOING: a destroy (ars_chan_deinit)
   unlinked it meanwhile and counted it in the channel's `going`, and keeps
   the channel's memory until that thread has taken one off, its last
   access to the channel. A waiter still at 1 when a destroy reaches it is
   set to ARS__CH_GONE, and its thread never touches the channel again:
   only threads running at that moment are waited for. (A select woken to
   retry by another of its channels learns so that this one is gone.)
   A waiter woken with ARS__CH_RETRY comes back to the channel: its waker
   counts it in `going` as well, and it takes that off after its last
   access, or once it is queued again (then it is a waiter as any).
   ARS__CH_HELD: unlinked and counted in `going` for its thread, which takes
   that off itself. A waker that drops a waiter whose park ended otherwise
   leaves it so (it may be a select woken to retry by another channel, which
   comes back to this one), and so does a select woken to retry for each
   channel it leaves (ars__ch_leave_hold): it stays counted until its next
   round has queued it again or returns, as if still parked there. */
#define ARS__CH_GOING 2u
#define ARS__CH_LEAVING 3u
#define ARS__CH_GONE 4u
#define ARS__CH_HELD 5u

/* a waiter's linked word from e to d; true on success (a plain test and
   store where no other thread can run) */
#if defined(ARSENAL_CHAN_NO_THREADS)
ARS__CH_INLINE int ars__ch_cas32(uint32_t *p, uint32_t e, uint32_t d) {
    if (*p != e) return 0;
    *p = d;
    return 1;
}
#elif defined(_MSC_VER) && !defined(__clang__)
#define ars__ch_cas32(p, e, d) \
    (_InterlockedCompareExchange((volatile long *)(p), (long)(d), (long)(e)) == (long)(e))
#else
ARS__CH_INLINE int ars__ch_cas32(uint32_t *p, uint32_t e, uint32_t d) {
    return __atomic_compare_exchange_n(p, &e, d, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
#endif
/* the count of a destroy's waiters still leaving */
#if defined(ARSENAL_CHAN_NO_THREADS)
#define ars__ch_add32(p, v) ((void)(*(p) += (v)))
#elif defined(_MSC_VER) && !defined(__clang__)
#define ars__ch_add32(p, v) ((void)_InterlockedExchangeAdd((volatile long *)(p), (long)(v)))
#else
#define ars__ch_add32(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL))
#endif

/* Takes the first parked waiter of a queue that can still be woken: it is
   unlinked and its park claimed (woken with `result`); the caller then
   copies and calls ars__ch_done. Waiters that timed out, were canceled or
   whose select already fired (or was woken to retry) elsewhere are
   dropped on the way, counted in c->going (ARS__CH_HELD: the waiter takes
   that off); in a destroy (`going`), those already ARS__CH_LEAVING are
   marked ARS__CH_GOING and counted, to be waited for, the others
   ARS__CH_GONE. */
ARS__CH_INLINE ars__chan_wait *ars__ch_take_g(ars_chan *c, ars__chan_wait **head, ars__chan_wait **tail,
                                             int result, int going) {
    ars__chan_wait *w;
    while ((w = *head) != NULL) {
        int won = ARS__CH_WAKE(w->w, result) == 0;
        if (won && ARS__CH_WAITER_FAR(w) && !c->shared) c->shared = 1;   /* stored once */
        ars__ch_unlink_head(head, tail, w);
        if (won) return w;      /* ars__ch_done publishes linked = 0 */
        if (going && ars__ch_cas32(&w->linked, 1u, ARS__CH_GONE)) continue;
        /* LEAVING (it comes for the lock), or a loser of another waker
           that may come back to the channel: counted. After this store a
           loser may return and reuse its memory: the last access. */
        ars__ch_add32(&c->going, 1u);
        ARS__CH_ST32_REL(&w->linked, going ? ARS__CH_GOING : ARS__CH_HELD);
    }
    return NULL;
}
#define ars__ch_take(c, head, tail, result) ars__ch_take_g((c), (head), (tail), (result), 0)
/* The winner's unlinked, fired and done are written together, after the
   copy: a waiter of another thread may be spinning on those lines, and
   each store apart would fetch them back from it. done also tells whether
   the waker claimed the park with result 0 (the one it passed to the
   claim): then the woken call is complete without reading the park's
   result. Only the claim's winner writes done, so DONE_0 means the park
   returned 0. */
#define ARS__CH_DONE_0 1u       /* done; the park's result is 0 */
#define ARS__CH_DONE_R 2u       /* done; another result (ARS_ECLOSED, ARS__CH_RETRY) */
ARS__CH_INLINE void ars__ch_done(ars__chan_wait *w, int result) {
    ars__chan_state *st = w->st;
    st->fired = w->index;
    ARS__CH_ST32_REL(&w->linked, 0u);
    ARS__CH_ST32_REL(&st->done, result ? ARS__CH_DONE_R : ARS__CH_DONE_0);
}

/* a woken waiter waits for its waker's copy (already done on one thread) */
static void ars__ch_wait_done(ars__chan_state *st) {
    unsigned n = 0;
    while (!ARS__CH_LD32_ACQ(&st->done)) ars__ch_backoff(&n);
}

/* Cross-thread channels: before sleeping for real, spin a little while the
   peer thread may answer. A peer that claims the park during the spin sees
   it (arsenal_coro.h's ars__park_spin_begin/end) and leaves the coroutine
   running: no system call on either side, no queueing on its scheduler's
   inbox, no switch. Only where coroutines of more than one thread have
   parked, and only when nothing else on this thread is runnable. */
#if defined(ARSENAL_CHAN_NO_THREADS) || ARSENAL_CHAN_SPIN == 0
#define ars__ch_spin(st) ((void)(st), ARS__UNSPUN)
#else
/* the park's result when the peer claimed it during the spin and left us
   running (then do not park), else ARS__UNSPUN; no spin while other
   coroutines of this thread can run */
static int ars__ch_spin(ars__chan_state *st) {
    int i;
    if (!ars__park_spin_begin()) return ARS__UNSPUN;
    for (i = 0; i < ARSENAL_CHAN_SPIN && !ARS__CH_LD32_ACQ(&st->done); i++) ARS__CH_PAUSE();
    return ars__park_spin_end();
}
#endif

/* waits out a park prepared and queued (the lock released): the spin on a
   channel used across threads, then the park itself unless the spin ended
   it */
ARS__CH_INLINE int ars__ch_wait(ars__chan_state *st, int shared, int64_t deadline) {
    int r = shared ? ars__ch_spin(st) : ARS__UNSPUN;
    return r == ARS__UNSPUN ? ARS__CH_PARK(deadline) : r;
}

/* >>ops under the lock (plain ring): 0 done, ARS_EAGAIN would block,
   ARS_ECLOSED */
ARS__CH_INLINE int ars__ch_send_locked(ars_chan *c, const void *elem) {
    ars__chan_wait *w;
    if (ARS__CH_UNLIKELY(c->state)) return ARS_ECLOSED;     /* plain ring: closed */
    if (c->recv_head && (w = ars__ch_take(c, &c->recv_head, &c->recv_tail, 0)) != NULL) {
        ars__ch_copy(w->elem, elem, c->elem_size);
        ars__ch_done(w, 0);
        return 0;
    }
    if (c->len < c->cap) {
        size_t t = c->head + c->len;
        if (t >= c->cap) t -= c->cap;
        ars__ch_copy(ars__ch_slot(c, t), elem, c->elem_size);
        c->len++;
        return 0;
    }
    return ARS_EAGAIN;
}

ARS__CH_INLINE int ars__ch_recv_locked(ars_chan *c, void *elem) {
    ars__chan_wait *w;
    if (c->len > 0) {
        ars__ch_copy(elem, ars__ch_slot(c, c->head), c->elem_size);
        if (++c->head == c->cap) c->head = 0;
        c->len--;
        /* a parked sender refills the slot */
        if (c->send_head && (w = ars__ch_take(c, &c->send_head, &c->send_tail, 0)) != NULL) {
            size_t t = c->head + c->len;
            if (t >= c->cap) t -= c->cap;
            ars__ch_copy(ars__ch_slot(c, t), w->elem, c->elem_size);
            c->len++;
            ars__ch_done(w, 0);
        }
        return 0;
    }
    if (c->send_head && (w = ars__ch_take(c, &c->send_head, &c->send_tail, 0)) != NULL) {
        ars__ch_copy(elem, w->elem, c->elem_size);
        ars__ch_done(w, 0);
        return 0;
    }
    return c->state ? ARS_ECLOSED : ARS_EAGAIN;
}

/* wakes every parked waiter: receivers with recv_result, senders with
   ARS_ECLOSED (close, destroy); a receiver woken to retry is counted */
static void ars__ch_wake_all(ars_chan *c, int recv_result, int going) {
    ars__chan_wait *w;
    while ((w = ars__ch_take_g(c, &c->recv_head, &c->recv_tail, recv_result, going)) != NULL) {
        if (recv_result == ARS__CH_RETRY) ars__ch_add32(&c->going, 1u);
        ars__ch_done(w, recv_result);
    }
    while ((w = ars__ch_take_g(c, &c->send_head, &c->send_tail, ARS_ECLOSED, going)) != NULL)
        ars__ch_done(w, ARS_ECLOSED);
}

/* a waiter a waker dropped and counted (ARS__CH_HELD) takes that off,
   its last access to the channel */
ARS__CH_INLINE void ars__ch_unhold(ars_chan *c, ars__chan_wait *w) {
    if (ARS__CH_LD32_ACQ(&w->linked) != ARS__CH_HELD) return;
    w->linked = 0u;
    ars__ch_add32(&c->going, (uint32_t)-1);
}
/* after a park that ended by deadline/cancel/ENOMEM: leave the queue;
   a destroy that unlinked us meanwhile waits for our answer (ARS__CH_GOING),
   and a waker that dropped us (ARS__CH_HELD) for the channel's sake, given
   after the last access to the channel. Either way linked is ARS__CH_GONE
   after a destroy took the channel (never touch it again), else 0. */
ARS__CH_INLINE void ars__ch_leave(ars_chan *c, ars__chan_wait *w, int is_send) {
    int b;
    uint32_t v;
    /* 1 -> LEAVING, or the waker that woke us (0), a destroy (GONE) or
       another waker (HELD) unlinked us first */
    v = ARS__CH_LD32_ACQ(&w->linked);
    if (v != 1u || !ars__ch_cas32(&w->linked, 1u, ARS__CH_LEAVING)) {
        if (v) ars__ch_unhold(c, w);
        return;
    }
    b = ars__ch_lock_bf(c);
    v = ARS__CH_LD32_ACQ(&w->linked);
    if (v == ARS__CH_LEAVING) ars__ch_unlink_q(c, is_send, w);
    ars__ch_unlock_t(c, b);
    if (v != ARS__CH_LEAVING) {     /* GOING or HELD: counted for us */
        w->linked = v == ARS__CH_GOING ? ARS__CH_GONE : 0u;
        ars__ch_add32(&c->going, (uint32_t)-1);   /* the last access: a destroy may go on */
    }
}
/* The same for a select woken to retry by another channel, which locks
   this one again in its next round: still queued, it counts itself in
   c->going under the lock (ARS__CH_HELD) as it leaves, and a waker that
   dropped it did so already; after a destroy took the channel it is
   ARS__CH_GONE (that case fires, ARS_ECLOSED), and 0 is the waiter its
   waker fired (counted by that waker). */
static void ars__ch_leave_hold(ars_chan *c, ars__chan_wait *w, int is_send) {
    int b;
    uint32_t v;
    if (ARS__CH_LD32_ACQ(&w->linked) != 1u || !ars__ch_cas32(&w->linked, 1u, ARS__CH_LEAVING)) return;
    b = ars__ch_lock_b(c);
    v = ARS__CH_LD32_ACQ(&w->linked);
    if (v == ARS__CH_LEAVING) {     /* no destroy has closed it: one would have found us */
        ars__ch_unlink_q(c, is_send, w);
        ars__ch_add32(&c->going, 1u);
        w->linked = ARS__CH_HELD;
    }
    ars__ch_unlock_t(c, b);
    if (v == ARS__CH_GOING) {
        w->linked = ARS__CH_GONE;
        ars__ch_add32(&c->going, (uint32_t)-1);
    }
}

/* a single call's waiter and its state, before linking */
ARS__CH_INLINE void ars__ch_wait_fill(ars__chan_wait *w, ars__chan_state *st, void *elem) {
    st->done = 0; st->fired = -1;
    w->elem = elem; w->st = st; w->index = 0; w->linked = 0; ARS__CH_NAME_WAITER(w, ARS__CH_THREAD());
}

/* a send (is_send) or receive on a lock-free ring (>>lock-free ring
   operations); owed: 1 when woken to retry (counted in c->going) */
#if !defined(ARSENAL_CHAN_NO_THREADS)
static int ars__ch_op_lf(ars_chan *c, void *elem, int is_send, int64_t deadline, int owed);
#define ARS__CH_OP_LF(c, elem, is_send, deadline, owed) ars__ch_op_lf((c), (elem), (is_send), (deadline), (owed))
#else
#define ARS__CH_OP_LF(c, elem, is_send, deadline, owed) \
    ((void)(c), (void)(elem), (void)(deadline), (void)(owed), ARS_ESTATE)
#endif

/* >>fast paths. With arsenal_coro.h's implementation in the same file and
   the channel's biased lock (or no lock: ARSENAL_CHAN_NO_THREADS), the
   common cases of send and receive (a waiter of this thread to hand to, the
   plain ring, a park) make no call but tail calls, so they save and restore
   no register; every other case goes to the general path (ars__ch_op). */
#if defined(ARSENAL_CORO_IMPLEMENTATION_ONCE) && defined(ARS__PARK_INLINE) && \
    (defined(ARSENAL_CHAN_NO_THREADS) || ARSENAL_CHAN_BIAS)
#define ARS__CH_FAST 1
/* the biased lock (none without threads) of a channel whose elements the
   fast paths copy (ARS__CH_INLINE_SIZE) */
#if defined(ARSENAL_CHAN_NO_THREADS)
#define ars__ch_fast_lock(c) ARS__CH_INLINE_SIZE((c)->elem_size)
#else
#define ars__ch_fast_lock(c) ars__ch_try_bias_fast(c)
#endif
/* (gcc -O3 checks each size against the caller's object: the same false
   positives as ars__ch_copy's) */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 7
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
ARS__CH_INLINE void ars__ch_copy_small(void *dst, const void *src, size_t n) {
    if (ARS__CH_LIKELY(n == 8)) ARS__CH_MEMCPY(dst, src, 8);
    else if (n == 4) ARS__CH_MEMCPY(dst, src, 4);
    else if (n == 16) ARS__CH_MEMCPY(dst, src, 16);
    else if (n == 1) *(unsigned char *)dst = *(const unsigned char *)src;
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 7
#pragma GCC diagnostic pop
#endif
/* The first waiter w of a queue, if it is a coroutine of this thread's
   scheduler that can still be woken: claimed (queued to run) and unlinked,
   1; else 0, and nothing changed but a claim that lost (the general path
   then drops w). Such a waiter never makes the channel shared. */
ARS__CH_INLINE int ars__ch_take_here(ars__chan_wait **head, ars__chan_wait **tail, ars__chan_wait *w) {
    if (ARS__CH_UNLIKELY(!ars__here(w->w.co))) return 0;
    if (ARS__CH_UNLIKELY(ars__claim_here(w->w.co, w->w.seq, 0) != 0)) return 0;
    ars__ch_unlink_head(head, tail, w);
    return 1;
}
#endif

/* A parked single call: its waiter, and what the end of its park needs
   (read back from here after the switch, so nothing else stays live
   across it). */
typedef struct ars__ch_parked {
    ars__chan_wait w;
    ars__chan_state st;
    ars_chan *c;
    int64_t deadline;
    int is_send;
} ars__ch_parked;
/* the end of a park that did not simply complete (r: the park's result) */
ARS__CH_NOINLINE int ars__ch_park_end(ars__ch_parked *p, int r) {
    if (r == 0 || r == ARS_ECLOSED || r == ARS__CH_RETRY) {
        /* a peer (or close) unlinked us and claimed the park */
        ars__ch_wait_done(&p->st);
        return r == ARS__CH_RETRY ? ARS__CH_OP_LF(p->c, p->w.elem, p->is_send, p->deadline, 1) : r;
    }
    ars__ch_leave(p->c, &p->w, p->is_send);
    return r;
}
/* fills p's waiter (its park armed: p->w.w set), queues it and unlocks */
ARS__CH_INLINE void ars__ch_park_queue(ars__ch_parked *p, ars_chan *c, void *elem, int is_send,
                                       int64_t deadline, int b) {
    ars__ch_wait_fill(&p->w, &p->st, elem);
    p->c = c; p->deadline = deadline; p->is_send = is_send;
    ars__ch_link_q(c, is_send, &p->w);
    ars__ch_unlock_t(c, b);
}
/* parks the running coroutine on one queue; the lock (b: the biased one)
   is held on entry and released here. Woken by a lock-free ring operation (the ring turned
   lock-free meanwhile: ARS__CH_RETRY), it goes on there. */
ARS__CH_INLINE int ars__ch_park_in(ars_chan *c, void *elem, int is_send, int64_t deadline, int b) {
    ars__ch_parked p;
    /* the spin waits for a peer on another thread; under the biased lock
       (b) no other thread uses the channel (it would revoke the lock
       first), so shared is not even read */
    int r, shared = b ? 0 : (int)c->shared;
#ifdef ARS__CH_FAST
    /* a coroutine of a scheduler, no spin: arm and park directly, without
       ars_park_prepare's flag round trip */
    ars_coro *co = shared ? NULL : ars__running_scheduled();
    if (co) {
        p.w.w.co = co;
        p.w.w.seq = ars__park_arm(co);
        ars__ch_park_queue(&p, c, elem, is_send, deadline, b);
        r = ars__park_armed_in(co->sched, co, deadline);
    } else
#endif
    {
        p.w.w = ARS__CH_PARK_PREPARE();
        if (!p.w.w.co) { ars__ch_unlock_t(c, b); return ARS_ESTATE; }
        ars__ch_park_queue(&p, c, elem, is_send, deadline, b);
        r = ars__ch_wait(&p.st, shared, deadline);
    }
    /* the usual end: a peer completed the call (r is 0) */
    if (ARS__CH_LIKELY(ARS__CH_LD32_ACQ(&p.st.done) == ARS__CH_DONE_0)) return 0;
    return ars__ch_park_end(&p, r);
}
ARS__CH_NOINLINE int ars__ch_park(ars_chan *c, void *elem, int is_send, int64_t deadline, int b) {
    return ars__ch_park_in(c, elem, is_send, deadline, b);
}
#ifdef ARS__CH_FAST
/* the same with the biased lock, for the fast paths (b folded away) */
ARS__CH_NOINLINE int ars__ch_park_b1(ars_chan *c, void *elem, int is_send, int64_t deadline) {
    return ars__ch_park_in(c, elem, is_send, deadline, 1);
}
#endif

#if !defined(ARSENAL_CHAN_NO_THREADS)
/* >>lock-free ring operations */
/* wakes the first parked waiter of a queue to retry (a lock-free push or
   pop just made room or an element for it). Once closed, a push is one
   that claimed its cell before the close, and may be the last element:
   every parked receiver retries then, or those it does not wake would
   miss the end (close woke the ones parked before it). Each waiter woken
   so comes back to the channel: counted in `going` for a destroy. */
ARS__CH_NOINLINE void ars__ch_lf_wake(ars_chan *c, int recvs) {
    ars__chan_wait *w;
    ars__ch_lock(c);
    if (recvs) {
        int all = (ARS__CH_LD_RLX(&c->tpos) & 1u) != 0;
        while ((w = ars__ch_take(c, &c->recv_head, &c->recv_tail, ARS__CH_RETRY)) != NULL) {
            ars__ch_add32(&c->going, 1u);
            ars__ch_done(w, ARS__CH_RETRY);
            if (!all) break;
        }
    } else if ((w = ars__ch_take(c, &c->send_head, &c->send_tail, ARS__CH_RETRY)) != NULL) {
        ars__ch_add32(&c->going, 1u);
        ars__ch_done(w, ARS__CH_RETRY);
    }
    ars__ch_unlock(c);
}
/* after a push (is_send) or pop: the fence, then a parked peer on the
   other side, if any, retries */
ARS__CH_INLINE void ars__ch_lf_kick(ars_chan *c, int is_send) {
    ARS__CH_FENCE();
    if (is_send ? ARS__CH_LDP_RLX(&c->recv_head) != NULL : ARS__CH_LDP_RLX(&c->send_head) != NULL)
        ars__ch_lf_wake(c, is_send);
}
/* Before parking: while nothing else of this thread can run, watch the
   ring for a while (another thread is about to fill or empty a cell). 1
   when the operation may succeed now. */
static int ars__ch_lf_poll(ars_chan *c, int is_send) {
    int i;
    if (!ars__sched_alone()) return 0;
    for (i = 0; i < ARSENAL_CHAN_SPIN; i++) {
        if (ars__ch_lf_ready(c, is_send)) return 1;
        ARS__CH_PAUSE();
    }
    return 0;
}
/* Parks on a lock-free ring's queue; the lock is held on entry and
   released here. Linked first, then the fence, then one more try (see
   >>ring): 0 or ARS_ECLOSED from that try, ARS__CH_RETRY when woken to
   try again (*owed: 1, the waker counted it), else the park's error. A
   retry counted before is taken off once queued again (*owed: 0). */
ARS__CH_NOINLINE int ars__ch_park_lf(ars_chan *c, void *elem, int is_send, int64_t deadline, int *owed) {
    ars__chan_state st;
    ars__chan_wait w;
    int r;
    ars__ch_wait_fill(&w, &st, elem);
    ars__ch_link_q(c, is_send, &w);
    ARS__CH_FENCE();
    r = is_send ? ars__ch_push_lf(c, elem) : ars__ch_pop_lf(c, elem);
    if (r == ARS_EAGAIN) {
        w.w = ARS__CH_PARK_PREPARE();
        if (!w.w.co) r = ARS_ESTATE;
    }
    if (r != ARS_EAGAIN) {
        ars__ch_unlink_q(c, is_send, &w);
        ars__ch_unlock(c);
        if (r == 0) ars__ch_lf_kick(c, is_send);
        return r;
    }
    if (*owed) { ars__ch_add32(&c->going, (uint32_t)-1); *owed = 0; }   /* queued: a waiter as any */
    ars__ch_unlock(c);
    r = ars__ch_wait(&st, 1, deadline);
    if (r == 0 || r == ARS_ECLOSED || r == ARS__CH_RETRY) {
        ars__ch_wait_done(&st);
        *owed = r == ARS__CH_RETRY;
        return r == ARS_ECLOSED ? r : ARS__CH_RETRY;
    }
    ars__ch_leave(c, &w, is_send);
    return r;
}
/* send (is_send) or receive on a lock-free ring; owed: woken to retry by
   a waker that counted it in c->going, taken off after the last access */
ARS__CH_NOINLINE int ars__ch_op_lf(ars_chan *c, void *elem, int is_send, int64_t deadline, int owed) {
    int r;
    for (;;) {
        r = is_send ? ars__ch_push_lf(c, elem) : ars__ch_pop_lf(c, elem);
        if (r == 0) { ars__ch_lf_kick(c, is_send); break; }
        if (r == ARS_ECLOSED || deadline == 0) break;
        if (ars__ch_lf_poll(c, is_send)) continue;
        ars__ch_lock(c);
        r = ars__ch_park_lf(c, elem, is_send, deadline, &owed);
        if (r != ARS__CH_RETRY) break;
    }
    if (owed) ars__ch_add32(&c->going, (uint32_t)-1);   /* the last access */
    return r;
}
#endif

/* With the lock held (b: the biased one): 1 when this call may use the
   plain ring (unbuffered, the biased lock, or a ring that cannot be
   lock-free); else the ring is (made) lock-free and the caller unlocks and
   goes there. */
ARS__CH_INLINE int ars__ch_plain_b(ars_chan *c, int b) {
    if (!c->cap || b || !ars__ch_lf_able(c)) return 1;
#if !defined(ARSENAL_CHAN_NO_THREADS)
    if (!(c->state & ARS__CH_LF)) ars__ch_to_lf(c);
#endif
    return 0;
}
#define ars__ch_plain(c) ars__ch_plain_b((c), ars__ch_biased(c))
/* the lock-free ring is on (read before locking: it never turns off) */
#define ARS__CH_IS_LF(c) (ARS__CH_LD32_ACQ(&(c)->state) & ARS__CH_LF)
/* Locks for an operation on the plain ring: 1 (the biased lock), 0 (the
   spinlock), or -1 with no lock held: the ring is lock-free, go there.
   The biased lock is tried first, so its path reads nothing more. */
ARS__CH_INLINE int ars__ch_lock_plain(ars_chan *c) {
#if defined(ARSENAL_CHAN_NO_THREADS)
    (void)c;
    return 1;
#else
    int b;
    if (ARS__CH_LIKELY(ars__ch_try_bias(c))) return 1;
    if (ARS__CH_IS_LF(c)) return -1;
    b = ars__ch_lock_rest(c);
    if (!ars__ch_plain_b(c, b)) { ars__ch_unlock_t(c, b); return -1; }
    return b;
#endif
}

/* a send (is_send) or receive with the lock (b: the biased one) held, on
   the plain ring: parks when it would block */
ARS__CH_NOINLINE int ars__ch_op_locked(ars_chan *c, void *elem, int is_send, int64_t deadline, int b) {
    int r = is_send ? ars__ch_send_locked(c, elem) : ars__ch_recv_locked(c, elem);
    if (ARS__CH_LIKELY(r != ARS_EAGAIN) || deadline == 0) { ars__ch_unlock_t(c, b); return r; }
    return ars__ch_park(c, elem, is_send, deadline, b);
}
/* the general send (is_send) and receive: any lock, the lock-free ring */
ARS__CH_NOINLINE int ars__ch_op(ars_chan *c, void *elem, int is_send, int64_t deadline) {
    int b = ars__ch_lock_plain(c);
    if (ARS__CH_UNLIKELY(b < 0)) return ARS__CH_OP_LF(c, elem, is_send, deadline, 0);
    return ars__ch_op_locked(c, elem, is_send, deadline, b);
}

#ifdef ARS__CH_FAST
/* ars__ch_send_locked and ars__ch_recv_locked for the fast paths (the
   biased lock held, an element size ARS__CH_INLINE_SIZE copies): 0,
   ARS_EAGAIN, ARS_ECLOSED as those, or ARS__CH_SLOW when only they can do
   it (nothing was done) */
#define ARS__CH_SLOW (-1000)
ARS__CH_INLINE int ars__ch_send_here(ars_chan *c, const void *elem) {
    ars__chan_wait *w = c->recv_head;
    size_t n = c->elem_size;
    if (ARS__CH_UNLIKELY(c->state)) return ARS_ECLOSED;
    if (w) {
        if (ARS__CH_UNLIKELY(!ars__ch_take_here(&c->recv_head, &c->recv_tail, w))) return ARS__CH_SLOW;
        ars__ch_copy_small(w->elem, elem, n);
        ars__ch_done(w, 0);
        return 0;
    }
    if (c->len < c->cap) {
        size_t t = c->head + c->len;
        if (t >= c->cap) t -= c->cap;
        ars__ch_copy_small(ars__ch_slot(c, t), elem, n);
        c->len++;
        return 0;
    }
    return ARS_EAGAIN;
}
ARS__CH_INLINE int ars__ch_recv_here(ars_chan *c, void *elem) {
    ars__chan_wait *w = c->send_head;
    size_t n = c->elem_size;
    if (c->len > 0) {
        if (ARS__CH_UNLIKELY(w != NULL)) return ARS__CH_SLOW;   /* a parked sender refills the slot */
        ars__ch_copy_small(elem, ars__ch_slot(c, c->head), n);
        if (++c->head == c->cap) c->head = 0;
        c->len--;
        return 0;
    }
    if (w) {
        if (ARS__CH_UNLIKELY(!ars__ch_take_here(&c->send_head, &c->send_tail, w))) return ARS__CH_SLOW;
        ars__ch_copy_small(elem, w->elem, n);
        ars__ch_done(w, 0);
        return 0;
    }
    return c->state ? ARS_ECLOSED : ARS_EAGAIN;
}
/* the fast path of a send (is_send) or receive, the biased lock held */
ARS__CH_INLINE int ars__ch_op_here(ars_chan *c, void *elem, int is_send, int64_t deadline) {
    int r = is_send ? ars__ch_send_here(c, elem) : ars__ch_recv_here(c, elem);
    if (ARS__CH_UNLIKELY(r == ARS__CH_SLOW)) return ars__ch_op_locked(c, elem, is_send, deadline, 1);
    if (r == ARS_EAGAIN && deadline != 0) return ars__ch_park_b1(c, elem, is_send, deadline);
    ars__ch_unlock_t(c, 1);
    return r;
}
#endif

ARSENAL_CHAN_API int ars_chan_send(ars_chan *c, const void *elem, int64_t deadline) {
    if (ARS__CH_UNLIKELY(!c || (!elem && c->elem_size))) return ARS_EINVAL;
#ifdef ARS__CH_FAST
    if (ARS__CH_LIKELY(ars__ch_fast_lock(c))) return ars__ch_op_here(c, (void *)(uintptr_t)elem, 1, deadline);
#endif
    return ars__ch_op(c, (void *)(uintptr_t)elem, 1, deadline);
}

ARSENAL_CHAN_API int ars_chan_recv(ars_chan *c, void *elem, int64_t deadline) {
    if (ARS__CH_UNLIKELY(!c || (!elem && c->elem_size))) return ARS_EINVAL;
#ifdef ARS__CH_FAST
    if (ARS__CH_LIKELY(ars__ch_fast_lock(c))) return ars__ch_op_here(c, elem, 0, deadline);
#endif
    return ars__ch_op(c, elem, 0, deadline);
}

ARSENAL_CHAN_API int ars_chan_try_send(ars_chan *c, const void *elem) {
    return ars_chan_send(c, elem, 0);
}
ARSENAL_CHAN_API int ars_chan_try_recv(ars_chan *c, void *elem) {
    return ars_chan_recv(c, elem, 0);
}

/* closes under the lock and wakes every parked waiter with ARS_ECLOSED;
   but for close (not destroy), receivers parked on a lock-free ring retry:
   they take what is still in it (on a plain ring the buffer is empty) */
static void ars__ch_close_locked(ars_chan *c, int destroying) {
    int recv_result = ARS_ECLOSED;
    ARS__CH_ST32_REL(&c->state, c->state | ARS__CH_CLOSED);
#if !defined(ARSENAL_CHAN_NO_THREADS)
    if (c->state & ARS__CH_LF) {
        size_t t = ARS__CH_LD_RLX(&c->tpos);
        while (!(t & 1u) && !ARS__CH_CAS(&c->tpos, t, t | 1u)) t = ARS__CH_LD_RLX(&c->tpos);
        if (!destroying) recv_result = ARS__CH_RETRY;
    }
#endif
    ars__ch_wake_all(c, recv_result, destroying);
}

ARSENAL_CHAN_API int ars_chan_close(ars_chan *c) {
    if (!c) return ARS_EINVAL;
    ars__ch_lock(c);
    if (c->state & ARS__CH_CLOSED) { ars__ch_unlock(c); return ARS_ECLOSED; }
    ars__ch_close_locked(c, 0);
    ars__ch_unlock(c);
    return 0;
}

ARSENAL_CHAN_API size_t ars_chan_len(ars_chan *c) {
    size_t n;
    if (!c) return 0;
#if !defined(ARSENAL_CHAN_NO_THREADS)
    if (ARS__CH_IS_LF(c)) {
        size_t h = ARS__CH_LD_ACQ(&c->hpos), t = ARS__CH_LD_ACQ(&c->tpos) & ~(size_t)1;
        n = (t - h) / 2;        /* both moved on meanwhile: a snapshot */
        return n < c->cap ? n : c->cap;
    }
#endif
    ars__ch_lock(c);
    n = c->len;
    ars__ch_unlock(c);
    return n;
}
ARSENAL_CHAN_API size_t ars_chan_cap(const ars_chan *c) { return c ? c->cap : 0; }
ARSENAL_CHAN_API int ars_chan_closed(ars_chan *c) {
    int r;
    if (!c) return 0;
    ars__ch_lock(c);
    r = (c->state & ARS__CH_CLOSED) != 0;
    ars__ch_unlock(c);
    return r;
}

/* elem_size and cap whose cells (and `extra` bytes) fit in half the
   address space: positions and sizes never overflow */
static int ars__ch_chan_fits(size_t elem_size, size_t cap, size_t extra) {
    size_t stride;
    if (!elem_size) return cap <= (size_t)-1 / 4;
    if (elem_size > (size_t)-1 / 4) return 0;
    stride = ARS_CHAN_BUFFER_SIZE(elem_size, 1);
    return cap <= ((size_t)-1 / 4 - extra) / stride;
}

ARSENAL_CHAN_API int ars_chan_init(ars_chan *c, size_t elem_size, size_t cap, void *buf, size_t buf_size) {
    size_t need;
    if (!c || !ars__ch_chan_fits(elem_size, cap, 0)) return ARS_EINVAL;
    need = ARS_CHAN_BUFFER_SIZE(elem_size, cap);
    if (need && (!buf || buf_size < need || ((uintptr_t)buf & (sizeof(size_t) - 1)))) return ARS_EINVAL;
    c->lock = 0; c->state = 0;
    c->owner = ARSENAL_CHAN_BIAS ? ARS__CH_OWNER_NONE : ARS__CH_OWNER_SHARED;
    c->fast = ARS__CH_OWNER_SHARED;     /* no thread's name */
    c->revoked = 0; c->busy = 0;
    c->elem_size = elem_size; c->cap = cap; c->len = 0; c->head = 0;
    /* zero-size elements (signals, Go's chan struct{}) need no buffer */
    c->buf = need ? (unsigned char *)buf : (unsigned char *)c;
    c->stride = elem_size ? ARS_CHAN_BUFFER_SIZE(elem_size, 1) : 0;
    c->recv_head = c->recv_tail = c->send_head = c->send_tail = NULL;
    c->allocator = NULL; c->alloc_size = 0; c->alloc_off = 0;
    c->shared = 0;
    c->going = 0;
    c->tpos = c->hpos = 0;
    return 0;
}

ARSENAL_CHAN_API int ars_chan_deinit(ars_chan *c) {
    unsigned n = 0;
    if (!c) return ARS_EINVAL;
    ars__ch_lock(c);
    ars__ch_close_locked(c, 1);     /* no retry on a channel going away */
    ars__ch_unlock(c);
    /* waiters whose park had ended otherwise and that were already headed
       for the lock, and waiters woken to retry (which may be coroutines of
       this thread, hence the yield): the memory stays until they are done */
    while (ARS__CH_LD32_ACQ(&c->going) != 0u) {
        (void)ars_sched_yield();
        ars__ch_backoff(&n);
    }
    return 0;
}

ARSENAL_CHAN_API int ars_chan_create(ars_chan **out, size_t elem_size, size_t cap,
                                     const ars_allocator *a) {
    size_t size, raw_size, bs, hs = (sizeof(ars_chan) + 15) & ~(size_t)15;
    void *raw;
    ars_chan *c;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    if (!ars__ch_chan_fits(elem_size, cap, hs + 2 * ARSENAL_CHAN_CACHE_LINE)) return ARS_EINVAL;
    bs = ARS_CHAN_BUFFER_SIZE(elem_size, cap);
    size = hs + bs;
    c = (ars_chan *)ars__ch_alloc_line(a, size, &raw, &raw_size);   /* on a line boundary */
    if (!c) return ARS_ENOMEM;
    ars_chan_init(c, elem_size, cap, bs ? (unsigned char *)c + hs : NULL, bs);
    c->allocator = a;
    c->alloc_size = raw_size;
    c->alloc_off = (uint32_t)((unsigned char *)c - (unsigned char *)raw);
    *out = c;
    return 0;
}

ARSENAL_CHAN_API int ars_chan_destroy(ars_chan *c) {
    int r = ars_chan_deinit(c);
    if (r) return r;
    if (c->alloc_size) ars__ch_free(c->allocator, (unsigned char *)c - c->alloc_off, c->alloc_size);
    return 0;
}

/* >>select implementation ---------------------------------------------- */
static ARS__CH_TLS uint64_t ars__ch_rng;

static uint32_t ars__ch_random(uint32_t n) {
    uint64_t x = ars__ch_rng;
    if (!x) x = (uint64_t)(uintptr_t)&x * 0x9E3779B97F4A7C15ull ^ (uint64_t)ars_now() ^ 0x2545F4914F6CDD1Dull;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    ars__ch_rng = x;
    return (uint32_t)(((x >> 32) * (uint64_t)n) >> 32);
}

/* could a send (is_send) or receive on a ring that is not lock-free go on
   now (or the channel is closed)? under the lock */
ARS__CH_INLINE int ars__ch_ready_plain(const ars_chan *c, int is_send) {
    if (c->state) return 1;
    return is_send ? c->recv_head != NULL || c->len < c->cap : c->len > 0 || c->send_head != NULL;
}
ARS__CH_INLINE int ars__ch_case_ready(const ars_select_case *k) {
    const ars_chan *c = k->ch;
    if (!c) return 0;
#if !defined(ARSENAL_CHAN_NO_THREADS)
    if (c->state & ARS__CH_LF) return ars__ch_lf_ready(c, k->op == ARS_SELECT_SEND);
#endif
    return ars__ch_ready_plain(c, k->op == ARS_SELECT_SEND);
}

/* The state of one ars_select call: each case's waiter (w[i]), and the
   distinct channels in address order (deadlock-free multi-locking) with
   the lock each holds (b[k], 1: the biased one). The arrays live in the
   call's frame (ars__ch_select_small) or, for many cases, in one block
   from the heap (ars__ch_select_big). */
typedef struct ars__ch_sel {
    ars__chan_wait *w;
    ars_chan **ch;
    unsigned char *b;
    int n;                          /* distinct channels */
} ars__ch_sel;

/* Checks every case (ARS_EINVAL before any channel is touched) and lists
   the distinct channels of the cases in address order. */
ARS__CH_INLINE int ars__ch_case_bad(const ars_select_case *k) {
    return (k->op != ARS_SELECT_SEND && k->op != ARS_SELECT_RECV) || (k->ch && !k->elem && k->ch->elem_size);
}
static int ars__ch_sel_prep_many(ars__ch_sel *S, const ars_select_case *cs, int n) {
    static const int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    int i, j, g, m = 0;
    for (i = 0; i < n; i++) {
        if (ars__ch_case_bad(&cs[i])) return ARS_EINVAL;
        if (cs[i].ch) S->ch[m++] = cs[i].ch;
    }
    for (g = 0; g < (int)(sizeof gaps / sizeof gaps[0]); g++) {      /* Shell sort */
        int gap = gaps[g];
        for (i = gap; i < m; i++) {
            ars_chan *c = S->ch[i];
            for (j = i; j >= gap && (uintptr_t)S->ch[j - gap] > (uintptr_t)c; j -= gap) S->ch[j] = S->ch[j - gap];
            S->ch[j] = c;
        }
    }
    for (i = j = 0; i < m; i++)
        if (!j || S->ch[j - 1] != S->ch[i]) S->ch[j++] = S->ch[i];
    S->n = j;
    return 0;
}
ARS__CH_INLINE int ars__ch_sel_prep(ars__ch_sel *S, const ars_select_case *cs, int n) {
    ars_chan *a, *b;
    if (n > 2) return ars__ch_sel_prep_many(S, cs, n);
    /* the usual select: no loops */
    a = n > 0 ? cs[0].ch : NULL;
    b = n > 1 ? cs[1].ch : NULL;
    if ((n > 0 && ars__ch_case_bad(&cs[0])) || (n > 1 && ars__ch_case_bad(&cs[1]))) return ARS_EINVAL;
    if (!a) { a = b; b = NULL; }
    if (b == a) b = NULL;
    else if (b && (uintptr_t)b < (uintptr_t)a) { ars_chan *t = a; a = b; b = t; }
    S->ch[0] = a;
    S->ch[1] = b;
    S->n = (a != NULL) + (b != NULL);
    return 0;
}
ARS__CH_INLINE void ars__ch_sel_lock(ars__ch_sel *S) {
    int k;
    for (k = 0; k < S->n; k++) S->b[k] = (unsigned char)ars__ch_lock_b(S->ch[k]);
}
ARS__CH_INLINE void ars__ch_sel_unlock(ars__ch_sel *S) {
    int k;
    for (k = 0; k < S->n; k++) ars__ch_unlock_t(S->ch[k], S->b[k]);
}
/* unlinks every waiter of ours, just queued, and counts each in its
   channel's going (ARS__CH_HELD), to lock them all again (the locks held) */
static void ars__ch_sel_unlink_hold(ars__ch_sel *S, const ars_select_case *cs, int n) {
    int i;
    for (i = 0; i < n; i++) {
        ars__chan_wait *w = &S->w[i];
        if (!cs[i].ch) continue;
        ars__ch_unlink_q(cs[i].ch, cs[i].op == ARS_SELECT_SEND, w);
        ars__ch_add32(&cs[i].ch->going, 1u);
        w->linked = ARS__CH_HELD;
    }
}
/* takes off the counts of the waiters still ARS__CH_HELD (the last access
   to their channels: after the final unlock, or queued again) */
static void ars__ch_sel_release(ars__chan_wait *w, const ars_select_case *cs, int n) {
    int i;
    for (i = 0; i < n; i++)
        if (cs[i].ch) ars__ch_unhold(cs[i].ch, &w[i]);
}
/* After the park: each waiter of ours still queued leaves its queue, under
   its channel's lock, one channel at a time (never a destroyed channel:
   its waiters are all unlinked). */
ARS__CH_INLINE void ars__ch_sel_leave(ars__ch_sel *S, const ars_select_case *cs, int n) {
    int i;
    for (i = 0; i < n; i++)
        if (cs[i].ch) ars__ch_leave(cs[i].ch, &S->w[i], cs[i].op == ARS_SELECT_SEND);
}
/* the same when woken to retry: each stays counted where it left
   (ars__ch_leave_hold) */
static void ars__ch_sel_leave_hold(ars__chan_wait *w, const ars_select_case *cs, int n) {
    int i;
    for (i = 0; i < n; i++)
        if (cs[i].ch) ars__ch_leave_hold(cs[i].ch, &w[i], cs[i].op == ARS_SELECT_SEND);
}
/* A wake to retry on case woke's channel owe, which counted us in its
   `going`, that select did not use (it ended with r): passed on (the
   element or room that woke it may still be there, and another waiter of
   that queue must get the wake; a spare one only makes it look again),
   then the count taken off, the last access. */
static void ars__ch_sel_owed(ars_select_case *cs, int woke, int r, ars_chan *owe) {
#if !defined(ARSENAL_CHAN_NO_THREADS)
    if (r != woke) ars__ch_lf_wake(owe, cs[woke].op == ARS_SELECT_RECV);
#else
    (void)cs; (void)woke; (void)r;      /* no lock-free rings: never woken so */
#endif
    ars__ch_add32(&owe->going, (uint32_t)-1);
}
/* then, woken to retry on case woke (its waiters w gone from their
   queues, ars__ch_sel_leave_hold): -1 to look again, or the first case
   whose channel a destroy took meanwhile, never to be touched again,
   which fires as if woken by it (ARS_ECLOSED; the wake to retry passed
   on, the other channels' counts taken off) */
static int ars__ch_sel_gone(ars__chan_wait *w, ars_select_case *cs, int n, int woke) {
    int i;
    for (i = 0; i < n; i++)
        if (cs[i].ch && ARS__CH_LD32_ACQ(&w[i].linked) == ARS__CH_GONE) {
            ars__ch_sel_release(w, cs, n);
            ars__ch_sel_owed(cs, woke, i, cs[woke].ch);
            cs[i].result = ARS_ECLOSED;
            return i;
        }
    return -1;
}

/* the case's operation under the channel locks (a lock-free ring's
   without them): 0, ARS_EAGAIN (not ready after all), ARS_ECLOSED */
ARS__CH_INLINE int ars__ch_case_do(ars_select_case *k) {
    ars_chan *c = k->ch;
#if !defined(ARSENAL_CHAN_NO_THREADS)
    if (c->state & ARS__CH_LF)
        return k->op == ARS_SELECT_SEND ? ars__ch_push_lf(c, k->elem) : ars__ch_pop_lf(c, k->elem);
#endif
    return k->op == ARS_SELECT_SEND ? ars__ch_send_locked(c, k->elem) : ars__ch_recv_locked(c, k->elem);
}

/* One round of select (the cases checked): ARS__CH_SEL_RETRY + i when
   woken to look again by a lock-free ring's operation on case i (*owe:
   its channel, which counted us), ARS__CH_SEL_RETRY - 1 when it found a
   lock-free ring ready as it was about to park. Either way its waiters
   are left counted on their channels (ARS__CH_HELD, or GONE where a
   destroy took one): from the park until this round locks them again, the
   select stays registered on each. A round after the first (`again`) takes
   off those counts once queued again, and so the count owed from an
   earlier round (*owe, then NULL); it keeps them otherwise (the caller
   takes them off after the last round). They go while the locks are held:
   no destroy has closed a channel there, or its case would be ready. */
#define ARS__CH_SEL_RETRY 0x40000000
ARS__CH_NOINLINE int ars__ch_select_round(const ars__ch_sel *S0, ars_select_case *cs, int n, int64_t deadline,
                                          ars_chan **owe, int again) {
    ars__chan_state st;
    ars_waker wk;
    int i, r;
    int shared = 0, lf = 0;
    ars__ch_sel S[1];
    *S = *S0;                   /* a copy the locks' barriers do not reload */
    /* A ring made lock-free stays so while we hold its lock, and a plain
       one is as safe under the spinlock as under the biased lock (>>ring):
       select turns none lock-free. */
    ars__ch_sel_lock(S);
    for (;;) {
        for (;;) {
            /* Each case's readiness is read once: another thread's
               operation on a lock-free ring changes it without our locks,
               so a second pass may not see what the first counted. */
            int nready = 0, pick = 0;
            if (n <= ARS__CH_SMALL) {          /* few cases: the ready ones, then a pick */
                unsigned char ready[ARS__CH_SMALL];
                for (i = 0; i < n; i++)
                    if (ars__ch_case_ready(&cs[i])) ready[nready++] = (unsigned char)i;
                if (!nready) break;
                i = ready[nready == 1 ? 0 : (int)ars__ch_random((uint32_t)nready)];
            } else {                           /* many: the k-th ready case replaces the pick with chance 1/k */
                for (i = 0; i < n; i++)
                    if (ars__ch_case_ready(&cs[i]) && ars__ch_random((uint32_t)++nready) == 0) pick = i;
                if (!nready) break;
                i = pick;
            }
            r = ars__ch_case_do(&cs[i]);
            if (r != ARS_EAGAIN) {   /* else stale waiters or a lost race: look again */
                int kick = r == 0 && (cs[i].ch->state & ARS__CH_LF);     /* read under the lock */
                ars__ch_sel_unlock(S);
#if !defined(ARSENAL_CHAN_NO_THREADS)
                if (kick) ars__ch_lf_kick(cs[i].ch, cs[i].op == ARS_SELECT_SEND);
#else
                (void)kick;
#endif
                cs[i].result = r;
                return i;
            }
        }
        if (deadline == 0) { ars__ch_sel_unlock(S); return ARS_EAGAIN; }
        wk = ARS__CH_PARK_PREPARE();
        if (!wk.co) { ars__ch_sel_unlock(S); return ARS_ESTATE; }
        if (again) ars__ch_sel_release(S->w, cs, n);    /* queued again below */
        st.done = 0; st.fired = -1;
        shared = 0; lf = 0;
        for (i = 0; i < n; i++) {
            ars_chan *c = cs[i].ch;
            ars__chan_wait *w = &S->w[i];
            if (!c) continue;
            w->w = wk; w->elem = cs[i].elem; w->st = &st; w->index = i; ARS__CH_NAME_WAITER(w, ARS__CH_THREAD());
            ars__ch_link_q(c, cs[i].op == ARS_SELECT_SEND, w);
            shared |= (int)c->shared;
            lf |= (int)(c->state & ARS__CH_LF);
        }
        if (!lf) break;
        /* a lock-free ring: linked, the fence, then the rings once more
           (>>ring) */
        ARS__CH_FENCE();
        for (i = 0; i < n; i++)
            if (cs[i].ch && (cs[i].ch->state & ARS__CH_LF) && ars__ch_case_ready(&cs[i])) break;
        if (i == n) break;
        /* one is ready after all: end the prepared park ourselves (or a
           cancel that came first ends it), then start over */
        (void)ARS__CH_WAKE(wk, ARS__CH_RETRY);
        ars__ch_sel_unlink_hold(S, cs, n);
        ars__ch_sel_unlock(S);
        r = ARS__CH_PARK(-1);
        if (r == ARS__CH_RETRY) return ARS__CH_SEL_RETRY - 1;
        ars__ch_sel_release(S->w, cs, n);
        return r;
    }
    if (*owe) { ars__ch_add32(&(*owe)->going, (uint32_t)-1); *owe = NULL; }   /* queued: a waiter as any */
    ars__ch_sel_unlock(S);
    r = ars__ch_wait(&st, shared | lf, deadline);
    if (r == 0 || r == ARS_ECLOSED || r == ARS__CH_RETRY) ars__ch_wait_done(&st);
    if (r == ARS__CH_RETRY) {
        int gone;
        ars__ch_sel_leave_hold(S->w, cs, n);
        gone = ars__ch_sel_gone(S->w, cs, n, st.fired);
        if (gone >= 0) return gone;
        *owe = cs[st.fired].ch;
        return ARS__CH_SEL_RETRY + st.fired;
    }
    ars__ch_sel_leave(S, cs, n);
    if (r == 0 || r == ARS_ECLOSED) {
        cs[st.fired].result = r;
        return st.fired;
    }
    return r;
}

/* Rounds after one that ended woken to retry (woke: by a lock-free ring's
   operation on that case, or -1; owe: the channel that counted us for that
   wake, until a round queues us again; the waiters' counts as the round
   left them). A wake still owed at the end is passed on unless its case
   fired (ars__ch_sel_owed); the counts left are taken off. */
ARS__CH_NOINLINE int ars__ch_select_again(ars__ch_sel *S, ars_select_case *cs, int n, int64_t deadline,
                                          int woke, ars_chan *owe) {
    int r;
    while ((r = ars__ch_select_round(S, cs, n, deadline, &owe, 1)) >= ARS__CH_SEL_RETRY - 1)
        if (r >= ARS__CH_SEL_RETRY) woke = r - ARS__CH_SEL_RETRY;
    ars__ch_sel_release(S->w, cs, n);
    if (owe) ars__ch_sel_owed(cs, woke, r, owe);
    return r;
}

/* a select whose state is ready (S checked and filled) */
ARS__CH_INLINE int ars__ch_select_run(ars__ch_sel *S, ars_select_case *cs, int n, int64_t deadline) {
    ars_chan *owe = NULL;
    int r = ars__ch_select_round(S, cs, n, deadline, &owe, 0);
    if (ARS__CH_LIKELY(r < ARS__CH_SEL_RETRY - 1)) return r;
    return ars__ch_select_again(S, cs, n, deadline, r >= ARS__CH_SEL_RETRY ? r - ARS__CH_SEL_RETRY : -1, owe);
}
/* up to two cases (those the pair path leaves), then up to
   ARSENAL_CHAN_SELECT_STACK: the state in this frame, sized to fit */
ARS__CH_NOINLINE int ars__ch_select_2(ars_select_case *cs, int n, int64_t deadline) {
    ars__chan_wait w[2];
    ars_chan *ch[2];
    unsigned char b[2];
    ars__ch_sel S;
    S.w = w; S.ch = ch; S.b = b;
    if (ars__ch_sel_prep(&S, cs, n)) return ARS_EINVAL;
    return ars__ch_select_run(&S, cs, n, deadline);
}
/* the pair path woken to retry on case woke (w: its waiters, in the
   caller's frame): the general rounds, or the other case, ARS_ECLOSED, if a
   destroy took its channel */
ARS__CH_NOINLINE int ars__ch_pair_retry(ars_select_case *cs, int64_t deadline, ars__chan_wait *w, int woke) {
    ars_chan *ch[2];
    unsigned char b[2];
    ars__ch_sel S;
    int gone;
    ars__ch_sel_leave_hold(w, cs, 2);
    gone = ars__ch_sel_gone(w, cs, 2, woke);
    if (gone >= 0) return gone;
    S.w = w; S.ch = ch; S.b = b;
    (void)ars__ch_sel_prep(&S, cs, 2);      /* checked by the pair path */
    return ars__ch_select_again(&S, cs, 2, deadline, woke, cs[woke].ch);
}
#if ARSENAL_CHAN_SELECT_STACK > 2
ARS__CH_NOINLINE int ars__ch_select_small(ars_select_case *cs, int n, int64_t deadline) {
    ars__chan_wait w[ARSENAL_CHAN_SELECT_STACK];
    ars_chan *ch[ARSENAL_CHAN_SELECT_STACK];
    unsigned char b[ARSENAL_CHAN_SELECT_STACK];
    ars__ch_sel S;
    S.w = w; S.ch = ch; S.b = b;
    if (ars__ch_sel_prep_many(&S, cs, n)) return ARS_EINVAL;
    return ars__ch_select_run(&S, cs, n, deadline);
}
#endif
/* more cases: one heap block for the call (ARS_ENOMEM without one) */
ARS__CH_NOINLINE int ars__ch_select_big(ars_select_case *cs, int n, int64_t deadline) {
    size_t size = (size_t)n * (sizeof(ars__chan_wait) + sizeof(ars_chan *) + 1);
    unsigned char *p;
    ars__ch_sel S;
    int r, i;
    for (i = 0; i < n; i++)     /* a bad case is ARS_EINVAL, memory or not */
        if (ars__ch_case_bad(&cs[i])) return ARS_EINVAL;
    p = (unsigned char *)ars__ch_alloc(NULL, size, sizeof(void *));
    if (!p) return ARS_ENOMEM;
    S.w = (ars__chan_wait *)(void *)p;
    S.ch = (ars_chan **)(void *)(p + (size_t)n * sizeof(ars__chan_wait));
    S.b = p + (size_t)n * (sizeof(ars__chan_wait) + sizeof(ars_chan *));
    r = ars__ch_sel_prep_many(&S, cs, n);
    if (!r) r = ars__ch_select_run(&S, cs, n, deadline);
    ars__ch_free(NULL, p, size);
    return r;
}

/* The locks of two channels, lo below hi, when both are biased to this
   thread and the fast paths copy their elements (ARS__CH_INLINE_SIZE), the
   common case: one test of their fast words (ars__ch_try_bias_fast: a
   revoked channel's fast word names no thread), the busy words, one test
   of the revocations (as ars__ch_bias_take does for one). 0 when either is not (then neither is held). */
ARS__CH_INLINE int ars__ch_lock2_biased(ars_chan *lo, ars_chan *hi) {
#if ARSENAL_CHAN_BIAS && !defined(ARSENAL_CHAN_NO_THREADS)
    size_t me = ars__ch_me;
    if (ARS__CH_LIKELY(ARS__CH_LD_RLX(&lo->fast) == me && ARS__CH_LD_RLX(&hi->fast) == me)) {
        __atomic_store_n(&lo->busy, 1u, __ATOMIC_RELAXED);
        __atomic_store_n(&hi->busy, 1u, __ATOMIC_RELAXED);
        __asm__ __volatile__("" : "+m"(lo->revoked), "+m"(hi->revoked) : "m"(lo->busy), "m"(hi->busy));
        if (ARS__CH_LIKELY(!(__atomic_load_n(&lo->revoked, __ATOMIC_RELAXED) |
                             __atomic_load_n(&hi->revoked, __ATOMIC_RELAXED))))
            return 1;
        ARS__CH_ST32_REL(&hi->busy, 0u);
        ARS__CH_ST32_REL(&lo->busy, 0u);
    }
    return 0;
#else
#if defined(ARSENAL_CHAN_NO_THREADS)
    return ARS__CH_INLINE_SIZE(lo->elem_size) && ARS__CH_INLINE_SIZE(hi->elem_size);   /* no lock at all */
#else
    (void)lo; (void)hi;
    return 0;                           /* the spinlocks */
#endif
#endif
}
/* which locks the pair holds: bit 0 for lo's, bit 1 for hi's (set: the
   biased lock, else the spinlock) */
#define ARS__CH_BOTH_BIASED 3
ARS__CH_INLINE void ars__ch_unlock2(ars_chan *lo, ars_chan *hi, int b) {
    if (ARS__CH_LIKELY(b == ARS__CH_BOTH_BIASED)) {
        ars__ch_unlock_t(hi, 1);
        ars__ch_unlock_t(lo, 1);
    } else {
        ars__ch_unlock_t(hi, b & 2);
        ars__ch_unlock_t(lo, b & 1);
    }
}

/* The usual select: two cases on two open channels, neither ring lock-free.
   The same steps as a round (>>select implementation), written out for the
   pair; anything else (a NULL or repeated channel, a lock-free ring, bad
   arguments) goes the general way. Its parts are functions apart, each
   entered by a tail call: ars__ch_select_pair checks the cases, locks and
   looks, keeping nothing across a call, so it saves no register; then
   ars__ch_pair_do does a ready case or ars__ch_pair_park parks, the locks
   held (b: ars__ch_unlock2's). A select that completes at once so pays
   nothing for the park's frame and registers (544 -> 510 instructions a
   message in bench_chan's select ping-pong, gcc; 557 -> 514, clang). */

/* A parked pair: its waiters, and what the end of the park needs (read
   back from here after the switch, as ars__ch_parked) */
typedef struct ars__ch_pair_parked {
    ars__chan_wait w[2];
    ars__chan_state st;
    ars_select_case *cs;
    int64_t deadline;
} ars__ch_pair_parked;
/* the end of a park that did not simply complete (r: the park's result) */
ARS__CH_NOINLINE int ars__ch_pair_end(ars__ch_pair_parked *p, int r) {
    ars_select_case *cs = p->cs;
    if (r == 0 || r == ARS_ECLOSED || r == ARS__CH_RETRY) {
        int f;
        /* a peer (or close) unlinked the waiter it woke */
        ars__ch_wait_done(&p->st);
        f = p->st.fired;
        /* a ring turned lock-free while the pair was parked, and an
           operation on it woke us to look again */
        if (ARS__CH_UNLIKELY(r == ARS__CH_RETRY)) return ars__ch_pair_retry(cs, p->deadline, p->w, f);
        /* the waiter it woke is unlinked (linked 0): the other leaves */
        ars__ch_leave(cs[1 - f].ch, &p->w[1 - f], cs[1 - f].op == ARS_SELECT_SEND);
        cs[f].result = r;
        return f;
    }
    ars__ch_leave(cs[0].ch, &p->w[0], cs[0].op == ARS_SELECT_SEND);     /* the waiters still queued leave */
    ars__ch_leave(cs[1].ch, &p->w[1], cs[1].op == ARS_SELECT_SEND);
    return r;
}
/* neither case ready: waiters on both queues, the park, then the queues
   left. The locks are held for the whole fill, so each channel's shared
   word is read once. With the fast path's park, the suspend is inline and
   nothing but the parked frame stays live across it (ars__ch_park_in). */
ARS__CH_NOINLINE int ars__ch_pair_park(ars_select_case *cs, int64_t deadline, ars_chan *lo, ars_chan *hi, int b) {
    ars_chan *c0 = cs[0].ch, *c1 = cs[1].ch;
    int r, f, shared = (int)(c0->shared | c1->shared);
    ars__ch_pair_parked p;
    ars_waker wk;
#ifdef ARS__CH_FAST
    /* a coroutine of a scheduler, no spin: arm and park directly */
    ars_coro *co = shared ? NULL : ars__running_scheduled();
    if (ARS__CH_LIKELY(co && deadline != 0)) {
        wk.co = co;
        wk.seq = ars__park_arm(co);
    } else
#endif
    if (deadline == 0 || !(wk = ARS__CH_PARK_PREPARE()).co) {
        ars__ch_unlock2(lo, hi, b);
        return deadline == 0 ? ARS_EAGAIN : ARS_ESTATE;
    }
    p.st.done = 0; p.st.fired = -1;
    p.cs = cs; p.deadline = deadline;
    p.w[0].w = wk; p.w[0].elem = cs[0].elem; p.w[0].st = &p.st; p.w[0].index = 0;
    ARS__CH_NAME_WAITER(&p.w[0], ARS__CH_THREAD());
    p.w[1].w = wk; p.w[1].elem = cs[1].elem; p.w[1].st = &p.st; p.w[1].index = 1;
    ARS__CH_NAME_WAITER(&p.w[1], ARS__CH_THREAD());
    ars__ch_link_q(c0, cs[0].op == ARS_SELECT_SEND, &p.w[0]);
    ars__ch_link_q(c1, cs[1].op == ARS_SELECT_SEND, &p.w[1]);
    ars__ch_unlock2(lo, hi, b);
#ifdef ARS__CH_FAST
    if (ARS__CH_LIKELY(co != NULL)) r = ars__park_armed_in(co->sched, co, deadline);
    else
#endif
    r = ars__ch_wait(&p.st, shared, deadline);
    /* the usual end: a peer completed a case, the other waiter leaves */
    if (ARS__CH_UNLIKELY(ARS__CH_LD32_ACQ(&p.st.done) != ARS__CH_DONE_0)) return ars__ch_pair_end(&p, r);
    f = p.st.fired;
    cs = p.cs;
    /* (one call per case: each with fixed offsets, none computed) */
    if (f) ars__ch_leave(cs[0].ch, &p.w[0], cs[0].op == ARS_SELECT_SEND);
    else ars__ch_leave(cs[1].ch, &p.w[1], cs[1].op == ARS_SELECT_SEND);
    cs[f].result = 0;
    return f;
}
/* ready cases (bit 0: case 0, bit 1: case 1), the locks held, both
   channels open (ars__ch_pair_locked) */
ARS__CH_INLINE int ars__ch_ready_open(const ars_chan *c, int is_send) {
    return is_send ? c->recv_head != NULL || c->len < c->cap : c->len > 0 || c->send_head != NULL;
}
ARS__CH_INLINE int ars__ch_pair_ready(const ars_select_case *cs) {
    return ars__ch_ready_open(cs[0].ch, cs[0].op == ARS_SELECT_SEND) |
           ars__ch_ready_open(cs[1].ch, cs[1].op == ARS_SELECT_SEND) << 1;
}
/* the operation of a ready case (ready: ars__ch_pair_ready's, not 0),
   picked at random when both are */
ARS__CH_NOINLINE int ars__ch_pair_do_any(ars_select_case *cs, int64_t deadline, ars_chan *lo, ars_chan *hi,
                                         int b, int ready) {
    for (;;) {
        int i = ready == 3 ? (int)ars__ch_random(2) : ready >> 1;
        ars_select_case *k = &cs[i];
        int r = k->op == ARS_SELECT_SEND ? ars__ch_send_locked(k->ch, k->elem) : ars__ch_recv_locked(k->ch, k->elem);
        if (ARS__CH_LIKELY(r != ARS_EAGAIN)) {
            ars__ch_unlock2(lo, hi, b);
            k->result = r;
            return i;
        }
        /* stale waiters: look again */
        if (!(ready = ars__ch_pair_ready(cs))) return ars__ch_pair_park(cs, deadline, lo, hi, b);
    }
}
#ifdef ARS__CH_FAST
/* the same when ars__ch_lock2_biased took both locks (b is
   ARS__CH_BOTH_BIASED, and the fast paths copy both channels' elements):
   the fast path's operation, with no call, when one case is ready. It keeps only
   its arguments for the general way, which it takes before it has changed
   anything (lo and hi found again there), and unlocks each channel by its
   case: a biased lock's unlock needs no order. So it needs no callee-saved
   register. */
ARS__CH_NOINLINE int ars__ch_pair_do_biased(ars_select_case *cs, int64_t deadline, int ready) {
    ars_chan *lo = cs[0].ch, *hi = cs[1].ch;
    if ((uintptr_t)hi < (uintptr_t)lo) { lo = hi; hi = cs[0].ch; }
    return ars__ch_pair_do_any(cs, deadline, lo, hi, ARS__CH_BOTH_BIASED, ready);
}
ARS__CH_NOINLINE int ars__ch_pair_do(ars_select_case *cs, int64_t deadline, int ready) {
    int i, r;
    ars_select_case *k;
    ars_chan *c;
    if (ARS__CH_UNLIKELY(ready == 3)) return ars__ch_pair_do_biased(cs, deadline, 3);
    i = ready >> 1;             /* ready is 1 << i */
    k = &cs[i];
    c = k->ch;
    r = k->op == ARS_SELECT_SEND ? ars__ch_send_here(c, k->elem) : ars__ch_recv_here(c, k->elem);
    if (ARS__CH_LIKELY(r == 0 || r == ARS_ECLOSED)) {
        ars__ch_unlock_t(cs[0].ch, 1);
        ars__ch_unlock_t(cs[1].ch, 1);
        k->result = r;
        return i;
    }
    return ars__ch_pair_do_biased(cs, deadline, 1 + i);
}
#define ARS__CH_PAIR_DO(cs, deadline, lo, hi, b, ready, fast) \
    ((fast) ? ars__ch_pair_do((cs), (deadline), (ready)) : ars__ch_pair_do_any((cs), (deadline), (lo), (hi), (b), (ready)))
#else
#define ARS__CH_PAIR_DO(cs, deadline, lo, hi, b, ready, fast) \
    ((void)(fast), ars__ch_pair_do_any((cs), (deadline), (lo), (hi), (b), (ready)))
#endif
/* the rest, after the locks (b; fast: ars__ch_lock2_biased's) */
ARS__CH_INLINE int ars__ch_pair_locked(ars_select_case *cs, int64_t deadline, ars_chan *lo, ars_chan *hi, int b,
                                       int fast) {
    int ready;
    /* a closed channel, or a lock-free ring: the general way */
    if (ARS__CH_UNLIKELY(lo->state | hi->state)) {
        ars__ch_unlock2(lo, hi, b);
        return ars__ch_select_2(cs, 2, deadline);
    }
    ready = ars__ch_pair_ready(cs);
    if (ready) return ARS__CH_PAIR_DO(cs, deadline, lo, hi, b, ready, fast);
    return ars__ch_pair_park(cs, deadline, lo, hi, b);
}
/* the pair when the biased locks could not both be taken: each channel's
   lock the general way */
ARS__CH_NOINLINE int ars__ch_pair_lock(ars_select_case *cs, int64_t deadline, ars_chan *lo, ars_chan *hi) {
    int b = ars__ch_lock_b(lo);
    b |= ars__ch_lock_b(hi) << 1;
    return ars__ch_pair_locked(cs, deadline, lo, hi, b, 0);
}
ARS__CH_NOINLINE int ars__ch_select_pair(ars_select_case *cs, int64_t deadline) {
    ars_chan *c0 = cs[0].ch, *c1 = cs[1].ch, *lo, *hi;
    int op0 = cs[0].op, op1 = cs[1].op;
    if ((uintptr_t)c0 < (uintptr_t)c1) { lo = c0; hi = c1; } else { lo = c1; hi = c0; }
    /* lo is NULL when either is */
    if (ARS__CH_UNLIKELY(!lo || lo == hi || ((unsigned)(op0 - 1) | (unsigned)(op1 - 1)) > 1u ||
                         (!cs[0].elem && c0->elem_size) || (!cs[1].elem && c1->elem_size)))
        return ars__ch_select_2(cs, 2, deadline);
    if (ARS__CH_LIKELY(ars__ch_lock2_biased(lo, hi)))
        return ars__ch_pair_locked(cs, deadline, lo, hi, ARS__CH_BOTH_BIASED, 1);
    return ars__ch_pair_lock(cs, deadline, lo, hi);
}

ARSENAL_CHAN_API int ars_select(ars_select_case *cs, int n, int64_t deadline) {
    if (n < 0 || n > ARSENAL_CHAN_SELECT_MAX || (n && !cs)) return ARS_EINVAL;
    if (ARS__CH_LIKELY(n == 2)) return ars__ch_select_pair(cs, deadline);
    if (n < 2) return ars__ch_select_2(cs, n, deadline);
#if ARSENAL_CHAN_SELECT_STACK > 2
    if (n <= ARSENAL_CHAN_SELECT_STACK) return ars__ch_select_small(cs, n, deadline);
#endif
    return ars__ch_select_big(cs, n, deadline);
}

/* >>spsc implementation ------------------------------------------------ */

/* Cell of position pos in a ring of cells (ars_spsc, ars_mpmc): a sequence
   word, then the element. In the SPSC ring a cell is free for position p
   when its word is 2p and holds p's element when it is 2p + 1; the pop of
   p frees it for p + cap (2p + 2cap). Even and odd never meet, so a ring
   of one cell works too. */
#define ARS__CH_CELL(q, pos) ((size_t *)(void *)((q)->cells + ((pos) & (q)->mask) * (q)->stride))

/* cap cells of elem_size (a power of two >= min_cap), plus `extra` bytes,
   stay under SIZE_MAX / 2. elem_size is checked first: near SIZE_MAX the
   cell size wraps (to 0: a division by zero here, or a few bytes). */
static int ars__ch_cells_fit(size_t elem_size, size_t cap, size_t min_cap, size_t extra) {
    return elem_size && elem_size <= (size_t)-1 / 2 - 2 * sizeof(size_t) &&
           cap >= min_cap && ars__ch_pow2(cap) &&
           cap <= ((size_t)-1 / 2 - extra) / (elem_size + 2 * sizeof(size_t));
}

ARSENAL_CHAN_API int ars_spsc_init(ars_spsc *q, size_t elem_size, size_t cap, void *buf, size_t buf_size) {
    size_t i;
    if (!q || !buf || ((uintptr_t)buf & (sizeof(size_t) - 1)) || !ars__ch_cells_fit(elem_size, cap, 1, 0) ||
        buf_size < ARS_SPSC_BUFFER_SIZE(elem_size, cap))
        return ARS_EINVAL;
    q->cells = (unsigned char *)buf;
    q->mask = cap - 1; q->elem_size = elem_size;
    q->stride = ARS_SPSC_BUFFER_SIZE(elem_size, 1);
    q->allocator = NULL; q->alloc_size = 0;
    for (i = 0; i < cap; i++) *ARS__CH_CELL(q, i) = 2 * i;
    q->head = q->tail_seen = 0;
    q->tail = q->head_seen = 0;
    return 0;
}

ARSENAL_CHAN_API int ars_spsc_create(ars_spsc **out, size_t elem_size, size_t cap,
                                     const ars_allocator *a) {
    size_t qs = (sizeof(ars_spsc) + ARSENAL_CHAN_CACHE_LINE - 1) & ~(size_t)(ARSENAL_CHAN_CACHE_LINE - 1), bs;
    void *raw; size_t raw_size;
    ars_spsc *q;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    if (!ars__ch_cells_fit(elem_size, cap, 1, qs)) return ARS_EINVAL;
    bs = ARS_SPSC_BUFFER_SIZE(elem_size, cap);
    q = (ars_spsc *)ars__ch_alloc_line(a, qs + bs, &raw, &raw_size);
    if (!q) return ARS_ENOMEM;
    ars_spsc_init(q, elem_size, cap, (unsigned char *)q + qs, bs);
    q->allocator = a;
    q->alloc_size = raw_size;
    q->pad0_[0] = (char)((unsigned char *)q - (unsigned char *)raw);   /* offset to the block */
    *out = q;
    return 0;
}

ARSENAL_CHAN_API void ars_spsc_destroy(ars_spsc *q) {
    if (!q || !q->alloc_size) return;
    ars__ch_free(q->allocator, (unsigned char *)q - (unsigned char)q->pad0_[0], q->alloc_size);
}

/* Single operations read and write only their cell's word (and publish
   their index for len and the other side's batches, a store to a line the
   other side does not read otherwise). */
ARSENAL_CHAN_API int ars_spsc_push(ars_spsc *q, const void *elem) {
    size_t t = q->tail, *cell = ARS__CH_CELL(q, t);
    if (ARS__CH_LD_ACQ(cell) != 2 * t) return ARS_EAGAIN;
    ars__ch_copy(cell + 1, elem, q->elem_size);
    ARS__CH_ST_REL(cell, 2 * t + 1);
    ARS__CH_ST_REL(&q->tail, t + 1);
    return 0;
}

ARSENAL_CHAN_API int ars_spsc_pop(ars_spsc *q, void *elem) {
    size_t h = q->head, *cell = ARS__CH_CELL(q, h);
    if (ARS__CH_LD_ACQ(cell) != 2 * h + 1) return ARS_EAGAIN;
    ars__ch_copy(elem, cell + 1, q->elem_size);
    ARS__CH_ST_REL(cell, 2 * (h + q->mask + 1));
    ARS__CH_ST_REL(&q->head, h + 1);
    return 0;
}

/* Batches count room from the other side's published index: every cell
   below it was written (tail) or read and freed (head) before the index
   was stored. Single calls go by the cells alone, so the index may trail
   them: the other side's copy (head_seen, tail_seen) by any amount, the
   published index by one call (a push that sees a cell freed before the
   pop's head store lands is the cap + 1st past that head). */

/* Free cells when `used` are taken; none when used > cap (a trailing
   index). Called with cap - (tail - head) it gives the filled cells. */
ARS__CH_INLINE size_t ars__sp_room(size_t used, size_t cap) { return used > cap ? 0 : cap - used; }
ARSENAL_CHAN_API size_t ars_spsc_push_n(ars_spsc *q, const void *elems, size_t n) {
    size_t t = q->tail, cap = q->mask + 1, room, k, i, es = q->elem_size;
    const unsigned char *src = (const unsigned char *)elems;
    room = ars__sp_room(t - q->head_seen, cap);
    if (room < n) {
        q->head_seen = ARS__CH_LD_ACQ(&q->head);
        room = ars__sp_room(t - q->head_seen, cap);
    }
    k = n < room ? n : room;
    for (i = 0; i < k; i++) {
        size_t *cell = ARS__CH_CELL(q, t + i);
        ARS__CH_MEMCPY(cell + 1, src + i * es, es);
        ARS__CH_ST_REL(cell, 2 * (t + i) + 1);
    }
    if (k) ARS__CH_ST_REL(&q->tail, t + k);
    return k;
}

ARSENAL_CHAN_API size_t ars_spsc_pop_n(ars_spsc *q, void *elems, size_t n) {
    size_t h = q->head, cap = q->mask + 1, avail, k, i, es = q->elem_size;
    unsigned char *dst = (unsigned char *)elems;
    avail = ars__sp_room(cap - (q->tail_seen - h), cap);
    if (avail < n) {
        q->tail_seen = ARS__CH_LD_ACQ(&q->tail);
        avail = ars__sp_room(cap - (q->tail_seen - h), cap);
    }
    k = n < avail ? n : avail;
    for (i = 0; i < k; i++) {
        size_t *cell = ARS__CH_CELL(q, h + i);
        ARS__CH_MEMCPY(dst + i * es, cell + 1, es);
        ARS__CH_ST_REL(cell, 2 * (h + i + cap));
    }
    if (k) ARS__CH_ST_REL(&q->head, h + k);
    return k;
}

ARSENAL_CHAN_API size_t ars_spsc_len(ars_spsc *q) {
    size_t h = ARS__CH_LD_ACQ(&q->head);
    size_t t = ARS__CH_LD_ACQ(&q->tail);
    /* from a third thread both may move between the two loads: a stale
       head makes t - h exceed the capacity of a ring that is full */
    return t - h > q->mask + 1 ? (t - h > ((size_t)-1 >> 1) ? 0 : q->mask + 1) : t - h;
}

/* >>mpmc implementation ------------------------------------------------ */


ARSENAL_CHAN_API int ars_mpmc_init(ars_mpmc *q, size_t elem_size, size_t cap, void *buf) {
    size_t i;
    if (!q || !buf || ((uintptr_t)buf & (sizeof(size_t) - 1)) || !ars__ch_cells_fit(elem_size, cap, 2, 0))
        return ARS_EINVAL;
    q->cells = (unsigned char *)buf;
    q->mask = cap - 1; q->elem_size = elem_size;
    q->stride = ARS_MPMC_BUFFER_SIZE(elem_size, 1);
    q->allocator = NULL; q->alloc_size = 0;
    for (i = 0; i < cap; i++) *ARS__CH_CELL(q, i) = i;
    q->enq = 0; q->deq = 0;
    return 0;
}

ARSENAL_CHAN_API int ars_mpmc_create(ars_mpmc **out, size_t elem_size, size_t cap,
                                     const ars_allocator *a) {
    size_t qs = (sizeof(ars_mpmc) + ARSENAL_CHAN_CACHE_LINE - 1) & ~(size_t)(ARSENAL_CHAN_CACHE_LINE - 1);
    void *raw; size_t raw_size;
    ars_mpmc *q;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    if (!ars__ch_cells_fit(elem_size, cap, 2, qs)) return ARS_EINVAL;
    q = (ars_mpmc *)ars__ch_alloc_line(a, qs + ARS_MPMC_BUFFER_SIZE(elem_size, cap), &raw, &raw_size);
    if (!q) return ARS_ENOMEM;
    ars_mpmc_init(q, elem_size, cap, (unsigned char *)q + qs);
    q->allocator = a;
    q->alloc_size = raw_size;
    q->pad0_[0] = (char)((unsigned char *)q - (unsigned char *)raw);
    *out = q;
    return 0;
}

ARSENAL_CHAN_API void ars_mpmc_destroy(ars_mpmc *q) {
    if (!q || !q->alloc_size) return;
    ars__ch_free(q->allocator, (unsigned char *)q - (unsigned char)q->pad0_[0], q->alloc_size);
}

ARSENAL_CHAN_API int ars_mpmc_push(ars_mpmc *q, const void *elem) {
    size_t pos = ARS__CH_LD_RLX(&q->enq), *cell;
    for (;;) {
        intptr_t dif;
        cell = ARS__CH_CELL(q, pos);
        dif = (intptr_t)(ARS__CH_LD_ACQ(cell) - pos);
        if (dif == 0) {
            if (ARS__CH_CAS(&q->enq, pos, pos + 1)) break;
            pos = ARS__CH_LD_RLX(&q->enq);
        } else if (dif < 0) {
            return ARS_EAGAIN;
        } else {
            pos = ARS__CH_LD_RLX(&q->enq);
        }
    }
    ars__ch_copy(cell + 1, elem, q->elem_size);
    ARS__CH_ST_REL(cell, pos + 1);
    return 0;
}

ARSENAL_CHAN_API int ars_mpmc_pop(ars_mpmc *q, void *elem) {
    size_t pos = ARS__CH_LD_RLX(&q->deq), *cell;
    for (;;) {
        intptr_t dif;
        cell = ARS__CH_CELL(q, pos);
        dif = (intptr_t)(ARS__CH_LD_ACQ(cell) - (pos + 1));
        if (dif == 0) {
            if (ARS__CH_CAS(&q->deq, pos, pos + 1)) break;
            pos = ARS__CH_LD_RLX(&q->deq);
        } else if (dif < 0) {
            return ARS_EAGAIN;
        } else {
            pos = ARS__CH_LD_RLX(&q->deq);
        }
    }
    ars__ch_copy(elem, cell + 1, q->elem_size);
    ARS__CH_ST_REL(cell, pos + q->mask + 1);
    return 0;
}

/* Cells pos..pos+k-1 that are free (push) or full (pop) stay so until
   someone moves the index past them, which the CAS rules out. */
ARSENAL_CHAN_API size_t ars_mpmc_push_n(ars_mpmc *q, const void *elems, size_t n) {
    size_t pos = ARS__CH_LD_RLX(&q->enq), k, i;
    const unsigned char *src = (const unsigned char *)elems;
    if (n > q->mask + 1) n = q->mask + 1;
    for (;;) {
        intptr_t dif = 0;
        for (k = 0; k < n; k++) {
            dif = (intptr_t)(ARS__CH_LD_ACQ(ARS__CH_CELL(q, pos + k)) - (pos + k));
            if (dif != 0) break;
        }
        if (k == 0) {
            if (dif < 0 || n == 0) return 0;
            pos = ARS__CH_LD_RLX(&q->enq);
            continue;
        }
        if (ARS__CH_CAS(&q->enq, pos, pos + k)) break;
        pos = ARS__CH_LD_RLX(&q->enq);
    }
    for (i = 0; i < k; i++) {
        size_t *cell = ARS__CH_CELL(q, pos + i);
        ars__ch_copy(cell + 1, src + i * q->elem_size, q->elem_size);
        ARS__CH_ST_REL(cell, pos + i + 1);
    }
    return k;
}

ARSENAL_CHAN_API size_t ars_mpmc_pop_n(ars_mpmc *q, void *elems, size_t n) {
    size_t pos = ARS__CH_LD_RLX(&q->deq), k, i;
    unsigned char *dst = (unsigned char *)elems;
    if (n > q->mask + 1) n = q->mask + 1;
    for (;;) {
        intptr_t dif = 0;
        for (k = 0; k < n; k++) {
            dif = (intptr_t)(ARS__CH_LD_ACQ(ARS__CH_CELL(q, pos + k)) - (pos + k + 1));
            if (dif != 0) break;
        }
        if (k == 0) {
            if (dif < 0 || n == 0) return 0;
            pos = ARS__CH_LD_RLX(&q->deq);
            continue;
        }
        if (ARS__CH_CAS(&q->deq, pos, pos + k)) break;
        pos = ARS__CH_LD_RLX(&q->deq);
    }
    for (i = 0; i < k; i++) {
        size_t *cell = ARS__CH_CELL(q, pos + i);
        ars__ch_copy(dst + i * q->elem_size, cell + 1, q->elem_size);
        ARS__CH_ST_REL(cell, pos + i + q->mask + 1);
    }
    return k;
}

ARSENAL_CHAN_API size_t ars_mpmc_len(ars_mpmc *q) {
    size_t d = ARS__CH_LD_ACQ(&q->deq);
    size_t e = ARS__CH_LD_ACQ(&q->enq);
    return e - d > q->mask + 1 ? (e - d > ((size_t)-1 >> 1) ? 0 : q->mask + 1) : e - d;
}

#undef ARS__CH_CELL
#undef ARS__CH_SMALL
#undef ARS__CH_MEMCPY
#undef ARS__CH_OS_YIELD
#undef ARS__CH_TLS
#undef ARS__CH_LIKELY
#undef ARS__CH_UNLIKELY
#undef ARS__CH_INLINE
#undef ARS__CH_NOINLINE
#undef ARS__CH_PAUSE
#undef ARS__CH_LD_ACQ
#undef ARS__CH_LD_RLX
#undef ARS__CH_ST_REL
#undef ARS__CH_LD32_ACQ
#undef ARS__CH_ST32_REL
#undef ARS__CH_XCHG32_ACQ
#undef ARS__CH_CAS
#undef ARS__CH_THREAD
#undef ARS__CH_FAST
#undef ARS__CH_SLOW
#undef ARS__CH_GOING
#undef ARS__CH_LEAVING
#undef ARS__CH_GONE
#undef ARS__CH_HELD
#undef ARS__CH_DONE_0
#undef ARS__CH_DONE_R
#undef ARS__CH_INLINE_SIZE
#undef ARS__CH_WAITER_FAR
#undef ARS__CH_NAME_WAITER
#undef ars__ch_fast_lock
#undef ars__ch_try_bias
#undef ars__ch_try_bias_fast
#undef ars__ch_lock_bf
#undef ARS__CH_PAIR_DO
#if defined(ARSENAL_CHAN_NO_THREADS)
#undef ars__ch_lock
#undef ars__ch_unlock
#endif
#if defined(ARSENAL_CHAN_NO_THREADS) || ARSENAL_CHAN_SPIN == 0
#undef ars__ch_spin
#endif
#endif /* ARSENAL_CHAN_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
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
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
------------------------------------------------------------------------------
*/
