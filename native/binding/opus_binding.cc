// OpusCoder: a libopus encoder + decoder pair (opus_coder.h) wrapped as a JavaScript object
// (codecs/opuspf/libopus.ts). It owns native memory until dispose() or garbage collection.
// libopus' negative error codes are returned as they are; the TypeScript layer names them.
#include <memory>

#include "args.h"
#include "opus_coder.h"

namespace ncodec_binding {
namespace {

class OpusCoder : public Napi::ObjectWrap<OpusCoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "OpusCoder",
                       {InstanceMethod<&OpusCoder::EncoderCtl>("encoderCtl"), InstanceMethod<&OpusCoder::Encode>("encode"),
                        InstanceMethod<&OpusCoder::Decode>("decode"), InstanceMethod<&OpusCoder::Dispose>("dispose")});
  }

  // new OpusCoder(rate: number, application: number)
  explicit OpusCoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OpusCoder>(info) {
    Guarded(info, [&]() -> Napi::Value {
      const int rate = static_cast<int>(Integer(info, 0, "rate", 1, 1 << 20));
      const int application = static_cast<int>(Integer(info, 1, "application", 0, 1 << 16));
      ThrowIfError(info.Env(), ncodec::OpusMonoCoder::Create(rate, application, &coder_));
      int64_t total = 0;
      napi_adjust_external_memory(info.Env(), ncodec::OpusMonoCoder::MemoryBytes(), &total);
      return info.Env().Undefined();
    });
  }

  ~OpusCoder() override { Release(Env()); }

 private:
  ncodec::OpusMonoCoder& Coder(const Napi::CallbackInfo& info) {
    if (!coder_) {
      Napi::Error error = Napi::Error::New(info.Env(), "This libopus coder has been disposed");
      error.Set("code", "ERR_DISPOSED");
      throw error;
    }
    return *coder_;
  }

  // encoderCtl(request: number, value: number): number (0 or a libopus error)
  Napi::Value EncoderCtl(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& coder = Coder(info);
      const int request = static_cast<int>(Integer(info, 0, "request", 0, 1 << 20));
      const auto value = static_cast<int32_t>(Integer(info, 1, "value", INT32_MIN, INT32_MAX));
      int result = 0;
      ThrowIfError(info.Env(), coder.EncoderControl(request, value, &result));
      return Napi::Number::New(info.Env(), result);
    });
  }

  // encode(pcm: Int16Array, packet: Uint8Array): number (packet bytes written, or a libopus error)
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& coder = Coder(info);
      const auto pcm = View<int16_t>(info, 0, "pcm");
      const auto packet = View<uint8_t>(info, 1, "packet");
      int result = 0;
      ThrowIfError(info.Env(), coder.Encode(pcm, packet, &result));
      return Napi::Number::New(info.Env(), result);
    });
  }

  // decode(packet: Uint8Array, pcm: Int16Array): number (samples written, or a libopus error)
  Napi::Value Decode(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      auto& coder = Coder(info);
      const auto packet = View<uint8_t>(info, 0, "packet");
      const auto pcm = View<int16_t>(info, 1, "pcm");
      int result = 0;
      ThrowIfError(info.Env(), coder.Decode(packet, pcm, &result));
      return Napi::Number::New(info.Env(), result);
    });
  }

  // dispose(): undefined (idempotent)
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Release(info.Env());
    return info.Env().Undefined();
  }

  void Release(Napi::Env env) {
    if (!coder_) return;
    coder_.reset();
    int64_t total = 0;
    napi_adjust_external_memory(env, -ncodec::OpusMonoCoder::MemoryBytes(), &total);
  }

  std::unique_ptr<ncodec::OpusMonoCoder> coder_;
};

}  // namespace

void InitOpus(Napi::Env env, Napi::Object exports) {
  exports.Set("OpusCoder", OpusCoder::Define(env));
}

}  // namespace ncodec_binding
