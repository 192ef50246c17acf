/* io_chat.c - a line-based TCP chat server. Each connection has a reader
   coroutine (socket -> events channel) and a writer coroutine (its own
   outbox channel -> socket); one broadcaster coroutine owns the list of
   members and copies every line into every other member's outbox. No
   coroutine touches another's socket: they only talk through arsenal_chan.h
   channels. A member whose outbox is full (a client that does not read)
   misses lines instead of slowing everyone down.
   ars-build-libs: -lpthread

   Build and try it with two nc clients (three terminals):
       cc -O2 -D_DEFAULT_SOURCE -o io_chat examples/io_chat.c -lpthread
       ./io_chat -p 7100
       nc 127.0.0.1 7100        # type "hello": the other client sees
       nc 127.0.0.1 7100        #   "user1: hello"
   Options: -p PORT, 1 to 65535 [7100]; -h HOST [127.0.0.1];
            --help: this list in one line.
   A bad option or value is refused with a message and exit status 2, a
   listen that fails with its reason and exit status 1.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#define ARSENAL_IO_IMPLEMENTATION
#include "../arsenal_io.h"
#include "../arsenal_chan.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define LINE_MAX_BYTES 512
#define OUTBOX_CAP 64

typedef struct member {
    int id;
    ars_sock *sock;
    ars_chan *outbox;                  /* char * lines (malloc'd), to this member */
    struct member *next;               /* the broadcaster's list */
} member;

enum { EV_JOIN, EV_LEAVE, EV_LINE };
typedef struct event { int kind; member *from; char *text; } event;

static ars_chan *events;               /* event, from readers to the broadcaster */

static char *dup_printf(const char *who, int id, const char *text) {
    size_t n = strlen(text) + 48;
    char *s = (char *)malloc(n);
    if (s) snprintf(s, n, "%s%d%s", who, id, text);
    return s;
}

/* the broadcaster: sole owner of the member list */
static void broadcaster(void *arg) {
    member *list = NULL, **pp, *m;
    event ev;
    (void)arg;
    while (ars_chan_recv(events, &ev, -1) == 0) {
        char *line = NULL;
        if (ev.kind == EV_JOIN) {
            ev.from->next = list;
            list = ev.from;
            line = dup_printf("* user", ev.from->id, " joined\n");
        } else if (ev.kind == EV_LEAVE) {
            for (pp = &list; *pp; pp = &(*pp)->next)
                if (*pp == ev.from) { *pp = ev.from->next; break; }
            ars_chan_close(ev.from->outbox);       /* its writer drains, then frees it */
            line = dup_printf("* user", ev.from->id, " left\n");
        } else {
            line = ev.text;
        }
        if (!line) continue;
        printf("%s", line);
        fflush(stdout);
        for (m = list; m; m = m->next) {
            char *copy;
            if (m == ev.from) continue;
            copy = (char *)malloc(strlen(line) + 1);
            if (!copy) continue;
            strcpy(copy, line);
            if (ars_chan_try_send(m->outbox, &copy) != 0) free(copy);  /* full: dropped */
        }
        free(line);
    }
}

/* writer: the member's outbox to its socket; after the outbox is closed
   (the reader has left) it closes the socket and frees the member */
static void writer(void *arg) {
    member *m = (member *)arg;
    char *line;
    int ok = 1;
    while (ars_chan_recv(m->outbox, &line, -1) == 0) {
        if (ok && ars_tcp_write(m->sock, line, strlen(line), NULL, ars_now() + 10000) < 0) {
            ok = 0;
            ars_tcp_shutdown(m->sock, ARS_SHUT_RDWR); /* wakes the reader with EOF or an error */
        }
        free(line);
    }
    ars_chan_destroy(m->outbox);
    ars_io_close(m->sock);
    free(m);
}

/* reader: lines from the socket, as events, to the broadcaster */
static void reader(void *arg) {
    member *m = (member *)arg;
    char buf[LINE_MAX_BYTES];
    size_t have = 0;
    ptrdiff_t n;
    event ev;
    ev.from = m;
    ev.kind = EV_JOIN;
    ev.text = NULL;
    ars_chan_send(events, &ev, -1);
    /* an idle member is dropped after 10 minutes */
    while ((n = ars_tcp_read(m->sock, buf + have, sizeof buf - 1 - have, ars_now() + 600000)) > 0) {
        char *start = buf, *nl;
        have += (size_t)n;
        buf[have] = 0;
        while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) != NULL) {
            *nl = 0;
            if (nl > start && nl[-1] == '\r') nl[-1] = 0;
            if (*start) {
                ev.kind = EV_LINE;
                ev.text = (char *)malloc(strlen(start) + 32);
                if (ev.text) {
                    sprintf(ev.text, "user%d: %s\n", m->id, start);
                    ars_chan_send(events, &ev, -1);
                }
            }
            start = nl + 1;
        }
        have -= (size_t)(start - buf);
        memmove(buf, start, have);
        if (have == sizeof buf - 1) have = 0;      /* a line too long: dropped */
    }
    ev.kind = EV_LEAVE;
    ev.text = NULL;
    ars_chan_send(events, &ev, -1);
}

static const char *host = "127.0.0.1";
static int port = 7100;

/* the listener: one member, a reader and a writer per connection */
static void acceptor(void *arg) {
    ars_sock *ls, *c;
    int r, next_id = 1;
    (void)arg;
    if ((r = ars_tcp_listen(&ls, host, port, NULL)) != 0) {
        fprintf(stderr, "listen %s:%d: %s\n", host, port, ars_strerror(r));
        exit(1);
    }
    printf("chat on %s:%d (backend %s)\n", host, port, ars_io_backend());
    fflush(stdout);
    while ((r = ars_tcp_accept(ls, &c, NULL, -1)) == 0 || r == ARS_EMFILE) {
        member *m;
        if (r) continue;
        m = (member *)calloc(1, sizeof *m);
        if (!m || ars_chan_create(&m->outbox, sizeof(char *), OUTBOX_CAP, NULL) != 0) {
            free(m);
            ars_io_close(c);
            continue;
        }
        m->id = next_id++;
        m->sock = c;
        ars_go(writer, m);
        ars_go(reader, m);
    }
    fprintf(stderr, "accept: %s\n", ars_strerror(r));
    ars_io_close(ls);
}

static const char usage[] = "usage: io_chat [-p PORT] [-h HOST]\n";

/* Exit status 2, after a one-line reason and the usage line. */
static void bad_usage(const char *opt, const char *what) {
    fprintf(stderr, "io_chat: %s %s\n%s", opt, what, usage);
    exit(2);
}

/* The value that follows option argv[*i]; a missing one is refused. */
static const char *value(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) bad_usage(argv[*i], "needs a value");
    return argv[++*i];
}

/* s as a whole decimal number from lo to hi, or refused naming opt and the
   range ("12abc", " 12", "" and overflow included). */
static long number(const char *opt, const char *s, long lo, long hi) {
    char *end, why[160];
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')) || *end) {
        snprintf(why, sizeof why, "'%.40s': not a number (%ld to %ld)", s, lo, hi);
        bad_usage(opt, why);
    }
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(why, sizeof why, "%.40s: out of range (%ld to %ld)", s, lo, hi);
        bad_usage(opt, why);
    }
    return v;
}

int main(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-p")) port = (int)number(a, value(argc, argv, &i), 1, 65535);
        else if (!strcmp(a, "-h")) host = value(argc, argv, &i);
        else if (!strcmp(a, "--help")) { fputs(usage, stdout); return 0; }
        else bad_usage(a, "is not an option");
    }
    if (ars_chan_create(&events, sizeof(event), 256, NULL) != 0) return 1;
    ars_go(broadcaster, NULL);
    ars_go(acceptor, NULL);
    return ars_sched_run();
}
