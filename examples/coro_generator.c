/* coro_generator.c - a generator: a recursive tree walk that yields its keys

   Build and run:
       cc -O2 -o coro_generator examples/coro_generator.c -lpthread && ./coro_generator
   ars-build-libs: -lpthread

   What it shows:
   - ars_coro_yield from deep inside a recursive function: the coroutine has
     its own stack, so the walk keeps its place (the recursion) between
     values, with no explicit stack or state machine;
   - values both ways: each yield hands a key out, and the value passed to
     the next ars_coro_resume comes back in as the result of that yield
     (here a command: next, skip the rest of this subtree, or stop);
   - the entry function may simply return: its return value (the number of
     keys visited) arrives through the last resume, and the status turns
     ARS_CORO_DEAD;
   - ars_coro_destroy gives the stack back to the thread's cache.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include <stdio.h>

typedef struct node { int key; struct node *left, *right; } node;

/* What the consumer sends back in with each resume. */
enum { CMD_NEXT, CMD_SKIP_RIGHT, CMD_STOP };

/* In-order walk. Returns 1 when the consumer said stop. */
static int walk(const node *n, intptr_t *visited) {
    void *in;
    if (!n) return 0;
    if (walk(n->left, visited)) return 1;
    ++*visited;
    ars_coro_yield((void *)(intptr_t)n->key, &in);   /* out: key; in: command */
    switch ((int)(intptr_t)in) {
    case CMD_STOP: return 1;
    case CMD_SKIP_RIGHT: return 0;                   /* do not enter n->right */
    default: return walk(n->right, visited);
    }
}

static void *walker(void *arg) {
    intptr_t visited = 0;
    walk((const node *)arg, &visited);
    return (void *)visited;                          /* an entry may simply return */
}

/* builds a balanced search tree over keys lo..hi from a static pool */
static node pool[64];
static int used;
static node *build(int lo, int hi) {
    node *n;
    int mid;
    if (lo > hi) return NULL;
    mid = lo + (hi - lo) / 2;
    n = &pool[used++];
    n->key = mid * 10;
    n->left = build(lo, mid - 1);
    n->right = build(mid + 1, hi);
    return n;
}

int main(void) {
    node *root = build(1, 31);                       /* keys 10, 20, ... 310 */
    ars_coro *co;
    void *out;
    intptr_t cmd = CMD_NEXT;
    int r;

    r = ars_coro_create(&co, walker, root, NULL);
    if (r) { fprintf(stderr, "create: %s\n", ars_strerror(r)); return 1; }
    printf("in-order walk of a 31-key tree; skip the subtree right of 80, stop after 250\n");
    for (;;) {
        r = ars_coro_resume(co, (void *)cmd, &out);  /* the first `in` is ignored */
        if (r) { fprintf(stderr, "resume: %s\n", ars_strerror(r)); return 1; }
        if (ars_coro_status(co) == ARS_CORO_DEAD) break;
        printf(" %d", (int)(intptr_t)out);
        switch ((int)(intptr_t)out) {
        case 80: cmd = CMD_SKIP_RIGHT; printf(" [skip right subtree]"); break;
        case 250: cmd = CMD_STOP; break;
        default: cmd = CMD_NEXT; break;
        }
    }
    printf("\nwalker returned: visited %d keys\n", (int)(intptr_t)out);
    /* resuming a finished generator is an error, not undefined behaviour */
    r = ars_coro_resume(co, NULL, NULL);
    printf("resume after the end: %s\n", ars_strerror(r));
    ars_coro_destroy(co);
    ars_coro_cache_trim();
    return 0;
}
