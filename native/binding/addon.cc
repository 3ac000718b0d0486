// The ncodec_native addon: a thin N-API layer over the pure C++ core in native/src. It checks argument
// kinds, views TypedArrays in place, calls the core and turns a failed Status into a JavaScript error.
#include <napi.h>

#include "args.h"

namespace ncodec_binding {
void InitArm(Napi::Env env, Napi::Object exports);  // arm_binding.cc
}  // namespace ncodec_binding

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ncodec_binding::InitRans(env, exports);
  ncodec_binding::InitAdaptive(env, exports);
  ncodec_binding::InitTables(env, exports);
  ncodec_binding::InitIntConv(env, exports);
  ncodec_binding::InitLossless(env, exports);
  ncodec_binding::InitStft(env, exports);
  ncodec_binding::InitResample(env, exports);
  ncodec_binding::InitOpus(env, exports);
  ncodec_binding::InitCoolChicFit(env, exports);
  ncodec_binding::InitArm(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(ncodec_native, Init)
