// Table builders (quantize_cdf.h): pmf -> quantized CDF, Gaussian-conditional and factorized table sets.
#include "args.h"
#include "cdf_tables.h"
#include "quantize_cdf.h"

namespace ncodec_binding {
namespace {

int Precision(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<int>(Integer(info, index, "precision", 1, ncodec::kMaxPrecision));
}

Napi::Object ToJs(Napi::Env env, const ncodec::TableSetData& data) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("cdfs", ToInt32Array(env, data.cdfs));
  result.Set("cdfLengths", ToInt32Array(env, data.cdf_lengths));
  result.Set("offsets", ToInt32Array(env, data.offsets));
  return result;
}

// quantizeCdf(pmf: Float64Array, precision): Int32Array of pmf.length + 1 entries
Napi::Value QuantizeCdf(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto pmf = View<double>(info, 0, "pmf");
    const int precision = Precision(info, 1);
    std::vector<uint32_t> cdf;
    ThrowIfError(info.Env(), ncodec::QuantizePmf(pmf, precision, &cdf));
    return ToInt32Array(info.Env(), cdf);
  });
}

// buildGaussianTables(scaleTable: Float64Array, tailBoundMultiplier, precision): {cdfs, cdfLengths, offsets}
Napi::Value BuildGaussian(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto scales = View<double>(info, 0, "scaleTable");
    const double multiplier = Number(info, 1, "tailBoundMultiplier");
    const int precision = Precision(info, 2);
    ncodec::TableSetData data;
    ThrowIfError(info.Env(), ncodec::BuildGaussianTables(scales, multiplier, precision, &data));
    return ToJs(info.Env(), data);
  });
}

// buildFactorizedTables(pmfs: Float64Array, pmfLengths: Int32Array, tailMass: Float64Array,
//                       offsets: Int32Array, precision): {cdfs, cdfLengths, offsets}
Napi::Value BuildFactorized(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    const auto pmfs = View<double>(info, 0, "pmfs");
    const auto lengths = View<int32_t>(info, 1, "pmfLengths");
    const auto tail_mass = View<double>(info, 2, "tailMass");
    const auto offsets = View<int32_t>(info, 3, "offsets");
    const int precision = Precision(info, 4);
    ncodec::TableSetData data;
    ThrowIfError(info.Env(), ncodec::BuildFactorizedTables(pmfs, lengths, tail_mass, offsets, precision, &data));
    return ToJs(info.Env(), data);
  });
}

// tailBoundMultiplier(tailMass): -Phi^-1(tailMass / 2)
Napi::Value TailBound(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ncodec::TailBoundMultiplier(Number(info, 0, "tailMass")));
}

}  // namespace

void InitTables(Napi::Env env, Napi::Object exports) {
  exports.Set("quantizeCdf", Napi::Function::New(env, QuantizeCdf));
  exports.Set("buildGaussianTables", Napi::Function::New(env, BuildGaussian));
  exports.Set("buildFactorizedTables", Napi::Function::New(env, BuildFactorized));
  exports.Set("tailBoundMultiplier", Napi::Function::New(env, TailBound));
}

}  // namespace ncodec_binding
