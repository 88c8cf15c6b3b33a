#include "batch.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
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
std::vector<size_t> make_chunks(const std::vector<DocIn>& docs, int threads, size_t max_bytes = SIZE_MAX) {
  size_t total = 0;
  for (const auto& d : docs) total += static_cast<size_t>(d.n) * unit_size(d.kind);
  if (total < (size_t(1) << 20)) threads = 1;  // below ~0.3 ms of work, waking threads costs more
  const size_t target =
      std::min(max_bytes, std::max<size_t>(size_t(1) << 16, total / (static_cast<size_t>(threads) * 8) + 1));
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
  // Into a buffer: many ~1 MiB chunks, each placed right after its predecessor as
  // soon as that is placed, while its output is still in cache. Into str objects:
  // one group per thread.
  ed.chunk_begin = out ? make_chunks(docs, threads, size_t(1) << 20) : make_groups(docs, threads);
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
  // Placement state (buffer form): chunks [0, placed) sit contiguously at out[0, frontier).
  std::mutex mu;
  std::vector<uint8_t> done(nchunks, 0);
  size_t placed = 0, frontier = 0;
  ed.dst.assign(nchunks, -1);
  ed.inplace = out != nullptr;
  auto place_ready = [&] {
    while (placed < nchunks && done[placed]) {
      Arena& a = ed.arenas[placed];
      if (!ed.inplace || a.owned()) {  // a chunk outgrew its room: the rest waits for concat_utf8
        ed.inplace = false;
        return;
      }
      // frontier <= base[placed]: the move goes left and ends before the next chunk's room.
      if (a.size() && a.data() != out + frontier) std::memmove(out + frontier, a.data(), a.size());
      ed.dst[placed] = static_cast<int64_t>(frontier);
      frontier += a.size();
      ++placed;
    }
  };

#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
  for (long c = 0; c < static_cast<long>(nchunks); ++c) {
    Arena& arena = ed.arenas[c];
    if (out) {
      // Its predecessors all placed already (always so on one thread): write in
      // place, up to where the next chunk's room begins. Else write in its own room.
      std::lock_guard<std::mutex> lock(mu);
      if (ed.inplace && placed == static_cast<size_t>(c))
        arena = Arena(out + frontier, base[c + 1] - frontier);
      else
        arena = Arena(out + base[c], base[c + 1] - base[c]);
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
        Out<U> w(arena);
        run_checked<Tag>(d, prm.errors, [&](const U* p, const U* e, bool) {
          bool ok;
          switch (op) {
            case EditOp::kExtract: ok = extract_lines_fast<Tag>(ctx, p, e, *prm.bands, w); break;
            case EditOp::kStrip: ok = strip_chars_fast<Tag>(ctx, p, e, w); break;
            default: ok = trim_doc_fast<Tag>(ctx, p, e, w); break;
          }
          if (!ok) w.reset();
          return ok;
        });
        ed.units[i] = static_cast<int64_t>(w.units());
      });
    }
    if (out) {
      std::lock_guard<std::mutex> lock(mu);
      done[static_cast<size_t>(c)] = 1;
      place_ready();
    }
  }
  ed.placed = placed;
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
  const size_t nc = ed.arenas.size();
  std::vector<size_t> dst(nc + 1, 0);
  for (size_t c = 0; c < nc; ++c) dst[c + 1] = dst[c] + ed.arenas[c].size();
  total = dst[nc];
  uint8_t* buf = out;
  if (!(ed.inplace && ed.placed == nc)) {
    // Some chunk outgrew its room (ill-formed bytes replaced): copy everything,
    // placed chunks from where they were placed, the others from their arenas.
    buf = alloc_output(std::max<size_t>(total, 1));
    const int nt = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(nc, 1)));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && total > (1u << 20))
    for (long c = 0; c < static_cast<long>(nc); ++c) {
      const size_t n = ed.arenas[c].size();
      const uint8_t* src = static_cast<size_t>(c) < ed.placed ? out + ed.dst[c] : ed.arenas[c].data();
      if (n) std::memcpy(buf + dst[c], src, n);
    }
    free_output(out);
  }
  (void)out_cap;
  for (size_t c = 0; c < nc; ++c)
    for (size_t i = ed.chunk_begin[c]; i < ed.chunk_begin[c + 1]; ++i)
      offsets[i] = static_cast<int64_t>(dst[c]) + ed.start[i];
  offsets[ed.units.size()] = static_cast<int64_t>(total);
  return buf;
}

}  // namespace ce::text
