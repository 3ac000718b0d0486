// Polyphase resampling inner loop: see resample.h.
#include "resample.h"

#include <algorithm>
#include <string>

namespace ncodec {

Status ResampleBlock(Span<const float> buffer, int64_t buffer_start, Span<const float> phases, const ResampleSteps& steps,
                     ResamplePhase phase, Span<float> out) {
  constexpr int64_t kMaxIndex = int64_t{1} << 52;
  if (steps.up < 1 || steps.up > (int64_t{1} << 32)) return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, int64_t{1} << 32), "up", steps.up));
  if (steps.reach < 1 || steps.reach > (1 << 16)) return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, 1 << 16), "reach", steps.reach));
  const int64_t taps = 2 * int64_t{steps.reach};
  if (static_cast<uint64_t>(steps.up) * static_cast<uint64_t>(taps) != phases.size()) {
    return Status::OutOfRange(ExpectedMessage("up * 2 * reach = " + std::to_string(steps.up * taps) + " taps", "phases",
                                              static_cast<int64_t>(phases.size())));
  }
  if (steps.whole < 0 || steps.whole > kMaxIndex) return Status::OutOfRange(ExpectedMessage(IntegerBetween(0, kMaxIndex), "whole", steps.whole));
  if (steps.part < 0 || steps.part >= steps.up) return Status::OutOfRange(ExpectedMessage(IntegerBetween(0, steps.up - 1), "part", steps.part));
  if (phase.rem < 0 || phase.rem >= steps.up) return Status::OutOfRange(ExpectedMessage(IntegerBetween(0, steps.up - 1), "rem", phase.rem));
  if (phase.base < -kMaxIndex || phase.base > kMaxIndex) return Status::OutOfRange(ExpectedMessage(IntegerBetween(-kMaxIndex, kMaxIndex), "base", phase.base));
  if (buffer_start < -kMaxIndex || buffer_start > kMaxIndex) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(-kMaxIndex, kMaxIndex), "bufferStart", buffer_start));
  }
  const int64_t buffer_end = buffer_start + static_cast<int64_t>(buffer.size());
  int64_t base = phase.base, rem = phase.rem;
  for (size_t k = 0; k < out.size(); ++k) {
    const int64_t first = base - steps.reach + 1;
    const int64_t lo = std::max<int64_t>(0, buffer_start - first);
    const int64_t hi = std::min<int64_t>(taps, buffer_end - first);
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (lo < hi) {
      const float* h = phases.data() + rem * taps;
      const float* x = buffer.data() + (first - buffer_start);
      int64_t t = lo;
      for (; t + 4 <= hi; t += 4) {
        a0 += static_cast<double>(x[t]) * h[t];
        a1 += static_cast<double>(x[t + 1]) * h[t + 1];
        a2 += static_cast<double>(x[t + 2]) * h[t + 2];
        a3 += static_cast<double>(x[t + 3]) * h[t + 3];
      }
      for (; t < hi; ++t) a0 += static_cast<double>(x[t]) * h[t];
    }
    out[k] = static_cast<float>((a0 + a1) + (a2 + a3));
    base += steps.whole;
    rem += steps.part;
    if (rem >= steps.up) {
      rem -= steps.up;
      ++base;
    }
    if (base > kMaxIndex) return Status::OutOfRange(ExpectedMessage(IntegerBetween(-kMaxIndex, kMaxIndex), "base", base));
  }
  return Status::Ok();
}

}  // namespace ncodec
