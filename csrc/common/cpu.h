// Instruction-set level chosen at run time: the best the CPU supports, lowered
// by the CORPUS_ENGINE_SIMD environment variable or set_level() (for tests).
#pragma once

#include <string>

namespace ce::cpu {

enum class Level : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

Level detected() noexcept;       // best level this CPU and this build support
Level active() noexcept;         // level the kernels use now
void set_level(Level l);         // throws if above detected()
const char* name(Level l) noexcept;
Level parse(const std::string& s);  // "scalar", "avx2", "avx512"; throws otherwise

}  // namespace ce::cpu
