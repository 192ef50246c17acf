/* common.c - board-independent support: memory functions and helpers.

   The memory functions are weak so that a C library or the user can
   override them. GCC recognises the loops below as memcpy/memset idioms
   and would compile them into calls to themselves; the optimize attribute
   turns that transformation off here whatever flags the caller passes.
*/
#include "board.h"

/* Word access that may alias any object type. */
typedef uint32_t __attribute__((may_alias)) board__word;

#if defined(__GNUC__) && !defined(__clang__)
#define BOARD__NOIDIOM __attribute__((weak, optimize("no-tree-loop-distribute-patterns")))
#else
#define BOARD__NOIDIOM __attribute__((weak))
#endif

BOARD__NOIDIOM void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if ((((uintptr_t)d | (uintptr_t)s) & (sizeof(uint32_t) - 1)) == 0) {
        for (; n >= sizeof(uint32_t); n -= sizeof(uint32_t), d += sizeof(uint32_t), s += sizeof(uint32_t))
            *(board__word *)(void *)d = *(const board__word *)(const void *)s;
    }
    while (n--) *d++ = *s++;
    return dst;
}

BOARD__NOIDIOM void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d == s || n == 0) return dst;
    if ((uintptr_t)d - (uintptr_t)s >= n) return memcpy(dst, src, n); /* no harmful overlap */
    while (n--) d[n] = s[n];                                             /* d inside [s, s+n): copy backwards */
    return dst;
}

BOARD__NOIDIOM void *memset(void *dst, int c, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    if (((uintptr_t)d & (sizeof(uint32_t) - 1)) == 0) {
        uint32_t w = (uint32_t)(unsigned char)c * 0x01010101u;
        for (; n >= sizeof(uint32_t); n -= sizeof(uint32_t), d += sizeof(uint32_t))
            *(board__word *)(void *)d = w;
    }
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

BOARD__NOIDIOM int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p < *q ? -1 : 1;
    return 0;
}

BOARD__NOIDIOM size_t strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

void board_puts(const char *s) { while (*s) ars_test_putc(*s++); }

void board_puthex(uintptr_t v) {
    int i;
    ars_test_putc('0'); ars_test_putc('x');
    for (i = (int)sizeof(v) * 8 - 4; i >= 0; i -= 4) ars_test_putc("0123456789abcdef"[(v >> i) & 15u]);
}

/* Linker-script symbols: heap between end of .bss and the stack limit. */
extern char __heap_start[], __heap_end[];
extern uint32_t __stack_limit[];

/* The lowest words of the main stack's reserve hold a pattern painted at
   reset; if main() ran deeper than the reserve they are gone. */
#define BOARD__GUARD_WORDS 8
#define BOARD__GUARD 0x5AC3A55Cu

void board__stack_paint(void) {
    int i;
    for (i = 0; i < BOARD__GUARD_WORDS; i++) ((volatile uint32_t *)__stack_limit)[i] = BOARD__GUARD;
}

int board__exit_code(int code) {
    int i;
    for (i = 0; i < BOARD__GUARD_WORDS; i++) {
        if (((volatile uint32_t *)__stack_limit)[i] != BOARD__GUARD) {
            board_puts("\nFAULT main stack overflowed its reserve below ");
            board_puthex((uintptr_t)__stack_limit);
            board_puts(" (raise it with -Wl,--defsym=__stack_size=N)\n");
            board__stack_paint();
            if (code == 0) code = BOARD_FAULT_EXIT;
            break;
        }
    }
    if (code != 0 && (code & 0xff) == 0) code = 1; /* the host only sees 8 bits */
    return code & 0xff;
}
void *board_heap_start(void) { return __heap_start; }
size_t board_heap_size(void) { return (size_t)(__heap_end - __heap_start); }
