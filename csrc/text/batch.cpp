#include "batch.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"

namespace ce::text {

int resolve_threads(int threads) {
#ifdef _OPENMP
  if (threads <= 0) threads = omp_get_max_threads();
#else
  threads = 1;
#endif
  return std::max(threads, 1);
}

namespace {

size_t unit_size(uint8_t kind) { return kind == 0 ? 1 : kind; }

// Calls f(Tag{}) with the unit tag of a document kind.
template <class F>
decltype(auto) with_unit(uint8_t kind, F&& f) {
  switch (kind) {
    case 0: return f(Utf8Unit{});
    case 1: return f(UcsUnit<uint8_t>{});
    case 2: return f(UcsUnit<uint16_t>{});
    case 4: return f(UcsUnit<uint32_t>{});
  }
  throw std::invalid_argument("unknown text kind");
}

// Contiguous document ranges of similar byte size, a few per thread.
std::vector<size_t> make_chunks(const std::vector<DocIn>& docs, int threads) {
  size_t total = 0;
  for (const auto& d : docs) total += static_cast<size_t>(d.n) * unit_size(d.kind);
  if (total < (size_t(1) << 20)) threads = 1;  // below ~0.3 ms of work, waking threads costs more
  const size_t target = std::max<size_t>(size_t(1) << 16, total / (static_cast<size_t>(threads) * 8) + 1);
  std::vector<size_t> begin{0};
  size_t acc = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    acc += static_cast<size_t>(docs[i].n) * unit_size(docs[i].kind) + 16;
    if (acc >= target && i + 1 < docs.size()) {
      begin.push_back(i + 1);
      acc = 0;
    }
  }
  begin.push_back(docs.size());
  return begin;
}

// Exactly one contiguous group of documents per thread, of similar byte size:
// each group's output is then contiguous, and joining them moves little.
std::vector<size_t> make_groups(const std::vector<DocIn>& docs, int threads) {
  size_t total = 0;
  for (const auto& d : docs) total += static_cast<size_t>(d.n) * unit_size(d.kind);
  size_t ng = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(threads), docs.size()));
  if (total < (size_t(1) << 18)) ng = 1;  // not worth waking threads
  std::vector<size_t> begin{0};
  size_t acc = 0;
  for (size_t i = 0; i < docs.size() && begin.size() < ng; ++i) {
    acc += static_cast<size_t>(docs[i].n) * unit_size(docs[i].kind);
    while (begin.size() < ng && acc * ng >= total * begin.size()) begin.push_back(i + 1);
  }
  while (begin.size() < ng) begin.push_back(docs.size());
  begin.push_back(docs.size());
  return begin;
}

// Runs kernel(tag, p, e) on a document; on ill-formed input, on its sanitized copy.
template <class Tag, class K>
auto run_checked(const DocIn& d, Errors errors, K&& kernel) {
  using U = typename Tag::unit;
  const U* p = static_cast<const U*>(d.p);
  const U* e = p + d.n;
  if (kernel(p, e, true)) return;
  thread_local std::vector<U> clean;
  sanitize<Tag>(p, e, errors, clean);
  kernel(clean.data(), clean.data() + clean.size(), false);
}

}  // namespace

Edited edit_batch(const std::vector<DocIn>& docs, EditOp op, const EditParams& prm, int threads, uint8_t* out) {
  threads = resolve_threads(threads);
  Edited ed;
  ed.chunk_begin = make_groups(docs, threads);
  const size_t nchunks = ed.chunk_begin.size() - 1;
  ed.arenas.resize(nchunks);
  ed.start.assign(docs.size(), 0);
  ed.units.assign(docs.size(), 0);
  const std::shared_ptr<const Kctx> kp = kctx_for(*prm.table, prm.skip);
  const Kctx& ctx = *kp;
  std::vector<size_t> base(nchunks + 1, 0);  // input bytes before each chunk
  for (size_t c = 0; c < nchunks; ++c) {
    base[c + 1] = base[c];
    for (size_t i = ed.chunk_begin[c]; i < ed.chunk_begin[c + 1]; ++i) base[c + 1] += static_cast<size_t>(docs[i].n);
  }
  const int nt = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), nchunks));
  if (out) {
    ed.scratch.assign(nchunks, nullptr);
    for (size_t c = 1; c < nchunks; ++c) ed.scratch[c] = alloc_output(base[c + 1] - base[c] + 1);
  }

#pragma omp parallel for schedule(static, 1) num_threads(nt) if (nt > 1)
  for (long c = 0; c < static_cast<long>(nchunks); ++c) {
    Arena& arena = ed.arenas[c];
    if (out) {
      // The first group may use all of out: the other groups never write there.
      arena = c == 0 ? Arena(out, base[nchunks]) : Arena(ed.scratch[c], base[c + 1] - base[c]);
    } else {
      size_t bytes = 0;
      for (size_t i = ed.chunk_begin[c]; i < ed.chunk_begin[c + 1]; ++i)
        bytes += static_cast<size_t>(docs[i].n) * unit_size(docs[i].kind) + 4;
      arena.reserve(bytes + 64);
    }
    for (size_t i = ed.chunk_begin[c]; i < ed.chunk_begin[c + 1]; ++i) {
      const DocIn& d = docs[i];
      if (d.kind > 1) arena.align(4);
      ed.start[i] = static_cast<int64_t>(arena.size());
      with_unit(d.kind, [&](auto tag) {
        using Tag = decltype(tag);
        using U = typename Tag::unit;
        Out<U> out(arena);
        run_checked<Tag>(d, prm.errors, [&](const U* p, const U* e, bool) {
          bool ok;
          switch (op) {
            case EditOp::kExtract: ok = extract_lines_fast<Tag>(ctx, p, e, *prm.bands, out); break;
            case EditOp::kStrip: ok = strip_chars_fast<Tag>(ctx, p, e, out); break;
            default: ok = trim_doc_fast<Tag>(ctx, p, e, out); break;
          }
          if (!ok) out.reset();
          return ok;
        });
        ed.units[i] = static_cast<int64_t>(out.units());
      });
    }
  }
  return ed;
}

void ratio_batch(const std::vector<DocIn>& docs, const CharTable& table, uint8_t skip, Errors errors,
                 int threads, double* out) {
  threads = resolve_threads(threads);
  const std::vector<size_t> cb = make_chunks(docs, threads);
  const long nchunks = static_cast<long>(cb.size() - 1);
  const std::shared_ptr<const Kctx> kp = kctx_for(table, skip);
  const Kctx& ctx = *kp;
  const int nt = static_cast<int>(std::min<long>(threads, nchunks));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
  for (long c = 0; c < nchunks; ++c) {
    for (size_t i = cb[c]; i < cb[c + 1]; ++i) {
      Counts cnt;
      with_unit(docs[i].kind, [&](auto tag) {
        using Tag = decltype(tag);
        using U = typename Tag::unit;
        run_checked<Tag>(docs[i], errors,
                         [&](const U* p, const U* e, bool) { return count_chars_fast<Tag>(ctx, p, e, cnt); });
      });
      out[i] = cnt.counted ? static_cast<double>(cnt.zh) / static_cast<double>(cnt.counted) : 0.0;
    }
  }
}

void length_batch(const std::vector<DocIn>& docs, Errors errors, int threads, int64_t* out) {
  threads = resolve_threads(threads);
  const std::vector<size_t> cb = make_chunks(docs, threads);
  const long nchunks = static_cast<long>(cb.size() - 1);
  const int nt = static_cast<int>(std::min<long>(threads, nchunks));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
  for (long c = 0; c < nchunks; ++c) {
    for (size_t i = cb[c]; i < cb[c + 1]; ++i) {
      int64_t n = 0;
      with_unit(docs[i].kind, [&](auto tag) {
        using Tag = decltype(tag);
        using U = typename Tag::unit;
        run_checked<Tag>(docs[i], errors, [&](const U* p, const U* e, bool) { return count_len_fast<Tag>(p, e, n); });
      });
      out[i] = n;
    }
  }
}

uint8_t* concat_utf8(Edited& ed, uint8_t* out, size_t out_cap, int threads, size_t& total, int64_t* offsets) {
  threads = resolve_threads(threads);
  const size_t ng = ed.arenas.size();
  std::vector<size_t> dst(ng + 1, 0);
  for (size_t g = 0; g < ng; ++g) dst[g + 1] = dst[g] + ed.arenas[g].size();
  total = dst[ng];
  uint8_t* buf = total <= out_cap ? out : alloc_output(total);
  // Copy every group not already in place, in pieces of similar size for all threads.
  struct Piece {
    uint8_t* to;
    const uint8_t* from;
    size_t n;
  };
  std::vector<Piece> pieces;
  size_t moving = 0;
  for (size_t g = 0; g < ng; ++g)
    if (ed.arenas[g].data() != buf + dst[g]) moving += ed.arenas[g].size();
  const size_t piece = std::max<size_t>(size_t(1) << 20, moving / (static_cast<size_t>(threads) * 4) + 1);
  for (size_t g = 0; g < ng; ++g) {
    const uint8_t* src = ed.arenas[g].data();
    if (src == buf + dst[g]) continue;
    for (size_t off = 0; off < ed.arenas[g].size(); off += piece)
      pieces.push_back({buf + dst[g] + off, src + off, std::min(piece, ed.arenas[g].size() - off)});
  }
  const int nt = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(pieces.size(), 1)));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
  for (long i = 0; i < static_cast<long>(pieces.size()); ++i) std::memcpy(pieces[i].to, pieces[i].from, pieces[i].n);
  for (uint8_t* s : ed.scratch) free_output(s);
  ed.scratch.clear();
  if (buf != out) free_output(out);
  for (size_t g = 0; g < ng; ++g)
    for (size_t i = ed.chunk_begin[g]; i < ed.chunk_begin[g + 1]; ++i)
      offsets[i] = static_cast<int64_t>(dst[g]) + ed.start[i];
  offsets[ed.units.size()] = static_cast<int64_t>(total);
  return buf;
}

}  // namespace ce::text
