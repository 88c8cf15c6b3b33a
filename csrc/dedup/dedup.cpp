#include "dedup.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <tuple>

#include "../common/cpu.h"
#include "../text/kernels.h"
#include "../text/utf8.h"
#include "xxh64.h"

namespace ce::dedup {

#ifdef CE_ENABLE_SIMD
namespace avx512 {
void xxh64_x8(const uint8_t* base, size_t stride, size_t len, uint64_t seed, uint64_t* out);
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
  if (cpu::active() == cpu::Level::kAvx512) {
    alignas(64) uint64_t h[8];
    for (; j + 8 <= n; j += 8) {
      avx512::xxh64_x8(base + j * stride, stride, len, seed, h);
      for (size_t l = 0; l < 8; ++l) f(j + l, h[l]);
    }
  }
#endif
  for (; j < n; ++j) f(j, xxh::xxh64(base + j * stride, len, seed));
}

}  // namespace

namespace {

constexpr uint64_t kDensifySalt = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kExactSalt = 0x5bd1e995ULL;

template <class Tag>
void normalize_impl(const typename Tag::unit* p, const typename Tag::unit* e, const CharTable& t,
                    const NormOptions& o, std::vector<uint32_t>& out) {
  while (p < e) {
    uint32_t cp = 0;
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
    if (o.fold_width) {
      if (cp - 0xFF01u <= 0xFF5Eu - 0xFF01u) cp -= 0xFEE0u;
      else if (cp == 0x3000) cp = 0x20;
    }
    if (o.fold_case && cp - 'A' < 26u) cp += 32;
    const uint8_t f = t[cp];
    if ((o.drop_space && (f & kSpace)) || (o.drop_punct && (f & kPunctuation))) continue;
    out.push_back(cp);
  }
}

inline size_t shingle_count(size_t m, size_t n) { return m == 0 ? 0 : (m < n ? 1 : m - n + 1); }

struct SigScratch {
  std::vector<uint32_t> cps;
  std::vector<uint8_t> filled;
};

void signature_of(const uint32_t* c, size_t m, const SigParams& p, const uint64_t* a, const uint64_t* b,
                  uint32_t* sig, SigScratch& s) {
  const size_t K = static_cast<size_t>(p.num_perm), n = static_cast<size_t>(p.ngram);
  std::fill(sig, sig + K, 0xFFFFFFFFu);
  const size_t count = shingle_count(m, n), w = std::min(m, n);
  if (!count) return;
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(c);
  if (p.classic) {
    hash_strided(bytes, 4, 4 * w, p.seed, count, [&](size_t, uint64_t h) {
      for (size_t k = 0; k < K; ++k) {
        const uint32_t v = static_cast<uint32_t>((a[k] * h + b[k]) >> 32);
        sig[k] = std::min(sig[k], v);
      }
    });
    return;
  }
  s.filled.assign(K, 0);
  hash_strided(bytes, 4, 4 * w, p.seed, count, [&](size_t, uint64_t h) {
    const size_t bin = static_cast<size_t>(((h >> 32) * K) >> 32);
    sig[bin] = std::min(sig[bin], static_cast<uint32_t>(h));
    s.filled[bin] = 1;
  });
  // Optimal densification: an empty bin copies the first non-empty bin its own
  // hash sequence lands on (at least one bin is non-empty here).
  for (size_t i = 0; i < K; ++i) {
    if (s.filled[i]) continue;
    for (uint64_t attempt = 0;; ++attempt) {
      const uint64_t z = xxh::mix64(p.seed ^ ((static_cast<uint64_t>(i) << 32) | attempt) ^ kDensifySalt);
      const size_t j = static_cast<size_t>(((z >> 32) * K) >> 32);
      if (s.filled[j]) {
        sig[i] = sig[j];
        break;
      }
    }
  }
}

template <class F>
void for_docs(size_t n, int threads, F&& f) {
  threads = text::resolve_threads(threads);
  const int nt = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(n, 1)));
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1 && n > 64)
  for (long i = 0; i < static_cast<long>(n); ++i) f(static_cast<size_t>(i));
}

}  // namespace

void normalize(const DocIn& d, const CharTable& t, const NormOptions& o, std::vector<uint32_t>& out) {
  out.clear();
  switch (d.kind) {
    case 0: {
      const auto* p = static_cast<const uint8_t*>(d.p);
      normalize_impl<text::Utf8Unit>(p, p + d.n, t, o, out);
      break;
    }
    case 1: {
      const auto* p = static_cast<const uint8_t*>(d.p);
      normalize_impl<text::UcsUnit<uint8_t>>(p, p + d.n, t, o, out);
      break;
    }
    case 2: {
      const auto* p = static_cast<const uint16_t*>(d.p);
      normalize_impl<text::UcsUnit<uint16_t>>(p, p + d.n, t, o, out);
      break;
    }
    default: {
      const auto* p = static_cast<const uint32_t*>(d.p);
      normalize_impl<text::UcsUnit<uint32_t>>(p, p + d.n, t, o, out);
      break;
    }
  }
}

void signatures(const std::vector<DocIn>& docs, const CharTable& t, const NormOptions& o, const SigParams& p,
                int threads, uint32_t* sig, int64_t* len) {
  const size_t K = static_cast<size_t>(p.num_perm);
  std::vector<uint64_t> a(K), b(K);
  for (size_t k = 0; k < K; ++k) {
    a[k] = xxh::mix64(p.seed + 2 * k + 1) | 1;
    b[k] = xxh::mix64(p.seed + 2 * k + 2);
  }
  for_docs(docs.size(), threads, [&](size_t i) {
    thread_local SigScratch s;
    normalize(docs[i], t, o, s.cps);
    len[i] = static_cast<int64_t>(s.cps.size());
    signature_of(s.cps.data(), s.cps.size(), p, a.data(), b.data(), sig + i * K, s);
  });
}

void exact_keys(const std::vector<DocIn>& docs, const CharTable& t, const NormOptions& o, uint64_t seed, int threads,
                uint64_t* keys) {
  for_docs(docs.size(), threads, [&](size_t i) {
    thread_local std::vector<uint32_t> cps;
    normalize(docs[i], t, o, cps);
    keys[2 * i] = xxh::xxh64(cps.data(), 4 * cps.size(), seed);
    keys[2 * i + 1] = xxh::xxh64(cps.data(), 4 * cps.size(), seed ^ kExactSalt);
  });
}

void band_keys(const uint32_t* sig, size_t n, int num_perm, int bands, int rows, int threads, uint64_t* keys) {
  // Eight documents at a time per band: blocks of documents in parallel.
  constexpr size_t kBlock = 256;
  const size_t nblocks = (n + kBlock - 1) / kBlock;
  for_docs(nblocks, threads, [&](size_t blk) {
    const size_t lo = blk * kBlock, cnt = std::min(kBlock, n - lo);
    const uint8_t* base = reinterpret_cast<const uint8_t*>(sig + lo * num_perm);
    for (int k = 0; k < bands; ++k)
      hash_strided(base + 4 * static_cast<size_t>(k) * rows, 4 * static_cast<size_t>(num_perm),
                   4 * static_cast<size_t>(rows), static_cast<uint64_t>(k), cnt,
                   [&](size_t j, uint64_t h) { keys[(lo + j) * bands + k] = h; });
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
  thread_local std::vector<uint32_t> cps;
  normalize(d, t, o, cps);
  const size_t n = static_cast<size_t>(ngram), count = shingle_count(cps.size(), n), w = std::min(cps.size(), n);
  out.resize(count);
  hash_strided(reinterpret_cast<const uint8_t*>(cps.data()), 4, 4 * w, seed, count,
               [&](size_t i, uint64_t h) { out[i] = h; });
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
