#include "arena.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ce {

namespace {

constexpr size_t kHuge = size_t(2) << 20;
constexpr size_t kPoolMin = 4 * kHuge;           // smaller buffers go to malloc/free
constexpr size_t kPoolMaxBuffers = 32;

// At most this much kept idle: CORPUS_ENGINE_POOL_MB, default 1024 MiB.
size_t pool_max_bytes() {
  static const size_t v = [] {
    const char* e = std::getenv("CORPUS_ENGINE_POOL_MB");
    char* end = nullptr;
    const unsigned long long mb = e ? std::strtoull(e, &end, 10) : 1024;
    return static_cast<size_t>((e && end == e) ? 1024 : mb) << 20;
  }();
  return v;
}

struct Pool {
  std::mutex mu;
  std::unordered_map<uint8_t*, size_t> live;    // pooled-size buffers handed out: capacity
  std::vector<std::pair<uint8_t*, size_t>> idle;  // (buffer, capacity)
  size_t idle_bytes = 0;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: NumPy may free arrays at interpreter exit
  return *p;
}

}  // namespace

uint8_t* alloc_output(size_t n) {
  if (n < kPoolMin) {
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
  }
  Pool& pl = pool();
  {
    std::lock_guard<std::mutex> lock(pl.mu);
    size_t best = pl.idle.size();
    for (size_t i = 0; i < pl.idle.size(); ++i) {
      const size_t cap = pl.idle[i].second;
      if (cap >= n && cap / 4 <= n && (best == pl.idle.size() || cap < pl.idle[best].second)) best = i;
    }
    if (best < pl.idle.size()) {
      auto [p, cap] = pl.idle[best];
      pl.idle.erase(pl.idle.begin() + static_cast<long>(best));
      pl.idle_bytes -= cap;
      pl.live[p] = cap;
      return p;
    }
  }
  const size_t cap = (n + kHuge - 1) / kHuge * kHuge;
  void* p = nullptr;
#if defined(__linux__)
  if (posix_memalign(&p, kHuge, cap) != 0) p = nullptr;
  if (p) madvise(p, cap, MADV_HUGEPAGE);  // advice only: failure is harmless
#else
  p = std::malloc(cap);
#endif
  if (!p) throw std::bad_alloc();
  std::lock_guard<std::mutex> lock(pl.mu);
  pl.live[static_cast<uint8_t*>(p)] = cap;
  return static_cast<uint8_t*>(p);
}

void free_output(uint8_t* p) noexcept {
  if (!p) return;
  Pool& pl = pool();
  std::lock_guard<std::mutex> lock(pl.mu);
  auto it = pl.live.find(p);
  if (it == pl.live.end()) {
    std::free(p);
    return;
  }
  const size_t cap = it->second;
  pl.live.erase(it);
  while (!pl.idle.empty() && (pl.idle.size() >= kPoolMaxBuffers || pl.idle_bytes + cap > pool_max_bytes())) {
    std::free(pl.idle.front().first);  // oldest first
    pl.idle_bytes -= pl.idle.front().second;
    pl.idle.erase(pl.idle.begin());
  }
  if (cap <= pool_max_bytes()) {
    pl.idle.emplace_back(p, cap);
    pl.idle_bytes += cap;
  } else {
    std::free(p);
  }
}

}  // namespace ce
