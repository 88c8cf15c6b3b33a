#include "lsh_index.h"

#include <algorithm>
#include <stdexcept>

#include <cstdlib>
#include <cstring>
#include <new>

#include "../common/arena.h"
#include "../text/batch.h"


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

void LshTable::put(Band& b, size_t slot, uint64_t key, uint32_t entry) {
  const size_t n = b.slots.n;
  for (size_t s = slot;; s = next_slot(s, n)) {
    Slot& x = b.slots.p[s];
    if (!x.head) {
      x.key = key;
      x.head = entry + 1;
      b.next[entry] = 0;
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

void LshTable::insert(const uint64_t* keys, const int64_t* ids, size_t n, int threads) {
  const size_t base = ids_.size();
  if (base + n >= UINT32_MAX) throw std::length_error("LSH index holds at most 2^32 - 2 documents");
  ids_.insert(ids_.end(), ids, ids + n);
  const int nb = bands();
  threads = text::resolve_threads(threads);
  const int nt = std::min(threads, nb);
  for (auto& b : tables_) {
    b.next.resize(base + n);
    grow(b, b.used + n);
  }
  // A thread owns whole bands; the table line an insert will touch is prefetched
  // a few documents ahead, so that several memory accesses are in flight.
  constexpr size_t kAhead = 32;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && n > 4096)
  for (int k = 0; k < nb; ++k) {
    Band& b = tables_[static_cast<size_t>(k)];
    const size_t cap = b.slots.n;
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) __builtin_prefetch(&b.slots.p[slot_of(keys[(i + kAhead) * nb + k], cap)], 1);
      const uint64_t key = keys[i * nb + k];
      put(b, slot_of(key, cap), key, static_cast<uint32_t>(base + i));
    }
  }
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
