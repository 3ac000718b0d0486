// The input format of the ARM fuzz target (fuzz_arm_decode.cc), shared with the seed generator:
//   byte 0       mode: 0 = decode the rest as a stream; 1 = code the rest as latents and check the round
//                trip and the bit estimate; 2 = compare the int32 fast path with the int64 definition
//                (coolchic_arm.h) on contexts read from the rest
//   byte 1       seed of the weights (splitmix64)
//   byte 2       v: weight span {16, 64, 512, 4096, 32768}[v % 5], log-scale bias b2[1] = 256 (v / 5 % 8) - 1024
//   byte 3       grids G = v % 4 + 1, then G x 2 bytes: height = v % 24 + 1, width = v % 24 + 1
//   rest         the stream (mode 0), the latents (mode 1, ArmLatents), the contexts (mode 2, ArmLatents)
#ifndef NCODEC_FUZZ_ARM_H_
#define NCODEC_FUZZ_ARM_H_

#include <cstdint>
#include <vector>

#include "coolchic_arm.h"
#include "fuzz_common.h"

namespace ncodec_fuzz {

struct ArmCase {
  int mode = 0;
  std::vector<int32_t> weights;
  std::vector<ncodec::ArmGridSize> sizes;
  size_t total = 0;
};

inline ArmCase ReadArmCase(Reader& in) {
  static const int32_t kSpans[5] = {16, 64, 512, 4096, 32768};
  ArmCase c;
  c.mode = in.Byte() % 3;
  const uint8_t seed = in.Byte();
  const uint8_t v = in.Byte();
  const int32_t span = kSpans[v % 5];
  c.weights.resize(ncodec::kArmWeightCount);
  for (size_t i = 0; i < c.weights.size(); ++i) {
    c.weights[i] = static_cast<int32_t>(Mix(seed * 0x100000001ull + i) % (2 * static_cast<uint64_t>(span) + 1)) - span;
  }
  c.weights[ncodec::kArmWeightCount - 1] = 256 * (v / 5 % 8) - 1024;
  const int grids = in.Byte() % 4 + 1;
  for (int g = 0; g < grids; ++g) {
    const int h = in.Byte() % 24 + 1, w = in.Byte() % 24 + 1;
    c.sizes.push_back(ncodec::ArmGridSize{h, w});
    c.total += static_cast<size_t>(h) * w;
  }
  return c;
}

// n latents from `bytes`: each byte is a value in [-127, 127], except 0x80, which takes the next three
// bytes as a 24-bit value folded into [-2^20, 2^20]; past the end, zeros.
inline std::vector<int32_t> ArmLatents(ncodec::Span<const uint8_t> bytes, size_t n) {
  std::vector<int32_t> values(n, 0);
  size_t at = 0;
  for (size_t i = 0; i < n && at < bytes.size(); ++i) {
    const uint8_t b = bytes[at++];
    if (b != 0x80) {
      values[i] = static_cast<int8_t>(b);
      continue;
    }
    uint32_t big = 0;
    for (int k = 0; k < 3; ++k) big = (big << 8) | (at < bytes.size() ? bytes[at++] : 0);
    values[i] = static_cast<int32_t>(big % (2 * static_cast<uint32_t>(ncodec::kArmMaxLatent) + 1)) - ncodec::kArmMaxLatent;
  }
  return values;
}

}  // namespace ncodec_fuzz

#endif  // NCODEC_FUZZ_ARM_H_
