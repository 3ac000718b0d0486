// armEncode / armDecode / armBits / armPredict (coolchic_arm.h): the Cool-chic ARM latent coder. Grid
// sizes travel as one Int32Array of (height, width) pairs in coding order.
#include <vector>

#include "args.h"
#include "coolchic_arm.h"

namespace ncodec_binding {
namespace {

std::vector<ncodec::ArmGridSize> Sizes(const Napi::CallbackInfo& info, size_t index) {
  const auto flat = View<int32_t>(info, index, "sizes");
  if (flat.size() % 2 != 0) {
    throw Napi::RangeError::New(info.Env(), ncodec::ExpectedMessage("(height, width) pairs", "sizes.length",
                                                                    static_cast<int64_t>(flat.size())));
  }
  std::vector<ncodec::ArmGridSize> sizes(flat.size() / 2);
  for (size_t g = 0; g < sizes.size(); ++g) sizes[g] = ncodec::ArmGridSize{flat[2 * g], flat[2 * g + 1]};
  return sizes;
}

// armEncode(weights: Int32Array, values: Int32Array, sizes: Int32Array): Uint8Array
Napi::Value Encode(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto weights = View<int32_t>(info, 0, "weights");
    const auto values = View<int32_t>(info, 1, "values");
    const auto sizes = Sizes(info, 2);
    std::vector<uint8_t> out;
    ThrowIfError(info.Env(), ncodec::ArmEncode(weights, values, sizes, &out));
    return ToUint8Array(info.Env(), out);
  });
}

// armDecode(weights: Int32Array, bytes: Uint8Array, sizes: Int32Array, values: Int32Array): undefined
Napi::Value Decode(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto weights = View<int32_t>(info, 0, "weights");
    const auto bytes = View<uint8_t>(info, 1, "bytes");
    const auto sizes = Sizes(info, 2);
    const auto values = View<int32_t>(info, 3, "values");
    ThrowIfError(info.Env(), ncodec::ArmDecode(weights, bytes, sizes, values));
    return info.Env().Undefined();
  });
}

// armBits(weights: Int32Array, values: Int32Array, sizes: Int32Array): number
Napi::Value Bits(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto weights = View<int32_t>(info, 0, "weights");
    const auto values = View<int32_t>(info, 1, "values");
    const auto sizes = Sizes(info, 2);
    double bits = 0;
    ThrowIfError(info.Env(), ncodec::ArmBits(weights, values, sizes, &bits));
    return Napi::Number::New(info.Env(), bits);
  });
}

// armPredict(weights: Int32Array, context: Int32Array): [muFix, sFix] (|value| < 2^52: exact numbers)
Napi::Value Predict(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto weights = View<int32_t>(info, 0, "weights");
    const auto context = View<int32_t>(info, 1, "context");
    int64_t out[2] = {0, 0};
    ThrowIfError(info.Env(), ncodec::ArmPredict(weights, context, out));
    Napi::Array result = Napi::Array::New(info.Env(), 2);
    result.Set(uint32_t{0}, Napi::Number::New(info.Env(), static_cast<double>(out[0])));
    result.Set(uint32_t{1}, Napi::Number::New(info.Env(), static_cast<double>(out[1])));
    return result;
  });
}

}  // namespace

void InitArm(Napi::Env env, Napi::Object exports) {
  exports.Set("armEncode", Napi::Function::New(env, Encode));
  exports.Set("armDecode", Napi::Function::New(env, Decode));
  exports.Set("armBits", Napi::Function::New(env, Bits));
  exports.Set("armPredict", Napi::Function::New(env, Predict));
}

}  // namespace ncodec_binding
