#include "matcher.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <stdexcept>

#include "../common/cpu.h"
#include "../dedup/xxh64.h"

namespace ce::match {

#ifdef CE_ENABLE_SIMD
namespace avx512 {
size_t candidates(const uint32_t* c, size_t from, size_t to, const uint32_t* fs, const uint32_t* bigram,
                  bool astral_first, uint32_t* out);
size_t candidates_bloom(const uint32_t* c, size_t from, size_t to, const uint32_t* bigram, const uint32_t* singles64,
                        uint32_t mult, uint32_t* out);
}
#endif

namespace {


inline bool alnum(uint32_t c) { return (c - '0' < 10u) | ((c | 0x20) - 'a' < 26u); }
inline uint64_t edge_key(int32_t node, uint32_t cp) { return ((static_cast<uint64_t>(node) << 21) | cp) + 1; }
inline size_t edge_slot(uint64_t key, size_t mask) { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask; }
inline uint32_t bigram_hash(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>(((static_cast<uint64_t>(a) * 0x9E3779B1u) ^ (static_cast<uint64_t>(b) * 0x85EBCA77u)) >>
                               7) &
         ((1u << kBigramBits) - 1);
}
inline bool test_bit(const std::vector<uint64_t>& v, uint32_t i) { return (v[i >> 6] >> (i & 63)) & 1; }
inline void set_bit(std::vector<uint64_t>& v, uint32_t i) { v[i >> 6] |= uint64_t(1) << (i & 63); }

}  // namespace

Matcher::Matcher(const std::vector<uint32_t>& cps, const std::vector<int64_t>& offsets,
                 const std::vector<uint64_t>& cats, int ncat)
    : ncat_(ncat), first_(1024, 0), single_(1024, 0), bigram_(size_t(1) << (kBigramBits - 6), 0) {
  if (ncat < 0 || ncat > 64) throw std::invalid_argument("at most 64 categories");
  if (offsets.empty() || cats.size() + 1 != offsets.size()) throw std::invalid_argument("one category mask per word");
  const size_t nw = cats.size();
  size_t total = 0;
  for (size_t w = 0; w < nw; ++w) total += static_cast<size_t>(offsets[w + 1] - offsets[w]);
  size_t cap = 1024;
  while (cap < 2 * total + 2) cap *= 2;
  edges_.assign(cap, Edge{0, -1});
  terminal_.assign(1, -1);
  leaf_.assign(1, 1);
  word_cats_ = cats;
  word_len_.resize(nw);
  word_alnum_.resize(nw);
  for (size_t w = 0; w < nw; ++w) {
    const uint32_t* c = cps.data() + offsets[w];
    const size_t len = static_cast<size_t>(offsets[w + 1] - offsets[w]);
    if (len == 0) throw std::invalid_argument("empty word " + std::to_string(w));
    word_len_[w] = static_cast<int32_t>(len);
    word_alnum_[w] = static_cast<uint8_t>((alnum(c[0]) ? 1 : 0) | (alnum(c[len - 1]) ? 2 : 0));
    int32_t node = 0;
    for (size_t j = 0; j < len; ++j) {
      if (c[j] > 0x10FFFF) throw std::invalid_argument("code point out of range in word " + std::to_string(w));
      int32_t next = child(node, c[j]);
      if (next < 0) {
        next = nodes_++;
        terminal_.push_back(-1);
        leaf_.push_back(1);
        leaf_[static_cast<size_t>(node)] = 0;
        add_edge(edge_key(node, c[j]), next);
      }
      node = next;
    }
    if (terminal_[node] >= 0) throw std::invalid_argument("repeated word " + std::to_string(w));
    terminal_[node] = static_cast<int32_t>(w);
    if (c[0] > 0xFFFF) {
      astral_first_ = true;
    } else {
      set_bit(first_, c[0]);
      if (len == 1) set_bit(single_, c[0]);
    }
    if (len >= 2) set_bit(bigram_, bigram_hash(c[0], c[1]));
  }
  // The edge table was sized for the worst case (one edge per word character):
  // shrink it to twice the edges, so that it stays in cache.
  {
    size_t want = 1024;
    while (want < 2 * static_cast<size_t>(nodes_)) want *= 2;
    if (want < edges_.size()) {
      std::vector<Edge> old(want, Edge{0, -1});
      old.swap(edges_);
      for (const Edge& e : old)
        if (e.key) add_edge(e.key, e.child);
    }
  }
  // The walk's node array: children grouped by parent, in code point order.
  std::vector<std::pair<uint64_t, int32_t>> kids;  // (key - 1 = parent << 21 | cp, child)
  for (const Edge& e : edges_)
    if (e.key) kids.emplace_back(e.key - 1, e.child);
  std::sort(kids.begin(), kids.end());
  node_.assign(static_cast<size_t>(nodes_), Node{});
  for (int32_t v = 0; v < nodes_; ++v)
    node_[static_cast<size_t>(v)].info =
        ((terminal_[static_cast<size_t>(v)] + 1) << 1) | (leaf_[static_cast<size_t>(v)] ? 1 : 0);
  for (size_t a = 0; a < kids.size();) {
    const uint64_t parent = kids[a].first >> 21;
    size_t b = a;
    while (b < kids.size() && (kids[b].first >> 21) == parent) ++b;
    Node& nd = node_[static_cast<size_t>(parent)];
    nd.cp1 = static_cast<uint32_t>(kids[a].first & 0x1FFFFF), nd.child1 = kids[a].second;
    if (b - a > kScanMax) {
      nd.more = kHashed;
    } else if (b - a > 1) {
      nd.more = static_cast<uint32_t>(more_.size() + 1);
      for (size_t k = a + 1; k < b; ++k) more_.emplace_back(static_cast<uint32_t>(kids[k].first & 0x1FFFFF), kids[k].second);
      more_.emplace_back(kNone, -1);
    }
    a = b;
  }
  // Two-character prefixes: every child of every child of the root.
  std::vector<std::pair<uint64_t, int32_t>> two;  // (pair key, node)
  for (const auto& k : kids) {
    if ((k.first >> 21) != 0) continue;
    const uint32_t c0 = static_cast<uint32_t>(k.first & 0x1FFFFF);
    const int32_t a = k.second;
    const Node& na = node_[static_cast<size_t>(a)];
    if (na.cp1 == kNone) continue;
    two.emplace_back(pair_key(c0, na.cp1), na.child1);
    if (na.more == kHashed) {  // a wide node: its children are a run of the sorted list
      const uint64_t lo = static_cast<uint64_t>(a) << 21;
      auto it = std::lower_bound(kids.begin(), kids.end(), std::make_pair(lo, INT32_MIN));
      for (++it; it != kids.end() && (it->first >> 21) == static_cast<uint64_t>(a); ++it)  // the first is inline
        two.emplace_back(pair_key(c0, static_cast<uint32_t>(it->first & 0x1FFFFF)), it->second);
    } else if (na.more) {
      for (const auto* x = &more_[na.more - 1]; x->first != kNone; ++x) two.emplace_back(pair_key(c0, x->first), x->second);
    }
  }
  size_t pcap = 1024;
  while (pcap < two.size() + two.size() / 2) pcap *= 2;
  pairs_.assign(pcap, Pair{});
  for (const auto& [key, v] : two) {
    size_t slot = pair_slot(key);
    while (pairs_[slot].key) slot = (slot + 1) & (pcap - 1);
    pairs_[slot].key = key, pairs_[slot].index = v, pairs_[slot].node = node_[static_cast<size_t>(v)];
  }
  // One-character words in a 64-slot table without collisions (the one-gather
  // filter); a multiplier is searched for, and many such words keep the older filter.
  std::vector<uint32_t> singles;
  for (size_t w = 0; w < nw; ++w)
    if (offsets[w + 1] - offsets[w] == 1) singles.push_back(cps[static_cast<size_t>(offsets[w])]);
  if (singles.size() <= 24) {
    for (uint32_t t = 0; t < 200000 && !single_mult_; ++t) {
      const uint32_t mult = static_cast<uint32_t>(xxh::mix64(t)) | 1u;
      singles64_.fill(0xFFFFFFFFu);  // never a code point
      bool ok = true;
      for (uint32_t cp : singles) {
        uint32_t& slot = singles64_[(cp * mult) >> 26];
        if (slot != 0xFFFFFFFFu) ok = false;
        slot = cp;
      }
      if (ok) single_mult_ = mult;
    }
  }
  fs_.assign(0x10000 / 16, 0);
  for (uint32_t cp = 0; cp <= 0xFFFF; ++cp)
    fs_[cp >> 4] |= ((test_bit(first_, cp) ? 1u : 0u) | (test_bit(single_, cp) ? 2u : 0u)) << ((cp & 15) * 2);
  root_.assign(0x10000, -1);
  for (uint32_t cp = 0; cp <= 0xFFFF; ++cp)
    if (test_bit(first_, cp)) {
      // child() reads root_ for node 0: look the edge up in the hash table directly.
      const uint64_t key = edge_key(0, cp);
      const size_t mask = edges_.size() - 1;
      for (size_t s = edge_slot(key, mask); edges_[s].key; s = (s + 1) & mask)
        if (edges_[s].key == key) {
          root_[cp] = edges_[s].child;
          break;
        }
    }
}

void Matcher::add_edge(uint64_t key, int32_t child) {
  const size_t mask = edges_.size() - 1;
  for (size_t s = edge_slot(key, mask);; s = (s + 1) & mask) {
    if (!edges_[s].key) {
      edges_[s] = Edge{key, child};
      return;
    }
  }
}

int32_t Matcher::child(int32_t node, uint32_t cp) const noexcept {
  const uint64_t key = edge_key(node, cp);
  const size_t mask = edges_.size() - 1;
  for (size_t s = edge_slot(key, mask);; s = (s + 1) & mask) {
    const Edge& e = edges_[s];
    if (e.key == key) return e.child;
    if (!e.key) return -1;
  }
}

inline int32_t Matcher::next(int32_t v, const Node& n, uint32_t cp) const noexcept {
  if (n.cp1 == cp) return n.child1;
  if (!n.more) return -1;
  if (n.more == kHashed) return child(v, cp);
  for (const auto* k = &more_[n.more - 1]; k->first != kNone; ++k)
    if (k->first == cp) return k->second;
  return -1;
}

inline const Matcher::Pair* Matcher::pair(uint32_t c0, uint32_t c1) const noexcept {
  const uint64_t key = pair_key(c0, c1);
  for (size_t s = pair_slot(key);; s = (s + 1) & (pairs_.size() - 1)) {
    const Pair& e = pairs_[s];
    if (e.key == key) return &e;
    if (!e.key) return nullptr;
  }
}

// Whether a word may start here: its first character starts some word, and it
// is a one-character word or the first two characters pass the bigram filter.
inline bool Matcher::candidate(uint32_t c0, uint32_t c1) const noexcept {
  if (c0 > 0xFFFF) return astral_first_;
  if (!test_bit(first_, c0)) return false;
  return test_bit(single_, c0) || test_bit(bigram_, bigram_hash(c0, c1));
}

template <class Report>
void Matcher::walk(const uint32_t* c, size_t m, size_t i, Report&& report) const {
  const uint32_t c0 = c[i];
  const Node* nd;
  int32_t v;
  size_t j = i;
  if (c0 <= 0xFFFF && !test_bit(single_, c0)) {  // no one-character word: two steps at once
    if (i + 1 >= m) return;
    const Pair* p = pair(c0, c[i + 1]);
    if (!p) return;
    nd = &p->node, v = p->index, j = i + 1;
  } else {
    v = c0 <= 0xFFFF ? root_[c0] : child(0, c0);
    if (v < 0) return;
    nd = &node_[static_cast<size_t>(v)];
  }
  for (;;) {
    if (nd->info >> 1) {
      const int32_t w = (nd->info >> 1) - 1;
      const uint8_t a = word_alnum_[static_cast<size_t>(w)];
      const bool cut = ((a & 1) && i > 0 && alnum(c[i - 1])) || ((a & 2) && j + 1 < m && alnum(c[j + 1]));
      if (!cut) report(static_cast<int64_t>(i), static_cast<int64_t>(j + 1), w);  // ASCII word boundary rule
    }
    if ((nd->info & 1) || ++j >= m) return;  // a leaf: no longer word continues here
    v = next(v, *nd, c[j]);
    if (v < 0) return;
    nd = &node_[static_cast<size_t>(v)];
  }
}

template <class Report>
void Matcher::each_hit(const uint32_t* c, size_t m, uint32_t* cand, Report&& report) const {
  size_t i = 0;
#ifdef CE_ENABLE_SIMD
  if (m > 17 && cpu::active() == cpu::Level::kAvx512) {
    // Positions [0, m - 1) in blocks of 16 (c[i + 1] stays inside the text).
    const size_t upto = (m - 1) / 16 * 16;
    const uint32_t* bloom = reinterpret_cast<const uint32_t*>(bigram_.data());
    const size_t k = single_mult_ ? avx512::candidates_bloom(c, 0, upto, bloom, singles64_.data(), single_mult_, cand)
                                  : avx512::candidates(c, 0, upto, fs_.data(), bloom, astral_first_, cand);
    // A walk's first lookup (the pair table) depends on the text only: fetch it
    // a few candidates ahead, from the first candidate on.
    constexpr size_t kAhead = 6;
    for (size_t q = 0; q < std::min(k, kAhead); ++q) __builtin_prefetch(&pairs_[pair_slot(pair_key(c[cand[q]], c[cand[q] + 1]))]);
    for (size_t q = 0; q < k; ++q) {
      if (q + kAhead < k) {
        const uint32_t at = cand[q + kAhead];
        __builtin_prefetch(&pairs_[pair_slot(pair_key(c[at], c[at + 1]))]);
      }
      walk(c, m, cand[q], report);
    }
    i = upto;
  }
#else
  (void)cand;
#endif
  for (; i < m; ++i) {
    const uint32_t c1 = i + 1 < m ? c[i + 1] : 0;
    if (candidate(c[i], c1)) walk(c, m, i, report);
  }
}

void Matcher::find(const uint32_t* c, size_t m, uint32_t* cand, std::vector<Span>& out) const {
  each_hit(c, m, cand, [&](int64_t s, int64_t e, int32_t w) { out.push_back(Span{s, e, w}); });
}

void Matcher::scan(const std::vector<text::DocIn>& docs, const text::CharTable& norm_table,
                   const dedup::NormOptions& norm, int threads, int64_t* hits, int64_t* distinct, int64_t* covered,
                   int64_t* length, std::vector<std::vector<Span>>* spans) const {
  const size_t n = docs.size(), C = static_cast<size_t>(ncat_);
  threads = text::resolve_threads(threads);
  size_t total = 0;
  for (const auto& d : docs) total += static_cast<size_t>(d.n);
  const int nt = (total < (size_t(1) << 20)) ? 1 : threads;
  if (spans) spans->assign(n, {});
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    std::unique_ptr<uint32_t[]> buf, cand;
    size_t cap = 0;
    std::vector<int32_t> seen;
    std::vector<int64_t> until(C);
#pragma omp for schedule(dynamic, 16)
    for (long di = 0; di < static_cast<long>(n); ++di) {
      const text::DocIn& d = docs[static_cast<size_t>(di)];
      const size_t need = static_cast<size_t>(d.n) + 17;
      if (need > cap) {
        cap = std::max(need, 2 * cap);
        buf.reset(new uint32_t[cap]);
        cand.reset(new uint32_t[cap + 16]);
      }
      const uint32_t* c = buf.get();
      const size_t m = dedup::normalize_into(d, norm_table, norm, buf.get());
      int64_t* h = hits + static_cast<size_t>(di) * C;
      int64_t* cov = covered + static_cast<size_t>(di) * C;
      int64_t* dis = distinct + static_cast<size_t>(di) * C;
      std::fill(h, h + C, 0);
      std::fill(cov, cov + C, 0);
      std::fill(dis, dis + C, 0);
      std::fill(until.begin(), until.end(), 0);
      seen.clear();
      length[di] = static_cast<int64_t>(m);
      std::vector<Span>* sp = spans ? &(*spans)[static_cast<size_t>(di)] : nullptr;
      auto report = [&](int64_t s, int64_t e, int32_t w) {
        seen.push_back(w);
        for (uint64_t bits = word_cats_[static_cast<size_t>(w)]; bits; bits &= bits - 1) {
          const int k = __builtin_ctzll(bits);
          ++h[k];
          // Starts never decrease: the union of spans grows at its right end only.
          const int64_t from = std::max(s, until[k]);
          if (e > from) cov[k] += e - from;
          until[k] = std::max(until[k], e);
        }
        if (sp) sp->push_back(Span{s, e, w});
      };
      each_hit(c, m, cand.get(), report);
      std::sort(seen.begin(), seen.end());
      seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
      for (int32_t w : seen)
        for (uint64_t bits = word_cats_[static_cast<size_t>(w)]; bits; bits &= bits - 1) ++dis[__builtin_ctzll(bits)];
    }
  }
}

}  // namespace ce::match
