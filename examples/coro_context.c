/* coro_context.c - the bare context switch (ars_ctx_*) and what a coroutine
   can tell about itself (stack size, guard page, overhead, running)

   Build and run:
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o coro_context examples/coro_context.c -lpthread && ./coro_context
   ars-build-libs: -lpthread

   What it shows:
   - layer 1, ars_ctx_make / ars_ctx_jump: a tokenizer and a recursive-descent
     parser, each on its own static stack, pass tokens to each other. The
     parser pulls a token by jumping to the tokenizer; the tokenizer jumps
     back with it. Both keep their place (the tokenizer its position in the
     text, the parser its recursion) between jumps, and neither knows about
     coroutines, schedulers or allocation: a jump is one pointer across;
   - a context's function never returns: it ends by jumping elsewhere, and
     an abandoned context is simply never jumped to again. ars_ctx_release
     then frees what ars_ctx_make allocated (a fiber on Windows fibers
     builds; nothing with the asm switch), and the stacks can be made again;
   - layer 2 on a caller-given stack: opts.stack and opts.stack_size, with
     ars_coro_overhead() bytes at the top taken by the coroutine object
     (no guard page there: ars_coro_guarded says 0);
   - an allocated stack of a custom size: ars_coro_stack_size reports the
     usable bytes (rounded up to whole pages), ars_coro_guarded the guard;
   - ars_coro_running(): the coroutine itself inside it, NULL outside.
   Valgrind: the coroutine layer registers its stacks, the bare layer does
   not; under Valgrind, register your own stacks with VALGRIND_STACK_REGISTER
   (<valgrind/valgrind.h>) before the first jump, or it reports the frames
   on them as uninitialised.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- layer 1: two contexts ping-ponging tokens ------------------------ */

/* static stacks; the union only gives them a word alignment */
#define CTX_STACK 65536
static union { unsigned char b[CTX_STACK]; void *align; } lexer_stack, parser_stack;
static ars_ctx main_ctx;                 /* zeroed: the first `from` */
static ars_ctx lexer_ctx, parser_ctx;
static int jumps;                        /* parser -> lexer -> parser round trips */

typedef struct token { char kind; long value; } token;  /* kind: 'n' number, 'e' end, or the char */

/* The tokenizer: `arg` is the text; each token goes to the parser with a
   jump, and the jump returns when the parser wants the next one. */
static void lexer_main(void *first, void *arg) {
    const char *p = (const char *)arg;
    token t;
    (void)first;                         /* the parser's first request */
    for (;;) {
        while (*p == ' ') p++;
        if (isdigit((unsigned char)*p)) {
            t.kind = 'n';
            t.value = strtol(p, (char **)&p, 10);
            printf("  [lex]   number %ld\n", t.value);
        } else if (*p) {
            t.kind = *p++;
            t.value = 0;
            printf("  [lex]   '%c'\n", t.kind);
        } else {
            t.kind = 'e';                /* end: repeated for every further request */
            t.value = 0;
        }
        ars_ctx_jump(&lexer_ctx, &parser_ctx, &t);
    }
}

/* The parser's side: one jump per token. */
static token look;
static const char *parse_error;
static void advance(void) {
    jumps++;
    look = *(token *)ars_ctx_jump(&parser_ctx, &lexer_ctx, NULL);
}
static void fail(const char *msg) {
    parse_error = msg;
    /* give up: back to main, never to be resumed (the recursion is abandoned) */
    for (;;) ars_ctx_jump(&parser_ctx, &main_ctx, NULL);
}

static long expr(int depth);
static long factor(int depth) {
    long v;
    if (look.kind == 'n') { v = look.value; advance(); return v; }
    if (look.kind == '(') {
        advance();
        v = expr(depth + 1);
        if (look.kind != ')') fail("expected ')'");
        advance();
        return v;
    }
    if (look.kind == '-') { advance(); return -factor(depth); }
    fail("expected a number or '('");
    return 0;
}
static long term(int depth) {
    long v = factor(depth);
    while (look.kind == '*' || look.kind == '/') {
        char op = look.kind;
        long r;
        advance();
        r = factor(depth);
        if (op == '/' && r == 0) fail("division by zero");
        printf("  [parse] %*s%ld %c %ld = %ld\n", depth * 2, "", v, op, r, op == '*' ? v * r : v / r);
        v = op == '*' ? v * r : v / r;
    }
    return v;
}
static long expr(int depth) {
    long v = term(depth);
    while (look.kind == '+' || look.kind == '-') {
        char op = look.kind;
        long r;
        advance();
        r = term(depth);
        printf("  [parse] %*s%ld %c %ld = %ld\n", depth * 2, "", v, op, r, op == '+' ? v + r : v - r);
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

static void parser_main(void *first, void *arg) {
    long result;
    (void)arg;
    printf("parsing \"%s\"\n", (const char *)first);   /* what main's first jump passed */
    advance();
    result = expr(0);
    if (look.kind != 'e') fail("unexpected token after the expression");
    for (;;) ars_ctx_jump(&parser_ctx, &main_ctx, &result);
}

/* Makes both contexts for `text`, runs the parser; 0 on a parse, 1 on a
   syntax error, -1 if the switch itself failed. */
static int evaluate(const char *text, long *out) {
    void *r;
    int e;
    parse_error = NULL;
    jumps = 0;
    e = ars_ctx_make(&lexer_ctx, lexer_stack.b, sizeof lexer_stack.b, lexer_main, (void *)text);
    if (!e) e = ars_ctx_make(&parser_ctx, parser_stack.b, sizeof parser_stack.b, parser_main, NULL);
    if (e) { fprintf(stderr, "ars_ctx_make: %s\n", ars_strerror(e)); return -1; }
    r = ars_ctx_jump(&main_ctx, &parser_ctx, (void *)text);   /* runs until the parser jumps back */
    /* both contexts are now suspended mid-function and never resumed */
    ars_ctx_release(&lexer_ctx);
    ars_ctx_release(&parser_ctx);
    if (!r) return 1;
    *out = *(long *)r;
    return 0;
}

/* ---- layer 2: a coroutine's view of its own stack --------------------- */

/* yields the address of one of its locals, then ars_coro_running() */
static void *where_am_i(void *arg) {
    volatile char local = 0;
    (void)arg;
    ars_coro_yield((void *)&local, NULL);
    return ars_coro_running();
}

/* resumes the probe twice; lo/hi (if lo) bound where its local must lie */
static int run_probe(ars_coro *co, const char *what, const unsigned char *lo, const unsigned char *hi) {
    void *local, *self;
    if (ars_coro_resume(co, NULL, &local) || ars_coro_resume(co, NULL, &self)) {
        fprintf(stderr, "%s: resume failed\n", what);
        return 1;
    }
    printf("%s: stack_size %lu bytes, guarded %d, a local at %p, ars_coro_running() inside: %s\n",
           what, (unsigned long)ars_coro_stack_size(co), ars_coro_guarded(co), local,
           self == (void *)co ? "the coroutine itself" : "something else");
    if (self != (void *)co || ars_coro_status(co) != ARS_CORO_DEAD) {
        fprintf(stderr, "%s: ars_coro_running() inside was %p, expected %p\n", what, self, (void *)co);
        return 1;
    }
    if (lo && ((const unsigned char *)local < lo || (const unsigned char *)local >= hi)) {
        fprintf(stderr, "%s: the local is not inside the given stack\n", what);
        return 1;
    }
    return 0;
}

int main(void) {
    static const char *inputs[] = { "12 + 7 * (3 - 1) - 40 / (2 + 3)", "2 * (3 + 4" };
    static const int ok[] = { 1, 0 };
    static const long expect[] = { 18, 0 };
    static union { unsigned char b[16384]; void *align; } caller_stack;
    unsigned char tiny[64];
    ars_coro_opts o;
    ars_coro *co;
    size_t i;
    int e;

    /* ---- layer 1 ---- */
    printf("== two contexts, one jump per token\n");
    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        long v = 0;
        int r = evaluate(inputs[i], &v);
        if (r < 0) return 1;
        if (r == 0) printf("= %ld  (%d tokens counting the end, each one jump there and one back)\n", v, jumps);
        else printf("syntax error: %s  (after %d tokens)\n", parse_error, jumps);
        if ((r == 0) != ok[i] || (r == 0 && v != expect[i])) {
            fprintf(stderr, "unexpected result for \"%s\"\n", inputs[i]);
            return 1;
        }
    }
    e = ars_ctx_make(&lexer_ctx, tiny, sizeof tiny, lexer_main, NULL);
    printf("ars_ctx_make on a %lu-byte stack: %s\n", (unsigned long)sizeof tiny, ars_strerror(e));
    if (e != ARS_EINVAL) return 1;

    /* ---- layer 2 ---- */
    printf("\n== coroutines: where the stack is, how big, guarded or not\n");
    printf("ars_coro_running() outside any coroutine: %s\n", ars_coro_running() ? "not NULL" : "NULL");
    if (ars_coro_running() != NULL) return 1;
    printf("ars_coro_overhead(): %lu bytes (the coroutine object, at the top of its stack)\n",
           (unsigned long)ars_coro_overhead());

    /* caller memory: 8 KiB for the frames plus the object */
    memset(&o, 0, sizeof o);
    o.stack = caller_stack.b;
    o.stack_size = ars_coro_overhead() + 8192;
    if (o.stack_size > sizeof caller_stack.b) { fprintf(stderr, "caller stack too small\n"); return 1; }
    e = ars_coro_create(&co, where_am_i, NULL, &o);
#if defined(ARSENAL_CORO_USE_FIBERS) || (defined(_MSC_VER) && !defined(__clang__))
    /* fibers bring their own stacks: caller memory is refused */
    printf("caller-given stack with fibers: %s\n", ars_strerror(e));
#else
    if (e) { fprintf(stderr, "create on caller memory: %s\n", ars_strerror(e)); return 1; }
    printf("caller stack at %p..%p; the object at offset %lu\n", (void *)caller_stack.b,
           (void *)(caller_stack.b + o.stack_size),
           (unsigned long)((unsigned char *)co - caller_stack.b));
    if (run_probe(co, "caller memory", caller_stack.b, caller_stack.b + o.stack_size)) return 1;
    ars_coro_destroy(co);                /* frees nothing: the memory is ours */
#endif

    /* an allocated stack of a size of our own */
    memset(&o, 0, sizeof o);
    o.stack_size = 100000;
    e = ars_coro_create(&co, where_am_i, NULL, &o);
    if (e) { fprintf(stderr, "create with stack_size 100000: %s\n", ars_strerror(e)); return 1; }
    printf("asked for 100000 bytes: ");
    if (run_probe(co, "allocated", NULL, NULL)) return 1;
    ars_coro_destroy(co);                /* a non-default size: unmapped, not cached */

    /* the default size, for comparison */
    e = ars_coro_create(&co, where_am_i, NULL, NULL);
    if (e) { fprintf(stderr, "create: %s\n", ars_strerror(e)); return 1; }
    if (run_probe(co, "default", NULL, NULL)) return 1;
    ars_coro_destroy(co);
    ars_coro_cache_trim();
    return 0;
}
