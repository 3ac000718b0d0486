// Adaptive range coding (adaptive_codec.h): stateless functions over whole arrays.
#include "adaptive_codec.h"
#include "args.h"
#include "frequency_model.h"

namespace ncodec_binding {
namespace {

// Options come as two plain integers (the TypeScript layer fills in the defaults).
ncodec::AdaptiveOptions Options(const Napi::CallbackInfo& info, size_t index) {
  ncodec::AdaptiveOptions options;
  options.increment = static_cast<uint32_t>(Integer(info, index, "increment", 1, ncodec::kMaxModelTotal));
  options.limit = static_cast<uint32_t>(Integer(info, index + 1, "limit", 2, ncodec::kMaxModelTotal));
  return options;
}

// adaptiveEncode(symbols, contexts, alphabetSizes, increment, limit): Uint8Array
Napi::Value Encode(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto symbols = View<int32_t>(info, 0, "symbols");
    const auto contexts = View<int32_t>(info, 1, "contexts");
    const auto sizes = View<int32_t>(info, 2, "alphabetSizes");
    const auto options = Options(info, 3);
    std::vector<uint8_t> out;
    ThrowIfError(info.Env(), ncodec::AdaptiveEncode(symbols, contexts, sizes, options, &out));
    return ToUint8Array(info.Env(), out);
  });
}

// adaptiveDecode(bytes, contexts, alphabetSizes, increment, limit, out): undefined
Napi::Value Decode(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto bytes = View<uint8_t>(info, 0, "bytes");
    const auto contexts = View<int32_t>(info, 1, "contexts");
    const auto sizes = View<int32_t>(info, 2, "alphabetSizes");
    const auto options = Options(info, 3);
    const auto out = View<int32_t>(info, 5, "out");
    ThrowIfError(info.Env(), ncodec::AdaptiveDecode(bytes, contexts, sizes, options, out));
    return info.Env().Undefined();
  });
}

// adaptiveIdealBits(symbols, contexts, alphabetSizes, increment, limit): number
Napi::Value IdealBits(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto symbols = View<int32_t>(info, 0, "symbols");
    const auto contexts = View<int32_t>(info, 1, "contexts");
    const auto sizes = View<int32_t>(info, 2, "alphabetSizes");
    const auto options = Options(info, 3);
    double bits = 0;
    ThrowIfError(info.Env(), ncodec::AdaptiveIdealBits(symbols, contexts, sizes, options, &bits));
    return Napi::Number::New(info.Env(), bits);
  });
}

}  // namespace

void InitAdaptive(Napi::Env env, Napi::Object exports) {
  exports.Set("adaptiveEncode", Napi::Function::New(env, Encode));
  exports.Set("adaptiveDecode", Napi::Function::New(env, Decode));
  exports.Set("adaptiveIdealBits", Napi::Function::New(env, IdealBits));
}

}  // namespace ncodec_binding
