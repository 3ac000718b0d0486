// A small learned-lossless model built in code (deterministic pseudo-random weights), shared by the
// lossless fuzz target and the seed generator: radius 1, one hidden layer of 8, 2 mixtures.
#ifndef NCODEC_FUZZ_LOSSLESS_H_
#define NCODEC_FUZZ_LOSSLESS_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "lossless_mlp.h"

namespace ncodec_fuzz {

inline void Put(std::vector<uint8_t>* out, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  out->insert(out->end(), b, b + n);
}

inline std::vector<uint8_t> FuzzLosslessModel() {
  std::vector<uint8_t> m = {'N', 'C', 'L', 'M', 1, 0, 1, 1, 8, 0, 2, 0};
  uint32_t seed = 7;
  auto next = [&seed]() { seed = seed * 1103515245u + 12345u; return static_cast<int>((seed >> 16) % 401) - 200; };
  const int dims[3] = {12, 8, 24};
  for (int l = 0; l < 2; ++l) {
    const uint16_t out = static_cast<uint16_t>(dims[l + 1]), in = static_cast<uint16_t>(dims[l]);
    const uint8_t shift[2] = {l == 0 ? uint8_t{4} : uint8_t{9}, 0};
    Put(&m, &out, 2);
    Put(&m, &in, 2);
    Put(&m, shift, 2);
    for (int i = 0; i < out * in; ++i) {
      const int16_t w = static_cast<int16_t>(next());
      Put(&m, &w, 2);
    }
    for (int o = 0; o < out; ++o) {
      const int32_t b = l == 1 && o >= 12 && o < 18 ? 300 << 9 : next() * 64;  // log-scales around 1.2
      Put(&m, &b, 4);
    }
  }
  for (int i = ncodec::kLosslessLogScaleMin; i <= ncodec::kLosslessLogScaleMax; ++i) {
    const uint32_t v = static_cast<uint32_t>(std::lround(65536.0 * std::exp(-i / 256.0)));
    Put(&m, &v, 4);
  }
  for (int i = -ncodec::kLosslessSigmoidHalf; i <= ncodec::kLosslessSigmoidHalf; ++i) {
    const uint32_t v = static_cast<uint32_t>(std::lround(65536.0 / (1.0 + std::exp(-i / 256.0))));
    Put(&m, &v, 4);
  }
  for (int d = 0; d < ncodec::kLosslessExpSize; ++d) {
    const uint32_t v = static_cast<uint32_t>(std::lround(65536.0 * std::exp(-d / 256.0)));
    Put(&m, &v, 4);
  }
  return m;
}

}  // namespace ncodec_fuzz

#endif  // NCODEC_FUZZ_LOSSLESS_H_
