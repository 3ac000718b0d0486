// losslessMlpEncode / losslessMlpDecode / losslessMlpBits (lossless_mlp.h): the learned lossless image
// coder. The model file is parsed per call (a few tens of kilobytes, checked each time).
#include "args.h"
#include "lossless_mlp.h"

namespace ncodec_binding {
namespace {

struct Image {
  int width, height, channels;
};

Image ImageArgs(const Napi::CallbackInfo& info, size_t first) {
  return Image{static_cast<int>(Integer(info, first, "width", 1, 1 << 16)),
               static_cast<int>(Integer(info, first + 1, "height", 1, 1 << 16)),
               static_cast<int>(Integer(info, first + 2, "channels", 1, 3))};
}

ncodec::LosslessMlp Model(const Napi::CallbackInfo& info) {
  ncodec::LosslessMlp model;
  ThrowIfError(info.Env(), model.Parse(View<uint8_t>(info, 0, "model")));
  return model;
}

// losslessMlpEncode(model, pixels, width, height, channels, threads): Uint8Array
Napi::Value Encode(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const ncodec::LosslessMlp model = Model(info);
    const auto pixels = View<uint8_t>(info, 1, "pixels");
    const Image im = ImageArgs(info, 2);
    const int threads = static_cast<int>(Integer(info, 5, "threads", 1, 256));
    std::vector<uint8_t> out;
    ThrowIfError(info.Env(), ncodec::LosslessMlpEncode(model, pixels, im.width, im.height, im.channels, threads, &out));
    return ToUint8Array(info.Env(), out);
  });
}

// losslessMlpDecode(model, bytes, width, height, channels, pixels): undefined
Napi::Value Decode(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const ncodec::LosslessMlp model = Model(info);
    const auto bytes = View<uint8_t>(info, 1, "bytes");
    const Image im = ImageArgs(info, 2);
    const auto pixels = View<uint8_t>(info, 5, "pixels");
    ThrowIfError(info.Env(), ncodec::LosslessMlpDecode(model, bytes, im.width, im.height, im.channels, pixels));
    return info.Env().Undefined();
  });
}

// losslessMlpBits(model, pixels, width, height, channels, threads): number
Napi::Value Bits(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const ncodec::LosslessMlp model = Model(info);
    const auto pixels = View<uint8_t>(info, 1, "pixels");
    const Image im = ImageArgs(info, 2);
    const int threads = static_cast<int>(Integer(info, 5, "threads", 1, 256));
    double bits = 0;
    ThrowIfError(info.Env(), ncodec::LosslessMlpBits(model, pixels, im.width, im.height, im.channels, threads, &bits));
    return Napi::Number::New(info.Env(), bits);
  });
}

}  // namespace

void InitLossless(Napi::Env env, Napi::Object exports) {
  exports.Set("losslessMlpEncode", Napi::Function::New(env, Encode));
  exports.Set("losslessMlpDecode", Napi::Function::New(env, Decode));
  exports.Set("losslessMlpBits", Napi::Function::New(env, Bits));
}

}  // namespace ncodec_binding
