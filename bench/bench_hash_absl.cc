// bench_hash_absl.cc - the C++ peers for bench/bench_hash.c: absl::flat_hash_map
// and std::unordered_map, behind extern "C" functions with the same shape as
// the C side. Build and run: see bench/bench_hash.c.
// ars-build-libs: -lstdc++ $(pkg-config --libs absl_flat_hash_map absl_hash absl_raw_hash_set)
#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <unordered_map>

static double now_ns() {
    return (double)std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}

// out: ns/op for insert, hit, miss, erase; *check: sum of values found.
template <class Map>
static void run_u64(const uint64_t *keys, const uint64_t *miss, size_t n, double out[4], uint64_t *check) {
    Map m;
    uint64_t sum = 0;
    double t0 = now_ns();
    for (size_t i = 0; i < n; i++) m.emplace(keys[i], i);
    double t1 = now_ns();
    for (size_t i = 0; i < n; i++) { auto it = m.find(keys[i]); if (it != m.end()) sum += it->second; }
    double t2 = now_ns();
    for (size_t i = 0; i < n; i++) { auto it = m.find(miss[i]); if (it != m.end()) sum += it->second; }
    double t3 = now_ns();
    for (size_t i = 0; i < n; i++) sum += m.erase(keys[i]);
    double t4 = now_ns();
    out[0] = (t1 - t0) / n; out[1] = (t2 - t1) / n; out[2] = (t3 - t2) / n; out[3] = (t4 - t3) / n;
    *check = sum + m.size();
}

template <class Map>
static void run_str(const char *buf, size_t klen, size_t n, double out[2], uint64_t *check) {
    Map m;
    uint64_t sum = 0;
    double t0 = now_ns();
    for (size_t i = 0; i < n; i++) m.emplace(std::string_view(buf + i * klen, klen), i);
    double t1 = now_ns();
    for (size_t i = 0; i < n; i++) { auto it = m.find(std::string_view(buf + i * klen, klen)); if (it != m.end()) sum += it->second; }
    double t2 = now_ns();
    out[0] = (t1 - t0) / n; out[1] = (t2 - t1) / n;
    *check = sum + m.size();
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef absl::flat_hash_map<uint64_t, uint64_t> absl_u64_map;
typedef std::unordered_map<uint64_t, uint64_t> std_u64_map;
typedef absl::flat_hash_map<std::string_view, uint64_t> absl_str_map;
typedef std::unordered_map<std::string_view, uint64_t> std_str_map;

extern "C" {
void bench_absl_u64(const uint64_t *k, const uint64_t *m, size_t n, double out[4], uint64_t *c) { run_u64<absl_u64_map>(k, m, n, out, c); }
void bench_std_u64(const uint64_t *k, const uint64_t *m, size_t n, double out[4], uint64_t *c) { run_u64<std_u64_map>(k, m, n, out, c); }
void bench_absl_str(const char *b, size_t kl, size_t n, double out[2], uint64_t *c) { run_str<absl_str_map>(b, kl, n, out, c); }
void bench_std_str(const char *b, size_t kl, size_t n, double out[2], uint64_t *c) { run_str<std_str_map>(b, kl, n, out, c); }
// Inserts n keys made on the fly (no key array), for the peak-RSS runs.
uint64_t bench_absl_fill(size_t n, uint64_t seed) {
    absl_u64_map m; uint64_t s = seed;
    for (size_t i = 0; i < n; i++) m.emplace(splitmix(&s), i);
    return m.size();
}
uint64_t bench_std_fill(size_t n, uint64_t seed) {
    std_u64_map m; uint64_t s = seed;
    for (size_t i = 0; i < n; i++) m.emplace(splitmix(&s), i);
    return m.size();
}
}
