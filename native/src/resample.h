// The inner loop of the streaming band-limited resampler (src/media/resampler.ts): output samples
// from a polyphase table of windowed-sinc taps.
//
//   output k sits at input time t = base + rem / up (base an input index, 0 <= rem < up); its taps are
//   phases[rem * taps .. rem * taps + taps), tap i weighting input sample first + i, first =
//   base - reach + 1 (taps = 2 * reach); input samples outside [buffer_start, buffer_start + size) count
//   as zeros. Then t advances by down / up = whole + part / up.
//
// Each sum runs in float64 over four interleaved partial sums in a fixed order (no contraction into
// fused multiply-adds: binding.gyp), so every machine and every way of pushing the input gives the same
// samples.
#ifndef NCODEC_RESAMPLE_H_
#define NCODEC_RESAMPLE_H_

#include <cstdint>

#include "span.h"
#include "status.h"

namespace ncodec {

struct ResamplePhase {
  int64_t base;  // input index of the first output's time, floor(t)
  int64_t rem;   // its fraction, in 1/up steps (0 <= rem < up)
};

struct ResampleSteps {
  int64_t up;     // phases
  int64_t whole;  // floor(down / up)
  int64_t part;   // down mod up
  int reach;      // taps on each side; taps = 2 * reach
};

// Writes out.size() outputs starting at `phase`. `phases` holds up * 2 * reach taps.
Status ResampleBlock(Span<const float> buffer, int64_t buffer_start, Span<const float> phases, const ResampleSteps& steps,
                     ResamplePhase phase, Span<float> out);

}  // namespace ncodec

#endif  // NCODEC_RESAMPLE_H_
