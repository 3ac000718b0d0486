// stftAnalyse / stftSynthesise (stft.h): the transforms around opuspf's post-filter graph.
#include "args.h"
#include "stft.h"

namespace ncodec_binding {
namespace {

ncodec::StftShape Shape(const Napi::CallbackInfo& info, size_t index) {
  ncodec::StftShape shape{};
  shape.n_fft = static_cast<int>(Integer(info, index, "nFft", 1, ncodec::kMaxStftSize));
  shape.hop = static_cast<int>(Integer(info, index + 1, "hop", 1, ncodec::kMaxStftSize));
  return shape;
}

// stftAnalyse(x: Float32Array, nFft, hop, re: Float32Array, im: Float32Array, magnitude: Float32Array): undefined
Napi::Value Analyse(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto x = View<float>(info, 0, "x");
    const ncodec::StftShape shape = Shape(info, 1);
    const auto re = View<float>(info, 3, "re");
    const auto im = View<float>(info, 4, "im");
    const auto magnitude = View<float>(info, 5, "magnitude");
    ThrowIfError(info.Env(), ncodec::StftAnalyse(shape, x, re, im, magnitude));
    return info.Env().Undefined();
  });
}

// stftSynthesise(re: Float32Array, im: Float32Array, gains: Float32Array, noise: 0|1, seed: uint32,
//                nFft, hop, out: Float32Array): undefined
Napi::Value Synthesise(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto re = View<float>(info, 0, "re");
    const auto im = View<float>(info, 1, "im");
    const auto gains = View<float>(info, 2, "gains");
    const bool noise = Integer(info, 3, "noise", 0, 1) == 1;
    const auto seed = static_cast<uint32_t>(Integer(info, 4, "seed", 0, UINT32_MAX));
    const ncodec::StftShape shape = Shape(info, 5);
    const auto out = View<float>(info, 7, "out");
    ThrowIfError(info.Env(), ncodec::StftSynthesise(shape, re, im, gains, noise, seed, out));
    return info.Env().Undefined();
  });
}

}  // namespace

void InitStft(Napi::Env env, Napi::Object exports) {
  exports.Set("stftAnalyse", Napi::Function::New(env, Analyse));
  exports.Set("stftSynthesise", Napi::Function::New(env, Synthesise));
}

}  // namespace ncodec_binding
