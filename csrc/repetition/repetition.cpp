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
  // n-gram groups: positions sharing an n-gram, group starts; double-buffered
  std::vector<uint32_t> pos[2], grp[2], touched;
  std::vector<uint32_t> cnt;      // per code point and sentinel; zero between uses
  std::vector<uint8_t> deepest;  // per position: longest repeated n-gram starting there (>= 5), else 0
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

// Splits the group of positions P(0) .. P(g - 1) (they share an (n-1)-gram) on
// their next characters next[p]: appends each part of two or more positions to
// out (from out_pos, recording where it starts in out_grp) and returns the largest
// part. cnt (indexed by character, zero on entry and on exit) counts, then places.
template <class Pos>
inline uint32_t split(Pos P, uint32_t g, const uint32_t* next, uint32_t* cnt, uint32_t* touched, uint32_t* out_pos,
                      uint32_t& o, uint32_t* out_grp, size_t& ng, uint32_t skip) {
  uint32_t nt = 0, best = 1;
  for (uint32_t t = 0; t < g; ++t) {
    const uint32_t c = next[P(t)];
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
    const uint32_t p = P(t), c = next[p], d = cnt[c];
    out_pos[d] = p;
    cnt[c] = d + (d != skip);
  }
  for (uint32_t j = 0; j < nt; ++j) cnt[touched[j]] = 0;
  return best;
}

// Top n-gram fractions (n = 2..4) and repeated n-gram coverage (n = 5..10) of the
// m code points s[0, m) (s[m, m + kMaxN] hold the sentinels kSentinel + k: an
// n-gram running past the end is never repeated).
//
// The positions are partitioned level by level, like an MSD radix sort of the
// suffixes cut at kMaxN characters: at level n a group holds the positions that
// share an n-gram, found by splitting each group of level n - 1 on its n-th
// character. A position alone in its group starts a unique n-gram, and so every
// longer one is unique too: it leaves. Characters are compared exactly, no hashing.
void ngram_stats(const uint32_t* s, size_t m, Scratch& sc, double* top, double* dup) {
  for (int n = 2; n <= 4; ++n) top[n - 2] = 0.0;
  for (int n = 5; n <= kMaxN; ++n) dup[n - 5] = 0.0;
  if (m < 2) return;
  if (sc.cnt.empty()) sc.cnt.assign(kTabSize, 0);
  uint32_t* cnt = sc.cnt.data();
  const uint32_t skip = static_cast<uint32_t>(m);  // scatter slot of singletons (never read)
  uint32_t* touched = room(sc.touched, m + 1);
  uint8_t* deepest = room(sc.deepest, m);
  std::memset(deepest, 0, m);
  uint32_t* pos = room(sc.pos[0], m + 1);
  uint32_t* grp = room(sc.grp[0], m + 1);
  uint32_t* npos = room(sc.pos[1], m + 1);
  uint32_t* ngrp = room(sc.grp[1], m + 1);

  // Level 1: the positions of repeated characters, grouped by character.
  size_t ng = 0;
  uint32_t o = 0;
  split([](uint32_t t) { return t; }, static_cast<uint32_t>(m), s, cnt, touched, pos, o, grp, ng, skip);
  grp[ng] = o;

  // Level n: split the groups of level n - 1 on their n-th character. A group of
  // two is settled at once: its members share exactly their common prefix.
  uint32_t best[kTopMax + 1] = {0};  // largest count of an n-gram, n = 2..kTopMax
  for (int n = 2; n <= kMaxN && ng > 0; ++n) {
    const uint32_t* next = s + (n - 1);  // next[p]: the n-th character of the n-gram at p
    const int lim = kMaxN - (n - 1);
    size_t nng = 0;
    o = 0;
    for (size_t g = 0; g < ng; ++g) {
      const uint32_t a = grp[g], size = grp[g + 1] - a;
      const uint32_t* P = pos + a;
      if (size == 2) {
        // Sentinels differ from each other and from every character: the
        // comparison stops at the end of the text.
        const uint32_t p = P[0], q = P[1];
        int e = 0;
        while (e < lim && next[p + e] == next[q + e]) ++e;
        for (int k = n; k <= std::min(kTopMax, n - 1 + e); ++k) best[k] = std::max(best[k], 2u);
        deepest[p] = deepest[q] = static_cast<uint8_t>(n - 1 + e);
        continue;
      }
      const uint32_t from = o;
      const uint32_t b = split([P](uint32_t t) { return P[t]; }, size, next, cnt, touched, npos, o, ngrp, nng, skip);
      if (n <= kTopMax) best[n] = std::max(best[n], b);
      if (n >= 5)
        for (uint32_t t = from; t < o; ++t) deepest[npos[t]] = static_cast<uint8_t>(n);
    }
    ngrp[nng] = o;
    std::swap(pos, npos);
    std::swap(grp, ngrp);
    ng = nng;
  }
  for (int n = 2; n <= kTopMax; ++n)
    if (best[n] > 1)
      top[n - 2] = std::min(1.0, static_cast<double>(static_cast<int64_t>(n) * best[n]) / static_cast<double>(m));

  // Coverage: the union of [p, p + n) over the positions whose n-gram repeats
  // (deepest[p] >= n), for every n; starts increase, so each union grows at its end.
  int64_t covered[kMaxN + 1] = {0}, until[kMaxN + 1] = {0};
  for (size_t p = 0; p < m; ++p) {
    const int depth = deepest[p];
    if (depth < 5) continue;
    const int64_t a = static_cast<int64_t>(p);
    for (int n = 5; n <= depth; ++n) {
      const int64_t e = a + n;
      covered[n] += e - std::max(a, until[n]);
      until[n] = e;
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
