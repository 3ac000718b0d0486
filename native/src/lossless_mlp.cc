// Learned lossless image coding: see lossless_mlp.h for the model, its integer arithmetic and the formats.
#include "lossless_mlp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "byte_io.h"

namespace ncodec {
namespace {


constexpr uint64_t kRansL = uint64_t{1} << 31;
constexpr uint32_t kTotal = uint32_t{1} << kLosslessPrecision;
constexpr int kInvScaleSize = kLosslessLogScaleMax - kLosslessLogScaleMin + 1;
constexpr int kSigmoidSize = 2 * kLosslessSigmoidHalf + 1;
constexpr int kMaxMixtures = 16;
constexpr int kMaxWidth = 1024;
constexpr int64_t kMeanBound = int64_t{1} << 24;

// floor(value / 2^shift) for any sign (>> on negative values is implementation-defined before C++20).
// For negative values floor(v / 2^s) = ~((~v) >> s), where ~v = -v - 1 >= 0 (no division, defined behaviour).
inline int64_t FloorShift(int64_t value, int shift) { return value >= 0 ? value >> shift : ~((~value) >> shift); }

// acc[o] = bias[o] + sum_i w[i][o] * in[i] over weights stored in input pairs ([i/2][o][2], a zero row
// pads an odd count): the inner loop runs over outputs with int16 x int16 -> int32 products summed in
// pairs (vpmaddwd on AVX2: 16 products per instruction), no horizontal sums, and pairs of zero inputs
// (ReLU) are skipped. Integer sums are exact in any order, so both versions compute the same values.
void AffineScalar(const int16_t* wp, const int32_t* bias, const int16_t* in, int n_in, int n_out, int32_t* acc) {
  for (int o = 0; o < n_out; ++o) acc[o] = bias[o];
  for (int i = 0; i < n_in; i += 2) {
    const int32_t a0 = in[i], a1 = i + 1 < n_in ? in[i + 1] : 0;
    if ((a0 | a1) == 0) continue;
    const int16_t* w = wp + static_cast<size_t>(i / 2) * n_out * 2;
    for (int o = 0; o < n_out; ++o) acc[o] += static_cast<int32_t>(w[2 * o]) * a0 + static_cast<int32_t>(w[2 * o + 1]) * a1;
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NCODEC_MLP_AVX2 1
__attribute__((target("avx2"))) void AffineAvx2(const int16_t* wp, const int32_t* bias, const int16_t* in, int n_in,
                                                int n_out, int32_t* acc) {
  // The non-zero input pairs, broadcast once; then blocks of 8 outputs accumulate in registers.
  int32_t pairs[kMaxWidth / 2 + 1];
  int index[kMaxWidth / 2 + 1];
  int count = 0;
  for (int i = 0; i < n_in; i += 2) {
    const int32_t a0 = in[i], a1 = i + 1 < n_in ? in[i + 1] : 0;
    if ((a0 | a1) == 0) continue;
    pairs[count] = static_cast<int32_t>((static_cast<uint32_t>(a1) << 16) | (static_cast<uint32_t>(a0) & 0xffffu));
    index[count++] = i / 2;
  }
  const size_t row = static_cast<size_t>(n_out) * 2;
  int o = 0;
  for (; o + 16 <= n_out; o += 16) {
    __m256i s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + o));
    __m256i s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + o + 8));
    for (int k = 0; k < count; ++k) {
      const __m256i p = _mm256_set1_epi32(pairs[k]);
      const int16_t* w = wp + index[k] * row + 2 * o;
      s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)), p));
      s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 16)), p));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + o), s0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + o + 8), s1);
  }
  for (; o < n_out; ++o) {
    int32_t sum = bias[o];
    for (int k = 0; k < count; ++k) {
      const int16_t* w = wp + index[k] * row + 2 * o;
      const int32_t a0 = static_cast<int16_t>(pairs[k] & 0xffff);
      const int32_t a1 = static_cast<int16_t>(static_cast<uint32_t>(pairs[k]) >> 16);
      sum += static_cast<int32_t>(w[0]) * a0 + static_cast<int32_t>(w[1]) * a1;
    }
    acc[o] = sum;
  }
}
#endif

void Affine(const int16_t* wp, const int32_t* bias, const int16_t* in, int n_in, int n_out, int32_t* acc) {
#ifdef NCODEC_MLP_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return AffineAvx2(wp, bias, in, n_in, n_out, acc);
#endif
  AffineScalar(wp, bias, in, n_in, n_out, acc);
}

class Reader {
 public:
  explicit Reader(Span<const uint8_t> b) : b_(b) {}
  bool Take(size_t n, const uint8_t** p) {
    if (b_.size() - pos_ < n) return false;
    *p = b_.data() + pos_;
    pos_ += n;
    return true;
  }
  template <typename T>
  bool Get(T* v) {
    const uint8_t* p;
    if (!Take(sizeof(T), &p)) return false;
    std::memcpy(v, p, sizeof(T));  // little-endian hosts only (x86-64, arm64)
    return true;
  }
  template <typename T>
  bool GetArray(size_t n, std::vector<T>* v) {
    const uint8_t* p;
    if (n > (b_.size() - pos_) / sizeof(T) || !Take(n * sizeof(T), &p)) return false;
    v->resize(n);
    if (n) std::memcpy(v->data(), p, n * sizeof(T));
    return true;
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  Span<const uint8_t> b_;
  size_t pos_ = 0;
};

// One pixel's distribution parameters after the network: per channel and component.
struct PixelParams {
  int64_t mean[3][kMaxMixtures];     // Q8, before the channel-conditioning terms
  int32_t coef[3][kMaxMixtures];     // a (G<-R), b (B<-R), g (B<-G), Q8 in [-256, 256]
  uint32_t inv_scale[3][kMaxMixtures];
  uint32_t weight[3][kMaxMixtures];  // sum <= 2^16
};

// The causal context and network evaluation over a padded int16 copy of the image (-1 outside).
class Predictor {
 public:
  Predictor(const LosslessMlp& m, int width, int height)
      : m_(m), r_(m.radius()), k_(m.mixtures()), stride_(width + 2 * m.radius()) {
    buffer_.assign(static_cast<size_t>(height + r_) * stride_ * 3, -1);
    for (int dy = -r_; dy < 0; ++dy)
      for (int dx = -r_; dx <= r_; ++dx) offsets_.push_back(dy * stride_ + dx);
    for (int dx = -r_; dx < 0; ++dx) offsets_.push_back(dx);
    size_t widest = m.inputs();
    for (const auto& l : m.layers()) widest = std::max(widest, static_cast<size_t>(l.out));
    a_.resize(widest);
    b_.resize(widest);
    acc_.resize(widest);
    out_.resize(m.layers().back().out);
  }

  int16_t* at(int x, int y) { return &buffer_[(static_cast<size_t>(y + r_) * stride_ + x + r_) * 3]; }

  void Set(int x, int y, int c, int v) { at(x, y)[c] = static_cast<int16_t>(v); }

  // Evaluates the network for pixel (x, y); fills params and the references.
  void Run(int x, int y, PixelParams* p, int ref[3]) {
    const int16_t* centre = at(x, y);
    const int16_t* w = centre - 3;
    const int16_t* n = centre - 3 * stride_;
    for (int c = 0; c < 3; ++c) ref[c] = w[c] >= 0 ? w[c] : (n[c] >= 0 ? n[c] : 128);
    int16_t* f = a_.data();
    for (size_t o = 0; o < offsets_.size(); ++o) {
      const int16_t* v = centre + 3 * static_cast<ptrdiff_t>(offsets_[o]);
      for (int c = 0; c < 3; ++c) *f++ = static_cast<int16_t>(v[c] >= 0 ? v[c] - ref[c] : 0);
    }
    const auto& layers = m_.layers();
    int16_t* in = a_.data();
    int16_t* next = b_.data();
    for (size_t l = 0; l + 1 < layers.size(); ++l) {
      const LosslessLayer& L = layers[l];
      Affine(L.weight_t.data(), L.bias.data(), in, L.in, L.out, acc_.data());
      for (int o = 0; o < L.out; ++o) {
        next[o] = static_cast<int16_t>(std::clamp<int64_t>(FloorShift(acc_[o], L.shift), 0, kLosslessActMax));
      }
      std::swap(in, next);
    }
    const LosslessLayer& H = layers.back();
    Affine(H.weight_t.data(), H.bias.data(), in, H.in, H.out, acc_.data());
    for (int o = 0; o < H.out; ++o) out_[o] = FloorShift(acc_[o], H.shift);
    const int64_t* logits = out_.data();
    const int64_t* means = logits + 3 * k_;
    const int64_t* log_scales = means + 3 * k_;
    const int64_t* coefs = log_scales + 3 * k_;
    const auto& inv = m_.inv_scale();
    const auto& ex = m_.exp();
    for (int c = 0; c < 3; ++c) {
      int64_t top = logits[c * k_];
      for (int j = 1; j < k_; ++j) top = std::max(top, logits[c * k_ + j]);
      uint64_t sum = 0;
      uint32_t e[kMaxMixtures];
      for (int j = 0; j < k_; ++j) {
        e[j] = ex[static_cast<size_t>(std::min<int64_t>(top - logits[c * k_ + j], kLosslessExpSize - 1))];
        sum += e[j];
      }
      for (int j = 0; j < k_; ++j) {
        p->weight[c][j] = static_cast<uint32_t>((static_cast<uint64_t>(e[j]) << 16) / sum);
        p->mean[c][j] = 256 * static_cast<int64_t>(ref[c]) + 8 * std::clamp<int64_t>(means[c * k_ + j], -kMeanBound, kMeanBound);
        const int64_t ls = std::clamp<int64_t>(log_scales[c * k_ + j], kLosslessLogScaleMin, kLosslessLogScaleMax);
        p->inv_scale[c][j] = inv[static_cast<size_t>(ls - kLosslessLogScaleMin)];
        p->coef[c][j] = static_cast<int32_t>(std::clamp<int64_t>(coefs[c * k_ + j], -256, 256));
      }
    }
  }

 private:
  const LosslessMlp& m_;
  int r_, k_, stride_;
  std::vector<int16_t> buffer_;
  std::vector<ptrdiff_t> offsets_;
  std::vector<int16_t> a_, b_;
  std::vector<int32_t> acc_;
  std::vector<int64_t> out_;
};

// Channel c's component means given the already known samples of the pixel (Q8).
void ChannelMeans(const PixelParams& p, int k, int c, const int ref[3], const int x[3], int64_t mu[]) {
  for (int j = 0; j < k; ++j) {
    int64_t m = p.mean[c][j];
    if (c == 1) m += static_cast<int64_t>(p.coef[0][j]) * (x[0] - ref[0]);
    if (c == 2) m += static_cast<int64_t>(p.coef[1][j]) * (x[0] - ref[0]) + static_cast<int64_t>(p.coef[2][j]) * (x[1] - ref[1]);
    mu[j] = std::clamp<int64_t>(m, -kMeanBound, kMeanBound);
  }
}

// The cumulative frequency of values below v (0..256).
inline uint32_t Cdf(int v, const int64_t* mu, const uint32_t* inv, const uint32_t* w, int k, const uint32_t* sigmoid) {
  if (v <= 0) return 0;
  if (v >= 256) return kTotal;
  const int64_t b = 256 * static_cast<int64_t>(v) - 128;
  uint64_t f = 0;
  for (int j = 0; j < k; ++j) {
    const int64_t t = std::clamp<int64_t>(FloorShift((b - mu[j]) * static_cast<int64_t>(inv[j]), 16),
                                          -kLosslessSigmoidHalf, kLosslessSigmoidHalf);
    f += static_cast<uint64_t>(w[j]) * sigmoid[static_cast<size_t>(t + kLosslessSigmoidHalf)];
  }
  return static_cast<uint32_t>(v) + static_cast<uint32_t>(((f >> 16) * (kTotal - 256)) >> 16);
}

// (start, frequency) of every sample in coding order: pixel-major, channel-minor.
void Intervals(const LosslessMlp& m, Span<const uint8_t> pixels, int width, int height, int channels, int y0, int y1,
               uint32_t* start, uint32_t* freq) {
  Predictor pred(m, width, height);
  // the rows above y0 that the context reaches
  for (int y = std::max(0, y0 - m.radius()); y < y1; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) pred.Set(x, y, c, pixels[(static_cast<size_t>(y) * width + x) * channels + (channels == 3 ? c : 0)]);
  const int k = m.mixtures();
  const uint32_t* sig = m.sigmoid().data();
  PixelParams p;
  int ref[3], xs[3] = {0, 0, 0};
  int64_t mu[kMaxMixtures];
  for (int y = y0; y < y1; ++y) {
    for (int x = 0; x < width; ++x) {
      pred.Run(x, y, &p, ref);
      const size_t at = (static_cast<size_t>(y) * width + x) * channels;
      for (int c = 0; c < channels; ++c) {
        xs[c] = pixels[at + c];
        ChannelMeans(p, k, c, ref, xs, mu);
        const uint32_t lo = Cdf(xs[c], mu, p.inv_scale[c], p.weight[c], k, sig);
        const uint32_t hi = Cdf(xs[c] + 1, mu, p.inv_scale[c], p.weight[c], k, sig);
        start[at + c] = lo;
        freq[at + c] = hi - lo;
      }
    }
  }
}

Status CheckImage(const LosslessMlp& m, size_t samples, int width, int height, int channels) {
  if (m.layers().empty()) return Status::OutOfRange("Expected a parsed lossless model but received an empty one");
  if (channels != 1 && channels != 3) return Status::OutOfRange(ExpectedMessage("1 or 3", "channels", channels));
  if (width < 1 || height < 1 || width > (1 << 16) || height > (1 << 16))
    return Status::OutOfRange(ExpectedMessage("a size between 1 and 65536", "width/height", width < 1 ? width : height));
  if (samples != static_cast<size_t>(width) * height * channels)
    return Status::OutOfRange(ExpectedMessage("width * height * channels samples", "pixels", static_cast<int64_t>(samples)));
  return Status::Ok();
}

void ComputeIntervals(const LosslessMlp& m, Span<const uint8_t> pixels, int width, int height, int channels, int threads,
                      std::vector<uint32_t>* start, std::vector<uint32_t>* freq) {
  const size_t n = static_cast<size_t>(width) * height * channels;
  start->resize(n);
  freq->resize(n);
  const int parts = std::max(1, std::min(threads, height));
  if (parts == 1) {
    Intervals(m, pixels, width, height, channels, 0, height, start->data(), freq->data());
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < parts; ++t) {
    const int y0 = height * t / parts, y1 = height * (t + 1) / parts;
    pool.emplace_back(Intervals, std::cref(m), pixels, width, height, channels, y0, y1, start->data(), freq->data());
  }
  for (auto& th : pool) th.join();
}

}  // namespace

Status LosslessMlp::Parse(Span<const uint8_t> bytes) {
  *this = LosslessMlp();
  Reader r(bytes);
  const uint8_t* magic;
  uint16_t version, hidden;
  uint8_t radius, hidden_layers, mixtures, zero;
  const Status bad = Status::Corrupt("The lossless model file is malformed: reinstall neural-codec or re-export the model");
  if (!r.Take(4, &magic) || std::memcmp(magic, "NCLM", 4) != 0) return bad;
  if (!r.Get(&version) || version != 1)
    return Status::Corrupt("The lossless model file has an unsupported version: upgrade neural-codec");
  if (!r.Get(&radius) || !r.Get(&hidden_layers) || !r.Get(&hidden) || !r.Get(&mixtures) || !r.Get(&zero)) return bad;
  if (radius < 1 || radius > 8 || hidden_layers < 1 || hidden_layers > 8 || hidden < 1 || hidden > kMaxWidth ||
      mixtures < 1 || mixtures > kMaxMixtures)
    return bad;
  const int n_in = 3 * (radius * (2 * radius + 1) + radius);
  int in = n_in;
  for (int l = 0; l <= hidden_layers; ++l) {
    LosslessLayer L;
    uint16_t out, lin;
    uint8_t shift, pad;
    if (!r.Get(&out) || !r.Get(&lin) || !r.Get(&shift) || !r.Get(&pad)) return bad;
    const int want_out = l == hidden_layers ? 12 * mixtures : hidden;
    if (out != want_out || lin != in || shift > 40) return bad;
    L.out = out;
    L.in = lin;
    L.shift = shift;
    if (!r.GetArray(static_cast<size_t>(out) * lin, &L.weight) || !r.GetArray(out, &L.bias)) return bad;
    // Bounds that keep the int32 dot products exact: |bias| + sum |w| * max|input| < 2^31.
    const int64_t max_in = l == 0 ? 255 : kLosslessActMax;
    for (int o = 0; o < out; ++o) {
      int64_t bound = std::abs(static_cast<int64_t>(L.bias[o]));
      for (int i = 0; i < lin; ++i) bound += std::abs(static_cast<int64_t>(L.weight[static_cast<size_t>(o) * lin + i])) * max_in;
      if (bound >= (int64_t{1} << 31)) return bad;
    }
    L.weight_t.assign(static_cast<size_t>((lin + 1) / 2) * out * 2, 0);
    for (int o = 0; o < out; ++o)
      for (int i = 0; i < lin; ++i)
        L.weight_t[(static_cast<size_t>(i / 2) * out + o) * 2 + (i & 1)] = L.weight[static_cast<size_t>(o) * lin + i];
    layers_.push_back(std::move(L));
    in = out;
  }
  if (!r.GetArray(kInvScaleSize, &inv_scale_) || !r.GetArray(kSigmoidSize, &sigmoid_) || !r.GetArray(kLosslessExpSize, &exp_) ||
      !r.done())
    return bad;
  for (uint32_t v : inv_scale_)
    if (v == 0 || v > (1u << 24)) return bad;
  for (size_t i = 0; i < sigmoid_.size(); ++i)
    if (sigmoid_[i] > kTotal || (i > 0 && sigmoid_[i] < sigmoid_[i - 1])) return bad;
  if (exp_[0] == 0) return bad;
  for (uint32_t v : exp_)
    if (v > kTotal) return bad;
  radius_ = radius;
  mixtures_ = mixtures;
  return Status::Ok();
}

Status LosslessMlpEncode(const LosslessMlp& m, Span<const uint8_t> pixels, int width, int height, int channels, int threads,
                         std::vector<uint8_t>* out) {
  NCODEC_RETURN_IF_ERROR(CheckImage(m, pixels.size(), width, height, channels));
  std::vector<uint32_t> start, freq;
  ComputeIntervals(m, pixels, width, height, channels, threads, &start, &freq);
  // rans64 (ryg_rans): encode last to first, 32-bit renormalization words.
  std::vector<uint32_t> words;
  words.reserve(start.size() / 2 + 2);
  uint64_t x = kRansL;
  for (size_t i = start.size(); i-- > 0;) {
    const uint64_t f = freq[i];
    const uint64_t x_max = ((kRansL >> kLosslessPrecision) << 32) * f;
    if (x >= x_max) {
      words.push_back(static_cast<uint32_t>(x));
      x >>= 32;
    }
    x = ((x / f) << kLosslessPrecision) + (x % f) + start[i];
  }
  words.push_back(static_cast<uint32_t>(x));
  words.push_back(static_cast<uint32_t>(x >> 32));
  std::reverse(words.begin(), words.end());
  out->clear();
  PutVarint(words.size(), out);
  const size_t head = out->size();
  out->resize(head + 4 * words.size());
  for (size_t i = 0; i < words.size(); ++i)
    for (int b = 0; b < 4; ++b) (*out)[head + 4 * i + b] = static_cast<uint8_t>(words[i] >> (8 * b));
  return Status::Ok();
}

Status LosslessMlpDecode(const LosslessMlp& m, Span<const uint8_t> bytes, int width, int height, int channels,
                         Span<uint8_t> pixels) {
  NCODEC_RETURN_IF_ERROR(CheckImage(m, pixels.size(), width, height, channels));
  size_t pos = 0;
  uint64_t count;
  NCODEC_RETURN_IF_ERROR(GetVarint(bytes, &pos, uint64_t{1} << 40, &count));
  if (count < 2) return Status::Corrupt("The learned lossless section has fewer than two rANS words");
  if ((bytes.size() - pos) / 4 < count) return Status::Truncated("The learned lossless section ends before its rANS words");
  if (bytes.size() - pos != 4 * count) return Status::Corrupt("The learned lossless section has trailing bytes");
  const uint8_t* w = bytes.data() + pos;
  size_t next = 0;
  auto word = [&]() -> uint32_t {
    const uint8_t* p = w + 4 * next++;
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
           (static_cast<uint32_t>(p[3]) << 24);
  };
  uint64_t x = static_cast<uint64_t>(word());
  x = (x << 32) | word();
  if (x < kRansL) return Status::Corrupt("The learned lossless section has an invalid rANS state");
  Predictor pred(m, width, height);
  const int k = m.mixtures();
  const uint32_t* sig = m.sigmoid().data();
  PixelParams p;
  int ref[3], xs[3] = {0, 0, 0};
  int64_t mu[kMaxMixtures];
  for (int y = 0; y < height; ++y) {
    for (int px = 0; px < width; ++px) {
      pred.Run(px, y, &p, ref);
      const size_t at = (static_cast<size_t>(y) * width + px) * channels;
      for (int c = 0; c < channels; ++c) {
        ChannelMeans(p, k, c, ref, xs, mu);
        const uint32_t slot = static_cast<uint32_t>(x & (kTotal - 1));
        // the value v with cdf(v) <= slot < cdf(v + 1): binary search over 0..255
        int lo = 0, hi = 256;
        uint32_t clo = 0, chi = kTotal;
        while (hi - lo > 1) {
          const int mid = (lo + hi) / 2;
          const uint32_t cm = Cdf(mid, mu, p.inv_scale[c], p.weight[c], k, sig);
          if (cm <= slot) { lo = mid; clo = cm; } else { hi = mid; chi = cm; }
        }
        x = static_cast<uint64_t>(chi - clo) * (x >> kLosslessPrecision) + slot - clo;
        if (x < kRansL) {
          if (next >= count) return Status::Corrupt("The learned lossless section ran out of rANS words");
          x = (x << 32) | word();
        }
        xs[c] = lo;
        pixels[at + c] = static_cast<uint8_t>(lo);
      }
      if (channels == 3) {
        for (int c = 0; c < 3; ++c) pred.Set(px, y, c, xs[c]);
      } else {
        for (int c = 0; c < 3; ++c) pred.Set(px, y, c, xs[0]);
      }
    }
  }
  if (next != count) return Status::Corrupt("The learned lossless section has unused rANS words");
  if (x != kRansL) return Status::Corrupt("The learned lossless decoder did not end in its initial state");
  return Status::Ok();
}

Status LosslessMlpBits(const LosslessMlp& m, Span<const uint8_t> pixels, int width, int height, int channels, int threads,
                       double* bits) {
  NCODEC_RETURN_IF_ERROR(CheckImage(m, pixels.size(), width, height, channels));
  std::vector<uint32_t> start, freq;
  ComputeIntervals(m, pixels, width, height, channels, threads, &start, &freq);
  double total = 0;
  for (uint32_t f : freq) total += kLosslessPrecision - std::log2(static_cast<double>(f));
  *bits = total;
  return Status::Ok();
}

}  // namespace ncodec
