// RansTables: a native table set (cdf_tables.h) wrapped as a JavaScript object, with rANS encode /
// decode over it. It owns native memory until dispose() or garbage collection.
#include <memory>

#include "args.h"
#include "cdf_tables.h"
#include "rans_codec.h"

namespace ncodec_binding {
namespace {

class RansTables : public Napi::ObjectWrap<RansTables> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RansTables",
                       {InstanceMethod<&RansTables::Encode>("encode"), InstanceMethod<&RansTables::Decode>("decode"),
                        InstanceMethod<&RansTables::IdealBits>("idealBits"),
                        InstanceMethod<&RansTables::Dispose>("dispose"),
                        InstanceAccessor<&RansTables::TableCount>("tableCount"),
                        InstanceAccessor<&RansTables::MemoryBytes>("memoryBytes")});
  }

  // new RansTables(cdfs: Int32Array, cdfLengths: Int32Array, offsets: Int32Array, precision: number)
  explicit RansTables(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RansTables>(info) {
    Guarded(info, [&]() -> Napi::Value {
      const auto cdfs = View<int32_t>(info, 0, "cdfs");
      const auto lengths = View<int32_t>(info, 1, "cdfLengths");
      const auto offsets = View<int32_t>(info, 2, "offsets");
      const int precision = static_cast<int>(Integer(info, 3, "precision", 1, ncodec::kMaxPrecision));
      ThrowIfError(info.Env(), ncodec::TableSet::Create(cdfs, lengths, offsets, precision, &tables_));
      external_bytes_ = static_cast<int64_t>(tables_->MemoryBytes());
      int64_t total = 0;
      napi_adjust_external_memory(info.Env(), external_bytes_, &total);
      return info.Env().Undefined();
    });
  }

  ~RansTables() override { Release(Env()); }

 private:
  const ncodec::TableSet& Tables(const Napi::CallbackInfo& info) {
    if (!tables_) {
      Napi::Error error = Napi::Error::New(info.Env(), "The rANS table set was disposed");
      error.Set("code", "ERR_DISPOSED");
      throw error;
    }
    return *tables_;
  }

  // encode(symbols: Int32Array, indexes: Int32Array): Uint8Array
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      const auto& tables = Tables(info);
      const auto symbols = View<int32_t>(info, 0, "symbols");
      const auto indexes = View<int32_t>(info, 1, "indexes");
      ncodec::RansStream stream;
      ThrowIfError(info.Env(), ncodec::RansEncode(tables, symbols, indexes, &stream));
      Napi::Uint8Array bytes = Napi::Uint8Array::New(info.Env(), stream.size());
      stream.WriteTo(bytes.Data());
      return bytes;
    });
  }

  // decode(bytes: Uint8Array, indexes: Int32Array, out: Int32Array): undefined (out.length symbols)
  Napi::Value Decode(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      const auto& tables = Tables(info);
      const auto bytes = View<uint8_t>(info, 0, "bytes");
      const auto indexes = View<int32_t>(info, 1, "indexes");
      const auto out = View<int32_t>(info, 2, "out");
      ThrowIfError(info.Env(), ncodec::RansDecode(tables, bytes, indexes, out));
      return info.Env().Undefined();
    });
  }

  // idealBits(symbols: Int32Array, indexes: Int32Array): number
  Napi::Value IdealBits(const Napi::CallbackInfo& info) {
    return Guarded(info, [&]() -> Napi::Value {
      const auto& tables = Tables(info);
      const auto symbols = View<int32_t>(info, 0, "symbols");
      const auto indexes = View<int32_t>(info, 1, "indexes");
      double bits = 0;
      ThrowIfError(info.Env(), ncodec::RansIdealBits(tables, symbols, indexes, &bits));
      return Napi::Number::New(info.Env(), bits);
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Release(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value TableCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), tables_ ? tables_->table_count() : 0);
  }

  Napi::Value MemoryBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(external_bytes_));
  }

  // Frees the tables and tells the garbage collector. Uses the plain C call, which cannot throw (this
  // also runs from the destructor, during finalization).
  void Release(napi_env env) {
    if (!tables_) return;
    tables_.reset();
    int64_t total = 0;
    napi_adjust_external_memory(env, -external_bytes_, &total);
    external_bytes_ = 0;
  }

  std::unique_ptr<ncodec::TableSet> tables_;
  int64_t external_bytes_ = 0;
};

}  // namespace

void InitRans(Napi::Env env, Napi::Object exports) {
  exports.Set("RansTables", RansTables::Define(env));
  exports.Set("ransLanes", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                return Napi::Number::New(info.Env(), ncodec::RansLanes(static_cast<size_t>(
                                                         Integer(info, 0, "count", 0, int64_t{1} << 53))));
              }));
}

}  // namespace ncodec_binding
