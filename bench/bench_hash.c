/* bench_hash.c - arsenal_hash.h's map against absl::flat_hash_map and
   std::unordered_map, all in one run (Linux).
   ars-build-libs: bench/bench_hash_absl.cc -lstdc++ $(pkg-config --libs absl_flat_hash_map absl_hash absl_raw_hash_set)

   Build and run (from the repository root; about 90 s on 2 cores):
     mkdir -p build
     gcc -std=c99 -D_DEFAULT_SOURCE -O2 -c bench/bench_hash.c -o build/bench_hash.o
     g++ -std=c++17 -O2 -c bench/bench_hash_absl.cc -o build/bench_hash_absl.o
     g++ build/bench_hash.o build/bench_hash_absl.o -o build/bench_hash \
         $(pkg-config --libs absl_flat_hash_map absl_hash absl_raw_hash_set)
     build/bench_hash            (QUICK=1 in the environment: skip N = 1e7)

   What it measures, for uint64 -> uint64 with random 64-bit keys, starting
   from an empty map (no reserve): insert N keys, look up all N (hit), look up
   N other keys (miss), erase all N; ns per operation, best of 9 runs at
   N = 1e5 and of 3 above (the implementations take turns within each run;
   std::unordered_map runs once at 1e7). Peak RSS: a fresh child process per implementation inserts 1e7
   keys made on the fly, and the parent reads the child's ru_maxrss. String
   keys: 1e6 random keys of 16 and 64 bytes in one buffer; every map stores a
   view (pointer + length), none copies the bytes. Ratios are ars / absl:
   below 1.00 is faster (or smaller) than absl.
*/
#define ARSENAL_HASH_IMPLEMENTATION
#include "../arsenal_hash.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

void bench_absl_u64(const uint64_t *k, const uint64_t *m, size_t n, double out[4], uint64_t *c);
void bench_std_u64(const uint64_t *k, const uint64_t *m, size_t n, double out[4], uint64_t *c);
void bench_absl_str(const char *b, size_t kl, size_t n, double out[2], uint64_t *c);
void bench_std_str(const char *b, size_t kl, size_t n, double out[2], uint64_t *c);
uint64_t bench_absl_fill(size_t n, uint64_t seed);
uint64_t bench_std_fill(size_t n, uint64_t seed);

static uint64_t u64_hash(uint64_t k, uint64_t seed) { return ars_hash_u64(k, seed); }
static int u64_eq(uint64_t a, uint64_t b) { return a == b; }
ARS_MAP_DEFINE(u64map, uint64_t, uint64_t, u64_hash, u64_eq)
ARS_MAP_CACHED_DEFINE(strmap, ars_str, uint64_t, ars_str_hash, ars_str_eq)

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void bench_ars_u64(const uint64_t *keys, const uint64_t *miss, size_t n, double out[4], uint64_t *check) {
    u64map m; size_t i; uint64_t sum = 0; double t0, t1, t2, t3, t4;
    u64map_init(&m, NULL);
    t0 = now_ns();
    for (i = 0; i < n; i++) if (u64map_insert(&m, keys[i], i) < 0) abort();
    t1 = now_ns();
    for (i = 0; i < n; i++) { uint64_t *v = u64map_get(&m, keys[i]); if (v) sum += *v; }
    t2 = now_ns();
    for (i = 0; i < n; i++) { uint64_t *v = u64map_get(&m, miss[i]); if (v) sum += *v; }
    t3 = now_ns();
    for (i = 0; i < n; i++) sum += (uint64_t)u64map_erase(&m, keys[i]);
    t4 = now_ns();
    out[0] = (t1 - t0) / n; out[1] = (t2 - t1) / n; out[2] = (t3 - t2) / n; out[3] = (t4 - t3) / n;
    *check = sum + u64map_size(&m);
    u64map_deinit(&m);
}
static void bench_ars_str(const char *buf, size_t klen, size_t n, double out[2], uint64_t *check) {
    strmap m; size_t i; uint64_t sum = 0; double t0, t1, t2;
    strmap_init(&m, NULL);
    t0 = now_ns();
    for (i = 0; i < n; i++) if (strmap_insert(&m, ars_str_n(buf + i * klen, klen), i) < 0) abort();
    t1 = now_ns();
    for (i = 0; i < n; i++) { uint64_t *v = strmap_get(&m, ars_str_n(buf + i * klen, klen)); if (v) sum += *v; }
    t2 = now_ns();
    out[0] = (t1 - t0) / n; out[1] = (t2 - t1) / n;
    *check = sum + strmap_size(&m);
    strmap_deinit(&m);
}
static uint64_t ars_fill(size_t n, uint64_t seed) {
    u64map m; size_t i; uint64_t s = seed, r;
    u64map_init(&m, NULL);
    for (i = 0; i < n; i++) if (u64map_insert(&m, splitmix(&s), i) < 0) abort();
    r = u64map_size(&m);
    u64map_deinit(&m);
    return r;
}

/* Peak RSS (MB) of a child that runs one fill. */
static double child_rss(int which, size_t n) {
    pid_t pid = fork();
    int st; struct rusage ru;
    if (pid == 0) {
        uint64_t r = which == 0 ? ars_fill(n, 77) : which == 1 ? bench_absl_fill(n, 77) : bench_std_fill(n, 77);
        _exit(r == n ? 0 : 1);
    }
    if (pid < 0 || wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
    return (double)ru.ru_maxrss / 1024.0;
}

typedef void (*u64_fn)(const uint64_t *, const uint64_t *, size_t, double *, uint64_t *);
static void keep_min(double *best, const double *t, int n, int first) {
    int j;
    for (j = 0; j < n; j++) if (first || t[j] < best[j]) best[j] = t[j];
}

int main(void) {
    static const size_t ns[] = { 100000, 900000, 1000000, 10000000 };
    static const char *ops[] = { "insert", "hit", "miss", "erase" };
    int quick = getenv("QUICK") != NULL;
    size_t nn = quick ? 3 : 4, p, i, maxn = ns[nn - 1];
    double rss[3] = { 0, 0, 0 };
    uint64_t *keys, *miss, s = 12345;
    char *buf;

    /* RSS first, while this process is small. */
    if (!quick) for (i = 0; i < 3; i++) rss[i] = child_rss((int)i, 10000000);

    keys = (uint64_t *)malloc(maxn * sizeof *keys);
    miss = (uint64_t *)malloc(maxn * sizeof *miss);
    if (!keys || !miss) return 1;
    for (i = 0; i < maxn; i++) { keys[i] = splitmix(&s); miss[i] = splitmix(&s); }

    printf("uint64 -> uint64, ns/op (ars = arsenal_hash.h)\n");
    printf("%-9s %-7s %8s %8s %8s %9s %9s\n", "N", "op", "ars", "absl", "std", "ars/absl", "ars/std");
    for (p = 0; p < nn; p++) {
        size_t n = ns[p];
        /* Implementations take turns within each repetition, so a noisy
           neighbour on the machine hurts them alike; best of the reps. */
        int reps = n <= 100000 ? 9 : 3, r;
        double a[4] = { 0 }, b[4] = { 0 }, c[4] = { 0 }, t[4]; uint64_t ca = 0, cb = 0, cc = 0;
        for (r = 0; r < reps; r++) {
            bench_ars_u64(keys, miss, n, t, &ca); keep_min(a, t, 4, r == 0);
            bench_absl_u64(keys, miss, n, t, &cb); keep_min(b, t, 4, r == 0);
            if (r == 0 || n < 10000000) { bench_std_u64(keys, miss, n, t, &cc); keep_min(c, t, 4, r == 0); }
        }
        if (ca != cb || cb != cc) printf("CHECKSUM MISMATCH %llu %llu %llu\n", (unsigned long long)ca, (unsigned long long)cb, (unsigned long long)cc);
        for (i = 0; i < 4; i++)
            printf("%-9zu %-7s %8.1f %8.1f %8.1f %9.2f %9.2f\n", n, ops[i], a[i], b[i], c[i], a[i] / b[i], a[i] / c[i]);
    }
    if (!quick)
        printf("peak RSS, 1e7 inserts (MB): ars %.0f  absl %.0f  std %.0f   ars/absl %.2f\n",
               rss[0], rss[1], rss[2], rss[0] / rss[1]);

    {   /* string keys */
        static const size_t klens[] = { 16, 64 };
        size_t n = 1000000, k;
        buf = (char *)malloc(n * 64);
        if (!buf) return 1;
        printf("string keys, N = 1e6, ns/op\n");
        printf("%-9s %-7s %8s %8s %8s %9s %9s\n", "keylen", "op", "ars", "absl", "std", "ars/absl", "ars/std");
        for (k = 0; k < 2; k++) {
            size_t kl = klens[k];
            double a[2] = { 0, 0 }, b[2] = { 0, 0 }, c[2] = { 0, 0 }; uint64_t ca = 0, cb = 0, cc = 0;
            for (i = 0; i < n * kl; i++) buf[i] = (char)('a' + splitmix(&s) % 26);
            int r; double t[2];
            for (r = 0; r < 3; r++) {
                bench_ars_str(buf, kl, n, t, &ca); keep_min(a, t, 2, r == 0);
                bench_absl_str(buf, kl, n, t, &cb); keep_min(b, t, 2, r == 0);
                if (r == 0) { bench_std_str(buf, kl, n, t, &cc); keep_min(c, t, 2, 1); }
            }
            if (ca != cb || cb != cc) printf("CHECKSUM MISMATCH\n");
            printf("%-9zu %-7s %8.1f %8.1f %8.1f %9.2f %9.2f\n", kl, "insert", a[0], b[0], c[0], a[0] / b[0], a[0] / c[0]);
            printf("%-9zu %-7s %8.1f %8.1f %8.1f %9.2f %9.2f\n", kl, "hit", a[1], b[1], c[1], a[1] / b[1], a[1] / c[1]);
        }
        free(buf);
    }
    free(keys); free(miss);
    return 0;
}
