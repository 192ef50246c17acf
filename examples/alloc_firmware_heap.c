/* alloc_firmware_heap.c - malloc from a static array, scratch memory per request

   Build and run (hosted, no extra libraries):
       cc -O2 examples/alloc_firmware_heap.c -o alloc_firmware_heap && ./alloc_firmware_heap

   In firmware the same code builds with -ffreestanding -nostdlib (the header
   notices __STDC_HOSTED__ == 0; the board provides memcpy/memset); only the
   printf calls below are hosted-only.

   Two ideas:
   1. A general heap over a static array replaces malloc/free/realloc: O(1),
      bounded time, no sbrk, an integrity check you can run from a debug shell,
      and statistics for a "memory" command.
   2. A server loop gives each request an arena for its scratch memory: parsing,
      building the reply, temporary strings. Nothing is freed one by one; the
      arena is reset when the request is done. The arena takes its blocks from
      the heap through the ars_allocator interface, so it is bounded by the same
      static array.
*/
#define ARSENAL_ALLOC_IMPLEMENTATION
#include "../arsenal_alloc.h"
#include <stdio.h>

/* ---- 1. malloc over a static array ---- */

static unsigned char heap_memory[256 * 1024];   /* e.g. a .noinit section in RAM */
static ars_heap heap;

static void *fw_malloc(size_t n) { return ars_heap_alloc(&heap, n); }
static void *fw_calloc(size_t c, size_t n) { return ars_heap_calloc(&heap, c, n); }
static void *fw_realloc(void *p, size_t n) { return ars_heap_realloc(&heap, p, n); }
static void fw_free(void *p) { ars_heap_free(&heap, p); }
/* Other Arsenal headers can use it for their default allocations:
       #define ARSENAL_MALLOC(n) fw_malloc(n)
       #define ARSENAL_FREE(p)   fw_free(p)                                    */

/* ---- 2. a server loop with per-request scratch ---- */

typedef struct session { char name[32]; int requests; } session;   /* long-lived: heap */

static size_t copy_str(char *dst, const char *src, size_t cap) {
    size_t i = 0;
    while (src[i] && i + 1 < cap) { dst[i] = src[i]; i++; }
    dst[i] = 0;
    return i;
}

/* Handles one request using only scratch memory; returns the reply length. */
static size_t handle(ars_arena *scratch, session *s, const char *request, char *reply, size_t cap) {
    size_t n = 0, words = 0, i;
    char **word;
    char *copy = (char *)ars_arena_alloc(scratch, 256);      /* a working copy */
    if (!copy) return 0;
    copy_str(copy, request, 256);
    word = (char **)ars_arena_calloc(scratch, 16, sizeof *word);   /* tokens */
    if (!word) return 0;
    for (i = 0; copy[i] && words < 16; i++) {
        if (copy[i] != ' ' && (i == 0 || copy[i - 1] == 0 || copy[i - 1] == ' ')) word[words++] = &copy[i];
        if (copy[i] == ' ') copy[i] = 0;
    }
    s->requests++;
    n += copy_str(reply + n, "hello ", cap - n);
    n += copy_str(reply + n, s->name, cap - n);
    n += copy_str(reply + n, ", last word: ", cap - n);
    n += copy_str(reply + n, words ? word[words - 1] : "-", cap - n);
    return n;
}

int main(void) {
    static const char *requests[] = { "GET /status", "PUT /led on", "GET /temperature now please", "PING" };
    ars_allocator from_heap;
    ars_arena scratch;
    ars_heap_stats hs;
    ars_arena_stats as;
    session *s;
    char reply[128];
    int i;

    ars_heap_init(&heap, heap_memory, sizeof heap_memory);

    /* long-lived objects come from the heap like malloc */
    s = (session *)fw_calloc(1, sizeof *s);
    copy_str(s->name, "board-7", sizeof s->name);
    {
        float *samples = (float *)fw_malloc(64 * sizeof(float));
        samples = (float *)fw_realloc(samples, 1024 * sizeof(float));   /* grows in place here */
        samples[1023] = 1.5f;
        fw_free(samples);
    }

    /* per-request scratch: 2 KiB blocks from the heap, reset after each request */
    from_heap = ars_heap_allocator(&heap);
    ars_arena_init_parent(&scratch, &from_heap, 2048);
    for (i = 0; i < 1000; i++) {
        size_t n = handle(&scratch, s, requests[i % 4], reply, sizeof reply);
        if (i < 4) printf("request %d: %.*s\n", i, (int)n, reply);
        ars_arena_reset(&scratch);            /* all scratch gone, one block kept */
    }
    ars_arena_get_stats(&scratch, &as);
    printf("arena: peak %zu bytes of scratch per request, %zu block(s) kept\n", as.peak, as.blocks);

    ars_heap_get_stats(&heap, &hs);
    printf("heap: %zu of %zu bytes used in %zu blocks, largest free %zu, check %s\n", hs.used, hs.total,
           hs.used_blocks, hs.largest_free, ars_heap_check(&heap) == 0 ? "ok" : "CORRUPT");
    printf("served %d requests\n", s->requests);

    ars_arena_deinit(&scratch);
    fw_free(s);
    return ars_heap_check(&heap) == 0 ? 0 : 1;
}
