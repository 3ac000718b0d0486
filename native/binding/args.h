// Argument plumbing shared by the binding files: TypedArray views (no copies) and the mapping from a
// core Status to a JavaScript exception. The TypeScript layer (src/entropy) validates arguments with
// the library's messages first; these checks only keep the addon safe when called directly.
#ifndef NCODEC_BINDING_ARGS_H_
#define NCODEC_BINDING_ARGS_H_

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "span.h"
#include "status.h"

namespace ncodec_binding {

template <typename T>
struct TypedArrayKind;
template <>
struct TypedArrayKind<int32_t> {
  static constexpr napi_typedarray_type kType = napi_int32_array;
  static constexpr const char* kName = "an Int32Array";
};
template <>
struct TypedArrayKind<int16_t> {
  static constexpr napi_typedarray_type kType = napi_int16_array;
  static constexpr const char* kName = "an Int16Array";
};
template <>
struct TypedArrayKind<uint8_t> {
  static constexpr napi_typedarray_type kType = napi_uint8_array;
  static constexpr const char* kName = "a Uint8Array";
};
template <>
struct TypedArrayKind<float> {
  static constexpr napi_typedarray_type kType = napi_float32_array;
  static constexpr const char* kName = "a Float32Array";
};
template <>
struct TypedArrayKind<double> {
  static constexpr napi_typedarray_type kType = napi_float64_array;
  static constexpr const char* kName = "a Float64Array";
};

// A view of info[index], which must be a TypedArray of T (a Node Buffer is a Uint8Array).
template <typename T>
ncodec::Span<T> View(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != TypedArrayKind<T>::kType) {
    throw Napi::TypeError::New(info.Env(), std::string("Expected ") + TypedArrayKind<T>::kName + " for " + name);
  }
  Napi::TypedArrayOf<T> array = value.As<Napi::TypedArrayOf<T>>();
  return ncodec::Span<T>(array.Data(), array.ElementLength());
}

// info[index] as an integer in [lo, hi].
inline int64_t Integer(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t lo, int64_t hi) {
  const Napi::Value value = info[index];
  if (!value.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("Expected an integer for ") + name);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw Napi::RangeError::New(info.Env(), ncodec::ExpectedNumber(ncodec::IntegerBetween(lo, hi), name, d));
  }
  return static_cast<int64_t>(d);
}

inline double Number(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("Expected a number for ") + name);
  return value.As<Napi::Number>().DoubleValue();
}

// Throws the JavaScript error for a failed Status: RangeError for bad arguments, an Error with a
// `code` (ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT) for bad streams, which src/entropy turns
// into a CodecError.
inline void ThrowIfError(Napi::Env env, const ncodec::Status& status) {
  switch (status.code()) {
    case ncodec::StatusCode::kOk:
      return;
    case ncodec::StatusCode::kOutOfRange:
      throw Napi::RangeError::New(env, status.message());
    case ncodec::StatusCode::kTruncated:
    case ncodec::StatusCode::kCorrupt: {
      Napi::Error error = Napi::Error::New(env, status.message());
      error.Set("code", status.code() == ncodec::StatusCode::kTruncated ? "ERR_BITSTREAM_TRUNCATED"
                                                                         : "ERR_BITSTREAM_CORRUPT");
      throw error;
    }
  }
}

// Runs a binding body so that no C++ exception other than Napi::Error reaches node-addon-api (which
// turns Napi::Error into a JavaScript exception): allocation failures become a RangeError.
template <typename Body>
Napi::Value Guarded(const Napi::CallbackInfo& info, Body body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "Out of memory in the native entropy coder (input too large)");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("Native entropy coder failure: ") + e.what());
  }
}

// A new Uint8Array holding a copy of `bytes` (encoder output; its size is known only at the end).
inline Napi::Uint8Array ToUint8Array(Napi::Env env, const std::vector<uint8_t>& bytes) {
  Napi::Uint8Array array = Napi::Uint8Array::New(env, bytes.size());
  if (!bytes.empty()) std::memcpy(array.Data(), bytes.data(), bytes.size());
  return array;
}

template <typename T>
Napi::Int32Array ToInt32Array(Napi::Env env, const std::vector<T>& values) {
  Napi::Int32Array array = Napi::Int32Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) array[i] = static_cast<int32_t>(values[i]);
  return array;
}

void InitRans(Napi::Env env, Napi::Object exports);
void InitAdaptive(Napi::Env env, Napi::Object exports);
void InitTables(Napi::Env env, Napi::Object exports);
void InitIntConv(Napi::Env env, Napi::Object exports);
void InitLossless(Napi::Env env, Napi::Object exports);
void InitStft(Napi::Env env, Napi::Object exports);
void InitResample(Napi::Env env, Napi::Object exports);
void InitOpus(Napi::Env env, Napi::Object exports);
void InitCoolChicFit(Napi::Env env, Napi::Object exports);

}  // namespace ncodec_binding

#endif  // NCODEC_BINDING_ARGS_H_
