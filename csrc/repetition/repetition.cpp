#include "repetition.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "../dedup/dedup.h"
#include "../dedup/xxh64.h"

namespace ce::rep {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr int kMaxN = 10;     // longest n-gram measured
constexpr int kTopMax = 4;    // top n-gram fractions for n = 2..kTopMax; coverage above

inline size_t pow2_at_least(size_t n) {
  size_t s = 16;
  while (s < n) s <<= 1;
  return s;
}

inline int log2_of(size_t pow2) { return __builtin_ctzll(static_cast<unsigned long long>(pow2)); }

// Room for n values in v (grown, never shrunk; contents are scratch).
template <class T>
T* room(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(std::max(n, 2 * v.size()));
  return v.data();
}

constexpr uint32_t kSentinel = text::kMaxCp + 1;  // s[m + k] = kSentinel + k
constexpr size_t kTabSize = kSentinel + kMaxN + 1;
constexpr size_t kRanks = size_t{1} << 16;          // character ranks are 16-bit
constexpr uint32_t kRankPad = kMaxN + 8;            // ranks after the text: distinct sentinels
constexpr uint32_t kSmall = 8;                      // groups up to this size are settled pairwise

struct Scratch {
  std::vector<uint32_t> cps;   // decoded document
  std::vector<uint32_t> s;     // its code points without white space
  std::vector<uint8_t> sflag;  // table flags of s
  std::vector<uint32_t> lstart, llen;  // stripped non-empty lines
  std::vector<uint64_t> lhash;
  std::vector<uint32_t> pfirst, pcount;  // paragraphs: runs of lines
  std::vector<uint64_t> phash;
  std::vector<int64_t> pchars;
  std::vector<uint32_t> seen;  // duplicate detection: item index + 1, 0 = empty
  // n-gram grouping: positions (grouped in place), group starts, split output
  std::vector<uint32_t> pos, grp, tmp, parts, touched;
  struct Group {
    uint32_t a, g;  // pos[a, a + g)
    int d;          // its positions share d characters
  };
  std::vector<Group> stack;
  std::vector<uint32_t> cnt;     // per code point and sentinel; zero between uses
  std::vector<uint16_t> rank;    // s as dense character ranks (first occurrence order)
  std::vector<uint32_t> alpha;   // code point of each rank
  std::vector<uint32_t> rcnt;    // per rank: counts / bucket starts, then histogram; zero between uses
  std::vector<uint8_t> deepest;  // per position: longest repeated n-gram starting there if >= 5, else 0
};
// Items equal to an earlier item: (how many, their total size). Equal items have
// equal hashes; a hash match is confirmed with eq, so collisions change nothing.
template <class Hash, class Eq, class Size>
void duplicates(size_t n, Hash&& hash_of, Eq&& eq, Size&& size_of, std::vector<uint32_t>& table, int64_t& count,
                int64_t& size) {
  count = size = 0;
  if (n < 2) return;
  const size_t cap = pow2_at_least(2 * n);
  const int shift = 64 - log2_of(cap);
  table.assign(cap, 0);
  for (size_t k = 0; k < n; ++k) {
    const uint64_t h = hash_of(k);
    size_t slot = static_cast<size_t>((h * kGolden) >> shift);
    for (;;) {
      const uint32_t v = table[slot];
      if (!v) {
        table[slot] = static_cast<uint32_t>(k + 1);
        break;
      }
      if (hash_of(v - 1) == h && eq(v - 1, k)) {
        ++count;
        size += size_of(k);
        break;
      }
      slot = (slot + 1) & (cap - 1);
    }
  }
}

inline double ratio(int64_t a, int64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

// Characters r[i, i + 8 / sizeof(C)) as one word whose integer order is their
// lexicographic order (each character's bytes are swapped too: still a total order).
template <class C>
inline uint64_t word_at(const C* r, size_t i) {
  uint64_t w;
  std::memcpy(&w, r + i, 8);
  return __builtin_bswap64(w);
}

// Common prefix of the n-grams at p and q, which share d characters; at most kMaxN.
template <class C>
inline int common(const C* r, uint32_t p, uint32_t q, int d) {
  constexpr int per = 8 / sizeof(C), bits = 8 * sizeof(C);
  for (int e = d;; e += per) {
    const uint64_t x = word_at(r, p + e) ^ word_at(r, q + e);
    if (x) return std::min(kMaxN, e + __builtin_clzll(x) / bits);
    if (e + per >= kMaxN) return kMaxN;
  }
}

// Splits the group of positions P[0, g) (they share a d-gram) on their next
// characters next[p] = r[p + d]: appends each part of two or more positions to
// out_pos (recording where it starts in out_grp) and returns the largest part.
// cnt (indexed by character, zero on entry and on exit) counts, then places.
template <class C>
inline uint32_t split(const uint32_t* P, uint32_t g, const C* next, uint32_t* cnt, uint32_t* touched,
                      uint32_t* out_pos, uint32_t& o, uint32_t* out_grp, size_t& ng, uint32_t skip) {
  uint32_t nt = 0, best = 1;
  for (uint32_t t = 0; t < g; ++t) {
    const uint32_t c = next[P[t]];
    touched[nt] = c;
    nt += cnt[c]++ == 0;
  }
  for (uint32_t j = 0; j < nt; ++j) {
    const uint32_t c = touched[j], k = cnt[c];
    if (k >= 2) {
      out_grp[ng++] = o;
      cnt[c] = o;
      o += k;
      best = std::max(best, k);
    } else {
      cnt[c] = skip;
    }
  }
  for (uint32_t t = 0; t < g; ++t) {
    const uint32_t p = P[t], c = next[p], d = cnt[c];
    out_pos[d] = p;
    cnt[c] = d + (d != skip);
  }
  for (uint32_t j = 0; j < nt; ++j) cnt[touched[j]] = 0;
  return best;
}

inline uint8_t deep(int l) { return static_cast<uint8_t>(l >= 5 ? l : 0); }

// A group P[0, g) of 3..kSmall positions sharing d >= 3 characters of the ranks r,
// settled at once from the common prefixes of all its pairs (compared 4 characters
// at a time, branch-free: which pairs share more is unpredictable). Each position's
// longest repeat is its longest common prefix with another member; with d == 3, the
// positions sharing a 4-gram with member t are those agreeing with it on character d.
inline void settle(const uint16_t* r, const uint32_t* P, uint32_t g, int d, uint32_t* best, uint8_t* deepest) {
  uint64_t k0[kSmall], k1[kSmall];  // characters d..d+3, d+4..d+7 (d + 7 >= kMaxN)
  uint32_t longest[kSmall], same[kSmall];
  for (uint32_t t = 0; t < g; ++t) {
    k0[t] = word_at(r, P[t] + d);
    k1[t] = word_at(r, P[t] + d + 4);
    longest[t] = 0;
    same[t] = 1;
  }
  for (uint32_t t = 1; t < g; ++t)
    for (uint32_t u = 0; u < t; ++u) {
      const uint64_t x0 = k0[t] ^ k0[u], x1 = k1[t] ^ k1[u];
      const uint32_t e0 = static_cast<uint32_t>(__builtin_clzll(x0 | 1)) >> 4;  // x | 1: 3 when equal
      const uint32_t e1 = 4 + (static_cast<uint32_t>(__builtin_clzll(x1 | 1)) >> 4);
      const uint32_t e = x0 ? e0 : e1;  // characters shared after the d, 7 meaning 7 or more
      longest[t] = std::max(longest[t], e);
      longest[u] = std::max(longest[u], e);
      const uint32_t s = (x0 >> 48) == 0;
      same[t] += s;
      same[u] += s;
    }
  uint32_t most = 1;
  for (uint32_t t = 0; t < g; ++t) {
    deepest[P[t]] = deep(std::min(kMaxN, d + static_cast<int>(longest[t])));
    most = std::max(most, same[t]);
  }
  if (d < kTopMax) best[d + 1] = std::max(best[d + 1], most);
}

// Settles the groups pos[grp[i], grp[i + 1]), i < ng, whose positions share d0
// characters of r (ranks or code points), depth first: best[k] (k > d0) and deepest.
// A group of two is settled by comparing its members; a larger one first skips the
// characters all its members share, then is split on the next one.
template <class C>
void settle_groups(const C* r, size_t m, Scratch& sc, uint32_t* cnt, size_t ng, int d0, uint32_t* best) {
  uint32_t* pos = sc.pos.data();
  const uint32_t* grp = sc.grp.data();
  uint32_t* tmp = room(sc.tmp, m + 1);
  uint32_t* parts = room(sc.parts, m + 1);
  uint32_t* touched = room(sc.touched, m + 1);
  uint8_t* deepest = sc.deepest.data();
  auto& stack = sc.stack;
  stack.clear();
  for (size_t i = ng; i-- > 0;) stack.push_back(Scratch::Group{grp[i], grp[i + 1] - grp[i], d0});
  while (!stack.empty()) {
    const Scratch::Group G = stack.back();
    stack.pop_back();
    uint32_t* P = pos + G.a;
    const uint32_t g = G.g;
    const int d = G.d;
    if (g == 2) {
      const int l = common(r, P[0], P[1], d);
      for (int k = d + 1; k <= std::min(kTopMax, l); ++k) best[k] = std::max(best[k], 2u);
      deepest[P[0]] = deepest[P[1]] = deep(l);
      continue;
    }
    if constexpr (sizeof(C) == 2) {
      if (g <= kSmall && d >= 3) {
        settle(r, P, g, d, best, deepest);
        continue;
      }
    }
    int e = kMaxN;  // all members share e characters
    for (uint32_t t = 1; t < g && e > d; ++t) e = std::min(e, common(r, P[0], P[t], d));
    for (int k = d + 1; k <= std::min(kTopMax, e); ++k) best[k] = std::max(best[k], g);
    if (e >= 5)
      for (uint32_t t = 0; t < g; ++t) deepest[P[t]] = static_cast<uint8_t>(e);
    if (e == kMaxN) continue;
    size_t np = 0;
    uint32_t o = 0;
    const uint32_t b = split(P, g, r + e, cnt, touched, tmp, o, parts, np, static_cast<uint32_t>(m));
    if (e < kTopMax) best[e + 1] = std::max(best[e + 1], b);
    std::memcpy(P, tmp, sizeof(uint32_t) * o);
    parts[np] = o;
    for (size_t i = 0; i < np; ++i) stack.push_back(Scratch::Group{G.a + parts[i], parts[i + 1] - parts[i], e + 1});
  }
}

// s[0, m) as dense 16-bit ranks r (in order of first occurrence) and their counts in
// hist; false (nothing kept) when there are too many distinct characters.
bool rank_chars(const uint32_t* s, size_t m, Scratch& sc, uint16_t* r, uint32_t* hist, uint32_t& A) {
  uint32_t* cnt = sc.cnt.data();  // rank + 1 during the pass
  uint32_t* alpha = room(sc.alpha, kRanks);
  constexpr uint32_t kMax = kRanks - kRankPad;  // the sentinels need ranks too
  uint32_t a = 0;
  size_t p = 0;
  for (; p < m; ++p) {
    // Branch-free: in a short text, every other character is new.
    const uint32_t c = s[p];
    uint32_t v = cnt[c];
    const bool fresh = v == 0;
    alpha[a] = c;
    a += fresh;
    v = fresh ? a : v;
    cnt[c] = v;
    r[p] = static_cast<uint16_t>(v - 1);
    ++hist[v - 1];
    if (a > kMax) break;
  }
  for (uint32_t k = 0; k < a; ++k) cnt[alpha[k]] = 0;
  A = a;
  if (p == m) return true;
  std::memset(hist, 0, sizeof(uint32_t) * a);
  return false;
}

// The positions sorted by their first three characters (LSD radix sort of the ranks),
// then the groups of those sharing a 3-gram (of two or more) kept in place in
// sc.pos / sc.grp; returns their number. best[2]: the longest run of neighbours
// sharing a 2-gram; best[3]: the largest group.
size_t group3(const uint16_t* r, size_t m, uint32_t A, Scratch& sc, uint32_t* hist, uint32_t* best) {
  uint32_t* pos = sc.pos.data();
  uint32_t* grp = sc.grp.data();
  uint32_t* tmp = room(sc.tmp, m + 1);
  uint32_t* start = sc.rcnt.data();
  const uint32_t nb = A + 2;  // keys r[p + j], j <= 2: ranks and the first two sentinels
  // Pass j sorts by r[p + j], stably: j = 2 into pos, 1 into tmp, 0 into pos.
  for (int j = 2; j >= 0; --j) {
    const uint16_t* key = r + j;
    std::memcpy(start, hist, sizeof(uint32_t) * nb);  // counts of key[0, m) = r[j, m + j)
    for (int t = 0; t < j; ++t) --start[r[t]], ++start[r[m + t]];
    uint32_t sum = 0;
    for (uint32_t c = 0; c < nb; ++c) {
      const uint32_t k = start[c];
      start[c] = sum;
      sum += k;
    }
    uint32_t* out = j == 1 ? tmp : pos;
    if (j == 2) {
      for (size_t i = 0; i < m; ++i) out[start[key[i]]++] = static_cast<uint32_t>(i);
    } else {
      const uint32_t* in = j == 1 ? pos : tmp;
      for (size_t i = 0; i < m; ++i) {
        const uint32_t q = in[i];
        out[start[key[q]]++] = q;
      }
    }
  }
  std::memset(start, 0, sizeof(uint32_t) * nb);
  std::memset(hist, 0, sizeof(uint32_t) * A);
  // Neighbours: common prefix l of their 3-grams (the ranks in the top 48 bits;
  // x | 1 makes equal words give 3). Branch-free, since l is unpredictable: pos[i]
  // is kept (moved down in place, o <= i) if it shares its 3-gram with a neighbour.
  constexpr uint64_t kMask = ~uint64_t{0xFFFF};
  size_t ng = 0;
  uint32_t q0 = pos[0], o = 0, in0 = 0, run2 = 1, b2 = 1;
  uint64_t w0 = word_at(r, q0) & kMask;
  for (size_t i = 1; i < m; ++i) {
    const uint32_t q1 = pos[i];
    const uint64_t w1 = word_at(r, q1) & kMask;
    const uint32_t l = static_cast<uint32_t>(__builtin_clzll((w0 ^ w1) | 1)) >> 4;
    const uint32_t in1 = l >> 1 & l;  // l == 3
    run2 = l >= 2 ? run2 + 1 : 1;
    b2 = std::max(b2, run2);
    grp[ng] = o;
    ng += in1 & ~in0;
    pos[o] = q0;
    o += in0 | in1;
    q0 = q1, w0 = w1, in0 = in1;
  }
  pos[o] = q0;
  o += in0;
  grp[ng] = o;
  best[2] = b2;
  best[3] = 1;
  for (size_t i = 0; i < ng; ++i) best[3] = std::max(best[3], grp[i + 1] - grp[i]);
  return ng;
}

// Top n-gram fractions (n = 2..4) and repeated n-gram coverage (n = 5..10) of the
// m code points s[0, m) (s[m, m + kMaxN] hold the sentinels kSentinel + k: an
// n-gram running past the end is never repeated).
//
// The positions are grouped like an MSD radix sort of the suffixes cut at kMaxN
// characters: a group holds the positions that share a d-gram, and is split on the
// next character until its positions are alone (their longer n-grams are unique)
// or share kMaxN characters. The characters become dense 16-bit ranks first; the
// first three levels are an LSD radix sort of all positions, the rest is depth
// first (settle_groups). Characters are compared exactly, no hashing.
void ngram_stats(const uint32_t* s, size_t m, Scratch& sc, double* top, double* dup) {
  for (int n = 2; n <= 4; ++n) top[n - 2] = 0.0;
  for (int n = 5; n <= kMaxN; ++n) dup[n - 5] = 0.0;
  if (m < 2) return;
  if (sc.cnt.empty()) sc.cnt.assign(kTabSize, 0);
  if (sc.rcnt.empty()) sc.rcnt.assign(2 * kRanks, 0);
  uint8_t* deepest = room(sc.deepest, m + 8);
  std::memset(deepest, 0, m + 8);
  uint32_t* pos = room(sc.pos, m + 1);
  uint32_t* grp = room(sc.grp, m + 1);
  uint32_t best[kTopMax + 1] = {0};  // largest count of an n-gram, n = 2..kTopMax

  uint16_t* r = room(sc.rank, m + kRankPad);
  uint32_t* hist = sc.rcnt.data() + kRanks;
  uint32_t A;
  if (rank_chars(s, m, sc, r, hist, A)) {
    for (uint32_t k = 0; k < kRankPad; ++k) r[m + k] = static_cast<uint16_t>(A + k);
    const size_t ng = group3(r, m, A, sc, hist, best);
    settle_groups(r, m, sc, sc.rcnt.data(), ng, 3, best);
  } else {
    // Over 65,518 distinct characters: the code points themselves, level 1 by split.
    size_t ng = 0;
    uint32_t o = 0;
    uint32_t* all = room(sc.tmp, m + 1);
    for (uint32_t p = 0; p < m; ++p) all[p] = p;
    split(all, static_cast<uint32_t>(m), s, sc.cnt.data(), room(sc.touched, m + 1), pos, o, grp, ng,
          static_cast<uint32_t>(m));
    grp[ng] = o;
    settle_groups(s, m, sc, sc.cnt.data(), ng, 1, best);
  }
  for (int n = 2; n <= kTopMax; ++n)
    if (best[n] > 1)
      top[n - 2] = std::min(1.0, static_cast<double>(static_cast<int64_t>(n) * best[n]) / static_cast<double>(m));

  // Coverage: the union of [p, p + n) over the positions whose n-gram repeats
  // (deepest[p] >= n), for every n; starts increase, so each union grows at its end.
  // deepest is 0 below 5: 8 positions are skipped at a time.
  int64_t covered[kMaxN + 1] = {0}, until[kMaxN + 1] = {0};
  for (size_t b = 0; b < m; b += 8) {
    uint64_t w;
    std::memcpy(&w, deepest + b, 8);
    while (w) {
      const int j = __builtin_ctzll(w) >> 3;
      const int depth = static_cast<int>(w >> (8 * j) & 0xFF);
      w &= ~(uint64_t{0xFF} << (8 * j));
      const int64_t a = static_cast<int64_t>(b) + j;
      for (int n = 5; n <= depth; ++n) {
        const int64_t e = a + n;
        covered[n] += e - std::max(a, until[n]);
        until[n] = e;
      }
    }
  }
  for (int n = 5; n <= kMaxN; ++n) dup[n - 5] = ratio(covered[n], static_cast<int64_t>(m));
}

void doc_stats(const text::DocIn& d, const text::CharTable& table, const StopWords& stop,
               const dedup::NormOptions& norm, Scratch& sc, int64_t* iv, double* fv) {
  uint32_t* cps = room(sc.cps, static_cast<size_t>(d.n) + 17);
  const size_t m = dedup::normalize_into(d, table, norm, cps);
  const uint8_t* t = table.data();
  uint32_t* s = room(sc.s, m + kMaxN + 1);
  uint8_t* sf = room(sc.sflag, m + 1);
  sc.lstart.clear(), sc.llen.clear(), sc.pfirst.clear(), sc.pcount.clear();
  size_t ns = 0;
  int64_t symbols = 0, digits = 0, content = 0, ends = 0;
  bool in_para = false;
  auto end_line = [&](size_t first, size_t last) {  // [first, last] non-white, or first > last
    if (first > last) {
      in_para = false;
      return;
    }
    const uint32_t len = static_cast<uint32_t>(last + 1 - first);
    if (!in_para) {
      sc.pfirst.push_back(static_cast<uint32_t>(sc.lstart.size()));
      sc.pcount.push_back(0);
      in_para = true;
    }
    ++sc.pcount.back();
    sc.lstart.push_back(static_cast<uint32_t>(first));
    sc.llen.push_back(len);
    content += len;
    ends += (t[cps[last]] & kLineEnd) != 0;
  };
  size_t first = 1, last = 0;  // first > last: no non-white character in the line yet
  for (size_t i = 0; i < m; ++i) {
    const uint32_t c = cps[i];
    const uint8_t f = t[c];
    if (f & kWs) {
      if (c == '\n') {
        end_line(first, last);
        first = 1, last = 0;
      }
      continue;
    }
    s[ns] = c;
    sf[ns] = f;
    ++ns;
    symbols += (f & kSymbol) != 0;
    digits += (f & kDigit) != 0;
    if (first > last) first = i;
    last = i;
  }
  end_line(first, last);
  for (uint32_t k = 0; k <= static_cast<uint32_t>(kMaxN); ++k) s[ns + k] = kSentinel + k;

  const size_t nl = sc.lstart.size(), np = sc.pfirst.size();
  sc.lhash.resize(nl);
  for (size_t j = 0; j < nl; ++j) sc.lhash[j] = xxh::xxh64(cps + sc.lstart[j], 4 * size_t{sc.llen[j]}, 0);
  auto same_line = [&](size_t a, size_t b) {
    return sc.llen[a] == sc.llen[b] && sc.lhash[a] == sc.lhash[b] &&
           std::memcmp(cps + sc.lstart[a], cps + sc.lstart[b], 4 * size_t{sc.llen[a]}) == 0;
  };
  int64_t dup_lines, dup_line_chars;
  duplicates(
      nl, [&](size_t j) { return sc.lhash[j]; }, same_line, [&](size_t j) { return int64_t{sc.llen[j]}; }, sc.seen,
      dup_lines, dup_line_chars);

  sc.phash.resize(np);
  sc.pchars.resize(np);
  for (size_t p = 0; p < np; ++p) {
    sc.phash[p] = xxh::xxh64(sc.lhash.data() + sc.pfirst[p], 8 * size_t{sc.pcount[p]}, sc.pcount[p]);
    int64_t chars = 0;
    for (uint32_t j = 0; j < sc.pcount[p]; ++j) chars += sc.llen[sc.pfirst[p] + j];
    sc.pchars[p] = chars;
  }
  auto same_para = [&](size_t a, size_t b) {
    if (sc.pcount[a] != sc.pcount[b]) return false;
    for (uint32_t j = 0; j < sc.pcount[a]; ++j)
      if (!same_line(sc.pfirst[a] + j, sc.pfirst[b] + j)) return false;
    return true;
  };
  int64_t dup_paras, dup_para_chars;
  duplicates(
      np, [&](size_t p) { return sc.phash[p]; }, same_para, [&](size_t p) { return sc.pchars[p]; }, sc.seen,
      dup_paras, dup_para_chars);

  // Function words: union of all matches (a start's longest word covers its shorter ones).
  int64_t stop_covered = 0, until = 0;
  for (size_t i = 0; i < ns; ++i) {
    const uint8_t f = sf[i];
    size_t len = (f & kStopWord) ? 1 : 0;
    if (f & kStopPrefix) len = std::max(len, stop.longest_at(s, i, ns));
    const int64_t a = static_cast<int64_t>(i), e = a + static_cast<int64_t>(len);
    stop_covered += std::max<int64_t>(0, e - std::max(a, until));
    until = std::max(until, e);
  }

  const int64_t M = static_cast<int64_t>(ns), L = static_cast<int64_t>(nl);
  iv[kChars] = static_cast<int64_t>(m);
  iv[kLines] = L;
  fv[kDupLine] = ratio(dup_lines, L);
  fv[kDupLineChar] = ratio(dup_line_chars, content);
  fv[kDupPara] = ratio(dup_paras, static_cast<int64_t>(np));
  fv[kDupParaChar] = ratio(dup_para_chars, content);
  ngram_stats(s, ns, sc, fv + kTop2, fv + kDup5);
  fv[kSymbolRatio] = ratio(symbols, M);
  fv[kDigitRatio] = ratio(digits, M);
  fv[kMeanLineLength] = ratio(content, L);
  fv[kPunctEndLine] = ratio(ends, L);
  fv[kStopword] = ratio(stop_covered, M);
}

}  // namespace

StopWords::StopWords(const std::vector<uint32_t>& cps, const std::vector<int64_t>& offsets)
    : cps_(cps), offsets_(offsets) {
  const size_t nw = offsets.empty() ? 0 : offsets.size() - 1;
  for (size_t w = 0; w < nw; ++w)
    if (offsets[w + 1] <= offsets[w] || offsets[w + 1] > static_cast<int64_t>(cps.size()))
      throw std::invalid_argument("stop words must be non-empty and lie within the code points");
  for (size_t w = 0; w < nw; ++w)
    if (offsets[w + 1] - offsets[w] >= 2) order_.push_back(static_cast<uint32_t>(w));
  auto first = [&](uint32_t w) { return cps_[static_cast<size_t>(offsets_[w])]; };
  auto len = [&](uint32_t w) { return offsets_[w + 1] - offsets_[w]; };
  std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    return first(a) != first(b) ? first(a) < first(b) : len(a) > len(b);
  });
  const size_t nm = order_.size();
  slots_.assign(pow2_at_least(4 * nm + 4), Slot{kEmpty, 0, 0});
  const size_t mask = slots_.size() - 1;
  for (size_t b = 0; b < nm;) {
    size_t e = b;
    while (e < nm && first(order_[e]) == first(order_[b])) ++e;
    size_t slot = (first(order_[b]) * kGolden) >> 40 & mask;
    while (slots_[slot].cp != kEmpty) slot = (slot + 1) & mask;
    slots_[slot] = Slot{first(order_[b]), static_cast<uint32_t>(b), static_cast<uint32_t>(e)};
    b = e;
  }
}

size_t StopWords::longest_at(const uint32_t* s, size_t i, size_t m) const noexcept {
  const size_t mask = slots_.size() - 1;
  size_t slot = (s[i] * kGolden) >> 40 & mask;
  while (slots_[slot].cp != s[i]) {
    if (slots_[slot].cp == kEmpty) return 0;
    slot = (slot + 1) & mask;
  }
  const Slot& sl = slots_[slot];
  for (uint32_t k = sl.begin; k < sl.end; ++k) {  // longest first
    const uint32_t w = order_[k];
    const size_t b = static_cast<size_t>(offsets_[w]), len = static_cast<size_t>(offsets_[w + 1]) - b;
    if (i + len > m) continue;
    size_t j = 1;
    while (j < len && s[i + j] == cps_[b + j]) ++j;
    if (j == len) return len;
  }
  return 0;
}

void measure(const std::vector<text::DocIn>& docs, const text::CharTable& table, const StopWords& stop,
             text::Errors errors, int threads, int64_t* ints, double* floats) {
  const size_t n = docs.size();
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto& d = docs[i];
    // Positions are 32-bit inside a document.
    if (static_cast<uint64_t>(d.n) >= (uint64_t{1} << 32) - 64)
      throw std::length_error("document " + std::to_string(i) + " is too long (2^32 code units or more)");
    total += static_cast<size_t>(d.n) * (d.kind ? d.kind : 1);
  }
  threads = text::resolve_threads(threads);
  const int nt = total < (size_t(1) << 20) ? 1 : threads;  // below ~1 MB, waking threads costs more
  dedup::NormOptions norm;
  norm.fold_width = norm.fold_case = norm.drop_space = norm.drop_punct = false;
  norm.errors = errors;
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    // Per thread and kept between calls: the character table of the n-gram grouping
    // alone is 4.4 MB, too much to clear for every batch.
    thread_local Scratch sc;
    int64_t iv[kNumInt];
    double fv[kNumFloat];
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < static_cast<long>(n); ++i) {
      doc_stats(docs[static_cast<size_t>(i)], table, stop, norm, sc, iv, fv);
      for (int c = 0; c < kNumInt; ++c) ints[static_cast<size_t>(c) * n + static_cast<size_t>(i)] = iv[c];
      for (int c = 0; c < kNumFloat; ++c) floats[static_cast<size_t>(c) * n + static_cast<size_t>(i)] = fv[c];
    }
  }
}

}  // namespace ce::rep
