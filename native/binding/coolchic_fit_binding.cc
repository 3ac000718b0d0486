// CoolChicFitter (coolchic_fit.h) as a JavaScript object: the inr codec's native fitting step
// (codecs/inr/coolchic-fit.ts). It owns the parameters and Adam's moments until dispose() or GC.
#include <algorithm>
#include <memory>
#include <string>

#include "args.h"
#include "coolchic_fit.h"

namespace ncodec_binding {
namespace {

class CoolChicFitter : public Napi::ObjectWrap<CoolChicFitter> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CoolChicFitter",
                       {InstanceMethod<&CoolChicFitter::Step>("step"), InstanceMethod<&CoolChicFitter::Proxy>("proxy"),
                        InstanceMethod<&CoolChicFitter::Params>("params"),
                        InstanceMethod<&CoolChicFitter::Dispose>("dispose")});
  }

  // new CoolChicFitter(height, width, params: Float32Array, threads)
  explicit CoolChicFitter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CoolChicFitter>(info) {
    Guarded(info, [&]() -> Napi::Value {
      const int height = static_cast<int>(Integer(info, 0, "height", 1, ncodec::kCoolChicMaxSide));
      const int width = static_cast<int>(Integer(info, 1, "width", 1, ncodec::kCoolChicMaxSide));
      const auto params = View<float>(info, 2, "params");
      const int threads = static_cast<int>(Integer(info, 3, "threads", 1, 64));
      ThrowIfError(info.Env(), ncodec::CoolChicFitter::Create(height, width, params, threads, &fitter_));
      bytes_ = static_cast<int64_t>(fitter_->params().size()) * 4 * 4;
      int64_t total = 0;
      napi_adjust_external_memory(info.Env(), bytes_, &total);
      return info.Env().Undefined();
    });
  }

  ~CoolChicFitter() override { Release(Env()); }

 private:
  ncodec::CoolChicFitter& Fitter(const Napi::CallbackInfo& info) {
    if (!fitter_) {
      Napi::Error error = Napi::Error::New(info.Env(), "This Cool-chic fitter has been disposed");
      error.Set("code", "ERR_DISPOSED");
      throw error;
    }
    return *fitter_;
  }

  // step(noise: Float32Array, target: Float32Array, lambda, lr, lrNetwork, t): [mse, bits]
  Napi::Value Step(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& fitter = Fitter(info);
      const auto noise = View<float>(info, 0, "noise");
      const auto target = View<float>(info, 1, "target");
      const double lambda = Number(info, 2, "lambda");
      const double lr = Number(info, 3, "lr");
      const double lr_network = Number(info, 4, "lrNetwork");
      const int64_t t = Integer(info, 5, "t", 1, int64_t{1} << 40);
      ncodec::CoolChicStepResult result;
      ThrowIfError(info.Env(), fitter.Step(noise, target, static_cast<float>(lambda), static_cast<float>(lr),
                                           static_cast<float>(lr_network), t, &result));
      Napi::Array out = Napi::Array::New(info.Env(), 2);
      out.Set(uint32_t{0}, Napi::Number::New(info.Env(), result.mse));
      out.Set(uint32_t{1}, Napi::Number::New(info.Env(), result.bits));
      return out;
    });
  }

  // proxy(seed: number, hard: boolean, out: Float32Array): undefined (the quantization proxy of a step)
  Napi::Value Proxy(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& fitter = Fitter(info);
      const auto seed = static_cast<uint32_t>(Integer(info, 0, "seed", 0, 0xffffffffLL));
      if (!info[1].IsBoolean()) throw Napi::TypeError::New(info.Env(), "Expected a boolean for hard");
      const auto out = View<float>(info, 2, "out");
      ThrowIfError(info.Env(), fitter.Proxy(seed, info[1].As<Napi::Boolean>().Value(), out));
      return info.Env().Undefined();
    });
  }

  // params(out: Float32Array): undefined (copies the current parameters)
  Napi::Value Params(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& fitter = Fitter(info);
      const auto out = View<float>(info, 0, "out");
      const auto& params = fitter.params();
      if (out.size() != params.size()) {
        throw Napi::RangeError::New(info.Env(), ncodec::ExpectedMessage("an array of " + std::to_string(params.size()) + " values", "out",
                                                                        static_cast<int64_t>(out.size())));
      }
      std::copy(params.begin(), params.end(), out.data());
      return info.Env().Undefined();
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Release(info.Env());
    return info.Env().Undefined();
  }

  void Release(Napi::Env env) {
    if (!fitter_) return;
    fitter_.reset();
    int64_t total = 0;
    napi_adjust_external_memory(env, -bytes_, &total);
  }

  std::unique_ptr<ncodec::CoolChicFitter> fitter_;
  int64_t bytes_ = 0;
};

}  // namespace

void InitCoolChicFit(Napi::Env env, Napi::Object exports) {
  exports.Set("CoolChicFitter", CoolChicFitter::Define(env));
}

}  // namespace ncodec_binding
