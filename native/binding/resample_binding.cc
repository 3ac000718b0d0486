// resampleBlock (resample.h): the resampler's inner loop.
#include "args.h"
#include "resample.h"

namespace ncodec_binding {
namespace {

constexpr int64_t kMaxIndex = int64_t{1} << 52;

// resampleBlock(buffer: Float32Array, bufferStart, phases: Float32Array, up, whole, part, reach, base, rem,
//               out: Float32Array): undefined
Napi::Value ResampleBlock(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto buffer = View<float>(info, 0, "buffer");
    const int64_t buffer_start = Integer(info, 1, "bufferStart", -kMaxIndex, kMaxIndex);
    const auto phases = View<float>(info, 2, "phases");
    ncodec::ResampleSteps steps{};
    steps.up = Integer(info, 3, "up", 1, int64_t{1} << 32);
    steps.whole = Integer(info, 4, "whole", 0, kMaxIndex);
    steps.part = Integer(info, 5, "part", 0, int64_t{1} << 32);
    steps.reach = static_cast<int>(Integer(info, 6, "reach", 1, 1 << 16));
    ncodec::ResamplePhase phase{};
    phase.base = Integer(info, 7, "base", -kMaxIndex, kMaxIndex);
    phase.rem = Integer(info, 8, "rem", 0, int64_t{1} << 32);
    const auto out = View<float>(info, 9, "out");
    ThrowIfError(info.Env(), ncodec::ResampleBlock(buffer, buffer_start, phases, steps, phase, out));
    return info.Env().Undefined();
  });
}

}  // namespace

void InitResample(Napi::Env env, Napi::Object exports) {
  exports.Set("resampleBlock", Napi::Function::New(env, ResampleBlock));
}

}  // namespace ncodec_binding
