// libFuzzer target: the resampler loop (resample.h) on input-derived steps, phases, positions and buffers.
//   bytes 0-1  up - 1 (mod 200); byte 2 reach - 1 (mod 40); bytes 3-4 down (mod 400); byte 5 flags
//   bytes 6-9  base (signed, scaled); rest: samples (int16 each)
// Requires: a mismatched phase table or an out-of-range rem gives kOutOfRange; otherwise Ok and every
// output finite and no larger than the largest |input| times the largest row sum of |taps|.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_common.h"
#include "resample.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  ncodec::ResampleSteps steps{};
  steps.up = 1 + in.U16() % 200;
  steps.reach = 1 + in.Byte() % 40;
  const int64_t down = 1 + in.U16() % 400;
  steps.whole = down / steps.up;
  steps.part = down % steps.up;
  const uint8_t flags = in.Byte();
  const int64_t base = static_cast<int32_t>(in.U32()) % 5000;
  std::vector<float> buffer;
  while (!in.empty() && buffer.size() < 8192) buffer.push_back(static_cast<int16_t>(in.U16()) / 32768.0f);
  const size_t taps = 2 * static_cast<size_t>(steps.reach);
  std::vector<float> phases(static_cast<size_t>(steps.up) * taps);
  double max_row = 0;
  for (size_t p = 0; p < static_cast<size_t>(steps.up); ++p) {
    double row = 0;
    for (size_t t = 0; t < taps; ++t) {
      phases[p * taps + t] = std::sin(0.37 * static_cast<double>(p * taps + t + flags));
      row += std::fabs(phases[p * taps + t]);
    }
    max_row = std::max(max_row, row);
  }
  std::vector<float> out(1 + flags % 300);
  const int64_t buffer_start = base - static_cast<int64_t>(flags % 50);
  if (flags & 1) {  // a wrong table or phase must be refused
    std::vector<float> short_phases(phases.begin(), phases.end() - 1);
    if (ncodec::ResampleBlock(buffer, buffer_start, short_phases, steps, {base, 0}, out).code() != ncodec::StatusCode::kOutOfRange) abort();
    if (ncodec::ResampleBlock(buffer, buffer_start, phases, steps, {base, steps.up}, out).code() != ncodec::StatusCode::kOutOfRange) abort();
  }
  if (!ncodec::ResampleBlock(buffer, buffer_start, phases, steps, {base, static_cast<int64_t>(flags) % steps.up}, out).ok()) abort();
  for (float v : out) {
    if (!std::isfinite(v) || std::fabs(v) > max_row * 1.0001 + 1e-6) abort();
  }
  return 0;
}
