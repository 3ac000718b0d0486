// The Cool-chic ARM coder: see coolchic_arm.h for the model, its integer arithmetic, the tables and the format.
#include "coolchic_arm.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "byte_io.h"
#include "escape_code.h"
#include "quantize_cdf.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

// The tables need doubles rounded to 64 bits after every operation (no x87 excess precision).
static_assert(FLT_EVAL_METHOD == 0, "the ARM tables need IEEE-754 double evaluation (FLT_EVAL_METHOD 0)");

namespace ncodec {
namespace {

constexpr uint64_t kRansL = uint64_t{1} << 31;  // states live in [L, 2^32 L)
constexpr uint64_t kRansStateEnd = uint64_t{1} << 63;
constexpr uint32_t kTotal = uint32_t{1} << kArmPrecision;
constexpr int64_t kInt32Limit = (int64_t{1} << 31) - 1;
constexpr int kMaxSymbols = 2 * kArmMaxHalfWidth + 3;  // values -L .. L+1 and the escape
constexpr int kLutBits = 10;                           // >= ceil(log2(kMaxSymbols)) + 2

// floor(value / 2^shift) for any sign (>> on negative values is implementation-defined before C++20).
inline int64_t FloorShift(int64_t value, int shift) { return value >= 0 ? value >> shift : ~((~value) >> shift); }

inline int64_t Abs64(int64_t v) { return v < 0 ? -v : v; }

// ---------------------------------------------------------------------------------------------------
// The int32 fast path. Create() bounds every partial sum of a layer by (largest |input|) * (largest
// column sum of |W|) + (largest |bias term|) and derives lim0 / lim1 from it: for a context within them,
// int32 sums in any order are exact and so equal the int64 definition. Layer 0 uses
// sum_i W0[i][j] 256 v[i] + 256 b0[j] + 128 = 256 (sum_i W0[i][j] v[i] + b0[j]) + 128, so
// z[j] = sum_i W0[i][j] v[i] + b0[j] exactly. The output layer sums int32 x int32 products in int64.
// Result: 0 = out written; 1 = layer 0 not provably exact (nothing written); 2 = layer 1 not provably
// exact (h written).

int FastScalar(const ArmLayout& m, const int32_t* v, int32_t* h, int64_t* out) {
  int32_t m0 = 0;
  for (int i = 0; i < kArmContext; ++i) m0 = std::max(m0, v[i] < 0 ? -v[i] : v[i]);
  if (m0 > m.lim0) return 1;
  int32_t acc[kArmHidden];
  for (int j = 0; j < kArmHidden; ++j) acc[j] = m.b0[j];
  for (int i = 0; i < kArmContext; ++i) {
    if (v[i] == 0) continue;
    for (int j = 0; j < kArmHidden; ++j) acc[j] += v[i] * m.w0[i * kArmHidden + j];
  }
  int32_t m1 = 0;
  for (int j = 0; j < kArmHidden; ++j) {
    h[j] = std::max(acc[j], 0) + v[j] * 256;
    m1 = std::max(m1, h[j] < 0 ? -h[j] : h[j]);
  }
  if (m1 > m.lim1) return 2;
  for (int j = 0; j < kArmHidden; ++j) acc[j] = m.b1s[j];
  for (int i = 0; i < kArmHidden; ++i)
    for (int j = 0; j < kArmHidden; ++j) acc[j] += h[i] * m.w1[i * kArmHidden + j];
  int32_t g[kArmHidden];
  for (int j = 0; j < kArmHidden; ++j) g[j] = static_cast<int32_t>(std::max<int64_t>(FloorShift(acc[j], 8), 0)) + h[j];
  for (int j = 0; j < 2; ++j) {
    int64_t sum = m.b2s[j];
    for (int i = 0; i < kArmHidden; ++i) sum += int64_t{m.w2t[j][i]} * g[i];
    out[j] = FloorShift(sum, 8);
  }
  return 0;
}

// Define NCODEC_ARM_SCALAR to test the portable path on x86-64.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(NCODEC_ARM_SCALAR)
#define NCODEC_ARM_AVX2 1
// FastScalar with 8 int32 lanes (vpmulld; the same integer values, so the same result).
__attribute__((target("avx2"))) int FastAvx2(const ArmLayout& m, const int32_t* v, int32_t* h, int64_t* out) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v));
  const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 8));
  const __m256i m0 = _mm256_max_epi32(_mm256_abs_epi32(v0), _mm256_abs_epi32(v1));
  if (_mm256_movemask_epi8(_mm256_cmpgt_epi32(m0, _mm256_set1_epi32(m.lim0))) != 0) return 1;
  __m256i a0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(m.b0));
  __m256i a1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(m.b0 + 8));
  for (int i = 0; i < kArmContext; ++i) {
    if (v[i] == 0) continue;  // most latents are zero
    const __m256i x = _mm256_set1_epi32(v[i]);
    const __m256i* w = reinterpret_cast<const __m256i*>(m.w0 + i * kArmHidden);
    a0 = _mm256_add_epi32(a0, _mm256_mullo_epi32(x, _mm256_load_si256(w)));
    a1 = _mm256_add_epi32(a1, _mm256_mullo_epi32(x, _mm256_load_si256(w + 1)));
  }
  const __m256i h0 = _mm256_add_epi32(_mm256_max_epi32(a0, zero), _mm256_slli_epi32(v0, 8));
  const __m256i h1 = _mm256_add_epi32(_mm256_max_epi32(a1, zero), _mm256_slli_epi32(v1, 8));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(h), h0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(h + 8), h1);
  const __m256i m1 = _mm256_max_epi32(_mm256_abs_epi32(h0), _mm256_abs_epi32(h1));
  if (_mm256_movemask_epi8(_mm256_cmpgt_epi32(m1, _mm256_set1_epi32(m.lim1))) != 0) return 2;
  __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(m.b1s));
  __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(m.b1s + 8));
  for (int i = 0; i < kArmHidden; ++i) {
    const __m256i x = _mm256_set1_epi32(h[i]);
    const __m256i* w = reinterpret_cast<const __m256i*>(m.w1 + i * kArmHidden);
    c0 = _mm256_add_epi32(c0, _mm256_mullo_epi32(x, _mm256_load_si256(w)));
    c1 = _mm256_add_epi32(c1, _mm256_mullo_epi32(x, _mm256_load_si256(w + 1)));
  }
  const __m256i g0 = _mm256_add_epi32(_mm256_max_epi32(_mm256_srai_epi32(c0, 8), zero), h0);
  const __m256i g1 = _mm256_add_epi32(_mm256_max_epi32(_mm256_srai_epi32(c1, 8), zero), h1);
  // Output: int64 products of the even lanes (vpmuldq), then of the odd lanes shifted down.
  const __m256i g0o = _mm256_srli_epi64(g0, 32), g1o = _mm256_srli_epi64(g1, 32);
  for (int j = 0; j < 2; ++j) {
    const __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(m.w2t[j]));
    const __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(m.w2t[j] + 8));
    __m256i s = _mm256_add_epi64(_mm256_mul_epi32(g0, w0), _mm256_mul_epi32(g1, w1));
    s = _mm256_add_epi64(s, _mm256_mul_epi32(g0o, _mm256_srli_epi64(w0, 32)));
    s = _mm256_add_epi64(s, _mm256_mul_epi32(g1o, _mm256_srli_epi64(w1, 32)));
    const __m128i q = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    const int64_t sum = _mm_cvtsi128_si64(q) + _mm_extract_epi64(q, 1) + m.b2s[j];
    out[j] = FloorShift(sum, 8);
  }
  return 0;
}
#endif

using FastFn = int (*)(const ArmLayout&, const int32_t*, int32_t*, int64_t*);

FastFn PickFast() {
#ifdef NCODEC_ARM_AVX2
  if (__builtin_cpu_supports("avx2")) return FastAvx2;
#endif
  return FastScalar;
}

// ---------------------------------------------------------------------------------------------------
// Tables

// ceil(t) for 0 <= t < 2^62 without libm.
inline int64_t CeilNonNegative(double t) {
  const int64_t i = static_cast<int64_t>(t);  // truncation = floor for t >= 0
  return static_cast<double>(i) < t ? i + 1 : i;
}

// One quantized table with the decoder's lookup (bucket of the slot's top bits -> first candidate symbol).
struct ArmTable {
  int32_t offset;    // -L: value of symbol 0
  uint32_t escape;   // 2L + 2: the escape symbol
  uint32_t lut_shift;
  uint32_t cdf[kMaxSymbols + 1];
  uint8_t lut[1 << kLutBits];
};

Status BuildTable(int index, ArmTable* t) {
  const int sidx = index / kArmMeanBins, fidx = index % kArmMeanBins;
  const double b = ArmExp(-4.0 + sidx / 16.0);
  const double c = (fidx + 0.5) / 16.0;
  const int l = static_cast<int>(std::min<int64_t>(CeilNonNegative(b * 14.0) + 1, kArmMaxHalfWidth));
  // The Laplace tail beyond each boundary x_k = k - L - 0.5 (k = 0 .. 2L + 2): the mass below x_k where
  // x_k < c, F(x_k) = exp((x_k - c) / b) / 2, else the mass above it, exp(-(x_k - c) / b) / 2. Each
  // value's mass comes from these smaller tails (c is never a boundary: it is an odd multiple of 1/32).
  const int n = 2 * l + 3;
  double tail[kMaxSymbols + 1];
  for (int k = 0; k < n; ++k) {
    const double d = (k - l - 0.5) - c;
    tail[k] = 0.5 * ArmExp(d < 0 ? d / b : -d / b);
  }
  double pmf[kMaxSymbols];
  for (int k = 0; k + 1 < n; ++k) {
    const double lo = k - l - 0.5, hi = lo + 1.0;
    if (hi < c) pmf[k] = tail[k + 1] - tail[k];
    else if (lo > c) pmf[k] = tail[k] - tail[k + 1];
    else pmf[k] = 1.0 - tail[k] - tail[k + 1];
  }
  pmf[n - 1] = tail[0] + tail[n - 1];  // escape: below -L - 0.5 and above L + 1.5
  std::vector<uint32_t> cdf;
  NCODEC_RETURN_IF_ERROR(QuantizePmf(Span<const double>(pmf, static_cast<size_t>(n)), kArmPrecision, &cdf));
  t->offset = -l;
  t->escape = static_cast<uint32_t>(n - 1);
  std::copy(cdf.begin(), cdf.end(), t->cdf);
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  bits = std::min(bits + 2, kLutBits);
  t->lut_shift = static_cast<uint32_t>(kArmPrecision - bits);
  uint32_t s = 0;
  for (uint32_t k = 0; k < (uint32_t{1} << bits); ++k) {
    while (t->cdf[s + 1] <= (k << t->lut_shift)) ++s;
    t->lut[k] = static_cast<uint8_t>(s);
  }
  return Status::Ok();
}

// The tables one call uses, built on first use.
class TableCache {
 public:
  // The table, or null when it is not built yet.
  const ArmTable* Find(int index) const { return tables_[index].get(); }

  NCODEC_NOINLINE Status Build(int index, const ArmTable** out) {
    auto t = std::make_unique<ArmTable>();
    NCODEC_RETURN_IF_ERROR(BuildTable(index, t.get()));
    *out = t.get();
    tables_[index] = std::move(t);
    return Status::Ok();
  }

 private:
  std::unique_ptr<ArmTable> tables_[kArmTableCount];
};

// ---------------------------------------------------------------------------------------------------
// Grids

// One grid with a zero border (3 rows above, 3 columns each side) so that every context read is in bounds.
class PaddedGrid {
 public:
  void Reset(ArmGridSize size) {
    stride_ = static_cast<ptrdiff_t>(size.width) + 6;
    buffer_.assign(static_cast<size_t>(size.height + 3) * static_cast<size_t>(stride_), 0);
    for (int k = 0; k < kArmContext; ++k) offsets_[k] = kArmContextOffsets[k][0] * stride_ + kArmContextOffsets[k][1];
  }

  int32_t* Row(int y) { return buffer_.data() + (y + 3) * stride_ + 3; }

  void Gather(const int32_t* at, int32_t* ctx) const {
    for (int k = 0; k < kArmContext; ++k) ctx[k] = at[offsets_[k]];
  }

 private:
  ptrdiff_t stride_ = 0;
  std::vector<int32_t> buffer_;
  ptrdiff_t offsets_[kArmContext] = {};
};

Status CheckSizes(Span<const ArmGridSize> sizes, size_t* total) {
  if (sizes.empty() || sizes.size() > kArmMaxGrids) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, kArmMaxGrids) + " grids", "sizes.length",
                                              static_cast<int64_t>(sizes.size())));
  }
  uint64_t sum = 0;
  for (size_t g = 0; g < sizes.size(); ++g) {
    if (sizes[g].height < 1 || sizes[g].height > (1 << 16))
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, 1 << 16), "sizes[" + std::to_string(g) + "].height", sizes[g].height));
    if (sizes[g].width < 1 || sizes[g].width > (1 << 16))
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, 1 << 16), "sizes[" + std::to_string(g) + "].width", sizes[g].width));
    sum += static_cast<uint64_t>(sizes[g].height) * static_cast<uint64_t>(sizes[g].width);
  }
  if (sum > static_cast<uint64_t>(kArmMaxLatents)) {
    return Status::OutOfRange(ExpectedMessage("at most " + std::to_string(kArmMaxLatents) + " latents in all",
                                              "the grid sizes", static_cast<int64_t>(sum)));
  }
  *total = static_cast<size_t>(sum);
  return Status::Ok();
}

Status CheckValues(Span<const int32_t> values, Span<const ArmGridSize> sizes) {
  size_t total = 0;
  NCODEC_RETURN_IF_ERROR(CheckSizes(sizes, &total));
  if (values.size() != total) {
    return Status::OutOfRange(ExpectedMessage("the sum of height * width of the grids (" + std::to_string(total) + ")",
                                              "values.length", static_cast<int64_t>(values.size())));
  }
  size_t at = 0;
  for (size_t g = 0; g < sizes.size(); ++g) {
    const size_t n = static_cast<size_t>(sizes[g].height) * static_cast<size_t>(sizes[g].width);
    for (size_t i = 0; i < n; ++i) {
      const int32_t v = values[at + i];
      if (v < -kArmMaxLatent || v > kArmMaxLatent) {
        return Status::OutOfRange(ExpectedMessage(IntegerBetween(-kArmMaxLatent, kArmMaxLatent),
                                                  "levels[" + std::to_string(g) + "].values[" + std::to_string(i) + "]", v));
      }
    }
    at += n;
  }
  return Status::Ok();
}

// One coded symbol of the encoder: its interval [start, start + freq) out of 2^16.
struct Interval {
  uint16_t start;
  uint16_t freq;
};

// Runs the ARM over known latents in coding order; calls visit(table, symbol, raw) per latent, where raw is the
// folded escape value (escape_code.h) when symbol is the table's escape.
template <typename Visit>
Status ForEachSymbol(const ArmModel& model, Span<const int32_t> values, Span<const ArmGridSize> sizes,
                     TableCache* cache, Visit visit) {
  PaddedGrid grid;
  int32_t ctx[kArmContext];
  int64_t o[2];
  size_t at = 0;
  for (const ArmGridSize& size : sizes) {
    grid.Reset(size);
    for (int y = 0; y < size.height; ++y)
      std::memcpy(grid.Row(y), values.data() + at + static_cast<size_t>(y) * size.width, sizeof(int32_t) * size.width);
    for (int y = 0; y < size.height; ++y) {
      int32_t* row = grid.Row(y);
      for (int x = 0; x < size.width; ++x) {
        grid.Gather(row + x, ctx);
        model.Predict(ctx, o);
        const ArmChoice choice = ArmTableChoice(o[0], o[1]);
        const ArmTable* t = cache->Find(choice.table);
        if (NCODEC_UNLIKELY(t == nullptr)) NCODEC_RETURN_IF_ERROR(cache->Build(choice.table, &t));
        const int64_t s = int64_t{row[x]} - choice.mu_int - t->offset;
        if (static_cast<uint64_t>(s) < t->escape) {
          visit(*t, static_cast<uint32_t>(s), uint64_t{0});
        } else {
          visit(*t, t->escape, FoldEscape(s, t->escape));
        }
      }
    }
    at += static_cast<size_t>(size.height) * size.width;
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------------

double ArmExp(double x) {
  // x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2 (Cody-Waite: ln2 = hi + lo, hi with 32
  // trailing zero bits, so k * hi is exact for |k| < 2^20); e^r by its Taylor polynomial of degree 13
  // in Horner form (truncation error below 4e-18 relative); 2^k from its bits. Only + - * / and exact
  // conversions, each rounded as IEEE-754 prescribes; the coefficients 1/n! are quotients of exactly
  // representable doubles, so their rounding is fixed too.
  constexpr double kInvLn2 = 0x1.71547652b82fep+0;
  constexpr double kLn2Hi = 0x1.62e42fee00000p-1;
  constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  static constexpr double kCoef[14] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
                                       1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
                                       1.0 / 479001600, 1.0 / 6227020800.0};
  const double t = x * kInvLn2;
  const int k = static_cast<int>(t < 0 ? t - 0.5 : t + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = kCoef[13];
  for (int n = 12; n >= 0; --n) p = p * r + kCoef[n];
  const uint64_t bits = static_cast<uint64_t>(k + 1023) << 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

ArmChoice ArmTableChoice(int64_t mu_fix, int64_t s_fix) {
  const int64_t m = std::clamp<int64_t>(mu_fix, -kArmMeanClamp, kArmMeanClamp);
  const int64_t mu_int = FloorShift(m, 8);
  const int fidx = static_cast<int>((m - 256 * mu_int) >> 4);
  const int sidx = static_cast<int>((std::clamp<int64_t>(s_fix, kArmLogScaleMin, kArmLogScaleMax) - kArmLogScaleMin + 8) >> 4);
  return ArmChoice{sidx * kArmMeanBins + fidx, static_cast<int32_t>(mu_int)};
}

Status ArmModel::Create(Span<const int32_t> weights) {
  if (weights.size() != static_cast<size_t>(kArmWeightCount)) {
    return Status::OutOfRange(ExpectedMessage(std::to_string(kArmWeightCount) + " ARM weights", "weights.length",
                                              static_cast<int64_t>(weights.size())));
  }
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < -kArmMaxWeight || weights[i] > kArmMaxWeight) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(-kArmMaxWeight, kArmMaxWeight), ElementName("weights", i), weights[i]));
    }
  }
  const int32_t* p = weights.data();
  std::copy(p, p + kArmContext * kArmHidden, l_.w0);
  p += kArmContext * kArmHidden;
  std::copy(p, p + kArmHidden, l_.b0);
  p += kArmHidden;
  std::copy(p, p + kArmHidden * kArmHidden, l_.w1);
  p += kArmHidden * kArmHidden;
  for (int j = 0; j < kArmHidden; ++j) l_.b1s[j] = p[j] * 256 + 128;
  p += kArmHidden;
  for (int i = 0; i < kArmHidden; ++i)
    for (int j = 0; j < 2; ++j) l_.w2t[j][i] = p[i * 2 + j];
  p += kArmHidden * 2;
  for (int j = 0; j < 2; ++j) l_.b2s[j] = int64_t{p[j]} * 256 + 128;
  // Fast-path bounds: with C0 = max_j sum_i |W0[i][j]|, B0 = max_j |b0[j]| and m0 = max |v|, layer 0's
  // partial sums stay within m0 C0 + B0 and |h| within m0 (C0 + 256) + B0; layer 1's within
  // m1 C1 + B1 (m1 = max |h|, B1 = max |256 b1 + 128|), so |z| <= 2^23 + 1 and |g| <= m1 + 2^23 + 1.
  int64_t col0 = 0, col1 = 0, bias0 = 0, bias1 = 0;
  for (int j = 0; j < kArmHidden; ++j) {
    int64_t c0 = 0, c1 = 0;
    for (int i = 0; i < kArmHidden; ++i) {
      c0 += Abs64(l_.w0[i * kArmHidden + j]);
      c1 += Abs64(l_.w1[i * kArmHidden + j]);
    }
    col0 = std::max(col0, c0);
    col1 = std::max(col1, c1);
    bias0 = std::max(bias0, Abs64(l_.b0[j]));
    bias1 = std::max(bias1, Abs64(l_.b1s[j]));
  }
  l_.lim0 = static_cast<int32_t>((kInt32Limit - bias0) / (col0 + 256));
  const int64_t lim1 = kInt32Limit - (int64_t{1} << 23) - 1;
  l_.lim1 = static_cast<int32_t>(col1 == 0 ? lim1 : std::min(lim1, (kInt32Limit - bias1) / col1));
  return Status::Ok();
}

void ArmModel::PredictExact(const int32_t* v, int64_t out[2]) const {
  int64_t a[kArmContext], h[kArmHidden];
  for (int i = 0; i < kArmContext; ++i) a[i] = int64_t{v[i]} * 256;
  for (int j = 0; j < kArmHidden; ++j) {
    int64_t acc = int64_t{l_.b0[j]} * 256 + 128;
    for (int i = 0; i < kArmContext; ++i) acc += int64_t{l_.w0[i * kArmHidden + j]} * a[i];
    h[j] = std::clamp<int64_t>(std::max<int64_t>(FloorShift(acc, 8), 0) + a[j], -kArmActClamp, kArmActClamp);
  }
  Layer1Exact(h, out);
}

void ArmModel::Layer1Exact(const int64_t* h, int64_t out[2]) const {
  int64_t g[kArmHidden];
  for (int j = 0; j < kArmHidden; ++j) {
    int64_t acc = l_.b1s[j];  // 256 b1 + 128
    for (int i = 0; i < kArmHidden; ++i) acc += int64_t{l_.w1[i * kArmHidden + j]} * h[i];
    g[j] = std::clamp<int64_t>(std::max<int64_t>(FloorShift(acc, 8), 0) + h[j], -kArmActClamp, kArmActClamp);
  }
  for (int j = 0; j < 2; ++j) {
    int64_t acc = l_.b2s[j];
    for (int i = 0; i < kArmHidden; ++i) acc += int64_t{l_.w2t[j][i]} * g[i];
    out[j] = FloorShift(acc, 8);
  }
}

void ArmModel::Predict(const int32_t* v, int64_t out[2]) const {
  static const FastFn fast = PickFast();
  int32_t h[kArmHidden];
  const int result = fast(l_, v, h, out);
  if (NCODEC_LIKELY(result == 0)) return;
  if (result == 1) return PredictExact(v, out);
  int64_t wide[kArmHidden];
  for (int i = 0; i < kArmHidden; ++i) wide[i] = h[i];
  Layer1Exact(wide, out);
}

Status ArmPredict(Span<const int32_t> weights, Span<const int32_t> context, int64_t out[2]) {
  ArmModel model;
  NCODEC_RETURN_IF_ERROR(model.Create(weights));
  if (context.size() != static_cast<size_t>(kArmContext)) {
    return Status::OutOfRange(ExpectedMessage("16 context values", "context.length", static_cast<int64_t>(context.size())));
  }
  for (size_t i = 0; i < context.size(); ++i) {
    if (context[i] < -kArmMaxLatent || context[i] > kArmMaxLatent) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(-kArmMaxLatent, kArmMaxLatent), ElementName("context", i), context[i]));
    }
  }
  model.Predict(context.data(), out);
  return Status::Ok();
}

Status ArmEncode(Span<const int32_t> weights, Span<const int32_t> values, Span<const ArmGridSize> sizes,
                 std::vector<uint8_t>* out) {
  ArmModel model;
  NCODEC_RETURN_IF_ERROR(model.Create(weights));
  NCODEC_RETURN_IF_ERROR(CheckValues(values, sizes));
  auto cache = std::make_unique<TableCache>();
  std::vector<Interval> intervals;
  intervals.reserve(values.size());
  std::vector<uint8_t> bypass;
  BitWriter escapes(&bypass);
  NCODEC_RETURN_IF_ERROR(ForEachSymbol(model, values, sizes, cache.get(), [&](const ArmTable& t, uint32_t s, uint64_t raw) {
    intervals.push_back(Interval{static_cast<uint16_t>(t.cdf[s]), static_cast<uint16_t>(t.cdf[s + 1] - t.cdf[s])});
    if (s == t.escape) escapes.PutEscape(raw);
  }));
  escapes.Finish();
  // rans64 (ryg_rans): encode last to first, 32-bit renormalization words.
  std::vector<uint32_t> words;
  words.reserve(intervals.size() / 2 + 2);
  uint64_t x = kRansL;
  for (size_t i = intervals.size(); i-- > 0;) {
    const uint64_t f = intervals[i].freq;
    if (x >= ((kRansL >> kArmPrecision) << 32) * f) {
      words.push_back(static_cast<uint32_t>(x));
      x >>= 32;
    }
    x = ((x / f) << kArmPrecision) + (x % f) + intervals[i].start;
  }
  words.push_back(static_cast<uint32_t>(x >> 32));
  words.push_back(static_cast<uint32_t>(x));  // reversed below: low word first
  std::reverse(words.begin(), words.end());
  out->clear();
  PutVarint(words.size(), out);
  PutVarint(bypass.size(), out);
  const size_t head = out->size();
  out->resize(head + 4 * words.size() + bypass.size());
  for (size_t i = 0; i < words.size(); ++i) StoreLe32(words[i], out->data() + head + 4 * i);
  if (!bypass.empty()) std::memcpy(out->data() + head + 4 * words.size(), bypass.data(), bypass.size());
  return Status::Ok();
}

Status ArmDecode(Span<const int32_t> weights, Span<const uint8_t> bytes, Span<const ArmGridSize> sizes,
                 Span<int32_t> values) {
  ArmModel model;
  NCODEC_RETURN_IF_ERROR(model.Create(weights));
  size_t total = 0;
  NCODEC_RETURN_IF_ERROR(CheckSizes(sizes, &total));
  if (values.size() != total) {
    return Status::OutOfRange(ExpectedMessage("the sum of height * width of the grids (" + std::to_string(total) + ")",
                                              "values.length", static_cast<int64_t>(values.size())));
  }
  size_t pos = 0;
  uint64_t count = 0, bypass_bytes = 0;
  NCODEC_RETURN_IF_ERROR(GetVarint(bytes, &pos, uint64_t{1} << 40, &count));
  NCODEC_RETURN_IF_ERROR(GetVarint(bytes, &pos, uint64_t{1} << 40, &bypass_bytes));
  const uint64_t need = 4 * count + bypass_bytes;
  const uint64_t have = bytes.size() - pos;
  if (have < need) return Status::Truncated("The ARM stream ends before its rANS words and escape codes");
  if (have > need) return Status::Corrupt("The ARM stream has " + std::to_string(have - need) + " trailing bytes");
  if (count < 2) return Status::Corrupt("The ARM stream has fewer than two rANS words");
  const uint8_t* p = bytes.data() + pos;
  const uint8_t* const end = p + 4 * count;
  BitReader escapes(Span<const uint8_t>(end, static_cast<size_t>(bypass_bytes)));
  uint64_t x = LoadLe32(p) | (uint64_t{LoadLe32(p + 4)} << 32);
  p += 8;
  if (x < kRansL || x >= kRansStateEnd) return Status::Corrupt("The ARM stream has an invalid rANS state");
  auto cache = std::make_unique<TableCache>();
  PaddedGrid grid;
  int32_t ctx[kArmContext];
  int64_t o[2];
  int32_t* dst = values.data();
  for (const ArmGridSize& size : sizes) {
    grid.Reset(size);
    for (int y = 0; y < size.height; ++y) {
      int32_t* row = grid.Row(y);
      for (int px = 0; px < size.width; ++px) {
        grid.Gather(row + px, ctx);
        model.Predict(ctx, o);
        const ArmChoice choice = ArmTableChoice(o[0], o[1]);
        const ArmTable* t = cache->Find(choice.table);
        if (NCODEC_UNLIKELY(t == nullptr)) NCODEC_RETURN_IF_ERROR(cache->Build(choice.table, &t));
        const uint32_t slot = static_cast<uint32_t>(x) & (kTotal - 1);
        uint32_t s = t->lut[slot >> t->lut_shift];
        while (t->cdf[s + 1] <= slot) ++s;  // ends: cdf[escape + 1] = 2^16 > slot
        x = static_cast<uint64_t>(t->cdf[s + 1] - t->cdf[s]) * (x >> kArmPrecision) + slot - t->cdf[s];
        if (x < kRansL) {
          if (p == end) return Status::Corrupt("The ARM stream ran out of rANS words");
          x = (x << 32) | LoadLe32(p);
          p += 4;
        }
        int64_t n = int64_t{t->offset} + s;
        if (NCODEC_UNLIKELY(s == t->escape)) {
          uint64_t raw = 0;
          NCODEC_RETURN_IF_ERROR(escapes.GetEscape(&raw));
          n = int64_t{t->offset} + UnfoldEscape(raw, t->escape);
        }
        const int64_t v = choice.mu_int + n;
        if (NCODEC_UNLIKELY(v < -kArmMaxLatent || v > kArmMaxLatent))
          return Status::Corrupt("The ARM stream decodes a latent beyond +-2^20");
        row[px] = static_cast<int32_t>(v);
        *dst++ = static_cast<int32_t>(v);
      }
    }
  }
  if (p != end) return Status::Corrupt("The ARM stream has unused rANS words");
  if (x != kRansL) return Status::Corrupt("The ARM decoder did not end in its initial state");
  if (!escapes.AtCleanEnd()) return Status::Corrupt("The ARM stream has unused escape bits");
  return Status::Ok();
}

Status ArmBits(Span<const int32_t> weights, Span<const int32_t> values, Span<const ArmGridSize> sizes, double* bits) {
  ArmModel model;
  NCODEC_RETURN_IF_ERROR(model.Create(weights));
  NCODEC_RETURN_IF_ERROR(CheckValues(values, sizes));
  auto cache = std::make_unique<TableCache>();
  double total = 0;
  NCODEC_RETURN_IF_ERROR(ForEachSymbol(model, values, sizes, cache.get(), [&](const ArmTable& t, uint32_t s, uint64_t raw) {
    total += kArmPrecision - std::log2(static_cast<double>(t.cdf[s + 1] - t.cdf[s]));
    if (s == t.escape) total += EscapeCodeBits(raw);
  }));
  *bits = total;
  return Status::Ok();
}

}  // namespace ncodec
