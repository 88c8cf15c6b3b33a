#include "dedup.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <tuple>

#include "../common/cpu.h"
#include "../text/kernels.h"
#include "../text/simd.h"
#include "../text/utf8.h"
#include "xxh64.h"

namespace ce::dedup {

#ifdef CE_ENABLE_SIMD
namespace avx512 {
void xxh64_x8(const uint8_t* base, size_t stride, size_t len, uint64_t seed, uint64_t* out);
// 32-byte inputs, n a multiple of 8 (the band-key case).
void xxh64_32_x8n(const uint8_t* base, size_t stride, size_t n, uint64_t seed, uint64_t* out);
size_t window_hashes(const uint32_t* c, size_t w, size_t count, uint64_t seed, uint64_t* out);
void densify_first(const uint8_t* seq, size_t chunks, const uint8_t* filled, size_t K, uint8_t* first);
template <class U>
size_t normalize_ucs(const U* p, size_t n, const uint8_t* table, bool fold_width, bool fold_case, uint8_t drop,
                     uint32_t* out, uint32_t** out_end);
const uint8_t* normalize_utf8(const uint8_t* p, const uint8_t* e, const uint8_t* table, bool fold_width,
                              bool fold_case, uint8_t drop, uint32_t* out, uint32_t** out_end);
}
#endif

using text::CharTable;

namespace {

// Calls f(j, xxh64(base + j * stride, len, seed)) for j < n, eight at a time
// where the CPU allows.
template <class F>
inline void hash_strided(const uint8_t* base, size_t stride, size_t len, uint64_t seed, size_t n, F&& f) {
  size_t j = 0;
#ifdef CE_ENABLE_SIMD
  if (cpu::active() == cpu::Level::kAvx512 && len == 32 && stride >= 32) {
    constexpr size_t kChunk = 256;
    alignas(64) uint64_t h[kChunk];
    for (const size_t n8 = n & ~size_t{7}; j < n8;) {
      const size_t c = std::min(kChunk, n8 - j);
      avx512::xxh64_32_x8n(base + j * stride, stride, c, seed, h);
      for (size_t l = 0; l < c; ++l) f(j + l, h[l]);
      j += c;
    }
  } else if (cpu::active() == cpu::Level::kAvx512) {
    alignas(64) uint64_t h[8];
    for (; j + 8 <= n; j += 8) {
      avx512::xxh64_x8(base + j * stride, stride, len, seed, h);
      for (size_t l = 0; l < 8; ++l) f(j + l, h[l]);
    }
  }
#endif
  for (; j < n; ++j) f(j, xxh::xxh64(base + j * stride, len, seed));
}

// out[i] = XXH64 of the code points c[i .. i + w) (little-endian UTF-32), i < count.
inline void window_hashes(const uint32_t* c, size_t w, size_t count, uint64_t seed, uint64_t* out) {
  size_t i = 0;
#ifdef CE_ENABLE_SIMD
  if (cpu::active() == cpu::Level::kAvx512) i = avx512::window_hashes(c, w, count, seed, out);
#endif
  for (; i < count; ++i) out[i] = xxh::xxh64(c + i, 4 * w, seed);
}

}  // namespace

namespace {

constexpr uint64_t kDensifySalt = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kExactSalt = 0x5bd1e995ULL;

// Appends the normalised code point cp (a valid scalar value) at o; returns the new end.
inline uint32_t* emit(uint32_t cp, const uint8_t* t, const NormOptions& o, uint8_t drop, uint32_t* out) {
  if (o.fold_width) {
    if (cp - 0xFF01u <= 0xFF5Eu - 0xFF01u) cp -= 0xFEE0u;
    else if (cp == 0x3000) cp = 0x20;
  }
  if (o.fold_case && cp - 'A' < 26u) cp += 32;
  *out = cp;
  return out + !(t[cp] & drop);  // branch-free: the slot is overwritten when dropped
}

// Normalised code points of [p, e) into out (room for e - p values); returns the end.
template <class Tag>
uint32_t* normalize_impl(const typename Tag::unit* p, const typename Tag::unit* e, const CharTable& ct,
                         const NormOptions& o, uint32_t* out) {
  const uint8_t* t = ct.data();
  const uint8_t drop = static_cast<uint8_t>((o.drop_space ? kSpace : 0) | (o.drop_punct ? kPunctuation : 0));
  while (p < e) {
    uint32_t cp = 0;
    if constexpr (std::is_same_v<Tag, text::Utf8Unit>) {
      const uint32_t b0 = p[0];
      if (b0 < 0x80) {  // ASCII
        out = emit(b0, t, o, drop, out);
        ++p;
        continue;
      }
      if ((b0 & 0xF0) == 0xE0 && e - p >= 3 && ((p[1] & 0xC0) == 0x80) && ((p[2] & 0xC0) == 0x80)) {
        cp = ((b0 & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        if (cp >= 0x800 && (cp - 0xD800u) >= 0x800u) {  // the common 3-byte case (CJK)
          out = emit(cp, t, o, drop, out);
          p += 3;
          continue;
        }
      }
    }
    int k = Tag::step(p, e, cp);
    if (!k) {
      if constexpr (std::is_same_v<Tag, text::Utf8Unit>) {
        k = utf8::invalid_len(p, e);
      } else {
        k = 1;
      }
      p += k;
      if (o.errors == text::Errors::kDrop) continue;
      cp = utf8::kReplacement;
    } else {
      p += k;
    }
    out = emit(cp, t, o, drop, out);
  }
  return out;
}

inline size_t shingle_count(size_t m, size_t n) { return m == 0 ? 0 : (m < n ? 1 : m - n + 1); }

// A growable array that is not zeroed on growth (std::vector::resize would).
template <class T>
struct Buf {
  std::unique_ptr<T[]> p;
  size_t cap = 0;
  T* get(size_t n) {
    if (n > cap) {
      cap = std::max(n, 2 * cap);
      p.reset(new T[cap]);
    }
    return p.get();
  }
};

struct SigScratch {
  Buf<uint32_t> cps;
  Buf<uint64_t> hashes;
  uint8_t filled[1024];
  std::vector<uint8_t> filled_big;  // more than 1024 bins
};

SigScratch& scratch() {
  thread_local SigScratch s;
  return s;
}

// Bin j of densification attempt t for empty bin i (docs/dedup.md, section 3).
inline size_t densify_bin(uint64_t seed, size_t i, uint64_t t, size_t K) {
  const uint64_t z = xxh::mix64(seed ^ ((static_cast<uint64_t>(i) << 32) | t) ^ kDensifySalt);
  return static_cast<size_t>(((z >> 32) * K) >> 32);
}

// The first kAttempts densification attempts of every bin: they depend on the
// seed and the bin only, so they are computed once per (seed, K), not per document.
struct DensifyPlan {
  static constexpr size_t kAttempts = 64;
  // The AVX-512 walk reads 64 attempts per step from bytes: a longer sequence is
  // cheap there, and short documents (a few filled bins of 128) often need more
  // than 64 attempts, which would otherwise each cost a hash.
  static constexpr size_t kAttempts8 = 512;
  size_t K;
  uint64_t seed;
  std::vector<uint32_t> seq;  // K x kAttempts
  std::vector<uint8_t> seq8;  // K x kAttempts8 as bytes, when K <= 128 (AVX-512 walk)

  DensifyPlan(uint64_t s, size_t k) : K(k), seed(s), seq(k * kAttempts) {
    for (size_t i = 0; i < K; ++i)
      for (size_t t = 0; t < kAttempts; ++t) seq[i * kAttempts + t] = static_cast<uint32_t>(densify_bin(seed, i, t, K));
#ifdef CE_ENABLE_SIMD
    if (K <= 128 && cpu::active() == cpu::Level::kAvx512) {
      seq8.resize(K * kAttempts8);
      for (size_t i = 0; i < K; ++i)
        for (size_t t = 0; t < kAttempts8; ++t)
          seq8[i * kAttempts8 + t] = static_cast<uint8_t>(t < kAttempts ? seq[i * kAttempts + t] : densify_bin(seed, i, t, K));
    }
#endif
  }

  // Plans are kept per (seed, K): a pipeline asks for signatures batch after batch.
  static std::shared_ptr<const DensifyPlan> get(uint64_t s, size_t k) {
    static std::mutex mu;
    static std::vector<std::shared_ptr<const DensifyPlan>> cache;
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& p : cache)
      if (p->seed == s && p->K == k) return p;
    if (cache.size() >= 8) cache.erase(cache.begin());
    cache.push_back(std::make_shared<const DensifyPlan>(s, k));
    return cache.back();
  }

  // Fills every empty bin of sig from the first non-empty bin of its sequence.
  // filled must have room for 128 bytes (zero past K).
  void apply(uint32_t* sig, const uint8_t* filled, size_t nfilled) const {
    if (nfilled == K) return;
    if (nfilled == 1) {  // every sequence can only end at the one filled bin
      const size_t j = static_cast<size_t>(std::find(filled, filled + K, 1) - filled);
      for (size_t i = 0; i < K; ++i) sig[i] = sig[j];
      return;
    }
#ifdef CE_ENABLE_SIMD
    if (!seq8.empty() && cpu::active() == cpu::Level::kAvx512) {
      uint8_t first[128];
      avx512::densify_first(seq8.data(), kAttempts8 / 64, filled, K, first);
      const uint32_t* orig = sig;  // reads only filled bins, which are never written here
      for (size_t i = 0; i < K; ++i) {
        if (filled[i]) continue;
        size_t j = first[i];
        if (j == 255)
          for (uint64_t u = kAttempts8;; ++u)
            if (filled[j = densify_bin(seed, i, u, K)]) break;
        sig[i] = orig[j];
      }
      return;
    }
#endif
    for (size_t i = 0; i < K; ++i) {
      if (filled[i]) continue;
      const uint32_t* q = seq.data() + i * kAttempts;
      size_t t = 0;
      while (t < kAttempts && !filled[q[t]]) ++t;
      size_t j;
      if (t < kAttempts) {
        j = q[t];
      } else {
        for (uint64_t u = kAttempts;; ++u)
          if (filled[j = densify_bin(seed, i, u, K)]) break;
      }
      sig[i] = sig[j];
    }
  }
};

void signature_of(const uint32_t* c, size_t m, const SigParams& p, const uint64_t* a, const uint64_t* b,
                  const DensifyPlan& plan, uint32_t* sig, SigScratch& s) {
  const size_t K = static_cast<size_t>(p.num_perm), n = static_cast<size_t>(p.ngram);
  std::fill(sig, sig + K, 0xFFFFFFFFu);
  const size_t count = shingle_count(m, n), w = std::min(m, n);
  if (!count) return;
  uint64_t* h = s.hashes.get(count);
  window_hashes(c, w, count, p.seed, h);
  if (p.classic) {
    for (size_t i = 0; i < count; ++i)
      for (size_t k = 0; k < K; ++k) sig[k] = std::min(sig[k], static_cast<uint32_t>((a[k] * h[i] + b[k]) >> 32));
    return;
  }
  const size_t fsize = std::max<size_t>(K, 128);
  uint8_t* filled = s.filled;
  if (fsize > sizeof(s.filled)) {
    s.filled_big.assign(fsize, 0);
    filled = s.filled_big.data();
  } else {
    std::memset(filled, 0, fsize);
  }
  for (size_t i = 0; i < count; ++i) {
    const size_t bin = static_cast<size_t>(((h[i] >> 32) * K) >> 32);
    sig[bin] = std::min(sig[bin], static_cast<uint32_t>(h[i]));
    filled[bin] = 1;
  }
  size_t nfilled = 0;
  for (size_t i = 0; i < K; ++i) nfilled += filled[i];
  plan.apply(sig, filled, nfilled);
}

template <class F>
void for_docs(size_t n, int threads, F&& f) {
  threads = text::resolve_threads(threads);
  const int nt = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(n, 1)));
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1 && n > 64)
  for (long i = 0; i < static_cast<long>(n); ++i) f(static_cast<size_t>(i));
}

}  // namespace

namespace {
// A Python str's code units (1, 2 or 4 bytes each): SIMD blocks while they are
// valid code points, then the scalar path.
template <class U>
uint32_t* normalize_ucs_doc(const U* p, size_t n, const CharTable& t, const NormOptions& o, uint32_t* out) {
  size_t i = 0;
#ifdef CE_ENABLE_SIMD
  if (cpu::active() == cpu::Level::kAvx512 && n >= 16) {
    const uint8_t drop = static_cast<uint8_t>((o.drop_space ? kSpace : 0) | (o.drop_punct ? kPunctuation : 0));
    i = avx512::normalize_ucs<U>(p, n, t.data(), o.fold_width, o.fold_case, drop, out, &out);
  }
#endif
  return normalize_impl<text::UcsUnit<U>>(p + i, p + n, t, o, out);
}
}  // namespace

size_t normalize_into(const DocIn& d, const CharTable& t, const NormOptions& o, uint32_t* begin) {
  uint32_t* end;
  switch (d.kind) {
    case 0: {
      const auto* p = static_cast<const uint8_t*>(d.p);
      const uint8_t* e = p + d.n;
      uint32_t* o_ = begin;
#ifdef CE_ENABLE_SIMD
      // The AVX-512 decoder validates as it goes; on ill-formed text it gives up and
      // the scalar path (which replaces or drops bad bytes) starts over.
      if (cpu::active() == cpu::Level::kAvx512 && d.n >= 67) {
        const uint8_t drop = static_cast<uint8_t>((o.drop_space ? kSpace : 0) | (o.drop_punct ? kPunctuation : 0));
        uint32_t* simd_end = o_;
        const uint8_t* q = avx512::normalize_utf8(p, e, t.data(), o.fold_width, o.fold_case, drop, o_, &simd_end);
        if (q) p = q, o_ = simd_end;
      }
#endif
      end = normalize_impl<text::Utf8Unit>(p, e, t, o, o_);
      break;
    }
    case 1:
      end = normalize_ucs_doc(static_cast<const uint8_t*>(d.p), static_cast<size_t>(d.n), t, o, begin);
      break;
    case 2:
      end = normalize_ucs_doc(static_cast<const uint16_t*>(d.p), static_cast<size_t>(d.n), t, o, begin);
      break;
    default:
      end = normalize_ucs_doc(static_cast<const uint32_t*>(d.p), static_cast<size_t>(d.n), t, o, begin);
      break;
  }
  return static_cast<size_t>(end - begin);
}

void normalize(const DocIn& d, const CharTable& t, const NormOptions& o, std::vector<uint32_t>& out) {
  out.resize(static_cast<size_t>(d.n) + 17);  // never more code points than code units, + SIMD slack
  out.resize(normalize_into(d, t, o, out.data()));
}

namespace {
// Normalised code points of d in the thread's scratch; returns their count.
size_t normalize_scratch(const DocIn& d, const CharTable& t, const NormOptions& o, Buf<uint32_t>& buf,
                         const uint32_t*& cps) {
  uint32_t* p = buf.get(static_cast<size_t>(d.n) + 17);  // + slack for 16-lane stores
  cps = p;
  return normalize_into(d, t, o, p);
}
}  // namespace

void signatures(const std::vector<DocIn>& docs, const CharTable& t, const NormOptions& o, const SigParams& p,
                int threads, uint32_t* sig, int64_t* len) {
  const size_t K = static_cast<size_t>(p.num_perm);
  std::vector<uint64_t> a(K), b(K);
  for (size_t k = 0; k < K; ++k) {
    a[k] = xxh::mix64(p.seed + 2 * k + 1) | 1;
    b[k] = xxh::mix64(p.seed + 2 * k + 2);
  }
  const auto plan = DensifyPlan::get(p.seed, K);
  for_docs(docs.size(), threads, [&](size_t i) {
    SigScratch& s = scratch();
    const uint32_t* c;
    const size_t m = normalize_scratch(docs[i], t, o, s.cps, c);
    len[i] = static_cast<int64_t>(m);
    signature_of(c, m, p, a.data(), b.data(), *plan, sig + i * K, s);
  });
}

void exact_keys(const std::vector<DocIn>& docs, const CharTable& t, const NormOptions& o, uint64_t seed, int threads,
                uint64_t* keys) {
  for_docs(docs.size(), threads, [&](size_t i) {
    const uint32_t* c;
    const size_t m = normalize_scratch(docs[i], t, o, scratch().cps, c);
    keys[2 * i] = xxh::xxh64(c, 4 * m, seed);
    keys[2 * i + 1] = xxh::xxh64(c, 4 * m, seed ^ kExactSalt);
  });
}

void band_key_column(const uint32_t* sig, size_t n, int num_perm, int rows, int k, uint64_t* out) {
  hash_strided(reinterpret_cast<const uint8_t*>(sig) + 4 * static_cast<size_t>(k) * rows,
               4 * static_cast<size_t>(num_perm), 4 * static_cast<size_t>(rows), static_cast<uint64_t>(k), n,
               [&](size_t j, uint64_t h) { out[j] = h; });
}

void band_keys(const uint32_t* sig, size_t n, int num_perm, int bands, int rows, int threads, uint64_t* keys) {
  // Eight documents at a time per band: blocks of documents in parallel.
  constexpr size_t kBlock = 256;
  const size_t nblocks = (n + kBlock - 1) / kBlock;
  for_docs(nblocks, threads, [&](size_t blk) {
    const size_t lo = blk * kBlock, cnt = std::min(kBlock, n - lo);
    uint64_t col[kBlock];
    for (int k = 0; k < bands; ++k) {
      band_key_column(sig + lo * num_perm, cnt, num_perm, rows, k, col);
      for (size_t j = 0; j < cnt; ++j) keys[(lo + j) * bands + k] = col[j];
    }
  });
}

namespace {

constexpr size_t kAllPairsMax = 32;

// Proposes the pairs of one bucket (members in increasing order).
template <class T, class Emit>
void bucket_pairs(const T* g, size_t size, Emit&& emit) {
  if (size <= kAllPairsMax) {
    for (size_t x = 0; x < size; ++x)
      for (size_t y = x + 1; y < size; ++y) emit(g[x], g[y]);
    return;
  }
  for (size_t y = 1; y < size; ++y) {
    emit(g[0], g[y]);
    if (y > 1) emit(g[y - 1], g[y]);
  }
}

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> candidate_pairs(const uint64_t* keys, size_t n, int bands,
                                                           const uint8_t* active, int threads) {
  threads = text::resolve_threads(threads);
  std::vector<std::vector<uint64_t>> found(static_cast<size_t>(bands));
  const int nt = std::min(threads, std::max(bands, 1));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && n > 1024)
  for (int k = 0; k < bands; ++k) {
    std::vector<std::pair<uint64_t, uint32_t>> v;
    v.reserve(n);
    for (size_t i = 0; i < n; ++i)
      if (active[i]) v.emplace_back(keys[i * bands + k], static_cast<uint32_t>(i));
    std::sort(v.begin(), v.end());
    std::vector<uint64_t>& out = found[static_cast<size_t>(k)];
    std::vector<uint32_t> g;
    for (size_t s = 0; s < v.size();) {
      size_t e = s + 1;
      while (e < v.size() && v[e].first == v[s].first) ++e;
      if (e - s > 1) {
        g.clear();
        for (size_t x = s; x < e; ++x) g.push_back(v[x].second);
        bucket_pairs(g.data(), g.size(), [&](uint32_t a, uint32_t b) { out.push_back((uint64_t(a) << 32) | b); });
      }
      s = e;
    }
  }
  std::vector<uint64_t> all;
  size_t total = 0;
  for (const auto& f : found) total += f.size();
  all.reserve(total);
  for (auto& f : found) all.insert(all.end(), f.begin(), f.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::pair<uint32_t, uint32_t>> pairs(all.size());
  for (size_t i = 0; i < all.size(); ++i) pairs[i] = {static_cast<uint32_t>(all[i] >> 32), static_cast<uint32_t>(all[i])};
  return pairs;
}

void band_runs(const uint64_t* keys, size_t n, int bands, const int64_t* ids, const uint8_t* active, int threads,
               uint64_t* out) {
  std::vector<size_t> act;
  for (size_t i = 0; i < n; ++i)
    if (active[i]) act.push_back(i);
  const size_t m = act.size();
  threads = text::resolve_threads(threads);
  const int nt = std::min(threads, std::max(bands, 1));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && m > 4096)
  for (int k = 0; k < bands; ++k) {
    std::vector<std::pair<uint64_t, int64_t>> v(m);
    for (size_t j = 0; j < m; ++j) v[j] = {keys[act[j] * bands + k], ids[act[j]]};
    std::sort(v.begin(), v.end());
    uint64_t* o = out + static_cast<size_t>(k) * m * 2;
    for (size_t j = 0; j < m; ++j) o[2 * j] = v[j].first, o[2 * j + 1] = static_cast<uint64_t>(v[j].second);
  }
}

std::vector<std::pair<int64_t, int64_t>> merge_band(const std::vector<Run>& runs) {
  // Min-heap of (key, id, run); the next record of a run enters when one leaves.
  using Item = std::tuple<uint64_t, int64_t, size_t>;
  std::vector<Item> heap;
  std::vector<size_t> pos(runs.size(), 0);
  auto push = [&](size_t r) {
    if (pos[r] < runs[r].m) {
      const uint64_t* x = runs[r].rec + 2 * pos[r];
      heap.emplace_back(x[0], static_cast<int64_t>(x[1]), r);
      std::push_heap(heap.begin(), heap.end(), std::greater<Item>());
      ++pos[r];
    }
  };
  for (size_t r = 0; r < runs.size(); ++r) push(r);
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::vector<int64_t> g;
  uint64_t cur = 0;
  auto flush = [&] {
    if (g.size() > 1) bucket_pairs(g.data(), g.size(), [&](int64_t a, int64_t b) { pairs.emplace_back(a, b); });
    g.clear();
  };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<Item>());
    const auto [key, id, r] = heap.back();
    heap.pop_back();
    if (g.empty() || key != cur) {
      flush();
      cur = key;
    }
    g.push_back(id);
    push(r);
  }
  flush();
  return pairs;
}

void shingle_set(const DocIn& d, const CharTable& t, const NormOptions& o, int ngram, uint64_t seed,
                 std::vector<uint64_t>& out) {
  const uint32_t* c;
  const size_t m = normalize_scratch(d, t, o, scratch().cps, c);
  const size_t n = static_cast<size_t>(ngram), count = shingle_count(m, n), w = std::min(m, n);
  out.resize(count);
  window_hashes(c, w, count, seed, out.data());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

double jaccard_sorted(const uint64_t* a, size_t na, const uint64_t* b, size_t nb) {
  if (na == 0 && nb == 0) return 1.0;
  size_t i = 0, j = 0, inter = 0;
  while (i < na && j < nb) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else ++inter, ++i, ++j;
  }
  return static_cast<double>(inter) / static_cast<double>(na + nb - inter);
}

void pair_jaccard(const std::vector<DocIn>& docs, const CharTable& t, const NormOptions& o, int ngram, uint64_t seed,
                  const std::vector<std::pair<uint32_t, uint32_t>>& pairs, int threads, double* out) {
  // Shingle sets of the documents that take part in a pair, once each.
  std::vector<int64_t> slot(docs.size(), -1);
  std::vector<uint32_t> involved;
  for (const auto& [x, y] : pairs) {
    for (uint32_t d : {x, y}) {
      if (slot[d] < 0) {
        slot[d] = static_cast<int64_t>(involved.size());
        involved.push_back(d);
      }
    }
  }
  std::vector<std::vector<uint64_t>> sets(involved.size());
  for_docs(involved.size(), threads,
           [&](size_t k) { shingle_set(docs[involved[k]], t, o, ngram, seed, sets[k]); });
  for_docs(pairs.size(), threads, [&](size_t i) {
    const auto& a = sets[static_cast<size_t>(slot[pairs[i].first])];
    const auto& b = sets[static_cast<size_t>(slot[pairs[i].second])];
    out[i] = jaccard_sorted(a.data(), a.size(), b.data(), b.size());
  });
}

void clusters(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& pairs, int policy, const int64_t* lengths,
              const double* scores, uint8_t* keep, int64_t* root) {
  std::vector<uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t x) {
    uint32_t r = x;
    while (parent[r] != r) r = parent[r];
    while (parent[x] != r) {
      const uint32_t next = parent[x];
      parent[x] = r;
      x = next;
    }
    return r;
  };
  for (const auto& [x, y] : pairs) {
    const uint32_t a = find(x), b = find(y);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  // best[r]: the member each cluster keeps. Members are visited in index order,
  // so a tie keeps the lowest index.
  std::vector<uint32_t> best(n);
  std::vector<uint8_t> seen(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t r = find(i);
    if (!seen[r]) {
      seen[r] = 1;
      best[r] = i;
      continue;
    }
    const uint32_t b = best[r];
    const bool better = policy == 1 ? lengths[i] > lengths[b] : policy == 2 ? scores[i] > scores[b] : false;
    if (better) best[r] = i;
  }
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t k = best[find(i)];
    keep[i] = k == i;
    root[i] = k;
  }
}

}  // namespace ce::dedup
