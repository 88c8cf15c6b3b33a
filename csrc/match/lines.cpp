#include "lines.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace ce::match {

namespace {

struct Scratch {
  std::unique_ptr<uint32_t[]> buf, cand;
  size_t cap = 0;
  std::vector<Span> spans;
  std::vector<int64_t> nl, raw_nl;  // line breaks in the normalised text / in the input units
  std::vector<int32_t> marks;       // marker words of the current line
  std::vector<int64_t> noisy;       // the noise lines, ascending

  void fit(size_t units) {
    const size_t need = units + 17;  // normalize_into and the 16-lane candidate stores
    if (need > cap) {
      cap = std::max(need, 2 * cap);
      buf.reset(new uint32_t[cap]);
      cand.reset(new uint32_t[cap + 16]);
    }
  }
};

template <class U>
void unit_newlines(const U* p, int64_t n, std::vector<int64_t>& out) {
  for (int64_t i = 0; i < n; ++i)
    if (p[i] == 10) out.push_back(i);
}

void raw_newlines(const text::DocIn& d, std::vector<int64_t>& out) {
  out.clear();
  switch (d.kind) {
    case 0: {
      const auto* b = static_cast<const uint8_t*>(d.p);
      for (const uint8_t* q = b; (q = static_cast<const uint8_t*>(std::memchr(q, '\n', static_cast<size_t>(b + d.n - q))));
           ++q)
        out.push_back(q - b);
      break;
    }
    case 1: unit_newlines(static_cast<const uint8_t*>(d.p), d.n, out); break;
    case 2: unit_newlines(static_cast<const uint16_t*>(d.p), d.n, out); break;
    default: unit_newlines(static_cast<const uint32_t*>(d.p), d.n, out); break;
  }
}

inline size_t unit_size(uint8_t kind) { return kind == 0 ? 1 : kind; }

// The cuts that remove the noise lines (ascending) of a document whose lines
// start at rs(k): each line with the line break after it; when the last line
// goes and some line stays, the break before the trailing removed run goes too
// (the kept lines are joined by single breaks).
Cuts make_cuts(const std::vector<int64_t>& noisy, const std::vector<int64_t>& raw_nl, int64_t n) {
  const int64_t K = static_cast<int64_t>(raw_nl.size()) + 1;
  auto start = [&](int64_t k) { return k == 0 ? int64_t(0) : raw_nl[static_cast<size_t>(k - 1)] + 1; };
  Cuts cuts;
  for (int64_t k : noisy) {
    const int64_t a = start(k), b = k + 1 < K ? start(k + 1) : n;
    if (!cuts.empty() && cuts.back().second == a) cuts.back().second = b;
    else cuts.emplace_back(a, b);
  }
  if (!noisy.empty() && noisy.back() == K - 1 && static_cast<int64_t>(noisy.size()) < K) --cuts.back().first;
  return cuts;
}

}  // namespace

void noise_lines(const Matcher& mt, const LineRule& rule, const std::vector<text::DocIn>& docs,
                 const text::CharTable& table, const dedup::NormOptions& norm, int threads, LineStats out,
                 std::vector<Cuts>* cuts) {
  const size_t n = docs.size(), G = static_cast<size_t>(mt.categories());
  if (rule.marker.size() != mt.words()) throw std::invalid_argument("one marker flag per word");
  threads = text::resolve_threads(threads);
  size_t total = 0;
  for (const auto& d : docs) total += static_cast<size_t>(d.n);
  const int nt = (total < (size_t(1) << 20)) ? 1 : threads;
  if (cuts) cuts->assign(n, {});
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    Scratch s;
#pragma omp for schedule(dynamic, 16)
    for (long di = 0; di < static_cast<long>(n); ++di) {
      const size_t i = static_cast<size_t>(di);
      const text::DocIn& d = docs[i];
      s.fit(static_cast<size_t>(d.n));
      const size_t m = dedup::normalize_into(d, table, norm, s.buf.get());
      const uint32_t* c = s.buf.get();
      s.spans.clear();
      mt.find(c, m, s.cand.get(), s.spans);
      int64_t* gl = out.group_lines + i * G;
      std::fill(gl, gl + G, 0);
      out.chars[i] = static_cast<int64_t>(m);
      out.noise_lines[i] = out.noise_chars[i] = 0;
      if (s.spans.empty()) {  // the usual case: no phrase, no noise line
        int64_t breaks = 0;
        for (size_t p = 0; p < m; ++p) breaks += c[p] == 10;
        out.lines[i] = breaks + 1;
        continue;
      }
      s.nl.clear();
      for (size_t p = 0; p < m; ++p)
        if (c[p] == 10) s.nl.push_back(static_cast<int64_t>(p));
      const int64_t K = static_cast<int64_t>(s.nl.size()) + 1;
      out.lines[i] = K;
      s.noisy.clear();
      int64_t removed = 0;
      for (size_t a = 0; a < s.spans.size();) {
        // The line of span a and its spans [a, b): phrases never hold a line break.
        const int64_t k = std::upper_bound(s.nl.begin(), s.nl.end(), s.spans[a].start) - s.nl.begin();
        const int64_t ls = k ? s.nl[static_cast<size_t>(k - 1)] + 1 : 0;
        const int64_t le = k + 1 < K ? s.nl[static_cast<size_t>(k)] : static_cast<int64_t>(m);
        size_t b = a;
        while (b < s.spans.size() && s.spans[b].start < le) ++b;
        int64_t nonspace = 0, covered = 0, until = ls;
        for (int64_t p = ls; p < le; ++p) nonspace += !(table[c[p]] & text::kWs);
        uint64_t groups = 0;
        s.marks.clear();
        for (size_t q = a; q < b; ++q) {
          const Span& sp = s.spans[q];
          for (int64_t p = std::max(sp.start, until); p < sp.end; ++p) covered += !(table[c[p]] & text::kWs);
          until = std::max(until, sp.end);
          groups |= mt.word_categories(static_cast<size_t>(sp.word));
          if (rule.marker[static_cast<size_t>(sp.word)]) s.marks.push_back(static_cast<int32_t>(sp.word));
        }
        std::sort(s.marks.begin(), s.marks.end());
        const int64_t D = std::unique(s.marks.begin(), s.marks.end()) - s.marks.begin();
        // nonspace <= max_line_chars * D, without overflow.
        const bool short_line = D > 0 && rule.max_line_chars >= (nonspace + D - 1) / D;
        if (short_line || static_cast<double>(covered) >= rule.min_cover * static_cast<double>(nonspace)) {
          s.noisy.push_back(k);
          removed += le - ls;
          for (uint64_t bits = groups; bits; bits &= bits - 1) ++gl[__builtin_ctzll(bits)];
        }
        a = b;
      }
      const int64_t r = static_cast<int64_t>(s.noisy.size());
      out.noise_lines[i] = r;
      out.noise_chars[i] = removed + std::min(r, K - 1);
      if (cuts && r) {
        raw_newlines(d, s.raw_nl);
        if (s.raw_nl.size() != s.nl.size()) throw std::logic_error("line breaks changed in normalisation");
        (*cuts)[i] = make_cuts(s.noisy, s.raw_nl, d.n);
      }
    }
  }
}

int64_t kept_units(int64_t n, const Cuts& cuts) {
  for (const auto& c : cuts) n -= c.second - c.first;
  return n;
}

void copy_kept(const text::DocIn& d, const Cuts& cuts, uint8_t* out) {
  const size_t us = unit_size(d.kind);
  const auto* src = static_cast<const uint8_t*>(d.p);
  int64_t from = 0;
  auto put = [&](int64_t a, int64_t b) {
    const size_t len = static_cast<size_t>(b - a) * us;
    if (len) std::memcpy(out, src + static_cast<size_t>(a) * us, len);
    out += len;
  };
  for (const auto& c : cuts) {
    put(from, c.first);
    from = c.second;
  }
  put(from, d.n);
}

void assemble_utf8(const std::vector<text::DocIn>& docs, const std::vector<Cuts>& cuts, int threads, uint8_t* out,
                   int64_t* offsets) {
  const size_t n = docs.size();
  offsets[0] = 0;
  for (size_t i = 0; i < n; ++i) offsets[i + 1] = offsets[i] + kept_units(docs[i].n, cuts[i]);
  threads = text::resolve_threads(threads);
  const int nt = offsets[n] < (int64_t(1) << 20) ? 1 : threads;
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt) if (nt > 1)
  for (long i = 0; i < static_cast<long>(n); ++i)
    copy_kept(docs[static_cast<size_t>(i)], cuts[static_cast<size_t>(i)], out + offsets[i]);
}

}  // namespace ce::match
