#include "cpu.h"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace ce::cpu {

namespace {

Level probe() noexcept {
#if defined(CE_ENABLE_SIMD) && (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vbmi2") &&
      __builtin_cpu_supports("bmi2"))
    return Level::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) return Level::kAvx2;
#endif
  return Level::kScalar;
}

Level initial() noexcept {
  Level best = detected();
  if (const char* env = std::getenv("CORPUS_ENGINE_SIMD")) {
    try {
      Level want = parse(env);
      if (static_cast<int>(want) < static_cast<int>(best)) best = want;
    } catch (...) {
      // An unknown value keeps the detected level; the Python layer warns about it.
    }
  }
  return best;
}

std::atomic<int>& current() {
  static std::atomic<int> level{static_cast<int>(initial())};
  return level;
}

}  // namespace

Level detected() noexcept {
  static const Level l = probe();
  return l;
}

Level active() noexcept { return static_cast<Level>(current().load(std::memory_order_relaxed)); }

void set_level(Level l) {
  if (static_cast<int>(l) > static_cast<int>(detected()))
    throw std::invalid_argument(std::string("SIMD level '") + name(l) + "' is not available on this CPU/build");
  current().store(static_cast<int>(l), std::memory_order_relaxed);
}

const char* name(Level l) noexcept {
  switch (l) {
    case Level::kAvx2: return "avx2";
    case Level::kAvx512: return "avx512";
    default: return "scalar";
  }
}

Level parse(const std::string& s) {
  if (s == "scalar") return Level::kScalar;
  if (s == "avx2") return Level::kAvx2;
  if (s == "avx512") return Level::kAvx512;
  throw std::invalid_argument("unknown SIMD level '" + s + "' (expected scalar, avx2 or avx512)");
}

}  // namespace ce::cpu
