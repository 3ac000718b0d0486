// intConv3x3 (int_conv.h): one layer of an integer network that picks entropy tables.
#include "args.h"
#include "int_conv.h"

namespace ncodec_binding {
namespace {

// intConv3x3(input: Int32Array, inChannels, height, width, weight: Int32Array, mult: Int32Array,
//            bias: Float64Array, outChannels, shift, lo, hi, output: Int32Array, threads = 1): undefined
Napi::Value IntConv(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto input = View<int32_t>(info, 0, "input");
    ncodec::IntConvShape shape{};
    shape.in_channels = static_cast<int>(Integer(info, 1, "inChannels", 1, 1 << 16));
    shape.height = static_cast<int>(Integer(info, 2, "height", 1, 1 << 20));
    shape.width = static_cast<int>(Integer(info, 3, "width", 1, 1 << 20));
    const auto weight = View<int32_t>(info, 4, "weight");
    const auto mult = View<int32_t>(info, 5, "mult");
    const auto bias = View<double>(info, 6, "bias");
    shape.out_channels = static_cast<int>(Integer(info, 7, "outChannels", 1, 1 << 16));
    shape.shift = static_cast<int>(Integer(info, 8, "shift", 1, 40));
    shape.lo = static_cast<int32_t>(Integer(info, 9, "lo", INT32_MIN, INT32_MAX));
    shape.hi = static_cast<int32_t>(Integer(info, 10, "hi", INT32_MIN, INT32_MAX));
    const auto output = View<int32_t>(info, 11, "output");
    if (info.Length() > 12 && !info[12].IsUndefined()) shape.threads = static_cast<int>(Integer(info, 12, "threads", 1, 64));
    ThrowIfError(info.Env(), ncodec::IntConv3x3(shape, input, weight, mult, bias, output));
    return info.Env().Undefined();
  });
}

}  // namespace

void InitIntConv(Napi::Env env, Napi::Object exports) {
  exports.Set("intConv3x3", Napi::Function::New(env, IntConv));
}

}  // namespace ncodec_binding
