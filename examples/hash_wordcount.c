/* hash_wordcount.c - count the words of a file with arsenal_hash.h's string map.

   Build and run (xxhash.h must be on the include path; Debian: libxxhash-dev):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o hash_wordcount examples/hash_wordcount.c
       ./hash_wordcount README.md          (or:  ./hash_wordcount < file)

   One FILE at most ('-' or none: standard input; a name that starts with
   '-' goes after "--"); -h, --help prints the usage line. Another option
   or a second FILE is refused with a message and exit status 2, a file
   that cannot be read with its reason and exit status 1.

   Prints the number of distinct words and the 10 most frequent ones. A word
   is a run of letters, digits, '_' or '\''. The whole file is read into
   memory and the map's keys point into it (ars_str is a view, not a copy),
   so nothing is allocated per word. The map caches each key's hash
   (ARS_MAP_CACHED_DEFINE), so growing it never rereads the words.
*/
#define ARSENAL_HASH_IMPLEMENTATION
#include "../arsenal_hash.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ARS_MAP_CACHED_DEFINE(wordmap, ars_str, size_t, ars_str_hash, ars_str_eq)

static int is_word_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '\'' || c >= 0x80;
}

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0, r;
    char *buf = (char *)malloc(cap), *p;
    if (!buf) return NULL;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            if (!(p = (char *)realloc(buf, cap * 2))) { free(buf); return NULL; }
            buf = p; cap *= 2;
        }
    }
    *len = n;
    return buf;
}

static const char usage[] = "usage: hash_wordcount [--] [FILE]   ('-' or none: standard input)\n";

int main(int argc, char **argv) {
    const char *name = NULL;
    FILE *f;
    size_t len = 0, i = 0, words = 0, k, it;
    char *text;
    wordmap m;
    struct { ars_str w; size_t n; } top[10];
    int rc, a, opts = 1;

    for (a = 1; a < argc; a++) {
        const char *s = argv[a], *why = NULL;
        if (opts && !strcmp(s, "--")) opts = 0;
        else if (opts && (!strcmp(s, "-h") || !strcmp(s, "--help"))) { fputs(usage, stdout); return 0; }
        else if (opts && s[0] == '-' && s[1]) why = "is not an option";
        else if (name) why = "is one FILE too many";
        else name = s;
        if (why) { fprintf(stderr, "hash_wordcount: %s %s\n%s", s, why, usage); return 2; }
    }
    f = name && strcmp(name, "-") ? fopen(name, "rb") : stdin;
    if (!f) { perror(name); return 1; }
    text = read_all(f, &len);
    if (f != stdin) fclose(f);
    if (!text) { fprintf(stderr, "out of memory\n"); return 1; }

    wordmap_init(&m, NULL);
    while (i < len) {
        size_t start, *count;
        while (i < len && !is_word_char((unsigned char)text[i])) i++;
        start = i;
        while (i < len && is_word_char((unsigned char)text[i])) i++;
        if (i == start) break;
        /* emplace: 1 = new word (count zeroed), 0 = seen before, < 0 error */
        rc = wordmap_emplace(&m, ars_str_n(text + start, i - start), &count);
        if (rc < 0) { fprintf(stderr, "wordmap: %s\n", ars_strerror(rc)); return 1; }
        (*count)++;
        words++;
    }

    /* The 10 most frequent, by insertion into a small sorted array. */
    for (k = 0; k < 10; k++) { top[k].w = ars_str_n("", 0); top[k].n = 0; }
    for (it = wordmap_begin(&m); it != wordmap_end(&m); it = wordmap_next(&m, it)) {
        size_t n = *wordmap_val(&m, it), j = 10;
        while (j > 0 && top[j - 1].n < n) {
            if (j < 10) top[j] = top[j - 1];
            j--;
        }
        if (j < 10) { top[j].w = *wordmap_key(&m, it); top[j].n = n; }
    }
    printf("%zu words, %zu distinct\n", words, wordmap_size(&m));
    for (k = 0; k < 10 && top[k].n; k++)
        printf("%8zu  %.*s\n", top[k].n, (int)top[k].w.len, top[k].w.ptr);

    wordmap_deinit(&m);
    free(text);
    return 0;
}
