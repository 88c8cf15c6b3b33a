// Run-time choice between the scalar kernels and the AVX2 / AVX-512 variants.
#include <algorithm>
#include <cstring>

#include "../common/cpu.h"
#include "simd.h"

namespace ce::text {

Kctx::Kctx(const CharTable& t, uint8_t skip_mask) : table(&t), skip(skip_mask) {
  for (unsigned b = 0; b < 256; ++b) {
    uint8_t c = 0;
    if (b < 0x80 || (b >= 0xC2 && b <= 0xF4)) {
      const uint8_t o = b < 0x80 ? t[b] : t.lead_or(static_cast<uint8_t>(b));
      const uint8_t a = b < 0x80 ? t[b] : t.lead_and(static_cast<uint8_t>(b));
      if ((o ^ a) & (skip | kZh)) {
        c = kClsMixed;
      } else if (!(a & skip)) {
        c = kClsCounted | ((a & kZh) ? kClsZh : 0);
      }
    }
    cls[b] = c;
  }
  build_refiners();
  for (int k = 0; k < 3; ++k) {
    for (int col = 0; col < 16; ++col) {
      uint8_t lo = 0, hi = 0;
      for (int r = 0; r < 8; ++r) {
        if (cls[(r << 4) | col] & (1 << k)) lo |= static_cast<uint8_t>(1 << r);
        if (cls[((r + 8) << 4) | col] & (1 << k)) hi |= static_cast<uint8_t>(1 << r);
      }
      col_lo[k][col] = lo;
      col_hi[k][col] = hi;
    }
  }
}

std::shared_ptr<const Kctx> kctx_for(const CharTable& t, uint8_t skip) {
  return t.cached<Kctx>(skip, [&] { return std::make_shared<const Kctx>(t, skip); });
}

void Kctx::build_refiners() {
  const CharTable& t = *table;
  auto cls_of = [&](uint32_t cp) -> uint8_t {
    const uint8_t f = t[cp];
    if (f & skip) return 0;
    return kClsCounted | ((f & kZh) ? kClsZh : 0);
  };
  struct Cand {
    long weight;
    bool lead_level;
    uint8_t b0, b1;
    uint8_t tab[64];
  };
  std::vector<Cand> cands;
  // Mixed 2- and 3-byte leads; the 64 code points of a (lead, second byte) pair
  // form one block. 4-byte characters stay on the scalar path (rare in text).
  for (unsigned b0 = 0xC2; b0 <= 0xEF; ++b0) {
    if (cls[b0] != kClsMixed) continue;
    Cand lead{0, true, static_cast<uint8_t>(b0), 0, {}};
    for (unsigned j = 0; j < 64; ++j) {
      const unsigned b1 = 0x80 | j;
      uint32_t base;
      if (b0 < 0xE0) {
        lead.tab[j] = cls_of(((b0 & 0x1F) << 6) | j);  // a 2-byte character is exact here
        lead.weight += (lead.tab[j] & kClsZh) ? 1 : 0;
        continue;
      }
      base = ((b0 & 0x0F) << 12) | (j << 6);
      if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) continue;  // ill-formed
      Cand blk{0, false, static_cast<uint8_t>(b0), static_cast<uint8_t>(b1), {}};
      bool uniform = true;
      for (unsigned k = 0; k < 64; ++k) {
        blk.tab[k] = cls_of(base | k);
        blk.weight += (blk.tab[k] & kClsZh) ? 1 : 0;
        uniform = uniform && blk.tab[k] == blk.tab[0];
      }
      if (uniform) {
        lead.tab[j] = blk.tab[0];
        lead.weight += blk.weight;
      } else {
        lead.tab[j] = kClsMixed;
        if (blk.weight) cands.push_back(blk);
      }
    }
    if (lead.weight) cands.push_back(lead);
  }
  std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.weight > b.weight; });
  if (cands.size() > kMaxRefiners) cands.resize(kMaxRefiners);
  // Lead-level tables first: a (lead, second byte) table then overrides their "mixed" entries.
  std::stable_partition(cands.begin(), cands.end(), [](const Cand& c) { return c.lead_level; });
  nref = static_cast<int>(cands.size());
  std::memset(ref_b0, 0xFF, sizeof(ref_b0));
  std::memset(ref_b1, 0, sizeof(ref_b1));
  std::memset(ref_tab, 0, sizeof(ref_tab));
  for (int r = 0; r < nref; ++r) {
    ref_b0[r] = cands[r].b0;
    ref_b1[r] = cands[r].lead_level ? 0 : cands[r].b1;
    std::memcpy(ref_tab[r], cands[r].tab, 64);
  }
}

#ifdef CE_ENABLE_SIMD
#define CE_DECLARE_ISA(ns)                                                                             \
  namespace ns {                                                                                       \
  bool count_chars(const Kctx&, const uint8_t*, const uint8_t*, Counts&);                              \
  bool extract_lines(const Kctx&, const uint8_t*, const uint8_t*, const Bands&, Out<uint8_t>&);        \
  bool strip_chars(const Kctx&, const uint8_t*, const uint8_t*, Out<uint8_t>&);                        \
  bool trim_doc(const Kctx&, const uint8_t*, const uint8_t*, Out<uint8_t>&);                           \
  bool count_len(const uint8_t*, const uint8_t*, int64_t&);                                            \
  bool valid_utf8(const uint8_t*, const uint8_t*);                                                     \
  }
CE_DECLARE_ISA(avx2)
CE_DECLARE_ISA(avx512)
#define CE_DISPATCH(fn, scalar, ...)                                      \
  switch (cpu::active()) {                                               \
    case cpu::Level::kAvx512: return avx512::fn(__VA_ARGS__);            \
    case cpu::Level::kAvx2: return avx2::fn(__VA_ARGS__);                \
    default: return scalar;                                              \
  }
#else
#define CE_DISPATCH(fn, scalar, ...) return scalar;
#endif

namespace simd {

static bool scalar_valid(const uint8_t* p, const uint8_t* e) {
  for (uint32_t cp; p < e;) {
    const int n = utf8::decode(p, e, cp);
    if (!n) return false;
    p += n;
  }
  return true;
}

bool count_chars(const Kctx& k, const uint8_t* p, const uint8_t* e, Counts& c) {
  CE_DISPATCH(count_chars, ce::text::count_chars<Utf8Unit>(p, e, k.table->data(), k.skip, c), k, p, e, c)
}

bool extract_lines(const Kctx& k, const uint8_t* p, const uint8_t* e, const Bands& b, Out<uint8_t>& out) {
  CE_DISPATCH(extract_lines, ce::text::extract_lines<Utf8Unit>(p, e, k.table->data(), k.skip, b, out), k, p, e, b,
              out)
}

bool strip_chars(const Kctx& k, const uint8_t* p, const uint8_t* e, Out<uint8_t>& out) {
  CE_DISPATCH(strip_chars, ce::text::strip_chars<Utf8Unit>(p, e, k.table->data(), out), k, p, e, out)
}

bool trim_doc(const Kctx& k, const uint8_t* p, const uint8_t* e, Out<uint8_t>& out) {
  CE_DISPATCH(trim_doc, ce::text::trim_doc<Utf8Unit>(p, e, k.table->data(), out), k, p, e, out)
}

bool count_len(const uint8_t* p, const uint8_t* e, int64_t& n) {
  CE_DISPATCH(count_len, ce::text::count_len<Utf8Unit>(p, e, n), p, e, n)
}

bool valid_utf8(const uint8_t* p, const uint8_t* e) {
  CE_DISPATCH(valid_utf8, scalar_valid(p, e), p, e)
}

}  // namespace simd
}  // namespace ce::text
