// CoolChicFitter (coolchic_fit.h) as a JavaScript object: the inr codec's native fitting step
// (codecs/inr/coolchic-steppers.ts). It owns the parameters, Adam's moments, a copy of the target image
// and the step's noise buffer until dispose() or garbage collection.
//
// step() runs on libuv's thread pool (an AsyncWorker) and returns a promise, so a fit of many seconds
// leaves the event loop free; the worker touches only native memory. One step at a time: a second
// step, params() or proxy() while one runs throws, and dispose() during a step frees the state when
// the step ends.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "coolchic_fit.h"

namespace ncodec_binding {
namespace {

class CoolChicFitter;

class StepWorker : public Napi::AsyncWorker {
 public:
  StepWorker(Napi::Env env, CoolChicFitter* owner, uint32_t seed, bool hard, float lambda, float lr, float lr_network, int64_t t);

  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::Promise::Deferred deferred_;
  CoolChicFitter* owner_;
  uint32_t seed_;
  bool hard_;
  float lambda_, lr_, lr_network_;
  int64_t t_;
  ncodec::Status status_;
  ncodec::CoolChicStepResult result_;
};

class CoolChicFitter : public Napi::ObjectWrap<CoolChicFitter> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CoolChicFitter",
                       {InstanceMethod<&CoolChicFitter::Step>("step"), InstanceMethod<&CoolChicFitter::Proxy>("proxy"),
                        InstanceMethod<&CoolChicFitter::Params>("params"),
                        InstanceMethod<&CoolChicFitter::Dispose>("dispose")});
  }

  // new CoolChicFitter(height, width, params: Float32Array, target: Float32Array, threads)
  explicit CoolChicFitter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CoolChicFitter>(info) {
    Guarded(info, [&]() -> Napi::Value {
      const int height = static_cast<int>(Integer(info, 0, "height", 1, ncodec::kCoolChicMaxSide));
      const int width = static_cast<int>(Integer(info, 1, "width", 1, ncodec::kCoolChicMaxSide));
      const auto params = View<float>(info, 2, "params");
      const auto target = View<float>(info, 3, "target");
      const int threads = static_cast<int>(Integer(info, 4, "threads", 1, 64));
      const size_t pixels = static_cast<size_t>(height) * width;
      if (target.size() != 3 * pixels) {
        throw Napi::RangeError::New(info.Env(), ncodec::ExpectedMessage("an array of " + std::to_string(3 * pixels) + " values",
                                                                        "target", static_cast<int64_t>(target.size())));
      }
      ThrowIfError(info.Env(), ncodec::CoolChicFitter::Create(height, width, params, threads, &fitter_));
      target_.assign(target.begin(), target.end());
      noise_.assign(ncodec::CoolChicFitter::LatentCount(height, width), 0.0f);
      bytes_ = static_cast<int64_t>(fitter_->params().size() * 4 + target_.size() + noise_.size()) * 4;
      int64_t total = 0;
      napi_adjust_external_memory(info.Env(), bytes_, &total);
      return info.Env().Undefined();
    });
  }

  ~CoolChicFitter() override { Release(Env()); }

 private:
  friend class StepWorker;

  ncodec::CoolChicFitter& Idle(const Napi::CallbackInfo& info) {
    if (!fitter_ || dispose_pending_) {
      Napi::Error error = Napi::Error::New(info.Env(), "This Cool-chic fitter has been disposed");
      error.Set("code", "ERR_DISPOSED");
      throw error;
    }
    if (busy_) throw Napi::Error::New(info.Env(), "This Cool-chic fitter is running a step; await it first");
    return *fitter_;
  }

  // step(seed, hard: boolean, lambda, lr, lrNetwork, t): Promise<[mse, bits]>
  Napi::Value Step(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      Idle(info);
      const auto seed = static_cast<uint32_t>(Integer(info, 0, "seed", 0, 0xffffffffLL));
      if (!info[1].IsBoolean()) throw Napi::TypeError::New(info.Env(), "Expected a boolean for hard");
      const bool hard = info[1].As<Napi::Boolean>().Value();
      const double lambda = Number(info, 2, "lambda");
      const double lr = Number(info, 3, "lr");
      const double lr_network = Number(info, 4, "lrNetwork");
      const int64_t t = Integer(info, 5, "t", 1, int64_t{1} << 40);
      auto* worker = new StepWorker(info.Env(), this, seed, hard, static_cast<float>(lambda), static_cast<float>(lr),
                                    static_cast<float>(lr_network), t);
      busy_ = true;
      Ref();  // the object outlives the step
      worker->Queue();
      return worker->Promise();
    });
  }

  // proxy(seed: number, hard: boolean, out: Float32Array): undefined (the quantization proxy a step draws)
  Napi::Value Proxy(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& fitter = Idle(info);
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
      auto& fitter = Idle(info);
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

  // dispose(): undefined (idempotent; during a step, the state is freed when it ends)
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    if (busy_) {
      dispose_pending_ = true;
    } else {
      Release(info.Env());
    }
    return info.Env().Undefined();
  }

  void StepDone(Napi::Env env) {
    busy_ = false;
    if (dispose_pending_) Release(env);
    Unref();
  }

  void Release(Napi::Env env) {
    if (!fitter_) return;
    fitter_.reset();
    std::vector<float>().swap(target_);
    std::vector<float>().swap(noise_);
    int64_t total = 0;
    napi_adjust_external_memory(env, -bytes_, &total);
  }

  std::unique_ptr<ncodec::CoolChicFitter> fitter_;
  std::vector<float> target_, noise_;
  int64_t bytes_ = 0;
  bool busy_ = false, dispose_pending_ = false;
};

StepWorker::StepWorker(Napi::Env env, CoolChicFitter* owner, uint32_t seed, bool hard, float lambda, float lr, float lr_network,
                       int64_t t)
    : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), owner_(owner), seed_(seed), hard_(hard),
      lambda_(lambda), lr_(lr), lr_network_(lr_network), t_(t) {}

// On a pool thread: only the fitter's own memory (no JavaScript values).
void StepWorker::Execute() {
  try {
    status_ = owner_->fitter_->Proxy(seed_, hard_, owner_->noise_);
    if (status_.ok()) status_ = owner_->fitter_->Step(owner_->noise_, owner_->target_, lambda_, lr_, lr_network_, t_, &result_);
  } catch (const std::bad_alloc&) {
    SetError("Out of memory in the Cool-chic fitting step (image too large)");
  } catch (const std::exception& e) {
    SetError(std::string("Cool-chic fitting step failure: ") + e.what());
  }
}

void StepWorker::OnOK() {
  Napi::Env env = Env();
  owner_->StepDone(env);
  if (!status_.ok()) {
    deferred_.Reject(Napi::RangeError::New(env, status_.message()).Value());
    return;
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t{0}, Napi::Number::New(env, result_.mse));
  out.Set(uint32_t{1}, Napi::Number::New(env, result_.bits));
  deferred_.Resolve(out);
}

void StepWorker::OnError(const Napi::Error& error) {
  owner_->StepDone(Env());
  deferred_.Reject(error.Value());
}

}  // namespace

void InitCoolChicFit(Napi::Env env, Napi::Object exports) {
  exports.Set("CoolChicFitter", CoolChicFitter::Define(env));
}

}  // namespace ncodec_binding
