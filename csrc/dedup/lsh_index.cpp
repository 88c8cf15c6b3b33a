#include "lsh_index.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <cstdlib>
#include <cstring>
#include <new>

#include "../common/arena.h"
#include "../text/batch.h"
#include "dedup.h"

#ifdef _OPENMP
#include <omp.h>
#endif


namespace ce::dedup {

namespace {
// Home slot of a key in a table of n slots (any n): a multiply-shift range reduction.
inline size_t slot_of(uint64_t key, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(key * 0x9E3779B97F4A7C15ULL) * n) >> 64);
}
inline size_t next_slot(size_t s, size_t n) { return s + 1 == n ? 0 : s + 1; }
}  // namespace

LshTable::SlotArray& LshTable::SlotArray::operator=(SlotArray&& o) noexcept {
  if (this != &o) {
    ce::free_output(reinterpret_cast<uint8_t*>(p));
    p = o.p, n = o.n;
    o.p = nullptr, o.n = 0;
  }
  return *this;
}

LshTable::SlotArray::~SlotArray() { ce::free_output(reinterpret_cast<uint8_t*>(p)); }

void LshTable::SlotArray::reset(size_t count) {
  // Pooled, huge-page memory (alloc_output): an index built batch after batch, or
  // rebuilt, reuses it instead of faulting in fresh pages.
  SlotArray fresh;
  fresh.p = reinterpret_cast<Slot*>(ce::alloc_output(count * sizeof(Slot)));
  fresh.n = count;
  std::memset(fresh.p, 0, count * sizeof(Slot));
  *this = std::move(fresh);
}

LshTable::LshTable(int bands) {
  if (bands < 1) throw std::invalid_argument("bands must be >= 1");
  tables_.resize(static_cast<size_t>(bands));
}

__attribute__((always_inline)) inline void LshTable::put(Band& b, size_t slot, uint64_t key, uint32_t entry) {
  // b.next is zero-filled when it grows, so a new chain's end needs no write.
  const size_t n = b.slots.n;
  for (size_t s = slot;; s = next_slot(s, n)) {
    Slot& x = b.slots.p[s];
    if (!x.head) {
      x.key = key;
      x.head = entry + 1;
      ++b.used;
      return;
    }
    if (x.key == key) {
      b.next[entry] = x.head;
      x.head = entry + 1;
      return;
    }
  }
}

void LshTable::grow(Band& b, size_t want) {
  if (3 * want <= 2 * b.slots.n) return;  // load factor stays <= 2/3
  const size_t cap = std::max<size_t>(1024, std::max(want + want / 2 + 1, 2 * b.slots.n));
  SlotArray old = std::move(b.slots);
  b.slots.reset(cap);
  for (size_t s = 0; s < old.n; ++s) {
    if (!old.p[s].head) continue;
    size_t t = slot_of(old.p[s].key, cap);
    while (b.slots.p[t].head) t = next_slot(t, cap);
    b.slots.p[t] = old.p[s];  // chains move with their head
  }
}

namespace {
// Batches at least this large are inserted partition by partition (see insert_batch).
constexpr size_t kSortedMin = 1 << 15;
// Home slots per partition, at least: 65,536 slots of 12 bytes (768 KiB) mostly
// stay in a 1 MiB L2 while the partition is inserted; fewer, larger partitions
// also keep the scatter's open lines (one per partition and band) in cache.
constexpr int kPartShift = 16;
// Expected entries per partition, at least: keeps the spare room of small batches small.
constexpr size_t kMinPerPart = 256;
// Documents per round: bounds the scratch (about 13 bytes per document and band)
// to about 512 MiB whatever the batch size.
constexpr size_t kScratchBytes = size_t{1} << 29;
// Documents per block: a block's signatures and keys stay in L2 while every
// band takes its column.
constexpr size_t kBlock = 1024;
// Table lines prefetched this many inserts ahead.
constexpr size_t kAhead = 16;

#pragma pack(push, 4)
struct Pending {
  uint64_t key;
  uint32_t entry;
};
#pragma pack(pop)

// Scratch from the huge-page pool: neither zeroed by us nor, when reused, by the kernel.
struct PooledScratch {
  Pending* p = nullptr;
  explicit PooledScratch(size_t n) : p(reinterpret_cast<Pending*>(ce::alloc_output(n * sizeof(Pending)))) {}
  PooledScratch(const PooledScratch&) = delete;
  PooledScratch& operator=(const PooledScratch&) = delete;
  ~PooledScratch() { ce::free_output(reinterpret_cast<uint8_t*>(p)); }
};

// How one band's pending inserts of a round are bucketed by home slot.
struct Partitioning {
  int shift = kPartShift;  // partition = home slot >> shift
  size_t parts = 0, room = 0, offset = 0;  // room: entries per partition; offset: in the scratch

  Partitioning(size_t cap, size_t cnt) {
    while (((cap - 1) >> shift) > 0 && cnt / (((cap - 1) >> shift) + 1) < kMinPerPart) ++shift;
    parts = ((cap - 1) >> shift) + 1;
    // Home slots are uniform: a partition's count is binomial; six standard
    // deviations of room make an overflow (handled, but slower) very rare.
    const double mean = static_cast<double>(cnt) / static_cast<double>(parts);
    room = static_cast<size_t>(mean + 6.0 * std::sqrt(mean) + 16.0);
  }
};
}  // namespace

template <class Column>
void LshTable::insert_batch(const Column& column, size_t n, size_t base, int threads) {
  const int nb = bands();
  const int nt = std::min(threads, nb);
  if (n < kSortedMin) {
    // A thread owns whole bands and inserts in document order, prefetching ahead.
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && n > 4096)
    for (int k = 0; k < nb; ++k) {
      Band& b = tables_[static_cast<size_t>(k)];
      const size_t cap = b.slots.n;
      uint64_t buf[kBlock];
      for (size_t lo = 0; lo < n; lo += kBlock) {
        const size_t cnt = std::min(kBlock, n - lo);
        column(k, lo, cnt, buf);
        for (size_t j = 0; j < cnt; ++j) {
          if (j + kAhead < cnt) __builtin_prefetch(&b.slots.p[slot_of(buf[j + kAhead], cap)], 1);
          put(b, slot_of(buf[j], cap), buf[j], static_cast<uint32_t>(base + lo + j));
        }
      }
    }
    return;
  }
  // Random inserts into tables of hundreds of MiB miss cache and TLB on every
  // key. Instead each band's keys are first bucketed by home slot into fixed-room
  // partitions, then inserted partition by partition: the table is swept once,
  // front to back. Chains keep document order: a partition's entries, then its
  // overflow, are in document order.
  const size_t round = std::max<size_t>(kBlock, kScratchBytes / (13 * static_cast<size_t>(nb)));
  for (size_t lo = 0; lo < n; lo += round) {
    const size_t cnt = std::min(round, n - lo);
    std::vector<Partitioning> plan;
    size_t total = 0;
    for (const Band& b : tables_) {
      plan.emplace_back(b.slots.n, cnt);
      plan.back().offset = total;
      total += plan.back().parts * plan.back().room;
    }
    PooledScratch scratch(total);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
      const int tid = omp_get_thread_num(), tn = omp_get_num_threads();
#else
      const int tid = 0, tn = 1;
#endif
      // Thread tid owns bands tid, tid + tn, ...
      const size_t mine = static_cast<size_t>((nb - tid + tn - 1) / tn);
      std::vector<std::vector<uint32_t>> fill(mine);
      std::vector<std::vector<Pending>> overflow(mine);
      std::vector<uint64_t> buf(mine * kBlock);
      for (size_t m = 0; m < mine; ++m) fill[m].assign(plan[static_cast<size_t>(tid) + m * tn].parts, 0);
      for (size_t b0 = 0; b0 < cnt; b0 += kBlock) {
        const size_t bc = std::min(kBlock, cnt - b0);
        for (size_t m = 0; m < mine; ++m) column(tid + static_cast<int>(m) * tn, lo + b0, bc, &buf[m * kBlock]);
        for (size_t m = 0; m < mine; ++m) {
          const size_t k = static_cast<size_t>(tid) + m * tn;
          const Partitioning& pl = plan[k];
          const size_t cap = tables_[k].slots.n;
          Pending* out = scratch.p + pl.offset;
          uint32_t* f = fill[m].data();
          const uint64_t* keys = &buf[m * kBlock];
          for (size_t j = 0; j < bc; ++j) {
            const size_t p = slot_of(keys[j], cap) >> pl.shift;
            const Pending x{keys[j], static_cast<uint32_t>(base + lo + b0 + j)};
            if (f[p] < pl.room) out[p * pl.room + f[p]++] = x;
            else overflow[m].push_back(x);
          }
        }
      }
      for (size_t m = 0; m < mine; ++m) {
        const size_t k = static_cast<size_t>(tid) + m * tn;
        const Partitioning& pl = plan[k];
        Band& b = tables_[k];
        const size_t cap = b.slots.n;
        for (size_t p = 0; p < pl.parts; ++p) {
          const Pending* in = scratch.p + pl.offset + p * pl.room;
          const size_t c = fill[m][p];
          for (size_t i = 0; i < c; ++i) {
            if (i + kAhead < c) __builtin_prefetch(&b.slots.p[slot_of(in[i + kAhead].key, cap)], 1);
            put(b, slot_of(in[i].key, cap), in[i].key, in[i].entry);
          }
        }
        for (const Pending& x : overflow[m]) put(b, slot_of(x.key, cap), x.key, x.entry);
      }
    }
  }
}

size_t LshTable::reserve(const int64_t* ids, size_t n) {
  const size_t base = ids_.size();
  if (base + n >= UINT32_MAX) throw std::length_error("LSH index holds at most 2^32 - 2 documents");
  ids_.insert(ids_.end(), ids, ids + n);
  for (auto& b : tables_) {
    b.next.resize(base + n);
    grow(b, b.used + n);
  }
  return base;
}

void LshTable::insert(const uint64_t* keys, const int64_t* ids, size_t n, int threads) {
  const size_t base = reserve(ids, n);
  const int nb = bands();
  insert_batch(
      [&](int k, size_t lo, size_t cnt, uint64_t* out) {
        for (size_t j = 0; j < cnt; ++j) out[j] = keys[(lo + j) * nb + k];
      },
      n, base, text::resolve_threads(threads));
}

void LshTable::insert_signatures(const uint32_t* sig, int num_perm, int rows, const int64_t* ids, size_t n,
                                 int threads) {
  if (rows < 1 || static_cast<long>(rows) * bands() > num_perm)
    throw std::invalid_argument("bands x rows must not exceed the signature length");
  const size_t base = reserve(ids, n);
  insert_batch(
      [&](int k, size_t lo, size_t cnt, uint64_t* out) {
        band_key_column(sig + lo * static_cast<size_t>(num_perm), cnt, num_perm, rows, k, out);
      },
      n, base, text::resolve_threads(threads));
}

void LshTable::query(const uint64_t* keys, size_t n, int threads, std::vector<int64_t>& offsets,
                     std::vector<int64_t>& ids) const {
  const int nb = bands();
  std::vector<std::vector<int64_t>> found(n);
  threads = text::resolve_threads(threads);
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads) if (threads > 1 && n > 1024)
  for (long q = 0; q < static_cast<long>(n); ++q) {
    std::vector<int64_t>& f = found[static_cast<size_t>(q)];
    for (int k = 0; k < nb; ++k) {
      const Band& b = tables_[static_cast<size_t>(k)];
      if (!b.slots.n) continue;
      const uint64_t key = keys[static_cast<size_t>(q) * nb + k];
      const size_t cap = b.slots.n;
      for (size_t s = slot_of(key, cap); b.slots.p[s].head; s = next_slot(s, cap)) {
        if (b.slots.p[s].key != key) continue;
        for (uint32_t e = b.slots.p[s].head; e; e = b.next[e - 1]) f.push_back(ids_[e - 1]);
        break;
      }
    }
    std::sort(f.begin(), f.end());
    f.erase(std::unique(f.begin(), f.end()), f.end());
  }
  offsets.assign(n + 1, 0);
  for (size_t q = 0; q < n; ++q) offsets[q + 1] = offsets[q] + static_cast<int64_t>(found[q].size());
  ids.resize(static_cast<size_t>(offsets[n]));
  for (size_t q = 0; q < n; ++q) std::copy(found[q].begin(), found[q].end(), ids.begin() + offsets[q]);
}

}  // namespace ce::dedup
