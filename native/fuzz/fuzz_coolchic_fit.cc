// libFuzzer target: the Cool-chic fitting step (coolchic_fit.h) on input-derived sizes, threads,
// parameters, noise, target and learning rates.
//   byte 0-1  height - 1 (% 24) and width - 1 (% 24); byte 2 threads - 1 (% 3); byte 3 flags
//   rest      int16 values, scaled to parameters, noise and target in turn (zeros past the end)
// Requires: a wrong parameter count, noise or target length, or t < 1 is refused with kOutOfRange;
// otherwise Ok, and with finite inputs the reported mse and bits are finite and >= 0.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "coolchic_fit.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  const int height = 1 + in.Byte() % 24, width = 1 + in.Byte() % 24, threads = 1 + in.Byte() % 3;
  const uint8_t flags = in.Byte();
  const size_t count = ncodec::CoolChicFitter::ParamCount(height, width);
  const size_t latents = ncodec::CoolChicFitter::LatentCount(height, width);
  auto next = [&in](float range) { return static_cast<int16_t>(in.U16()) / 32768.0f * range; };
  std::vector<float> params(count);
  for (auto& p : params) p = next(flags & 1 ? 4.0f : 0.5f);
  std::unique_ptr<ncodec::CoolChicFitter> fitter;
  if (flags & 2) {  // a wrong parameter count must be refused
    std::vector<float> short_params(params.begin(), params.end() - 1);
    if (ncodec::CoolChicFitter::Create(height, width, short_params, threads, &fitter).code() != ncodec::StatusCode::kOutOfRange) abort();
  }
  if (!ncodec::CoolChicFitter::Create(height, width, params, threads, &fitter).ok()) abort();
  std::vector<float> noise(latents), target(3 * static_cast<size_t>(height) * width);
  for (int step = 1; step <= 3; ++step) {
    for (auto& u : noise) u = next(0.5f);
    for (auto& x : target) x = 0.5f + next(0.5f);
    ncodec::CoolChicStepResult result;
    if (flags & 4) {
      std::vector<float> short_noise(noise.begin(), noise.end() - 1);
      if (fitter->Step(short_noise, target, 0.01f, 0.01f, 0.001f, step, &result).code() != ncodec::StatusCode::kOutOfRange) abort();
      if (fitter->Step(noise, target, 0.01f, 0.01f, 0.001f, 0, &result).code() != ncodec::StatusCode::kOutOfRange) abort();
    }
    const float lambda = (flags >> 4) / 100.0f;
    if (!fitter->Step(noise, target, lambda, 0.01f, 0.001f, step, &result).ok()) abort();
    if (!std::isfinite(result.mse) || result.mse < 0 || !std::isfinite(result.bits) || result.bits < 0) abort();
  }
  return 0;
}
