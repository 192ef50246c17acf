/* arsenal_io.h - v0.1.0 - coroutine sockets over epoll, kqueue, poll(2) or
   IOCP: a blocking call parks the calling coroutine until its operation
   completes, fails or its deadline passes. MIT licence (end of file).

   Define the implementation in exactly one .c file:

       #define ARSENAL_CORO_IMPLEMENTATION   // this header includes arsenal_coro.h,
       #define ARSENAL_IO_IMPLEMENTATION     // whose implementation is needed too
       #include "arsenal_io.h"

   (ARSENAL_IMPLEMENTATION switches on every arsenal header at once.) Link
   -lpthread on POSIX, -lws2_32 -lmswsock on Windows. With -std=c99 strict on
   POSIX, include this header first in that file, or compile with
   -D_DEFAULT_SOURCE.

   SECTIONS (grep ">>name"): >>api public calls, >>loop per-thread loop and
   the waiting protocol, >>epoll >>kqueue >>poll >>iocp the backends, >>sock
   sockets over readiness backends, >>resolve host names, >>signal.

   CONFIGURATION (define before including; defaults in brackets)
   ARSENAL_IO_STATIC         make every function static to the including file
   ARSENAL_IO_API            [extern] decoration of every public function
   ARSENAL_IO_USE_EPOLL      force epoll        [Linux]
   ARSENAL_IO_USE_KQUEUE     force kqueue       [macOS, *BSD]
   ARSENAL_IO_USE_POLL       force poll(2)      [other POSIX systems]
   ARSENAL_IO_USE_IOCP       force IOCP         [Windows]
   ARSENAL_IO_KEEP_SIGPIPE   do not set SIGPIPE to SIG_IGN when the first loop
                             is created [ignored; sends use MSG_NOSIGNAL /
                             SO_NOSIGPIPE either way]
   ARSENAL_IO_BACKLOG        default listen backlog [1024]
   ARSENAL_IO_SPIN_US        longest busy-poll before an idle loop blocks,
                             microseconds [50]; 0: never (ars_io_set_spin
                             changes it per thread at run time)
   ARSENAL_MALLOC(size) / ARSENAL_FREE(ptr)  [malloc/free]; both or neither

   EXAMPLE: an echo server, one coroutine per connection

       #define ARSENAL_IMPLEMENTATION
       #include "arsenal_io.h"
       static void conn(void *arg) {
           ars_sock *c = (ars_sock *)arg; char buf[4096]; ptrdiff_t n;
           while ((n = ars_tcp_read(c, buf, sizeof buf, ars_now() + 30000)) > 0)
               if (ars_tcp_write(c, buf, (size_t)n, NULL, ars_now() + 30000) < 0) break;
           ars_io_close(c);                  // n: ARS_EEOF, ARS_ECONNRESET, ARS_ETIMEDOUT...
       }
       static void server(void *arg) {
           ars_sock *ls, *c;
           (void)arg;
           if (ars_tcp_listen(&ls, "127.0.0.1", 7000, NULL) != 0) return;
           while (ars_tcp_accept(ls, &c, NULL, -1) == 0) ars_go(conn, c);
       }
       int main(void) { ars_go(server, NULL); return ars_sched_run(); }

   SEMANTICS
   - Every call that may block takes an absolute deadline on ars_now() (ms);
     -1 never expires, 0 means "do not block" (ARS_ETIMEDOUT if it would).
     Results: >= 0 success (a byte count for reads and writes); ARS_EEOF
     orderly end of stream, ARS_ECONNRESET peer reset, ARS_ETIMEDOUT the
     deadline, ARS_ECANCELED ars_cancel, ARS_ECLOSED the socket was closed
     by another coroutine while this one waited, ARS_ECONNREFUSED,
     ARS_EPIPE (writing after shutdown), ARS_EMFILE, ARS_ENOTFOUND (host
     name), ARS_EBUSY (another coroutine already reads / writes this socket;
     a write while another coroutine's write waits fails at once, sending
     nothing; a read, a receive, an accept or ars_io_wait for reading
     (also with ARS_IO_WRITE) while another coroutine waits to read fails
     at once, taking nothing; so does ars_io_wait for writing (also with
     ARS_IO_READ) while another coroutine waits to write),
     ARS_EOVERFLOW (a UDP datagram longer than the buffer, or than UDP
     carries), ARS_EINVAL (bad arguments, e.g. an ars_addr whose len is 0
     or larger than the address it holds).
   - ars_cancel: a cancel that a call does not report (its operation
     completed first on IOCP, whose result it returns; or the socket was
     closed meanwhile: ARS_ECLOSED) stays pending, and the coroutine's next
     blocking call returns ARS_ECANCELED, as arsenal_coro.h promises.
   - Blocking calls park the calling coroutine (ars_go). Outside a coroutine
     (say in main before ars_sched_run) they block the calling thread until
     done or the deadline, on every backend (POSIX waits in poll(2) on that
     one socket, IOCP runs its port), unless this thread's scheduler has
     live coroutines, which could not run meanwhile: then a call that would
     wait returns ARS_ESTATE. ars_io_signal_wait needs a coroutine
     (ARS_ESTATE outside one).
   - A socket belongs to the thread that created it. Each thread has its own
     loop, created on first use; ars_io_deinit() frees it once the thread's
     sockets are closed. One reader and one writer may wait on a socket at
     a time. EINTR and partial reads/writes are handled inside; accept backs
     off (5 ms doubling to 200 ms) when descriptors run out and recovers.
   - Sleeping is ars_sleep_until() from arsenal_coro.h.
   - Idle loops poll before they block: with nothing runnable, a loop polls
     its backend without blocking (yielding the CPU between polls) for up to
     a window, then blocks. Waking a blocked thread costs the kernel a
     reschedule, and on a virtual machine an exit to the host: here a
     1-connection echo ran 1.4x faster, at the price of the polling's CPU
     time. The window adapts per loop, as KVM's halt polling does: it grows
     (from a quarter of the limit, doubling) while events arrive within the
     limit of going idle, and halves, then drops to 0, while they do not, so
     a loop that waits long between events soon blocks at once. It never
     runs past a timer's deadline. The limit is ARSENAL_IO_SPIN_US [50 us];
     ars_io_set_spin(0) turns it off for a thread that should not burn CPU
     while waiting.

   PLATFORMS AND BACKENDS (ars_io_backend() names the one compiled in)
   - epoll (Linux): one edge-triggered registration per socket, no
     epoll_ctl per operation; eventfd wakes; signalfd for signals.
   - kqueue (macOS, *BSD; tested on Linux against libkqueue): level filters
     enabled only while a coroutine waits, changes batched into the next
     kevent call; EVFILT_USER wakes; EV_DELETE before every close.
   - poll(2) (any POSIX; ARSENAL_IO_USE_POLL): the waiting sockets are
     rebuilt into a pollfd array per wait, O(waiters); a pipe wakes.
   - IOCP (Windows): AcceptEx, ConnectEx, overlapped WSARecv / WSASend /
     WSARecvFrom / WSASendTo with the OVERLAPPED and buffers on the waiting
     coroutine's stack; a deadline, ars_cancel or ars_io_close issues
     CancelIoEx and the call returns only after the completion is drained
     (if the operation finished first, its result is returned, and a
     cancel stays pending for the coroutine's next blocking call).
     UDP sockets ignore ICMP errors for earlier sends, as Linux's
     unconnected ones do (SIO_UDP_CONNRESET off; no empty datagram).
     Accept with deadline 0 (or a passed one) takes a queued connection
     with a plain accept() on the listener, which is non-blocking: AcceptEx
     may pend even then, and would be cancelled at once.
   Tested: x86_64 Linux (gcc, clang, ASan+UBSan, Valgrind), aarch64, armhf,
   i686, riscv64 under qemu-user, Windows x86_64 under wine.

   CAVEATS
   - Host-name resolution uses getaddrinfo on a helper thread, so a deadline
     or cancellation returns at once; the lookup itself finishes in the
     background. Numeric addresses never start a thread. A name with
     deadline 0 returns ARS_ETIMEDOUT without a lookup (one may block).
   - ars_io_signal_wait: epoll blocks the signals in the calling thread and
     reads a signalfd, so block them in every thread (before creating
     threads, as examples/io_echo_server.c does, and outside coroutines
     with ARSENAL_CORO_USE_UCONTEXT, where each context keeps its own signal
     mask); kqueue and poll install a handler that marks the signal
     pending and wakes every wait in progress through its own pipe, and
     a wait takes a pending signal of its own set: each signal goes to one
     wait, waits on different sets (coroutines of one loop or of several
     threads) each get theirs, and a signal no wait asks for stays pending
     for a later wait that does. There, at most 64 waits may be in progress
     at once in the process (the next gets ARS_EMFILE) and signal numbers
     go up to 128. Windows maps console events (Ctrl+C = SIGINT,
     Ctrl+Break = SIGBREAK, close/logoff/shutdown = SIGTERM).
   - A socket must not be used after ars_io_close; a coroutine waiting on it
     in that moment gets ARS_ECLOSED and must not touch it again either.
   - IOCP: no SO_REUSEPORT (ars_tcp_listen refuses it: ARS_EINVAL), so one
     loop accepts; ars_io_wait(ARS_IO_WRITE) returns at once (ARS_IO_WRITE,
     or ARS_EBUSY while another coroutine waits to write); an attached
     SOCKET stays bound to the loop's port after ars_io_detach (Windows
     binds a handle to one port, once): ars_io_attach on the same thread
     takes it back, another thread's loop refuses it (ARS_EBUSY).
   - After fork(), the child must not touch sockets of the parent's loop
     (the epoll set is shared): close their fds raw and ars_io_deinit().
   - Multi-threaded servers: one loop per thread, each with its own
     listener on the same port (reuseport = 1); sockets never move between
     threads.
*/
#ifndef ARSENAL_IO_H
#define ARSENAL_IO_H

/* the implementation needs POSIX/BSD declarations: when this header comes
   first in the file, ask for them before any system header */
#if (defined(ARSENAL_IO_IMPLEMENTATION) || defined(ARSENAL_IMPLEMENTATION)) && !defined(_WIN32) && \
    !defined(_DEFAULT_SOURCE) && !defined(_GNU_SOURCE) && !defined(_XOPEN_SOURCE) && \
    !defined(_POSIX_C_SOURCE) && !defined(__APPLE__)
#define _DEFAULT_SOURCE 1
#endif

#define ARSENAL_IO_VERSION_MAJOR 0
#define ARSENAL_IO_VERSION_MINOR 1
#define ARSENAL_IO_VERSION_PATCH 0

#ifndef ARSENAL_IO_API
#if defined(ARSENAL_IO_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define ARSENAL_IO_API static __attribute__((unused))
#elif defined(ARSENAL_IO_STATIC)
#define ARSENAL_IO_API static
#else
#define ARSENAL_IO_API extern
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

#include "arsenal_coro.h"

#ifdef __cplusplus
extern "C" {
#endif

/* >>api ----------------------------------------------------------------- */
typedef struct ars_sock ars_sock;     /* a socket (or attached fd) of this thread's loop */

/* An IPv4 or IPv6 socket address (a struct sockaddr_in / sockaddr_in6). */
typedef struct ars_addr {
    uint32_t len;                     /* 0: empty */
    union { uint64_t align; unsigned char bytes[28]; } u;
} ars_addr;

typedef struct ars_iovec { const void *base; size_t len; } ars_iovec;

enum { ARS_IO_READ = 1, ARS_IO_WRITE = 2 };              /* ars_io_wait events */
enum { ARS_SHUT_RD = 1, ARS_SHUT_WR = 2, ARS_SHUT_RDWR = 3 };

typedef struct ars_tcp_listen_opts {
    int backlog;                      /* 0: ARSENAL_IO_BACKLOG */
    int reuseport;                    /* SO_REUSEPORT: several loops share the port */
    int v6only;                       /* IPV6_V6ONLY on an IPv6 address */
} ars_tcp_listen_opts;

/* "epoll", "kqueue", "poll" or "iocp". */
ARSENAL_IO_API const char *ars_io_backend(void);
/* Creates this thread's loop now (otherwise the first socket does). 0 or ARS_E*. */
ARSENAL_IO_API int ars_io_init(void);
/* Frees this thread's loop; call after ars_sched_run, with its sockets closed. */
ARSENAL_IO_API void ars_io_deinit(void);
/* Sets the longest busy-poll of this thread's idle loop before it blocks,
   in microseconds (0: block at once; at most 1000000; see SEMANTICS).
   Returns the previous limit, ARS_EINVAL (out of range) or ARS_ENOMEM (no
   loop). Creates the loop if needed; the adaptive window restarts at 0. */
ARSENAL_IO_API int ars_io_set_spin(int max_us);

/* Resolves host (numeric or a name; NULL: any address) and port into *out,
   the first address found. 0, ARS_ENOTFOUND, ARS_ETIMEDOUT, ARS_ECANCELED.
   A name is looked up on a helper thread, so the deadline holds in a
   coroutine and outside one; deadline 0 (or a passed one) never waits: a
   name then gives ARS_ETIMEDOUT at once, a numeric address resolves; -1 outside a
   coroutine looks the name up in the calling thread. Outside a coroutine
   on a thread whose scheduler has live coroutines a name is ARS_ESTATE, as
   for every call that would wait there. */
ARSENAL_IO_API int ars_addr_resolve(ars_addr *out, const char *host, int port, int64_t deadline);
/* The port of a (host order), or ARS_EINVAL. */
ARSENAL_IO_API int ars_addr_port(const ars_addr *a);
/* Writes "1.2.3.4:80" or "[::1]:80" into buf; returns its length or ARS_EOVERFLOW. */
ARSENAL_IO_API int ars_addr_format(const ars_addr *a, char *buf, size_t cap);

/* TCP. host NULL listens on 0.0.0.0; port 0 picks one (see ars_io_local_addr). */
ARSENAL_IO_API int ars_tcp_listen(ars_sock **out, const char *host, int port,
                                  const ars_tcp_listen_opts *opts);
/* Waits for a connection; *peer (if peer) gets its address. */
ARSENAL_IO_API int ars_tcp_accept(ars_sock *listener, ars_sock **out, ars_addr *peer, int64_t deadline);
/* Connects to host:port, trying each resolved address in turn. */
ARSENAL_IO_API int ars_tcp_connect(ars_sock **out, const char *host, int port, int64_t deadline);
/* Connects to one resolved address. */
ARSENAL_IO_API int ars_tcp_connect_addr(ars_sock **out, const ars_addr *addr, int64_t deadline);
/* Reads what is there (at least 1 byte): count, ARS_EEOF, or an error;
   ARS_EINVAL for a cap above PTRDIFF_MAX (a negative length cast), as
   ars_tcp_read_full and ars_udp_recv_from. */
ARSENAL_IO_API ptrdiff_t ars_tcp_read(ars_sock *s, void *buf, size_t cap, int64_t deadline);
/* Reads exactly n bytes: n, or ARS_EEOF if the stream ends first, or an error;
   *got (if got) receives the bytes read either way. */
ARSENAL_IO_API ptrdiff_t ars_tcp_read_full(ars_sock *s, void *buf, size_t n, size_t *got,
                                           int64_t deadline);
/* Writes all n bytes: n or an error; *done (if done) the bytes written.
   IOCP: more than 2 GiB in one buffer (or one ars_tcp_writev entry) is
   ARS_EINVAL; so, everywhere, is a total above PTRDIFF_MAX (32-bit). */
ARSENAL_IO_API ptrdiff_t ars_tcp_write(ars_sock *s, const void *buf, size_t n, size_t *done,
                                       int64_t deadline);
/* Writes all iovcnt buffers in order, as ars_tcp_write: the total or an error. */
ARSENAL_IO_API ptrdiff_t ars_tcp_writev(ars_sock *s, const ars_iovec *iov, int iovcnt,
                                        size_t *done, int64_t deadline);
/* Ends one or both directions (ARS_SHUT_RD / _WR / _RDWR); the peer reads
   ARS_EEOF after ARS_SHUT_WR. Never blocks. */
ARSENAL_IO_API int ars_tcp_shutdown(ars_sock *s, int how);
/* TCP_NODELAY: on = 1 sends small writes at once (no Nagle delay). */
ARSENAL_IO_API int ars_tcp_set_nodelay(ars_sock *s, int on);
/* idle_s > 0 also sets the idle time before the first probe. */
ARSENAL_IO_API int ars_tcp_set_keepalive(ars_sock *s, int on, int idle_s);

/* UDP. host NULL binds 0.0.0.0; use "::" for IPv6. */
ARSENAL_IO_API int ars_udp_bind(ars_sock **out, const char *host, int port);
ARSENAL_IO_API ptrdiff_t ars_udp_send_to(ars_sock *s, const void *buf, size_t n,
                                         const ars_addr *to, int64_t deadline);
/* One datagram: its length; *from (if from) its sender. A datagram longer
   than cap returns ARS_EOVERFLOW, with its first cap bytes in buf, *from
   set, and the rest discarded. ars_udp_send_to: ARS_EOVERFLOW if n is more
   than one datagram can carry. */
ARSENAL_IO_API ptrdiff_t ars_udp_recv_from(ars_sock *s, void *buf, size_t cap,
                                           ars_addr *from, int64_t deadline);

/* Any socket. ars_io_close wakes coroutines waiting on s with ARS_ECLOSED. */
ARSENAL_IO_API int ars_io_close(ars_sock *s);
/* Set SO_RCVBUF / SO_SNDBUF (a value <= 0 leaves it). */
ARSENAL_IO_API int ars_io_set_bufsize(ars_sock *s, int rcvbuf, int sndbuf);
/* The socket's own / its peer's address (getsockname / getpeername). */
ARSENAL_IO_API int ars_io_local_addr(ars_sock *s, ars_addr *out);
ARSENAL_IO_API int ars_io_peer_addr(ars_sock *s, ars_addr *out);
/* Waits until s is readable (ARS_IO_READ) or writable (ARS_IO_WRITE);
   returns the event that is ready; ARS_EBUSY at once if another coroutine
   waits on a side it asks for. IOCP: sockets only. On a socket, data
   reported ready may already have been taken by another read of it: a read
   with deadline 0 then returns ARS_ETIMEDOUT. Waiting for readability
   before reading lets an idle connection hold no buffer. */
ARSENAL_IO_API int ars_io_wait(ars_sock *s, int events, int64_t deadline);
/* Wraps an fd / SOCKET (made non-blocking) so ars_io_wait works on it;
   ars_io_detach frees the wrapper without closing the fd (which stays
   non-blocking; its close-on-exec flag is never touched). A detached fd
   may be attached again. On failure the fd is left as it was (POSIX; e.g.
   epoll refuses regular files: ARS_EIO). IOCP: a SOCKET detached on
   another thread, or bound to a completion port of the program's own, is
   ARS_EBUSY. */
ARSENAL_IO_API int ars_io_attach(ars_sock **out, intptr_t fd);
ARSENAL_IO_API intptr_t ars_io_detach(ars_sock *s);
/* The fd / SOCKET underneath (for socket options this header lacks). */
ARSENAL_IO_API intptr_t ars_io_fd(const ars_sock *s);
/* Waits for one of the signals (SIGINT, SIGTERM, ...; on Windows the console
   events SIGINT = Ctrl+C, SIGBREAK, and SIGTERM = close) and returns its number.
   POSIX: ARS_EINVAL for a signal that cannot be caught (SIGKILL, SIGSTOP)
   or is no signal. Windows: at most 3 signals (else ARS_EINVAL) and one
   wait at a time in the process (ARS_EBUSY). */
ARSENAL_IO_API int ars_io_signal_wait(const int *signals, int count, int64_t deadline);

#ifdef __cplusplus
}
#endif
#endif /* ARSENAL_IO_H */

/* ====================================================================== */
#if (defined(ARSENAL_IO_IMPLEMENTATION) || defined(ARSENAL_IMPLEMENTATION)) && \
    !defined(ARSENAL_IO_IMPLEMENTATION_ONCE)
#define ARSENAL_IO_IMPLEMENTATION_ONCE

#if defined(ARSENAL_MALLOC) != defined(ARSENAL_FREE)
#error "arsenal_io.h: define both ARSENAL_MALLOC and ARSENAL_FREE, or neither"
#endif

/* >>platform: pick the backend */
#if defined(ARSENAL_IO_USE_IOCP)
#define ARS__IO_IOCP 1
#elif defined(ARSENAL_IO_USE_EPOLL)
#define ARS__IO_EPOLL 1
#elif defined(ARSENAL_IO_USE_KQUEUE)
#define ARS__IO_KQUEUE 1
#elif defined(ARSENAL_IO_USE_POLL)
#define ARS__IO_POLL 1
#elif defined(_WIN32)
#define ARS__IO_IOCP 1
#elif defined(__linux__)
#define ARS__IO_EPOLL 1
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || defined(__DragonFly__)
#define ARS__IO_KQUEUE 1
#elif defined(__unix__)
#define ARS__IO_POLL 1
#else
#error "arsenal_io.h: no backend for this platform; options: ARSENAL_IO_USE_EPOLL, ARSENAL_IO_USE_KQUEUE, ARSENAL_IO_USE_POLL, ARSENAL_IO_USE_IOCP"
#endif

#ifndef ARSENAL_IO_BACKLOG
#define ARSENAL_IO_BACKLOG 1024
#endif
#ifndef ARSENAL_IO_SPIN_US
#define ARSENAL_IO_SPIN_US 50
#endif

#if defined(ARS__IO_IOCP)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <string.h>
#include <stdlib.h>
#include <signal.h>
typedef SOCKET ars__fd_t;
#define ARS__BADFD INVALID_SOCKET
/* SIO_UDP_CONNRESET / SIO_UDP_NETRESET, which some SDKs lack */
#define ARS__SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#define ARS__SIO_UDP_NETRESET _WSAIOW(IOC_VENDOR, 15)
#else
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#if defined(ARS__IO_EPOLL)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#endif
#if defined(ARS__IO_KQUEUE)
#include <sys/event.h>
#include <sys/time.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if !defined(AI_ADDRCONFIG) || !defined(NI_MAXHOST)
#error "arsenal_io.h: POSIX declarations are hidden: compile with -D_DEFAULT_SOURCE (or define it before any #include)"
#endif
typedef int ars__fd_t;
#define ARS__BADFD (-1)
#if !defined(MSG_NOSIGNAL)
#define MSG_NOSIGNAL 0
#endif
#endif

#if defined(ARSENAL_MALLOC)
#define ARS__IO_ALLOC(sz) ARSENAL_MALLOC(sz)
#define ARS__IO_FREE(p) ARSENAL_FREE(p)
#else
#define ARS__IO_ALLOC(sz) malloc(sz)
#define ARS__IO_FREE(p) free(p)
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define ARS__IO_TLS __declspec(thread)
#elif defined(__cplusplus)
#define ARS__IO_TLS thread_local
#else
#define ARS__IO_TLS __thread
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* >>loop ---------------------------------------------------------------- */
/* The internal backend interface. Every backend implements:
     ars__be_init(L) / ars__be_fini(L)   create / free the poller of a loop
     ars__be_add(L, s) / ars__be_del(L, s)  a socket joins / leaves (before close)
     ars__be_want(L, s, dir, on)         a coroutine starts / stops waiting
     ars__be_poll(L, timeout_ms)         wait, then ars__io_ready() per event
     ars__be_wake(L)                     interrupt a poll (any thread)
   Readiness backends (epoll, kqueue, poll) share >>sock; IOCP has its own
   socket calls on the same waiting protocol (ars__io_park). */
enum { ARS__RD = 0, ARS__WR = 1 };
enum { ARS__K_TCP = 1, ARS__K_LISTEN, ARS__K_UDP, ARS__K_RAW };

typedef struct ars__loop ars__loop;

struct ars_sock {
    ars__fd_t fd;
    ars__loop *loop;
    ars_waker w[2];           /* the coroutine waiting to read / write */
    uint8_t waiting[2];
    uint8_t kind, family, closed, detached;
    int parked;               /* coroutines inside ars__io_park on this socket */
    int err;                  /* a socket error the backend reported (kqueue EV_EOF fflags) */
#if defined(ARS__IO_EPOLL)
    uint8_t rd_ready, hup;    /* edge seen since the last short read; hang-up/error seen (sticky) */
    uint8_t epout;            /* EPOLLOUT is in the registration */
#endif
#if defined(ARS__IO_POLL)
    size_t widx;              /* index in the watch list, or (size_t)-1 */
    int wev;                  /* events watched */
#endif
#if defined(ARS__IO_IOCP)
    int ops;                  /* overlapped operations in flight */
    struct ars__op *rdop;     /* the receive a coroutine waits for, or NULL */
    uint8_t shut_rd;          /* ars_tcp_shutdown ended the read side */
#endif
};

#define ARS__EPOLL_BATCH 1024
struct ars__loop {
#if defined(ARS__IO_EPOLL)
    int epfd, evfd;
    struct epoll_event evs[ARS__EPOLL_BATCH];   /* one epoll_wait's harvest */
#elif defined(ARS__IO_KQUEUE)
    int kq, nchanges;
    struct kevent changes[64];
#elif defined(ARS__IO_POLL)
    int pipe[2];
    ars_sock **watch;
    struct pollfd *pfd;
    size_t nwatch, capwatch;
#elif defined(ARS__IO_IOCP)
    HANDLE iocp;
    SOCKET *detached;         /* sockets ars_io_detach left bound to iocp */
    size_t ndetached, capdetached;
#endif
    uint32_t wake_pending;
    int hooked;               /* the scheduler's poller points at this loop */
    int64_t spin_max;         /* busy-poll limit before blocking, ns (0: none) */
    int64_t spin_win;         /* the current busy-poll window, ns (adapts) */
};

static ARS__IO_TLS ars__loop *ars__io_loop;

static uint32_t ars__io_xchg32(uint32_t *p, uint32_t v) {
#if defined(_MSC_VER) && !defined(__clang__)
    return (uint32_t)_InterlockedExchange((volatile long *)p, (long)v);
#else
    return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
#endif
}

#if defined(__GNUC__) || defined(__clang__)
#define ARS__IO_UNUSED __attribute__((unused))
#define ARS__IO_NOINLINE static __attribute__((noinline))
#elif defined(_MSC_VER)
#define ARS__IO_UNUSED
#define ARS__IO_NOINLINE static __declspec(noinline)
#else
#define ARS__IO_UNUSED
#define ARS__IO_NOINLINE static
#endif
/* park/wake: inline when arsenal_coro.h's implementation is in this file
   (as arsenal_chan.h does): saves a call and its register saves per park
   and per wake */
#if defined(ARSENAL_CORO_IMPLEMENTATION_ONCE) && defined(ARS__PARK_INLINE)
#define ARS__IO_PARK_PREPARE() ars__park_prepare_in()
#define ARS__IO_PARK(deadline) ars__park_in(deadline)
#define ARS__IO_WAKE(w, result) ars__wake_in((w), (result))
#else
#define ARS__IO_PARK_PREPARE() ars_park_prepare()
#define ARS__IO_PARK(deadline) ars_park(deadline)
#define ARS__IO_WAKE(w, result) ars_wake((w), (result))
#endif
/* ars_io_wait on a side another coroutine waits on is refused (ARS_EBUSY),
   also when the other side it asks for is ready: what is ready there is
   the waiter's, and the result must not depend on timing or backend */
#define ARS__IO_WAIT_BUSY(s, events) \
    ((((events) & ARS_IO_READ) && (s)->waiting[ARS__RD]) || (((events) & ARS_IO_WRITE) && (s)->waiting[ARS__WR]))
ARS__IO_UNUSED static void ars__io_ready(ars_sock *s, int rd, int wr) {
    if (rd && s->waiting[ARS__RD]) ARS__IO_WAKE(s->w[ARS__RD], 0);
    if (wr && s->waiting[ARS__WR]) ARS__IO_WAKE(s->w[ARS__WR], 0);
}

static int ars__io_timeout(int64_t deadline) {
    int64_t now, d;
    if (deadline < 0) return -1;
    if (deadline == 0) return 0;
    now = ars_now();
    d = deadline - now;
    if (d <= 0) return 0;
    return d > 0x7fffffff ? 0x7fffffff : (int)d;
}

/* >>epoll --------------------------------------------------------------- */
#if defined(ARS__IO_EPOLL)
static const char *ars__be_name = "epoll";
static int ars__be_init(ars__loop *L) {
    struct epoll_event ev;
    L->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (L->epfd < 0) return ARS_EMFILE;
    L->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (L->evfd < 0) { close(L->epfd); return ARS_EMFILE; }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, L->evfd, &ev) != 0) {
        close(L->evfd); close(L->epfd); return ARS_EIO;
    }
    return 0;
}
static void ars__be_fini(ars__loop *L) { close(L->evfd); close(L->epfd); }
/* One edge-triggered registration per socket, no epoll_ctl per operation.
   EPOLLOUT joins it the first time a writer has to wait (a full send
   buffer, a connect in progress): until then the ACKs that free send space
   would wake the loop for nothing. */
static int ars__be_add(ars__loop *L, ars_sock *s) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = s;
    return epoll_ctl(L->epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0 ? 0 : ARS_EIO;
}
static void ars__be_del(ars__loop *L, ars_sock *s) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    epoll_ctl(L->epfd, EPOLL_CTL_DEL, s->fd, &ev);
}
static void ars__be_want(ars__loop *L, ars_sock *s, int dir, int on) {
    if (dir == ARS__WR && on && !s->epout) {
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;   /* reports writability now, if so */
        ev.data.ptr = s;
        if (epoll_ctl(L->epfd, EPOLL_CTL_MOD, s->fd, &ev) == 0) s->epout = 1;
    }
}
static int ars__be_poll(ars__loop *L, int timeout) {
    struct epoll_event *evs = L->evs;
    int n, i;
    n = epoll_wait(L->epfd, evs, ARS__EPOLL_BATCH, timeout);
    for (i = 0; i < n; i++) {
        ars_sock *s = (ars_sock *)evs[i].data.ptr;
        uint32_t e = evs[i].events;
        if (!s) {
            /* drain first, then clear: cleared first, a wake landing in
               between would write, be drained here, and leave the flag set
               with nothing pending, so every later wake would be lost (the
               scheduler checks its inbox after this poll anyway) */
            uint64_t v;
            if (read(L->evfd, &v, sizeof v) < 0) { /* drained already */ }
            ars__io_xchg32(&L->wake_pending, 0);
            continue;
        }
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) s->rd_ready = 1;
        if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) s->hup = 1;
        ars__io_ready(s, (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0,
                      (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0);
    }
    return n;
}
static void ars__be_wake(ars__loop *L) {
    uint64_t one = 1;
    if (ars__io_xchg32(&L->wake_pending, 1) == 0)
        if (write(L->evfd, &one, sizeof one) < 0) { /* counter full: a wake is pending */ }
}
#endif

/* >>kqueue -------------------------------------------------------------- */
#if defined(ARS__IO_KQUEUE)
/* Level-triggered filters, enabled only while a coroutine waits; the
   changes ride on the next kevent call (one syscall per loop turn). */
static const char *ars__be_name = "kqueue";
static int ars__be_init(ars__loop *L) {
    struct kevent kev;
    L->kq = kqueue();
    L->nchanges = 0;
    if (L->kq < 0) return ARS_EMFILE;
    fcntl(L->kq, F_SETFD, FD_CLOEXEC);
    EV_SET(&kev, 0, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
    if (kevent(L->kq, &kev, 1, NULL, 0, NULL) != 0) { close(L->kq); return ARS_EIO; }
    return 0;
}
static void ars__be_fini(ars__loop *L) { close(L->kq); }
static void ars__kq_flush(ars__loop *L) {
    if (L->nchanges) kevent(L->kq, L->changes, L->nchanges, NULL, 0, NULL);
    L->nchanges = 0;
}
static void ars__kq_change(ars__loop *L, ars_sock *s, int filter, int flags) {
    if (L->nchanges == (int)(sizeof L->changes / sizeof L->changes[0])) ars__kq_flush(L);
    EV_SET(&L->changes[L->nchanges], s->fd, filter, flags, 0, 0, s);
    L->nchanges++;
}
static int ars__be_add(ars__loop *L, ars_sock *s) {
    struct kevent kev[2];
    ars__kq_flush(L);
    EV_SET(&kev[0], s->fd, EVFILT_READ, EV_ADD, 0, 0, s);
    EV_SET(&kev[1], s->fd, EVFILT_WRITE, EV_ADD, 0, 0, s);
    if (kevent(L->kq, kev, 2, NULL, 0, NULL) != 0) return ARS_EIO;
    EV_SET(&kev[0], s->fd, EVFILT_READ, EV_DISABLE, 0, 0, s);
    EV_SET(&kev[1], s->fd, EVFILT_WRITE, EV_DISABLE, 0, 0, s);
    kevent(L->kq, kev, 2, NULL, 0, NULL);
    return 0;
}
static void ars__be_del(ars__loop *L, ars_sock *s) {
    struct kevent kev[2];
    ars__kq_flush(L);   /* nothing queued may name a closed fd */
    EV_SET(&kev[0], s->fd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
    EV_SET(&kev[1], s->fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
    kevent(L->kq, kev, 2, NULL, 0, NULL);
}
static void ars__be_want(ars__loop *L, ars_sock *s, int dir, int on) {
    ars__kq_change(L, s, dir == ARS__RD ? EVFILT_READ : EVFILT_WRITE, on ? EV_ENABLE : EV_DISABLE);
}
static int ars__be_poll(ars__loop *L, int timeout) {
    struct kevent evs[256];
    struct timespec ts, *tp = NULL;
    int n, i, nc = L->nchanges;
    if (timeout >= 0) { ts.tv_sec = timeout / 1000; ts.tv_nsec = (long)(timeout % 1000) * 1000000L; tp = &ts; }
    L->nchanges = 0;
    n = kevent(L->kq, L->changes, nc, evs, 256, tp);
    for (i = 0; i < n; i++) {
        ars_sock *s = (ars_sock *)evs[i].udata;
        if (evs[i].filter == EVFILT_USER) { ars__io_xchg32(&L->wake_pending, 0); continue; }
        if (!s || (evs[i].flags & EV_ERROR)) continue;
        /* the pending socket error comes with EV_EOF (and libkqueue has
           already consumed SO_ERROR to put it there) */
        if ((evs[i].flags & EV_EOF) && evs[i].fflags && !s->err) s->err = (int)evs[i].fflags;
        if (evs[i].filter == EVFILT_READ) ars__io_ready(s, 1, 0);
        else if (evs[i].filter == EVFILT_WRITE) ars__io_ready(s, 0, 1);
    }
    return n;
}
static void ars__be_wake(ars__loop *L) {
    struct kevent kev;
    if (ars__io_xchg32(&L->wake_pending, 1) != 0) return;
    EV_SET(&kev, 0, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
    kevent(L->kq, &kev, 1, NULL, 0, NULL);
}
#endif

/* >>poll ---------------------------------------------------------------- */
#if defined(ARS__IO_POLL)
static const char *ars__be_name = "poll";
static int ars__be_init(ars__loop *L) {
    int i;
    if (pipe(L->pipe) != 0) return ARS_EMFILE;
    for (i = 0; i < 2; i++) {
        fcntl(L->pipe[i], F_SETFL, fcntl(L->pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(L->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    L->watch = NULL; L->pfd = NULL; L->nwatch = L->capwatch = 0;
    return 0;
}
static void ars__be_fini(ars__loop *L) {
    close(L->pipe[0]); close(L->pipe[1]);
    ARS__IO_FREE(L->watch); ARS__IO_FREE(L->pfd);
}
static int ars__be_add(ars__loop *L, ars_sock *s) { (void)L; s->widx = (size_t)-1; s->wev = 0; return 0; }
static void ars__be_want(ars__loop *L, ars_sock *s, int dir, int on) {
    int bit = dir == ARS__RD ? POLLIN : POLLOUT;
    if (on) {
        if (s->widx == (size_t)-1) {
            if (L->nwatch == L->capwatch) {
                size_t nc = L->capwatch ? L->capwatch * 2 : 64;
                ars_sock **nw = (ars_sock **)ARS__IO_ALLOC(nc * sizeof *nw);
                struct pollfd *np = (struct pollfd *)ARS__IO_ALLOC((nc + 1) * sizeof *np);
                if (!nw || !np) { ARS__IO_FREE(nw); ARS__IO_FREE(np); return; } /* stays unwatched: deadline ends the wait */
                if (L->nwatch) memcpy(nw, L->watch, L->nwatch * sizeof *nw);
                ARS__IO_FREE(L->watch); ARS__IO_FREE(L->pfd);
                L->watch = nw; L->pfd = np; L->capwatch = nc;
            }
            s->widx = L->nwatch;
            L->watch[L->nwatch++] = s;
        }
        s->wev |= bit;
    } else {
        s->wev &= ~bit;
        if (!s->wev && s->widx != (size_t)-1) {
            ars_sock *last = L->watch[--L->nwatch];
            L->watch[s->widx] = last;
            last->widx = s->widx;
            s->widx = (size_t)-1;
        }
    }
}
static void ars__be_del(ars__loop *L, ars_sock *s) {
    ars__be_want(L, s, ARS__RD, 0);
    ars__be_want(L, s, ARS__WR, 0);
}
static int ars__be_poll(ars__loop *L, int timeout) {
    size_t i, n = L->nwatch;
    int r;
    if (!L->pfd) {
        L->pfd = (struct pollfd *)ARS__IO_ALLOC(sizeof *L->pfd);
        if (!L->pfd) return 0;
    }
    L->pfd[0].fd = L->pipe[0]; L->pfd[0].events = POLLIN; L->pfd[0].revents = 0;
    for (i = 0; i < n; i++) {
        L->pfd[i + 1].fd = L->watch[i]->fd;
        L->pfd[i + 1].events = (short)L->watch[i]->wev;
        L->pfd[i + 1].revents = 0;
    }
    r = poll(L->pfd, (nfds_t)(n + 1), timeout);
    if (r <= 0) return 0;
    if (L->pfd[0].revents) {
        char buf[64];
        while (read(L->pipe[0], buf, sizeof buf) > 0) {}
        ars__io_xchg32(&L->wake_pending, 0);    /* after the drain, as with epoll */
    }
    for (i = 0; i < n; i++) {   /* wakes only queue coroutines: the list is stable */
        short e = L->pfd[i + 1].revents;
        if (!e) continue;
        ars__io_ready(L->watch[i], (e & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0,
                      (e & (POLLOUT | POLLHUP | POLLERR | POLLNVAL)) != 0);
    }
    return r;
}
static void ars__be_wake(ars__loop *L) {
    char c = 1;
    if (ars__io_xchg32(&L->wake_pending, 1) == 0)
        if (write(L->pipe[1], &c, 1) < 0) { /* full: a wake is pending */ }
}
#endif

/* >>iocp --------------------------------------------------------------- */
#if defined(ARS__IO_IOCP)
/* Completion-based: each operation owns an ars__op (OVERLAPPED + result) on
   the waiting coroutine's stack. The coroutine parks until the completion
   arrives; on deadline, cancel or close it calls CancelIoEx and keeps
   waiting until the completion is drained, so the buffers and the
   OVERLAPPED stay valid until the kernel is done with them. */
typedef struct ars__op {
    OVERLAPPED ov;            /* first: the completion gives us this pointer */
    ars_sock *s;
    int dir, done;
    DWORD bytes;
    ULONG_PTR status;         /* NTSTATUS from ov.Internal */
} ars__op;

static const char *ars__be_name = "iocp";
static int ars__be_init(ars__loop *L) {
    L->iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    return L->iocp ? 0 : ARS_ENOMEM;
}
static void ars__be_fini(ars__loop *L) {
    CloseHandle(L->iocp);
    if (L->detached) ARS__IO_FREE(L->detached);
}
static int ars__be_poll(ars__loop *L, int timeout) {
    OVERLAPPED_ENTRY ents[128];
    ULONG n = 0, i;
    if (!GetQueuedCompletionStatusEx(L->iocp, ents, 128, &n, timeout < 0 ? INFINITE : (DWORD)timeout, FALSE))
        return 0;
    for (i = 0; i < n; i++) {
        ars__op *op = (ars__op *)(void *)ents[i].lpOverlapped;
        if (!op) { ars__io_xchg32(&L->wake_pending, 0); continue; }
        op->done = 1;
        op->bytes = ents[i].dwNumberOfBytesTransferred;
        op->status = op->ov.Internal;
        if (op->s->waiting[op->dir]) ars_wake(op->s->w[op->dir], 0);
    }
    return (int)n;
}
static void ars__be_wake(ars__loop *L) {
    if (ars__io_xchg32(&L->wake_pending, 1) == 0) PostQueuedCompletionStatus(L->iocp, 0, 0, NULL);
}
static void ars__be_want(ars__loop *L, ars_sock *s, int dir, int on) { (void)L; (void)s; (void)dir; (void)on; }

#endif

/* The scheduler's poller hook. With a wait ahead (nothing runnable), it
   first polls without blocking for up to L->spin_win ns, yielding the CPU
   between polls to any other thread that wants it, and never past the
   deadline; then it blocks. The window adapts to how soon events come
   after the loop goes idle (SEMANTICS): an event within spin_max of going
   idle that the spin missed grows it (from spin_max / 4, doubling, up to
   spin_max); a wait longer than spin_max halves it, and below a quarter
   of spin_max it drops to 0. A caught event leaves it as it is. */
static int ars__io_poll_cb(void *ctx, int64_t deadline) {
    ars__loop *L = (ars__loop *)ctx;
    int timeout = ars__io_timeout(deadline), n;
    int64_t t0, total, max = L->spin_max;
    if (timeout == 0 || max <= 0) { ars__be_poll(L, timeout); return 0; }
    t0 = ars__now_ns();
    if (L->spin_win > 0) {
        int64_t end = t0 + L->spin_win, now;
        /* the deadline is in ms on the same clock: stop there */
        if (deadline >= 0 && deadline <= INT64_MAX / 1000000 && deadline * 1000000 < end) end = deadline * 1000000;
        do {
            if (ars__be_poll(L, 0) > 0) return 0;
#if defined(ARS__IO_IOCP)
            SwitchToThread();
#else
            sched_yield();
#endif
            now = ars__now_ns();
        } while (now < end);
        timeout = ars__io_timeout(deadline);
    }
    n = ars__be_poll(L, timeout);
    total = ars__now_ns() - t0;
    if (n > 0 && total <= max) {
        int64_t w = L->spin_win ? 2 * L->spin_win : max / 4;
        L->spin_win = w < max ? w : max;
    } else if (total > max) {
        L->spin_win = L->spin_win > max / 4 ? L->spin_win / 2 : 0;
    }
    return 0;
}
static void ars__io_wake_cb(void *ctx) { ars__be_wake((ars__loop *)ctx); }

#if !defined(ARS__IO_IOCP) && !defined(ARSENAL_IO_KEEP_SIGPIPE)
static void ars__io_sigpipe(void) {
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
    }
}
#endif

#if defined(ARS__IO_IOCP)
/* before the first socket or getaddrinfo call of the process; a second
   thread arriving meanwhile waits until it is done (0 none, 1 busy, 2 done) */
static void ars__wsa_startup(void) {
    static LONG state;
    if (InterlockedCompareExchange(&state, 1, 0) == 0) {
        WSADATA wd;
        WSAStartup(MAKEWORD(2, 2), &wd);
        InterlockedExchange(&state, 2);
    }
    while (InterlockedCompareExchange(&state, 2, 2) != 2) Sleep(0);
}
#endif

static ars__loop *ars__loop_get(void) {
    ars__loop *L = ars__io_loop;
    if (L) return L;
#if defined(ARS__IO_IOCP)
    ars__wsa_startup();
#elif !defined(ARSENAL_IO_KEEP_SIGPIPE)
    ars__io_sigpipe();
#endif
    L = (ars__loop *)ARS__IO_ALLOC(sizeof *L);
    if (!L) return NULL;
    memset(L, 0, sizeof *L);
    if (ars__be_init(L) != 0) { ARS__IO_FREE(L); return NULL; }
    L->spin_max = (int64_t)ARSENAL_IO_SPIN_US * 1000;
    ars__io_loop = L;
    return L;
}

ARSENAL_IO_API const char *ars_io_backend(void) { return ars__be_name; }
ARSENAL_IO_API int ars_io_init(void) { return ars__loop_get() ? 0 : ARS_ENOMEM; }
ARSENAL_IO_API int ars_io_set_spin(int max_us) {
    ars__loop *L;
    int prev;
    if (max_us < 0 || max_us > 1000000) return ARS_EINVAL;
    if (!(L = ars__loop_get())) return ARS_ENOMEM;
    prev = (int)(L->spin_max / 1000);
    L->spin_max = (int64_t)max_us * 1000;
    L->spin_win = 0;
    return prev;
}
ARSENAL_IO_API void ars_io_deinit(void) {
    ars__loop *L = ars__io_loop;
    if (!L) return;
    /* the thread's poller points at this loop: take it out first */
    ars_sched_set_poller(NULL);
    ars__be_fini(L);
    ARS__IO_FREE(L);
    ars__io_loop = NULL;
}

static void ars__sock_free(ars_sock *s) { ARS__IO_FREE(s); }

/* Parks the running coroutine until s is ready in a direction of `dirs`
   (ARS__PRD, ARS__PWR), the deadline, a cancel or a close. watch = 0 parks
   without asking the backend (a timed back-off that ars_io_close can still
   end). */
#define ARS__PRD (1 << ARS__RD)
#define ARS__PWR (1 << ARS__WR)
#if defined(ARS__IO_IOCP)
/* not reached: IOCP operations wait in ars__op_wait */
#define ars__io_block(s, dirs, deadline) ((void)(s), (void)(dirs), (void)(deadline), ARS_ESTATE)
#else
static int ars__io_err(int e);
/* Outside a coroutine the calling thread waits in poll(2) on this one
   descriptor, as the IOCP backend drives its port: 0 ready, ARS_ETIMEDOUT
   at the deadline. Readiness edges it consumes only make a later
   coroutine's wait retry once. No dirs: a plain timed wait (a negative fd
   is ignored by poll), as accept's back-off needs: its listener stays
   readable with the connection it cannot take. */
ARS__IO_UNUSED static int ars__io_block(ars_sock *s, int dirs, int64_t deadline) {
    struct pollfd p;
    p.fd = dirs ? s->fd : -1;
    p.events = (short)(((dirs & ARS__PRD) ? POLLIN : 0) | ((dirs & ARS__PWR) ? POLLOUT : 0));
    for (;;) {
        int r;
        p.revents = 0;
        r = poll(&p, 1, ars__io_timeout(deadline));
        if (r > 0) return 0;
        if (r == 0) {
            if (deadline >= 0 && ars_now() >= deadline) return ARS_ETIMEDOUT;
        } else if (errno != EINTR) {
            return ars__io_err(errno);
        }
    }
}
#endif
/* A cancel that ended a park of a call which then returns something else
   (its operation completed first: IOCP returns that result; the socket
   was closed meanwhile: ARS_ECLOSED) was not seen by the caller: pend it
   again, so the coroutine's next blocking call returns ARS_ECANCELED, as
   ars_cancel promises ("its current (or next) blocking call"). */
ARS__IO_UNUSED static int ars__cancel_keep(int took_cancel, int r) {
    if (took_cancel && r != ARS_ECANCELED) (void)ars_cancel(ars_coro_running());
    return r;
}
ARS__IO_UNUSED static void ars__io_hook(ars__loop *L) {
    ars_poller p;
    p.poll = ars__io_poll_cb; p.wake = ars__io_wake_cb; p.ctx = L;
    ars_sched_set_poller(&p);   /* stays installed for the thread until ars_io_deinit */
    L->hooked = 1;
}
ARS__IO_UNUSED static int ars__io_park(ars_sock *s, int dirs, int64_t deadline, int watch) {
    ars__loop *L = s->loop;
    ars_waker w;
    int r;
    if (dirs != ARS__PWR && s->waiting[ARS__RD]) return ARS_EBUSY;
    if (dirs != ARS__PRD && s->waiting[ARS__WR]) return ARS_EBUSY;
    if (deadline == 0) return ARS_ETIMEDOUT;
    if (!ars_coro_running())   /* live coroutines here could not run meanwhile */
        return ars_sched_count() > 0 ? ARS_ESTATE : ars__io_block(s, watch ? dirs : 0, deadline);
    if (!L->hooked) ars__io_hook(L);
    w = ARS__IO_PARK_PREPARE();
    /* each direction spelled out (no loop): this runs once per wait */
    if (dirs & ARS__PRD) {
        s->w[ARS__RD] = w;
        s->waiting[ARS__RD] = 1;
        if (watch) ars__be_want(L, s, ARS__RD, 1);
    }
    if (dirs & ARS__PWR) {
        s->w[ARS__WR] = w;
        s->waiting[ARS__WR] = 1;
        if (watch) ars__be_want(L, s, ARS__WR, 1);
    }
    s->parked++;
    r = ARS__IO_PARK(deadline);
    s->parked--;
    if (dirs & ARS__PRD) s->waiting[ARS__RD] = 0;
    if (dirs & ARS__PWR) s->waiting[ARS__WR] = 0;
    if (s->closed) {
        if (s->parked == 0) ars__sock_free(s);
        return ars__cancel_keep(r == ARS_ECANCELED, ARS_ECLOSED);
    }
    if (watch) {
        if (dirs & ARS__PRD) ars__be_want(L, s, ARS__RD, 0);
        if (dirs & ARS__PWR) ars__be_want(L, s, ARS__WR, 0);
    }
    return r;
}

/* errno / WSA error -> ARS_E* */
static int ars__io_err(int e) {
    switch (e) {
#if defined(ARS__IO_IOCP)
    case WSAECONNRESET: case WSAECONNABORTED: case WSAENETRESET: case ERROR_NETNAME_DELETED:
        return ARS_ECONNRESET;
    case WSAECONNREFUSED: case ERROR_CONNECTION_REFUSED: return ARS_ECONNREFUSED;
    case WSAEADDRINUSE: return ARS_EADDRINUSE;
    case WSAESHUTDOWN: return ARS_EPIPE;
    case WSAEMSGSIZE: return ARS_EOVERFLOW;
    case WSAEMFILE: return ARS_EMFILE;
    case WSAENOBUFS: case ERROR_NOT_ENOUGH_MEMORY: return ARS_ENOMEM;
    case WSAEINVAL: case WSAEFAULT: case WSAENOTSOCK: case WSAEAFNOSUPPORT: return ARS_EINVAL;
    case WSAENETUNREACH: case WSAEHOSTUNREACH: case WSAEADDRNOTAVAIL: case ERROR_NETWORK_UNREACHABLE:
    case ERROR_HOST_UNREACHABLE: return ARS_EUNREACH;
    case WSAETIMEDOUT: case ERROR_SEM_TIMEOUT: return ARS_ETIMEDOUT;
    case WSAEACCES: return ARS_EPERM;
    case WSAENOTCONN: return ARS_ESTATE;
#else
    case ECONNRESET: case ECONNABORTED: return ARS_ECONNRESET;
    case ECONNREFUSED: return ARS_ECONNREFUSED;
    case EADDRINUSE: return ARS_EADDRINUSE;
    case EPIPE: return ARS_EPIPE;
    case EMSGSIZE: return ARS_EOVERFLOW;
    case EMFILE: case ENFILE: return ARS_EMFILE;
    case ENOMEM: case ENOBUFS: return ARS_ENOMEM;
    case EINVAL: case EBADF: case ENOTSOCK: case EAFNOSUPPORT: case EFAULT: return ARS_EINVAL;
    case ENETUNREACH: case EHOSTUNREACH: case EADDRNOTAVAIL: return ARS_EUNREACH;
    case ETIMEDOUT: return ARS_ETIMEDOUT;
    case EACCES: case EPERM: return ARS_EPERM;
    case ENOTCONN: return ARS_ESTATE;
#endif
    default: return ARS_EIO;
    }
}

/* >>resolve ------------------------------------------------------------- */
static int ars__addr_numeric(ars_addr *out, const char *host, int port) {
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(out, 0, sizeof *out);
    if (!host || !*host) host = "0.0.0.0";
    memset(&a4, 0, sizeof a4);
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)port);
        memcpy(out->u.bytes, &a4, sizeof a4);
        out->len = (uint32_t)sizeof a4;
        return 0;
    }
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        memcpy(out->u.bytes, &a6, sizeof a6);
        out->len = (uint32_t)sizeof a6;
        return 0;
    }
    return ARS_ENOTFOUND;
}

#define ARS__MAX_ADDRS 8
typedef struct ars__resolve_req {
    char host[256];
    char port[8];
    int refs;                  /* 2 while both the thread and the waiter hold it */
    int waiting;               /* the waiter still parks (guarded by the lock) */
    ars_waker w;               /* the parked coroutine, or the thread's own waiter */
    int result, n;
    ars_addr addrs[ARS__MAX_ADDRS];
} ars__resolve_req;

#if defined(ARS__IO_IOCP)
static SRWLOCK ars__resolve_mu = SRWLOCK_INIT;
#define ARS__RLOCK() AcquireSRWLockExclusive(&ars__resolve_mu)
#define ARS__RUNLOCK() ReleaseSRWLockExclusive(&ars__resolve_mu)
#else
static pthread_mutex_t ars__resolve_mu = PTHREAD_MUTEX_INITIALIZER;
#define ARS__RLOCK() pthread_mutex_lock(&ars__resolve_mu)
#define ARS__RUNLOCK() pthread_mutex_unlock(&ars__resolve_mu)
#endif

static void ars__resolve_run(ars__resolve_req *q) {
    struct addrinfo hints, *res = NULL, *ai;
    int n = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    q->result = ARS_ENOTFOUND;
    if (getaddrinfo(q->host, q->port, &hints, &res) == 0) {
        for (ai = res; ai && n < ARS__MAX_ADDRS; ai = ai->ai_next) {
            if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
                ai->ai_addrlen > sizeof q->addrs[0].u.bytes) continue;
            memset(&q->addrs[n], 0, sizeof q->addrs[n]);
            memcpy(q->addrs[n].u.bytes, ai->ai_addr, ai->ai_addrlen);
            q->addrs[n].len = (uint32_t)ai->ai_addrlen;
            n++;
        }
        freeaddrinfo(res);
        if (n) q->result = 0;
    }
    q->n = n;
}

static void ars__resolve_release(ars__resolve_req *q) {
    int last;
    ARS__RLOCK();
    last = --q->refs == 0;
    ARS__RUNLOCK();
    if (last) ARS__IO_FREE(q);
}

#if defined(ARS__IO_IOCP)
static DWORD WINAPI ars__resolve_thread(LPVOID arg)
#else
static void *ars__resolve_thread(void *arg)
#endif
{
    ars__resolve_req *q = (ars__resolve_req *)arg;
    ars__resolve_run(q);
    ARS__RLOCK();
    if (q->waiting) ars_wake(q->w, 0);   /* under the lock: the waiter is alive */
    ARS__RUNLOCK();
    ars__resolve_release(q);
    return 0;
}

/* fills addrs (up to max) for host:port; returns the count or ARS_E* */
static int ars__resolve(ars_addr *addrs, int max, const char *host, int port, int64_t deadline) {
    ars__resolve_req *q;
    size_t hl;
    int r, i, started;
    if (port < 0 || port > 65535) return ARS_EINVAL;
    if (ars__addr_numeric(&addrs[0], host, port) == 0) return 1;
    hl = strlen(host);
    if (hl >= sizeof q->host) return ARS_EINVAL;
    /* a name may take a lookup that blocks: a deadline of 0 or one that
       has passed does not wait for one */
    if (deadline == 0 || (deadline > 0 && deadline <= ars_now())) return ARS_ETIMEDOUT;
    /* outside a coroutine, waiting would starve this thread's live ones */
    if (!ars_coro_running() && ars_sched_count() > 0) return ARS_ESTATE;
#if defined(ARS__IO_IOCP)
    ars__wsa_startup();       /* getaddrinfo fails before it */
#endif
    q = (ars__resolve_req *)ARS__IO_ALLOC(sizeof *q);
    if (!q) return ARS_ENOMEM;
    memset(q, 0, sizeof *q);
    memcpy(q->host, host, hl + 1);
    {   /* port to text */
        char tmp[8]; int k = 0, p = port;
        do { tmp[k++] = (char)('0' + p % 10); p /= 10; } while (p);
        for (i = 0; i < k; i++) q->port[i] = tmp[k - 1 - i];
        q->port[k] = 0;
    }
    started = 0;
    if (ars_coro_running() || deadline > 0) {
        /* the coroutine, or outside every coroutine the thread itself,
           parks until the helper thread wakes it; -1 outside a coroutine
           looks the name up below, in this thread */
        q->w = ars_park_prepare();
        if (!q->w.co) { ARS__IO_FREE(q); return ARS_ESTATE; }   /* a coroutine with no scheduler */
        q->refs = 2;
        q->waiting = 1;
#if defined(ARS__IO_IOCP)
        {
            HANDLE th = CreateThread(NULL, 64 * 1024, ars__resolve_thread, q, 0, NULL);
            if (th) { CloseHandle(th); started = 1; }
        }
#else
        {
            pthread_t th;
            pthread_attr_t at;
            pthread_attr_init(&at);
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            pthread_attr_setstacksize(&at, 256 * 1024);
            if (pthread_create(&th, &at, ars__resolve_thread, q) == 0) started = 1;
            pthread_attr_destroy(&at);
        }
#endif
        if (!started) ars_park(0);   /* disarm the prepared park */
    }
    if (started) {
        r = ars_park(deadline);
        ARS__RLOCK();
        q->waiting = 0;
        ARS__RUNLOCK();
        if (r == 0) r = q->result;
    } else {
        q->refs = 1;
        ars__resolve_run(q);
        r = q->result;
    }
    if (r == 0) {
        r = q->n < max ? q->n : max;
        for (i = 0; i < r; i++) addrs[i] = q->addrs[i];
    }
    ars__resolve_release(q);
    return r;
}

ARSENAL_IO_API int ars_addr_resolve(ars_addr *out, const char *host, int port, int64_t deadline) {
    int r;
    if (!out) return ARS_EINVAL;
    r = ars__resolve(out, 1, host, port, deadline);
    return r < 0 ? r : 0;
}

/* an address the caller hands in: its len within the bytes it holds (a
   len of 0, or past them, had the kernel read garbage) */
static int ars__addr_ok(const ars_addr *a) {
    return a && a->len > 0 && a->len <= sizeof a->u.bytes;
}

ARSENAL_IO_API int ars_addr_port(const ars_addr *a) {
    uint16_t p;
    if (!a || a->len < 4) return ARS_EINVAL;
    memcpy(&p, a->u.bytes + 2, 2);   /* sin_port and sin6_port share the offset */
    return ntohs(p);
}

ARSENAL_IO_API int ars_addr_format(const ars_addr *a, char *buf, size_t cap) {
    char host[64];
    char out[80];
    int fam, port, n = 0;
    size_t hl;
    if (!a || !buf || a->len == 0) return ARS_EINVAL;
    fam = ((const struct sockaddr *)(const void *)a->u.bytes)->sa_family;
    port = ars_addr_port(a);
    if (fam == AF_INET) {
        struct sockaddr_in s4;
        memcpy(&s4, a->u.bytes, sizeof s4);
        if (!inet_ntop(AF_INET, &s4.sin_addr, host, sizeof host)) return ARS_EINVAL;
    } else if (fam == AF_INET6) {
        struct sockaddr_in6 s6;
        memcpy(&s6, a->u.bytes, sizeof s6);
        if (!inet_ntop(AF_INET6, &s6.sin6_addr, host, sizeof host)) return ARS_EINVAL;
    } else return ARS_EINVAL;
    hl = strlen(host);
    if (fam == AF_INET6) out[n++] = '[';
    memcpy(out + n, host, hl); n += (int)hl;
    if (fam == AF_INET6) out[n++] = ']';
    out[n++] = ':';
    {
        char tmp[8]; int k = 0;
        do { tmp[k++] = (char)('0' + port % 10); port /= 10; } while (port);
        while (k) out[n++] = tmp[--k];
    }
    if ((size_t)n + 1 > cap) return ARS_EOVERFLOW;
    memcpy(buf, out, (size_t)n);
    buf[n] = 0;
    return n;
}

/* >>sock ---------------------------------------------------------------- */
/* whether the iovcnt lengths add up to a count the ptrdiff_t result holds
   (32-bit: two 1.2 GB entries returned 2.4 GB as a negative number) */
static int ars__iov_fits(const ars_iovec *iov, int iovcnt) {
    size_t sum = 0;
    int i;
    for (i = 0; i < iovcnt; i++) {
        if (iov[i].len > (size_t)PTRDIFF_MAX - sum) return 0;
        sum += iov[i].len;
    }
    return 1;
}
static int ars__sock_new(ars_sock **out, ars__fd_t fd, int kind, int family) {
    ars__loop *L = ars__loop_get();
    ars_sock *s;
    if (!L) return ARS_ENOMEM;
    s = (ars_sock *)ARS__IO_ALLOC(sizeof *s);
    if (!s) return ARS_ENOMEM;
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->loop = L;
    s->kind = (uint8_t)kind;
    s->family = (uint8_t)family;
#if defined(ARS__IO_EPOLL)
    s->rd_ready = 1;
#endif
    *out = s;
    return 0;
}

#if !defined(ARS__IO_IOCP)
static int ars__set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return ARS_EINVAL;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

static int ars__socket(int family, int type) {
    int fd;
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) return fd;
    if (errno != EINVAL) return -1;
#endif
    fd = socket(family, type, 0);
    if (fd < 0) return -1;
    ars__set_nonblock(fd);
#if defined(SO_NOSIGPIPE)
    { int one = 1; setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one); }
#endif
    return fd;
}

/* wraps a fresh fd into a socket registered with the loop; closes it on failure */
static int ars__sock_wrap(ars_sock **out, int fd, int kind, int family) {
    int r = ars__sock_new(out, fd, kind, family);
    if (r) { close(fd); return r; }
    r = ars__be_add((*out)->loop, *out);
    if (r) { close(fd); ARS__IO_FREE(*out); *out = NULL; return r; }
    return 0;
}

ARSENAL_IO_API int ars_tcp_listen(ars_sock **out, const char *host, int port,
                                  const ars_tcp_listen_opts *opts) {
    ars_addr a;
    int fd, one = 1, r, fam;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    r = ars__resolve(&a, 1, host, port, -1);
    if (r < 0) return r;
    fam = ((struct sockaddr *)(void *)a.u.bytes)->sa_family;
    fd = ars__socket(fam, SOCK_STREAM);
    if (fd < 0) return ars__io_err(errno);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (opts && opts->reuseport) {
#if defined(SO_REUSEPORT)
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) { r = ars__io_err(errno); close(fd); return r; }
#else
        close(fd); return ARS_EINVAL;
#endif
    }
    if (fam == AF_INET6) {
        int v6 = opts && opts->v6only;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6);
    }
    if (bind(fd, (struct sockaddr *)(void *)a.u.bytes, (socklen_t)a.len) != 0 ||
        listen(fd, opts && opts->backlog > 0 ? opts->backlog : ARSENAL_IO_BACKLOG) != 0) {
        r = ars__io_err(errno); close(fd); return r;
    }
    return ars__sock_wrap(out, fd, ARS__K_LISTEN, fam);
}

static int ars__accept_fd(int lfd, ars_addr *peer) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd;
#if defined(__linux__) && defined(SYS_accept4)
    fd = (int)syscall(SYS_accept4, lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && errno == ENOSYS)
#endif
    {
        fd = accept(lfd, (struct sockaddr *)&ss, &sl);
        if (fd >= 0) ars__set_nonblock(fd);
    }
    if (fd >= 0 && peer) {
        memset(peer, 0, sizeof *peer);
        if (sl <= sizeof peer->u.bytes) { memcpy(peer->u.bytes, &ss, sl); peer->len = (uint32_t)sl; }
    }
    return fd;
}

ARSENAL_IO_API int ars_tcp_accept(ars_sock *ls, ars_sock **out, ars_addr *peer, int64_t deadline) {
    int64_t backoff = 5;
    int fd, r, e;
    if (!ls || !out || ls->kind != ARS__K_LISTEN) return ARS_EINVAL;
    *out = NULL;
    /* another acceptor waits: refused before accept(), which would take a
       connection queued for the one woken to take it (as IOCP) */
    if (ls->waiting[ARS__RD]) return ARS_EBUSY;
    for (;;) {
        fd = ars__accept_fd(ls->fd, peer);
        if (fd >= 0) break;
        e = errno;
        if (e == EINTR || e == ECONNABORTED) continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            r = ars__io_park(ls, ARS__PRD, deadline, 1);
            if (r) return r;
            continue;
        }
        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
            /* out of descriptors: wait (closable), then retry; never spin */
            int64_t until = ars_now() + backoff;
            if (deadline >= 0 && deadline < until) until = deadline;
            r = ars__io_park(ls, ARS__PRD, until, 0);
            if (r == ARS_ETIMEDOUT && until != deadline) r = 0;
            if (r) return r == ARS_ETIMEDOUT ? ARS_ETIMEDOUT : r;
            if (backoff < 200) backoff *= 2;
            continue;
        }
        return ars__io_err(e);
    }
    r = ars__sock_wrap(out, fd, ARS__K_TCP, ls->family);
    return r;
}

static int ars__connect_one(ars_sock **out, const ars_addr *a, int64_t deadline) {
    int fam = ((const struct sockaddr *)(const void *)a->u.bytes)->sa_family;
    int fd = ars__socket(fam, SOCK_STREAM), r, err, pending = 0;
    socklen_t el = sizeof err;
    ars_sock *s;
    if (fd < 0) return ars__io_err(errno);
    /* connect first, register after: an unconnected socket reports a hang-up
       that kqueue emulations (libkqueue) latch as EOF */
    while ((r = connect(fd, (const struct sockaddr *)(const void *)a->u.bytes, (socklen_t)a->len)) != 0 && errno == EINTR) {}
    if (r != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) { r = ars__io_err(errno); close(fd); return r; }
        pending = 1;
    }
    r = ars__sock_wrap(&s, fd, ARS__K_TCP, fam);
    if (r) return r;
    if (pending) {
        r = ars__io_park(s, ARS__PWR, deadline, 1);
        if (r == ARS_ECLOSED) return r;
        if (r == 0) {
            err = 0;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0) err = errno;
            if (!err) err = s->err;
            if (err) r = ars__io_err(err);
        }
        if (r) { ars_io_close(s); return r; }
    }
    *out = s;
    return 0;
}

ARSENAL_IO_API int ars_tcp_connect_addr(ars_sock **out, const ars_addr *a, int64_t deadline) {
    if (!out || !ars__addr_ok(a)) return ARS_EINVAL;
    *out = NULL;
    return ars__connect_one(out, a, deadline);
}

/* The rest of ars_tcp_read once a recv() returned n <= 0 (errno set if
   n < 0): EOF, an error, or wait for data and read again. Out of line, so
   the common read (data there, one recv) saves fewer registers. */
ARS__IO_NOINLINE ptrdiff_t ars__read_more(ars_sock *s, void *buf, size_t cap, int64_t deadline, ssize_t n) {
    int r;
    for (;;) {
        if (n > 0) {
#if defined(ARS__IO_EPOLL)
            if ((size_t)n < cap) s->rd_ready = 0;
#endif
            return (ptrdiff_t)n;
        }
        if (n == 0) return s->err ? ars__io_err(s->err) : ARS_EEOF;
        if (errno != EINTR) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) return ars__io_err(errno);
#if defined(ARS__IO_EPOLL)
            s->rd_ready = 0;      /* drained: the next data raises an edge */
#endif
            r = ars__io_park(s, ARS__PRD, deadline, 1);
            if (r) return r;
        }
        n = recv(s->fd, buf, cap, 0);
    }
}

ARSENAL_IO_API ptrdiff_t ars_tcp_read(ars_sock *s, void *buf, size_t cap, int64_t deadline) {
    ssize_t n;
    if (!s || (!buf && cap) || cap > (size_t)PTRDIFF_MAX) return ARS_EINVAL;
    if (cap == 0) return 0;
    /* another reader waits: refused before recv(), which would take the
       data it was woken for (and leave it to its deadline), as IOCP does */
    if (s->waiting[ARS__RD]) return ARS_EBUSY;
#if defined(ARS__IO_EPOLL)
    /* edge-triggered: a short read drained the socket, and data arriving
       after it raises a new edge; so wait for that edge before reading
       (saves the recv that would return EAGAIN, as libuv does) */
    if (!s->rd_ready && !s->hup && deadline != 0) {
        int r = ars__io_park(s, ARS__PRD, deadline, 1);
        /* a deadline that passed (perhaps before the call) still gets the
           one look deadline 0 gets: data may have come since the loop's
           last poll */
        if (r == ARS_ETIMEDOUT) deadline = 0;
        else if (r) return r;
    }
#endif
    n = recv(s->fd, buf, cap, 0);
    if (n > 0) {
#if defined(ARS__IO_EPOLL)
        if ((size_t)n < cap) s->rd_ready = 0;
#endif
        return (ptrdiff_t)n;
    }
    return ars__read_more(s, buf, cap, deadline, n);
}

static ptrdiff_t ars__sendv(ars_sock *s, struct iovec *iov, int cnt, size_t *done, int64_t deadline) {
    size_t total = 0;
    int r;
    if (s->waiting[ARS__WR]) return ARS_EBUSY;
    while (cnt > 0) {
        struct msghdr mh;
        ssize_t n;
        if (iov->iov_len == 0) { iov++; cnt--; continue; }
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = iov;
        mh.msg_iovlen = cnt > 64 ? 64 : cnt;
        n = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                r = ars__io_park(s, ARS__PWR, deadline, 1);
                if (r) { if (done) *done = total; return r; }
                continue;
            }
            r = ars__io_err(errno);
            if (done) *done = total;
            return r;
        }
        total += (size_t)n;
        while (n > 0 && cnt > 0) {     /* advance past what was sent */
            if ((size_t)n >= iov->iov_len) { n -= (ssize_t)iov->iov_len; iov->iov_len = 0; iov++; cnt--; }
            else { iov->iov_base = (char *)iov->iov_base + n; iov->iov_len -= (size_t)n; n = 0; }
        }
    }
    if (done) *done = total;
    return (ptrdiff_t)total;
}

/* The rest of ars_tcp_write once its first send() returned k (errno set
   if k < 0) of n bytes: out of line, as ars__read_more */
ARS__IO_NOINLINE ptrdiff_t ars__write_more(ars_sock *s, const char *buf, size_t n, size_t *done,
                                 int64_t deadline, ssize_t k) {
    size_t total = 0;
    ptrdiff_t r = 0;
    for (;;) {
        if (k >= 0) {
            total += (size_t)k;
            if (total >= n) { r = (ptrdiff_t)total; break; }
        } else if (errno != EINTR) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) { r = ars__io_err(errno); break; }
            if ((r = ars__io_park(s, ARS__PWR, deadline, 1)) != 0) break;
        }
        k = send(s->fd, buf + total, n - total, MSG_NOSIGNAL);
    }
    if (done) *done = total;
    return r;
}

ARSENAL_IO_API ptrdiff_t ars_tcp_write(ars_sock *s, const void *buf, size_t n, size_t *done,
                                       int64_t deadline) {
    ssize_t k;
    if (done) *done = 0;
    if (!s || (!buf && n) || n > (size_t)PTRDIFF_MAX) return ARS_EINVAL;
    /* another writer waits with the rest of its bytes: ours would land
       inside its stream, so refuse before sending anything */
    if (s->waiting[ARS__WR]) return ARS_EBUSY;
    if (n == 0) return 0;
    k = send(s->fd, buf, n, MSG_NOSIGNAL);
    if ((size_t)k == n) {     /* all of it at once: the common case */
        if (done) *done = n;
        return (ptrdiff_t)n;
    }
    return ars__write_more(s, (const char *)buf, n, done, deadline, k);
}

ARSENAL_IO_API ptrdiff_t ars_tcp_writev(ars_sock *s, const ars_iovec *iov, int iovcnt,
                                        size_t *done, int64_t deadline) {
    struct iovec local[16], *v = local;
    ptrdiff_t r;
    int i;
    if (done) *done = 0;
    if (!s || iovcnt < 0 || (!iov && iovcnt) || !ars__iov_fits(iov, iovcnt)) return ARS_EINVAL;
    if (iovcnt > 16) {
        v = (struct iovec *)ARS__IO_ALLOC((size_t)iovcnt * sizeof *v);
        if (!v) return ARS_ENOMEM;
    }
    for (i = 0; i < iovcnt; i++) { v[i].iov_base = (void *)(uintptr_t)iov[i].base; v[i].iov_len = iov[i].len; }
    r = ars__sendv(s, v, iovcnt, done, deadline);
    if (v != local) ARS__IO_FREE(v);
    return r;
}

ARSENAL_IO_API int ars_tcp_shutdown(ars_sock *s, int how) {
    int h;
    if (!s || how < 1 || how > 3) return ARS_EINVAL;
    h = how == ARS_SHUT_RD ? SHUT_RD : how == ARS_SHUT_WR ? SHUT_WR : SHUT_RDWR;
    return shutdown(s->fd, h) == 0 ? 0 : ars__io_err(errno);
}

ARSENAL_IO_API int ars_udp_bind(ars_sock **out, const char *host, int port) {
    ars_addr a;
    int fd, r, fam;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    r = ars__resolve(&a, 1, host, port, -1);
    if (r < 0) return r;
    fam = ((struct sockaddr *)(void *)a.u.bytes)->sa_family;
    fd = ars__socket(fam, SOCK_DGRAM);
    if (fd < 0) return ars__io_err(errno);
    if (bind(fd, (struct sockaddr *)(void *)a.u.bytes, (socklen_t)a.len) != 0) {
        r = ars__io_err(errno); close(fd); return r;
    }
    return ars__sock_wrap(out, fd, ARS__K_UDP, fam);
}

ARSENAL_IO_API ptrdiff_t ars_udp_send_to(ars_sock *s, const void *buf, size_t n,
                                         const ars_addr *to, int64_t deadline) {
    int r;
    if (!s || (!buf && n) || !ars__addr_ok(to)) return ARS_EINVAL;
    if (s->waiting[ARS__WR]) return ARS_EBUSY;
    for (;;) {
        ssize_t k = sendto(s->fd, buf, n, MSG_NOSIGNAL, (const struct sockaddr *)(const void *)to->u.bytes, (socklen_t)to->len);
        if (k >= 0) return (ptrdiff_t)k;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return ars__io_err(errno);
        r = ars__io_park(s, ARS__PWR, deadline, 1);
        if (r) return r;
    }
}

ARSENAL_IO_API ptrdiff_t ars_udp_recv_from(ars_sock *s, void *buf, size_t cap,
                                           ars_addr *from, int64_t deadline) {
    int r;
    if (!s || (!buf && cap)) return ARS_EINVAL;
    if (s->waiting[ARS__RD]) return ARS_EBUSY;   /* as ars_tcp_read */
    for (;;) {
        struct sockaddr_storage ss;
        struct iovec io;
        struct msghdr mh;
        ssize_t k;
        io.iov_base = buf;
        io.iov_len = cap;
        memset(&mh, 0, sizeof mh);
        mh.msg_name = &ss;
        mh.msg_namelen = sizeof ss;
        mh.msg_iov = &io;
        mh.msg_iovlen = 1;
        k = recvmsg(s->fd, &mh, 0);   /* recvmsg: MSG_TRUNC tells a cut datagram */
        if (k >= 0) {
            if (from) {
                memset(from, 0, sizeof *from);
                if (mh.msg_namelen <= sizeof from->u.bytes) {
                    memcpy(from->u.bytes, &ss, mh.msg_namelen);
                    from->len = (uint32_t)mh.msg_namelen;
                }
            }
            return (mh.msg_flags & MSG_TRUNC) ? (ptrdiff_t)ARS_EOVERFLOW : (ptrdiff_t)k;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return ars__io_err(errno);
        r = ars__io_park(s, ARS__PRD, deadline, 1);
        if (r) return r;
    }
}

ARSENAL_IO_API int ars_io_close(ars_sock *s) {
    int i;
    if (!s) return ARS_EINVAL;
    ars__be_del(s->loop, s);
    if (!s->detached) close(s->fd);
    s->fd = -1;
    if (s->parked == 0) { ars__sock_free(s); return 0; }
    s->closed = 1;            /* the last waiter frees it */
    for (i = 0; i < 2; i++)
        if (s->waiting[i]) ars_wake(s->w[i], ARS_ECLOSED);
    return 0;
}

static int ars__io_wait_slow(ars_sock *s, int events, int64_t deadline);
ARSENAL_IO_API int ars_io_wait(ars_sock *s, int events, int64_t deadline) {
    if (!s || events < 1 || events > 3) return ARS_EINVAL;
    if (ARS__IO_WAIT_BUSY(s, events)) return ARS_EBUSY;
#if defined(ARS__IO_EPOLL)
    /* the common case of a server between requests, kept short: a socket
       that our last read found drained is not readable until its next
       edge, so wait for that without asking poll(2) */
    if (events == ARS_IO_READ && s->kind != ARS__K_RAW && !s->rd_ready && !s->hup && deadline != 0) {
        int r = ars__io_park(s, ARS__PRD, deadline, 1);
        if (r == ARS_ETIMEDOUT) return ars__io_wait_slow(s, events, 0);   /* one look, as ars_tcp_read */
        if (r) return r;
        if (s->rd_ready || s->hup) return ARS_IO_READ;
    }
#endif
    return ars__io_wait_slow(s, events, deadline);
}
static int ars__io_wait_slow(ars_sock *s, int events, int64_t deadline) {
    struct pollfd pf;
    int r;
    for (;;) {
#if defined(ARS__IO_EPOLL)
        if (events == ARS_IO_READ && s->kind != ARS__K_RAW && !s->rd_ready && !s->hup && deadline != 0) goto park;
#endif
        pf.fd = s->fd;
        pf.events = (short)(((events & ARS_IO_READ) ? POLLIN : 0) | ((events & ARS_IO_WRITE) ? POLLOUT : 0));
        pf.revents = 0;
        if (poll(&pf, 1, 0) > 0) {   /* edge-triggered backends need the level first */
            if (pf.revents & POLLNVAL) return ARS_EINVAL;
            if ((events & ARS_IO_READ) && (pf.revents & (POLLIN | POLLHUP | POLLERR))) return ARS_IO_READ;
            if ((events & ARS_IO_WRITE) && (pf.revents & (POLLOUT | POLLHUP | POLLERR))) return ARS_IO_WRITE;
        }
#if defined(ARS__IO_EPOLL)
        if (events & ARS_IO_READ) s->rd_ready = 0;   /* empty now; data after the poll raises an edge */
    park:
#endif
        r = ars__io_park(s, ((events & ARS_IO_READ) ? ARS__PRD : 0) | ((events & ARS_IO_WRITE) ? ARS__PWR : 0),
                         deadline, 1);
        if (r) return r;
#if defined(ARS__IO_EPOLL)
        /* the edge that woke us says readable (sockets: a read that finds
           it gone, e.g. taken by an earlier read, simply waits again) */
        if ((events & ARS_IO_READ) && s->kind != ARS__K_RAW && (s->rd_ready || s->hup)) return ARS_IO_READ;
#endif
    }
}

ARSENAL_IO_API int ars_io_attach(ars_sock **out, intptr_t fd) {
    int r, fl;
    if (!out || fd < 0) return ARS_EINVAL;
    *out = NULL;
    fl = fcntl((int)fd, F_GETFL, 0);
    /* only O_NONBLOCK: FD_CLOEXEC is the caller's to choose (the fds this
       header makes itself are close-on-exec) */
    if (fl < 0 || fcntl((int)fd, F_SETFL, fl | O_NONBLOCK) < 0) return ARS_EINVAL;
    r = ars__sock_new(out, (int)fd, ARS__K_RAW, 0);
    if (!r) {
        r = ars__be_add((*out)->loop, *out);
        if (r) { ARS__IO_FREE(*out); *out = NULL; }
    }
    /* a failed attach leaves the fd as it found it (epoll refuses regular
       files, for one) */
    if (r) (void)fcntl((int)fd, F_SETFL, fl);
    return r;
}

ARSENAL_IO_API intptr_t ars_io_detach(ars_sock *s) {
    intptr_t fd;
    if (!s) return ARS_EINVAL;
    fd = s->fd;
    s->detached = 1;
    ars_io_close(s);
    return fd;
}

static int ars__sockopt(ars_sock *s, int level, int name, int v) {
    if (!s) return ARS_EINVAL;
    return setsockopt(s->fd, level, name, &v, sizeof v) == 0 ? 0 : ars__io_err(errno);
}

static int ars__sockname(ars_sock *s, ars_addr *out, int peer) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int r;
    if (!s || !out) return ARS_EINVAL;
    memset(out, 0, sizeof *out);
    r = peer ? getpeername(s->fd, (struct sockaddr *)&ss, &sl) : getsockname(s->fd, (struct sockaddr *)&ss, &sl);
    if (r != 0) return ars__io_err(errno);
    memset(out, 0, sizeof *out);
    if (sl > sizeof out->u.bytes) return ARS_EOVERFLOW;
    memcpy(out->u.bytes, &ss, sl);
    out->len = (uint32_t)sl;
    return 0;
}
#endif /* readiness backends */

/* >>iocp ---------------------------------------------------------------- */
#if defined(ARS__IO_IOCP)
#if defined(ARS__IO_IOCP)
/* Binds s to its loop's port. A handle binds to one port, once: one that
   ars_io_detach left on this port (the loop keeps their numbers) is
   taken back as it is; one bound to another port (another thread's loop)
   is ARS_EBUSY. */
static int ars__iocp_assoc(ars_sock *s) {
    ars__loop *L = s->loop;
    int bound = 0;
    size_t i;
    if (!CreateIoCompletionPort((HANDLE)s->fd, L->iocp, 0, 0)) {
        if (GetLastError() != ERROR_INVALID_PARAMETER) return ARS_EINVAL;
        bound = 1;
    }
    for (i = 0; i < L->ndetached; i++) {
        if (L->detached[i] != s->fd) continue;
        /* bound: still ours since its detach; else a new socket that got
           the number of a detached one closed since: forget it either way */
        L->detached[i] = L->detached[--L->ndetached];
        return 0;
    }
    return bound ? ARS_EBUSY : 0;
}
/* remembers fd, which ars_io_detach leaves bound to L's port; the numbers
   of sockets closed since are dropped when the list is full */
static void ars__iocp_detached(ars__loop *L, SOCKET fd) {
    size_t i;
    if (L->ndetached == L->capdetached) {
        for (i = 0; i < L->ndetached;) {
            int type, tl = (int)sizeof type;
            if (getsockopt(L->detached[i], SOL_SOCKET, SO_TYPE, (char *)&type, &tl) != 0 &&
                WSAGetLastError() == WSAENOTSOCK)
                L->detached[i] = L->detached[--L->ndetached];
            else
                i++;
        }
    }
    if (L->ndetached == L->capdetached) {
        size_t cap = L->capdetached ? 2 * L->capdetached : 8;
        SOCKET *d = (SOCKET *)ARS__IO_ALLOC(cap * sizeof *d);
        if (!d) return;       /* not remembered: attaching it again is ARS_EBUSY */
        if (L->detached) {
            memcpy(d, L->detached, L->ndetached * sizeof *d);
            ARS__IO_FREE(L->detached);
        }
        L->detached = d;
        L->capdetached = cap;
    }
    L->detached[L->ndetached++] = fd;
}
/* wraps a fresh SOCKET into a socket on the loop's port; closes it on failure */
static int ars__wsa_wrap(ars_sock **out, SOCKET fd, int kind, int fam) {
    int r = ars__sock_new(out, fd, kind, fam);
    if (r) { closesocket(fd); return r; }
    r = ars__iocp_assoc(*out);
    if (r) { closesocket(fd); ARS__IO_FREE(*out); *out = NULL; }
    return r;
}
static int ars__wsa_new(ars_sock **out, int fam, int type, int kind) {
    SOCKET fd;
    /* the loop first: creating it calls WSAStartup, without which the first
       socket of a program failed (WSANOTINITIALISED) */
    if (!ars__loop_get()) return ARS_ENOMEM;
    fd = WSASocketW(fam, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP, NULL, 0,
                    WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (fd == INVALID_SOCKET) return ars__io_err(WSAGetLastError());
    return ars__wsa_wrap(out, fd, kind, fam);
}

static void ars__op_init(ars__op *op, ars_sock *s, int dir) {
    memset(op, 0, sizeof *op);
    op->s = s;
    op->dir = dir;
}

/* waits for op issued on s (pending, or completed: the port reports both);
   returns 0 when it completed, else the reason it was cut short */
static int ars__op_wait(ars_sock *s, ars__op *op, int64_t deadline) {
    ars_poller p;
    int r = 0, d = op->dir, canceled = 0;
    if (!ars_coro_running()) {
        /* outside a coroutine: drive the port ourselves; with live
           coroutines here (they could not run meanwhile) take the
           operation back instead, as POSIX refuses to wait */
        if (ars_sched_count() > 0) { r = ARS_ESTATE; CancelIoEx((HANDLE)s->fd, &op->ov); }
        while (!op->done) {
            if (deadline >= 0 && ars_now() >= deadline && !r) { r = ARS_ETIMEDOUT; CancelIoEx((HANDLE)s->fd, &op->ov); }
            ars__be_poll(s->loop, r ? -1 : ars__io_timeout(deadline));
        }
    } else {
        p.poll = ars__io_poll_cb; p.wake = ars__io_wake_cb; p.ctx = s->loop;
        ars_sched_set_poller(&p);
        s->parked++;
        if (d == ARS__RD) s->rdop = op;      /* ars_tcp_shutdown may end it */
        while (!op->done) {
            int k;
            s->w[d] = ars_park_prepare();
            s->waiting[d] = 1;
            k = ars_park(r ? -1 : deadline);
            s->waiting[d] = 0;
            /* a cancel that ended this park but that the result below
               does not report stays pending (ars__cancel_keep) */
            if (k == ARS_ECANCELED) canceled = 1;
            if (k != 0 && !op->done && !r) {
                r = k;
                if (!s->closed) CancelIoEx((HANDLE)s->fd, &op->ov);
            }
        }
        if (d == ARS__RD) s->rdop = NULL;
        s->parked--;
        if (s->closed) {
            if (s->parked == 0) ars__sock_free(s);
            return ars__cancel_keep(canceled, ARS_ECLOSED);
        }
    }
    if (op->status == 0) r = 0;             /* it finished before the cancel took */
    else if (!r) {
        DWORD bytes, flags;
        r = WSAGetOverlappedResult(s->fd, &op->ov, &bytes, FALSE, &flags) ? ARS_EIO : ars__io_err(WSAGetLastError());
    }
    return ars__cancel_keep(canceled, r);
}

/* issues the result of an overlapped WSA call: 0 pending/completed, else error.
   WSAEMSGSIZE (a datagram longer than the buffer) is a warning status, whose
   completion is queued to the port like a success: wait for it too. */
static int ars__op_issued(int rc) {
    if (rc == 0) return 0;
    rc = WSAGetLastError();
    return rc == WSA_IO_PENDING || rc == WSAEMSGSIZE ? 0 : ars__io_err(rc);
}

ARSENAL_IO_API int ars_tcp_listen(ars_sock **out, const char *host, int port,
                                  const ars_tcp_listen_opts *opts) {
    ars_addr a;
    ars_sock *s;
    int r, fam;
    BOOL on = TRUE;
    u_long nb = 1;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    if (opts && opts->reuseport) return ARS_EINVAL;     /* no SO_REUSEPORT on Windows */
    r = ars__resolve(&a, 1, host, port, -1);
    if (r < 0) return r;
    fam = ((struct sockaddr *)(void *)a.u.bytes)->sa_family;
    r = ars__wsa_new(&s, fam, SOCK_STREAM, ARS__K_LISTEN);
    if (r) return r;
    /* non-blocking for ars__accept_now's plain accept (AcceptEx ignores it) */
    ioctlsocket(s->fd, FIONBIO, &nb);
    setsockopt(s->fd, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&on, sizeof on);
    if (fam == AF_INET6) {
        DWORD v6 = opts && opts->v6only;
        setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&v6, sizeof v6);
    }
    if (bind(s->fd, (struct sockaddr *)(void *)a.u.bytes, (int)a.len) != 0 ||
        listen(s->fd, opts && opts->backlog > 0 ? opts->backlog : ARSENAL_IO_BACKLOG) != 0) {
        r = ars__io_err(WSAGetLastError());
        ars_io_close(s);
        return r;
    }
    *out = s;
    return 0;
}

/* accept with a deadline that allows no wait: AcceptEx always pends under
   wine, even with a connection queued, and completes a moment later, so
   a cancel at once took it back (ARS_ETIMEDOUT) as often as not. A plain
   accept on the non-blocking listener takes a queued connection or finds
   none. As the readiness backends: nothing queued, or no descriptor for
   it, is ARS_ETIMEDOUT; one reset before it was taken is skipped. */
static int ars__accept_now(ars_sock *ls, ars_sock **out, ars_addr *peer) {
    struct sockaddr_storage ss;
    u_long blocking = 0;
    SOCKET fd;
    int sl, r;
    for (;;) {
        sl = (int)sizeof ss;
        fd = accept(ls->fd, (struct sockaddr *)&ss, &sl);
        if (fd != INVALID_SOCKET) break;
        r = WSAGetLastError();
        if (r == WSAECONNRESET) continue;
        if (r == WSAEWOULDBLOCK || r == WSAEMFILE || r == WSAENOBUFS) return ARS_ETIMEDOUT;
        return ars__io_err(r);
    }
    /* as AcceptEx's sockets: blocking mode (their I/O is overlapped), not inherited */
    ioctlsocket(fd, FIONBIO, &blocking);
    SetHandleInformation((HANDLE)fd, HANDLE_FLAG_INHERIT, 0);
    r = ars__wsa_wrap(out, fd, ARS__K_TCP, ls->family);
    if (r) return r;
    if (peer) {
        memset(peer, 0, sizeof *peer);
        if (sl > 0 && (size_t)sl <= sizeof peer->u.bytes) { memcpy(peer->u.bytes, &ss, (size_t)sl); peer->len = (uint32_t)sl; }
    }
    return 0;
}

ARSENAL_IO_API int ars_tcp_accept(ars_sock *ls, ars_sock **out, ars_addr *peer, int64_t deadline) {
    char addrbuf[2 * (sizeof(struct sockaddr_in6) + 16)];
    int64_t backoff = 5;
    ars_sock *c;
    ars__op op;
    int r;
    if (!ls || !out || ls->kind != ARS__K_LISTEN) return ARS_EINVAL;
    *out = NULL;
    /* one acceptor at a time, as on the readiness backends: a second one
       would take over the listener's waker, so the first one's completion
       would wake the wrong coroutine and the first would sleep on */
    if (ls->waiting[ARS__RD]) return ARS_EBUSY;
    if (deadline == 0 || (deadline > 0 && deadline <= ars_now())) return ars__accept_now(ls, out, peer);
    for (;;) {
        r = ars__wsa_new(&c, ls->family, SOCK_STREAM, ARS__K_TCP);
        if (r == ARS_EMFILE || r == ARS_ENOMEM) {   /* out of sockets: back off, retry */
            int64_t until = ars_now() + backoff;
            if (deadline >= 0 && deadline < until) until = deadline;
            /* in a coroutine, parked on the listener, so ars_io_close ends
               the wait (ARS_ECLOSED, ls freed) and a second acceptor gets
               ARS_EBUSY; outside one nothing else can close it */
            if (ars_coro_running()) {
                r = ars__io_park(ls, ARS__PRD, until, 0);
                if (r == ARS_ETIMEDOUT && until != deadline) r = 0;
            } else {
                r = ars_sleep_until(until);
            }
            if (r) return r;
            if (deadline >= 0 && ars_now() >= deadline) return ARS_ETIMEDOUT;
            if (backoff < 200) backoff *= 2;
            continue;
        }
        if (r) return r;
        break;
    }
    if (ls->waiting[ARS__RD]) { ars_io_close(c); return ARS_EBUSY; }   /* came during a back-off */
    ars__op_init(&op, ls, ARS__RD);
    r = ars__op_issued(AcceptEx(ls->fd, c->fd, addrbuf, 0, sizeof(struct sockaddr_in6) + 16,
                                sizeof(struct sockaddr_in6) + 16, &op.bytes, &op.ov) ? 0 : -1);
    if (r == 0) r = ars__op_wait(ls, &op, deadline);
    if (r) { ars_io_close(c); return r; }
    setsockopt(c->fd, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (const char *)&ls->fd, sizeof ls->fd);
    if (peer) {
        struct sockaddr *la = NULL, *ra = NULL;
        int ll = 0, rl = 0;
        GetAcceptExSockaddrs(addrbuf, 0, sizeof(struct sockaddr_in6) + 16, sizeof(struct sockaddr_in6) + 16,
                             &la, &ll, &ra, &rl);
        memset(peer, 0, sizeof *peer);
        if (ra && rl > 0 && (size_t)rl <= sizeof peer->u.bytes) { memcpy(peer->u.bytes, ra, (size_t)rl); peer->len = (uint32_t)rl; }
    }
    *out = c;
    return 0;
}

static int ars__connect_one(ars_sock **out, const ars_addr *a, int64_t deadline) {
    static LPFN_CONNECTEX connectex;
    int fam = ((const struct sockaddr *)(const void *)a->u.bytes)->sa_family, r;
    ars_sock *s;
    ars__op op;
    ars_addr any;
    r = ars__wsa_new(&s, fam, SOCK_STREAM, ARS__K_TCP);
    if (r) return r;
    if (!connectex) {
        GUID g = WSAID_CONNECTEX;
        DWORD n;
        LPFN_CONNECTEX fn = NULL;
        if (WSAIoctl(s->fd, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &fn, sizeof fn, &n, NULL, NULL) != 0 || !fn) {
            ars_io_close(s); return ARS_EIO;
        }
        connectex = fn;
    }
    ars__addr_numeric(&any, fam == AF_INET6 ? "::" : "0.0.0.0", 0);
    if (bind(s->fd, (struct sockaddr *)(void *)any.u.bytes, (int)any.len) != 0) {
        r = ars__io_err(WSAGetLastError()); ars_io_close(s); return r;
    }
    ars__op_init(&op, s, ARS__WR);
    r = ars__op_issued(connectex(s->fd, (const struct sockaddr *)(const void *)a->u.bytes, (int)a->len,
                                 NULL, 0, NULL, &op.ov) ? 0 : -1);
    if (r == 0) r = ars__op_wait(s, &op, deadline);
    if (r == ARS_ECLOSED) return r;
    if (r) { ars_io_close(s); return r; }
    setsockopt(s->fd, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0);
    *out = s;
    return 0;
}

ARSENAL_IO_API int ars_tcp_connect_addr(ars_sock **out, const ars_addr *a, int64_t deadline) {
    if (!out || !ars__addr_ok(a)) return ARS_EINVAL;
    *out = NULL;
    return ars__connect_one(out, a, deadline);
}

static ptrdiff_t ars__recv(ars_sock *s, void *buf, size_t cap, ars_addr *from, int64_t deadline) {
    WSABUF b;
    DWORD flags = 0;
    ars__op op;
    struct sockaddr_storage ss;
    INT sl = sizeof ss;
    int r;
    b.buf = (char *)buf;
    b.len = (ULONG)(cap > 0x7fffffffu ? 0x7fffffffu : cap);
    do {
        flags = 0;
        sl = sizeof ss;
        ars__op_init(&op, s, ARS__RD);
        if (s->kind == ARS__K_UDP)
            r = ars__op_issued(WSARecvFrom(s->fd, &b, 1, NULL, &flags, (struct sockaddr *)&ss, &sl, &op.ov, NULL));
        else
            r = ars__op_issued(WSARecv(s->fd, &b, 1, NULL, &flags, &op.ov, NULL));
        if (r == 0) r = ars__op_wait(s, &op, deadline);
        /* UDP: an ICMP error for an earlier send (port unreachable, TTL
           expired), which ars_udp_bind turns off where Windows lets it: no
           datagram (it used to come back as an empty one, from an unset
           address); as on Linux, whose unconnected UDP sockets never
           report them, receive the next one */
    } while (r == ARS_ECONNRESET && s->kind == ARS__K_UDP);
    /* the read side shut down (WSAESHUTDOWN), or the receive that waited
       when it was (aborted): the end of the stream, as POSIX reports it */
    if ((r == ARS_EPIPE || (r == ARS_EIO && s->shut_rd)) && s->kind != ARS__K_UDP) r = ARS_EEOF;
    if (r && !(r == ARS_EOVERFLOW && s->kind == ARS__K_UDP)) return r;
    if (from) {
        memset(from, 0, sizeof *from);
        if (sl > 0 && (size_t)sl <= sizeof from->u.bytes) { memcpy(from->u.bytes, &ss, (size_t)sl); from->len = (uint32_t)sl; }
    }
    if (r) return r;          /* ARS_EOVERFLOW: the datagram's first cap bytes are in buf */
    if (op.bytes == 0 && cap > 0 && s->kind != ARS__K_UDP) return ARS_EEOF;
    return (ptrdiff_t)op.bytes;
}

ARSENAL_IO_API ptrdiff_t ars_tcp_read(ars_sock *s, void *buf, size_t cap, int64_t deadline) {
    if (!s || (!buf && cap) || cap > (size_t)PTRDIFF_MAX) return ARS_EINVAL;
    if (cap == 0) return 0;
    if (s->waiting[ARS__RD]) return ARS_EBUSY;
    return ars__recv(s, buf, cap, NULL, deadline);
}

static ptrdiff_t ars__sendv(ars_sock *s, WSABUF *v, int cnt, const ars_addr *to, size_t *done, int64_t deadline) {
    size_t total = 0;
    int r;
    if (s->waiting[ARS__WR]) return ARS_EBUSY;
    while (cnt > 0) {
        ars__op op;
        DWORD n;
        int k;
        size_t sum;
        /* a stream skips empty buffers; a datagram goes out even when empty */
        if (v->len == 0 && !to) { v++; cnt--; continue; }
        /* the completion counts the bytes in a DWORD: one call takes at
           most 2 GiB (each entry is at most that), never a sum it would wrap */
        for (k = 1, sum = v[0].len; k < cnt && k < 64 && sum + v[k].len <= 0x7fffffffu; k++) sum += v[k].len;
        ars__op_init(&op, s, ARS__WR);
        if (to)
            r = ars__op_issued(WSASendTo(s->fd, v, (DWORD)cnt, NULL, 0, (const struct sockaddr *)(const void *)to->u.bytes,
                                         (int)to->len, &op.ov, NULL));
        else
            r = ars__op_issued(WSASend(s->fd, v, (DWORD)k, NULL, 0, &op.ov, NULL));
        if (r == 0) r = ars__op_wait(s, &op, deadline);
        /* a send cut short (deadline, cancel, close) may have sent part of
           its buffers before the cancel took: those bytes are in the
           stream, so *done counts them (op.bytes stays 0 when the call
           failed at once) */
        if (r) { total += op.bytes; if (done) *done = total; return r; }
        n = op.bytes;
        total += n;
        if (to) break;
        while (n > 0 && cnt > 0) {
            if (n >= v->len) { n -= v->len; v->len = 0; v++; cnt--; }
            else { v->buf += n; v->len -= n; n = 0; }
        }
        while (cnt > 0 && v->len == 0) { v++; cnt--; }
    }
    if (done) *done = total;
    return (ptrdiff_t)total;
}

ARSENAL_IO_API ptrdiff_t ars_tcp_write(ars_sock *s, const void *buf, size_t n, size_t *done, int64_t deadline) {
    WSABUF b;
    if (done) *done = 0;
    if (!s || (!buf && n) || n > 0x7fffffffu) return ARS_EINVAL;
    b.buf = (char *)(uintptr_t)buf;
    b.len = (ULONG)n;
    return ars__sendv(s, &b, 1, NULL, done, deadline);
}

ARSENAL_IO_API ptrdiff_t ars_tcp_writev(ars_sock *s, const ars_iovec *iov, int iovcnt, size_t *done, int64_t deadline) {
    WSABUF local[16], *v = local;
    ptrdiff_t r;
    int i;
    if (done) *done = 0;
    if (!s || iovcnt < 0 || (!iov && iovcnt) || !ars__iov_fits(iov, iovcnt)) return ARS_EINVAL;
    if (iovcnt > 16) {
        v = (WSABUF *)ARS__IO_ALLOC((size_t)iovcnt * sizeof *v);
        if (!v) return ARS_ENOMEM;
    }
    for (i = 0; i < iovcnt; i++) {
        if (iov[i].len > 0x7fffffffu) { r = ARS_EINVAL; goto out; }   /* WSABUF.len is a ULONG: never cut */
        v[i].buf = (char *)(uintptr_t)iov[i].base;
        v[i].len = (ULONG)iov[i].len;
    }
    r = ars__sendv(s, v, iovcnt, NULL, done, deadline);
out:
    if (v != local) ARS__IO_FREE(v);
    return r;
}

ARSENAL_IO_API int ars_tcp_shutdown(ars_sock *s, int how) {
    if (!s || how < 1 || how > 3) return ARS_EINVAL;
    if (shutdown(s->fd, how == ARS_SHUT_RD ? SD_RECEIVE : how == ARS_SHUT_WR ? SD_SEND : SD_BOTH) != 0)
        return ars__io_err(WSAGetLastError());
    if (how & ARS_SHUT_RD) {
        /* Windows leaves a pending receive waiting; POSIX wakes its reader
           with the end of the stream: abort it (ars__recv says ARS_EEOF) */
        s->shut_rd = 1;
        if (s->rdop && !s->rdop->done) CancelIoEx((HANDLE)s->fd, &s->rdop->ov);
    }
    return 0;
}

ARSENAL_IO_API int ars_udp_bind(ars_sock **out, const char *host, int port) {
    ars_addr a;
    ars_sock *s;
    int r, fam;
    BOOL off = FALSE;
    DWORD n;
    if (!out) return ARS_EINVAL;
    *out = NULL;
    r = ars__resolve(&a, 1, host, port, -1);
    if (r < 0) return r;
    fam = ((struct sockaddr *)(void *)a.u.bytes)->sa_family;
    r = ars__wsa_new(&s, fam, SOCK_DGRAM, ARS__K_UDP);
    if (r) return r;
    /* Windows reports an ICMP port unreachable / TTL expired for an
       earlier send as WSAECONNRESET / WSAENETRESET on the next receive;
       Linux ignores them on unconnected UDP sockets: turn them off
       (wine: the first is accepted, the second refused; ars__recv skips
       any that still come) */
    WSAIoctl(s->fd, ARS__SIO_UDP_CONNRESET, &off, sizeof off, NULL, 0, &n, NULL, NULL);
    WSAIoctl(s->fd, ARS__SIO_UDP_NETRESET, &off, sizeof off, NULL, 0, &n, NULL, NULL);
    if (bind(s->fd, (struct sockaddr *)(void *)a.u.bytes, (int)a.len) != 0) {
        r = ars__io_err(WSAGetLastError()); ars_io_close(s); return r;
    }
    *out = s;
    return 0;
}

ARSENAL_IO_API ptrdiff_t ars_udp_send_to(ars_sock *s, const void *buf, size_t n, const ars_addr *to, int64_t deadline) {
    WSABUF b;
    if (!s || (!buf && n) || !ars__addr_ok(to)) return ARS_EINVAL;
    if (n > 0xffffu) return ARS_EOVERFLOW;
    b.buf = (char *)(uintptr_t)buf;
    b.len = (ULONG)n;
    return ars__sendv(s, &b, 1, to, NULL, deadline);
}

ARSENAL_IO_API ptrdiff_t ars_udp_recv_from(ars_sock *s, void *buf, size_t cap, ars_addr *from, int64_t deadline) {
    if (!s || (!buf && cap)) return ARS_EINVAL;
    if (s->waiting[ARS__RD]) return ARS_EBUSY;
    return ars__recv(s, buf, cap, from, deadline);
}

ARSENAL_IO_API int ars_io_close(ars_sock *s) {
    int i;
    if (!s) return ARS_EINVAL;
    /* pending operations complete, aborted. Cancel them before the close:
       wine (8.0) let a waiting WSASend outlive closesocket and go on
       sending by the handle's number, which the next socket takes, so its
       bytes went into another connection (and its coroutine waited on for
       seconds); CancelIoEx ends it while the handle is still this one's */
    if (s->parked) CancelIoEx((HANDLE)s->fd, NULL);   /* also on detach: the socket stays open */
    if (!s->detached) closesocket(s->fd);
    s->fd = INVALID_SOCKET;
    if (s->parked == 0) { ars__sock_free(s); return 0; }
    s->closed = 1;
    for (i = 0; i < 2; i++) if (s->waiting[i]) ars_wake(s->w[i], ARS_ECLOSED);
    return 0;
}

/* readable: a zero-byte peek receive completes when data (or EOF) is there;
   writable: sockets take data at once (sends complete asynchronously) */
ARSENAL_IO_API int ars_io_wait(ars_sock *s, int events, int64_t deadline) {
    WSABUF b;
    DWORD flags = MSG_PEEK;
    ars__op op;
    char dummy;
    int r;
    if (!s || events < 1 || events > 3) return ARS_EINVAL;
    if (ARS__IO_WAIT_BUSY(s, events)) return ARS_EBUSY;
    if (events & ARS_IO_WRITE) return ARS_IO_WRITE;
    b.buf = &dummy;
    b.len = 0;
    ars__op_init(&op, s, ARS__RD);
    r = ars__op_issued(WSARecv(s->fd, &b, 1, NULL, &flags, &op.ov, NULL));
    if (r == 0) r = ars__op_wait(s, &op, deadline);
    /* a read side shut down reads the end of the stream at once: readable */
    if ((r == ARS_EPIPE || r == ARS_EIO) && s->shut_rd) r = 0;
    /* a datagram does not fit the zero-byte peek (WSAEMSGSIZE): one is there */
    if (r == ARS_EOVERFLOW) r = 0;
    return r ? r : ARS_IO_READ;
}

ARSENAL_IO_API int ars_io_attach(ars_sock **out, intptr_t fd) {
    int r;
    if (!out || (SOCKET)fd == INVALID_SOCKET) return ARS_EINVAL;
    *out = NULL;
    r = ars__sock_new(out, (SOCKET)fd, ARS__K_RAW, 0);
    if (r) return r;
    r = ars__iocp_assoc(*out);
    if (r) { ARS__IO_FREE(*out); *out = NULL; }
    return r;
}

/* the socket stays associated with this loop's port (Windows 7, and wine,
   cannot undo that): the loop remembers it for an ars_io_attach later */
ARSENAL_IO_API intptr_t ars_io_detach(ars_sock *s) {
    intptr_t fd;
    if (!s) return ARS_EINVAL;
    fd = (intptr_t)s->fd;
    ars__iocp_detached(s->loop, s->fd);
    s->detached = 1;
    ars_io_close(s);
    return fd;
}

static int ars__sockopt(ars_sock *s, int level, int name, int v) {
    if (!s) return ARS_EINVAL;
    return setsockopt(s->fd, level, name, (const char *)&v, sizeof v) == 0 ? 0 : ars__io_err(WSAGetLastError());
}

static int ars__sockname(ars_sock *s, ars_addr *out, int peer) {
    struct sockaddr_storage ss;
    int sl = sizeof ss, r;
    if (!s || !out) return ARS_EINVAL;
    memset(out, 0, sizeof *out);
    r = peer ? getpeername(s->fd, (struct sockaddr *)&ss, &sl) : getsockname(s->fd, (struct sockaddr *)&ss, &sl);
    if (r != 0) return ars__io_err(WSAGetLastError());
    if ((size_t)sl > sizeof out->u.bytes) return ARS_EOVERFLOW;
    memcpy(out->u.bytes, &ss, (size_t)sl);
    out->len = (uint32_t)sl;
    return 0;
}

/* console control events as signals: SIGINT = Ctrl+C, SIGBREAK = Ctrl+Break,
   SIGTERM = close / logoff / shutdown */
static SRWLOCK ars__sig_mu = SRWLOCK_INIT;
static ars_waker ars__sig_w;
static int ars__sig_waiting, ars__sig_got, ars__sig_want[3];
static BOOL WINAPI ars__sig_handler(DWORD ev) {
    int sig = ev == CTRL_C_EVENT ? SIGINT : ev == CTRL_BREAK_EVENT ? SIGBREAK : SIGTERM;
    int i, taken = 0;
    AcquireSRWLockExclusive(&ars__sig_mu);
    if (ars__sig_waiting)
        for (i = 0; i < 3; i++)
            if (ars__sig_want[i] == sig) { ars__sig_got = sig; ars_wake(ars__sig_w, 0); taken = 1; break; }
    ReleaseSRWLockExclusive(&ars__sig_mu);
    return taken ? TRUE : FALSE;
}
ARSENAL_IO_API int ars_io_signal_wait(const int *signals, int count, int64_t deadline) {
    static LONG installed;
    ars__loop *L = ars__loop_get();
    ars_poller p;
    int i, r;
    if (!signals || count <= 0 || count > 3 || !L) return ARS_EINVAL;
    if (!ars_coro_running()) return ARS_ESTATE;
    if (InterlockedCompareExchange(&installed, 1, 0) == 0) SetConsoleCtrlHandler(ars__sig_handler, TRUE);
    p.poll = ars__io_poll_cb; p.wake = ars__io_wake_cb; p.ctx = L;
    ars_sched_set_poller(&p);
    AcquireSRWLockExclusive(&ars__sig_mu);
    if (ars__sig_waiting) { ReleaseSRWLockExclusive(&ars__sig_mu); return ARS_EBUSY; }
    for (i = 0; i < 3; i++) ars__sig_want[i] = i < count ? signals[i] : 0;
    ars__sig_got = 0;
    ars__sig_w = ars_park_prepare();
    ars__sig_waiting = 1;
    ReleaseSRWLockExclusive(&ars__sig_mu);
    r = ars_park(deadline);
    AcquireSRWLockExclusive(&ars__sig_mu);
    ars__sig_waiting = 0;
    if (r == 0) r = ars__sig_got;
    ReleaseSRWLockExclusive(&ars__sig_mu);
    return r;
}
#endif /* IOCP */
#endif

/* >>common calls -------------------------------------------------------- */
ARSENAL_IO_API int ars_tcp_connect(ars_sock **out, const char *host, int port, int64_t deadline) {
    ars_addr addrs[ARS__MAX_ADDRS];
    int n, i, r = ARS_ENOTFOUND;
    if (!out || !host) return ARS_EINVAL;
    *out = NULL;
    n = ars__resolve(addrs, ARS__MAX_ADDRS, host, port, deadline);
    if (n < 0) return n;
    for (i = 0; i < n; i++) {
        r = ars__connect_one(out, &addrs[i], deadline);
        if (r == 0 || r == ARS_ETIMEDOUT || r == ARS_ECANCELED) return r;
    }
    return r;
}

ARSENAL_IO_API ptrdiff_t ars_tcp_read_full(ars_sock *s, void *buf, size_t n, size_t *got,
                                           int64_t deadline) {
    size_t total = 0;
    ptrdiff_t k = 0;
    if (got) *got = 0;
    if (!s || (!buf && n) || n > (size_t)PTRDIFF_MAX) return ARS_EINVAL;
    while (total < n) {
        k = ars_tcp_read(s, (char *)buf + total, n - total, deadline);
        if (k < 0) break;
        total += (size_t)k;
    }
    if (got) *got = total;
    return total == n ? (ptrdiff_t)n : k;
}

ARSENAL_IO_API int ars_tcp_set_nodelay(ars_sock *s, int on) {
    return ars__sockopt(s, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

ARSENAL_IO_API int ars_tcp_set_keepalive(ars_sock *s, int on, int idle_s) {
    int r = ars__sockopt(s, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
    if (r || !on || idle_s <= 0) return r;
#if defined(TCP_KEEPIDLE)
    return ars__sockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, idle_s);
#elif defined(TCP_KEEPALIVE)
    return ars__sockopt(s, IPPROTO_TCP, TCP_KEEPALIVE, idle_s);
#else
    return 0;
#endif
}

ARSENAL_IO_API int ars_io_set_bufsize(ars_sock *s, int rcvbuf, int sndbuf) {
    int r = 0;
    if (!s) return ARS_EINVAL;
    if (rcvbuf > 0) r = ars__sockopt(s, SOL_SOCKET, SO_RCVBUF, rcvbuf);
    if (!r && sndbuf > 0) r = ars__sockopt(s, SOL_SOCKET, SO_SNDBUF, sndbuf);
    return r;
}

ARSENAL_IO_API int ars_io_local_addr(ars_sock *s, ars_addr *out) { return ars__sockname(s, out, 0); }
ARSENAL_IO_API int ars_io_peer_addr(ars_sock *s, ars_addr *out) { return ars__sockname(s, out, 1); }
ARSENAL_IO_API intptr_t ars_io_fd(const ars_sock *s) { return s ? (intptr_t)s->fd : (intptr_t)ARS_EINVAL; }

/* >>signal -------------------------------------------------------------- */
#if defined(ARS__IO_EPOLL)
ARSENAL_IO_API int ars_io_signal_wait(const int *signals, int count, int64_t deadline) {
    sigset_t set;
    struct signalfd_siginfo si;
    ars_sock *s;
    int fd, i, r;
    if (!signals || count <= 0) return ARS_EINVAL;
    if (!ars_coro_running()) return ARS_ESTATE;
    sigemptyset(&set);
    /* signalfd drops SIGKILL and SIGSTOP from its set without a word: such
       a wait would run to its deadline, where poll's sigaction refuses */
    for (i = 0; i < count; i++)
        if (signals[i] == SIGKILL || signals[i] == SIGSTOP || sigaddset(&set, signals[i]) != 0) return ARS_EINVAL;
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) return ars__io_err(errno);
    r = ars__sock_wrap(&s, fd, ARS__K_RAW, 0);
    if (r) return r;
    for (;;) {
        ssize_t n = read(fd, &si, sizeof si);
        if (n == (ssize_t)sizeof si) { r = (int)si.ssi_signo; break; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) { r = ars__io_err(errno); break; }
        r = ars__io_park(s, ARS__PRD, deadline, 1);
        if (r) break;
    }
    if (r != ARS_ECLOSED) ars_io_close(s);
    return r;
}
#elif !defined(ARS__IO_IOCP)
/* Self-pipes. The handler marks the signal pending, then writes a byte to
   the pipe of every wait in progress (each has its own: a slot, kept for
   later waits); a woken wait claims a pending signal of its own set with
   an atomic exchange, so each signal goes to one wait, waits on other sets
   never take it, and one that no wait asks for stays pending for a later
   wait (as a blocked signal does for signalfd). A wait marks its slot busy
   before it looks at the flags and the handler marks the flag before it
   looks at the slots (both sequentially consistent): either the wait sees
   the flag or the handler sees the wait. */
#define ARS__SIG_MAX 128      /* highest signal number a wait takes */
#define ARS__SIG_SLOTS 64     /* waits in progress at once, process-wide */
typedef struct ars__sig_slot { int rfd, wfd, busy; } ars__sig_slot;
static int ars__sig_pending[ARS__SIG_MAX + 1];
static ars__sig_slot ars__sig_slots[ARS__SIG_SLOTS];
static int ars__sig_nslots;   /* slots with pipes; rfd/wfd set before it grows */
static pthread_mutex_t ars__sig_mu = PTHREAD_MUTEX_INITIALIZER;
static void ars__sig_handler(int sig) {
    int e = errno, i, n;
    unsigned char c = 0;
    __atomic_store_n(&ars__sig_pending[sig], 1, __ATOMIC_SEQ_CST);
    n = __atomic_load_n(&ars__sig_nslots, __ATOMIC_ACQUIRE);
    for (i = 0; i < n; i++)
        if (__atomic_load_n(&ars__sig_slots[i].busy, __ATOMIC_SEQ_CST) &&
            write(ars__sig_slots[i].wfd, &c, 1) < 0) { /* full: already readable */ }
    errno = e;
}
/* a free slot, marked busy; NULL when all ARS__SIG_SLOTS are taken or no
   pipe could be made */
static ars__sig_slot *ars__sig_slot_take(void) {
    ars__sig_slot *sl = NULL;
    int i, p[2];
    pthread_mutex_lock(&ars__sig_mu);
    for (i = 0; i < ars__sig_nslots && !sl; i++)
        if (!__atomic_load_n(&ars__sig_slots[i].busy, __ATOMIC_ACQUIRE)) sl = &ars__sig_slots[i];
    if (!sl && ars__sig_nslots < ARS__SIG_SLOTS && pipe(p) == 0) {
        ars__set_nonblock(p[0]);
        ars__set_nonblock(p[1]);
        sl = &ars__sig_slots[ars__sig_nslots];
        sl->rfd = p[0];
        sl->wfd = p[1];
        __atomic_store_n(&ars__sig_nslots, ars__sig_nslots + 1, __ATOMIC_RELEASE);
    }
    if (sl) __atomic_store_n(&sl->busy, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&ars__sig_mu);
    return sl;
}
ARSENAL_IO_API int ars_io_signal_wait(const int *signals, int count, int64_t deadline) {
    struct sigaction sa;
    sigset_t set;
    ars__sig_slot *sl;
    ars_sock *s;
    int i, r;
    if (!signals || count <= 0) return ARS_EINVAL;
    /* all checked before any handler is installed: a refused wait changes nothing */
    for (i = 0; i < count; i++)
        if (signals[i] <= 0 || signals[i] > ARS__SIG_MAX || signals[i] == SIGKILL || signals[i] == SIGSTOP)
            return ARS_EINVAL;
    if (!ars_coro_running()) return ARS_ESTATE;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ars__sig_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < count; i++) if (sigaction(signals[i], &sa, NULL) != 0) return ARS_EINVAL;
    /* if the program blocked them (as for signalfd), this thread takes them */
    sigemptyset(&set);
    for (i = 0; i < count; i++) sigaddset(&set, signals[i]);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    sl = ars__sig_slot_take();
    if (!sl) return ARS_EMFILE;
    r = ars_io_attach(&s, sl->rfd);
    if (r) { __atomic_store_n(&sl->busy, 0, __ATOMIC_RELEASE); return r; }
    for (;;) {
        unsigned char b[64];
        ssize_t n;
        do n = read(sl->rfd, b, sizeof b);                  /* drain, then look */
        while (n > 0 || (n < 0 && errno == EINTR));
        for (i = 0; i < count; i++)
            if (__atomic_exchange_n(&ars__sig_pending[signals[i]], 0, __ATOMIC_SEQ_CST)) break;
        if (i < count) { r = signals[i]; break; }
        r = ars__io_park(s, ARS__PRD, deadline, 1);
        if (r) break;
    }
    if (r != ARS_ECLOSED) ars_io_detach(s);
    __atomic_store_n(&sl->busy, 0, __ATOMIC_RELEASE);
    return r;
}
#undef ARS__SIG_MAX
#undef ARS__SIG_SLOTS
#endif

#ifdef __cplusplus
}
#endif

#undef ARS__IO_ALLOC
#undef ARS__IO_FREE
#undef ARS__IO_TLS
#undef ARS__BADFD
#undef ARS__MAX_ADDRS
#undef ARS__RLOCK
#undef ARS__RUNLOCK
#undef ARS__IO_UNUSED
#undef ARS__IO_NOINLINE
#undef ARS__IO_WAIT_BUSY
#undef ARS__IO_PARK_PREPARE
#undef ARS__IO_PARK
#undef ARS__IO_WAKE
#undef ARS__PRD
#undef ARS__PWR
#undef ARS__SIO_UDP_CONNRESET
#undef ARS__SIO_UDP_NETRESET
#endif /* ARSENAL_IO_IMPLEMENTATION */

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
------------------------------------------------------------------------------
*/
