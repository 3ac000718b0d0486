// STFT analysis and synthesis of opuspf's post-filter: see stft.h.
#include "stft.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace ncodec {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The frame loops, compiled for x86-64-v4 (AVX-512) and AVX2 besides the baseline where the compiler can
// pick at load time (GCC on x86-64 Linux). The addon is built without contracting multiply-adds
// (binding.gyp -ffp-contract=off) and nothing here reassociates, so the versions compute the same
// operations; the noise draws are integer and the same everywhere.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NCODEC_STFT_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define NCODEC_STFT_MULTIVERSION
#endif

// A real FFT of size n (a power of two >= 4) through a complex FFT of size m = n / 2 on the even and
// odd samples, with the split that turns its result into the one-sided spectrum (and back). The same
// algorithm as src/media/fft.ts.
class RealFft {
 public:
  explicit RealFft(int n) : n_(n), m_(n / 2), rev_(m_), re_(m_), im_(m_), split_c_(m_ + 1), split_s_(m_ + 1) {
    int bits = 0;
    while ((1 << bits) < m_) ++bits;
    for (int i = 0; i < m_; ++i) {
      int r = 0;
      for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
      rev_[i] = r;
    }
    // twiddles of the stage with half-length h (1, 2, 4, ... m / 2) at offset h - 1: e^(-i pi j / h)
    tw_re_.resize(m_ > 1 ? m_ - 1 : 1);
    tw_im_.resize(tw_re_.size());
    for (int h = 1; h < m_; h <<= 1) {
      for (int j = 0; j < h; ++j) {
        tw_re_[h - 1 + j] = std::cos(kPi * j / h);
        tw_im_[h - 1 + j] = -std::sin(kPi * j / h);
      }
    }
    for (int k = 0; k <= m_; ++k) {
      split_c_[k] = std::cos(2 * kPi * k / n_);
      split_s_[k] = -std::sin(2 * kPi * k / n_);
    }
  }

  // in: n samples; out: m + 1 bins.
  void Forward(const double* in, double* out_re, double* out_im) {
    for (int k = 0; k < m_; ++k) {
      re_[rev_[k]] = in[2 * k];
      im_[rev_[k]] = in[2 * k + 1];
    }
    Butterflies();
    for (int k = 0; k <= m_; ++k) {
      const int k1 = k == m_ ? 0 : k;
      const int k2 = k == 0 ? 0 : m_ - k;
      const double zr = re_[k1], zi = im_[k1];
      const double wr = re_[k2], wi = -im_[k2];
      const double er = 0.5 * (zr + wr), ei = 0.5 * (zi + wi);
      const double odd_r = 0.5 * (zi - wi), odd_i = -0.5 * (zr - wr);
      const double c = split_c_[k], s = split_s_[k];
      out_re[k] = er + c * odd_r - s * odd_i;
      out_im[k] = ei + c * odd_i + s * odd_r;
    }
  }

  // in: m + 1 bins (the imaginary parts of bins 0 and m are ignored); out: n samples.
  void Inverse(const double* in_re, const double* in_im, double* out) {
    for (int k = 0; k < m_; ++k) {
      const double xr = in_re[k], xi = k == 0 ? 0.0 : in_im[k];
      const double yr = in_re[m_ - k], yi = k == 0 ? 0.0 : -in_im[m_ - k];
      const double er = 0.5 * (xr + yr), ei = 0.5 * (xi + yi);
      const double dr = 0.5 * (xr - yr), di = 0.5 * (xi - yi);
      const double c = split_c_[k], s = -split_s_[k];
      const double odd_r = dr * c - di * s, odd_i = dr * s + di * c;
      re_[rev_[k]] = er - odd_i;
      im_[rev_[k]] = -(ei + odd_r);
    }
    Butterflies();
    const double scale = 1.0 / m_;
    for (int j = 0; j < m_; ++j) {
      out[2 * j] = re_[j] * scale;
      out[2 * j + 1] = -im_[j] * scale;
    }
  }

 private:
  // In-place complex FFT of size m on bit-reversed re_, im_ (radix 2; the inner loop runs over
  // consecutive twiddles and elements).
  void Butterflies() {
    double* re = re_.data();
    double* im = im_.data();
    for (int h = 1; h < m_; h <<= 1) {
      const double* wr = &tw_re_[h - 1];
      const double* wi = &tw_im_[h - 1];
      for (int start = 0; start < m_; start += 2 * h) {
        double* ar = re + start;
        double* ai = im + start;
        double* br = ar + h;
        double* bi = ai + h;
        for (int j = 0; j < h; ++j) {
          const double tr = br[j] * wr[j] - bi[j] * wi[j];
          const double ti = br[j] * wi[j] + bi[j] * wr[j];
          br[j] = ar[j] - tr;
          bi[j] = ai[j] - ti;
          ar[j] += tr;
          ai[j] += ti;
        }
      }
    }
  }

  int n_, m_;
  std::vector<int> rev_;
  std::vector<double> re_, im_, split_c_, split_s_, tw_re_, tw_im_;
};

std::vector<double> HannWindow(int n) {
  std::vector<double> w(n);
  for (int i = 0; i < n; ++i) w[i] = 0.5 - 0.5 * std::cos(2 * kPi * i / n);
  return w;
}

// Index into [0, n) of position i of a signal reflected about its first and last samples (numpy's
// 'reflect'; postfilter.ts reflectIndex).
int64_t ReflectIndex(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  int64_t j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

// mulberry32 (src/prng.ts): the next 32-bit draw.
uint32_t Mulberry32(uint32_t& state) {
  state += 0x6d2b79f5u;
  uint32_t t = state;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}

NCODEC_STFT_MULTIVERSION void AnalyseFrames(const StftShape& shape, const float* x, int64_t length, size_t frames,
                                            float* re, float* im, float* magnitude) {
  const int n = shape.n_fft, bins = n / 2 + 1;
  const std::vector<double> window = HannWindow(n);
  RealFft fft(n);
  std::vector<double> frame(n), spec_re(bins), spec_im(bins);
  const int64_t pad = n / 2;
  for (size_t t = 0; t < frames; ++t) {
    const int64_t start = static_cast<int64_t>(t) * shape.hop - pad;
    if (start >= 0 && start + n <= length) {
      const float* src = x + start;
      for (int i = 0; i < n; ++i) frame[i] = src[i] * window[i];
    } else {
      for (int i = 0; i < n; ++i) frame[i] = x[ReflectIndex(start + i, length)] * window[i];
    }
    fft.Forward(frame.data(), spec_re.data(), spec_im.data());
    float* out_re = re + t * bins;
    float* out_im = im + t * bins;
    float* out_mag = magnitude + t * bins;
    for (int k = 0; k < bins; ++k) {
      const float r = static_cast<float>(spec_re[k]), i = static_cast<float>(spec_im[k]);
      out_re[k] = r;
      out_im[k] = i;
      out_mag[k] = static_cast<float>(std::sqrt(static_cast<double>(r) * r + static_cast<double>(i) * i));
    }
  }
}

// gains: null for Y = X.
NCODEC_STFT_MULTIVERSION void SynthesiseFrames(const StftShape& shape, const float* re, const float* im,
                                               const float* gains, bool noise, uint32_t seed, size_t frames,
                                               float* out, size_t length) {
  const int n = shape.n_fft, hop = shape.hop, bins = n / 2 + 1;
  float phase_cos[kNoisePhases], phase_sin[kNoisePhases];  // float32 tables, as postfilter.ts had them
  for (int i = 0; i < kNoisePhases; ++i) {
    phase_cos[i] = static_cast<float>(std::cos(2 * kPi * i / kNoisePhases));
    phase_sin[i] = static_cast<float>(std::sin(2 * kPi * i / kNoisePhases));
  }
  const std::vector<double> window = HannWindow(n);
  RealFft fft(n);
  std::vector<double> frame(n), spec_re(bins), spec_im(bins);
  const size_t total = (frames - 1) * hop + n;
  std::vector<double> sum(total, 0.0), envelope(total, 0.0);
  uint32_t state = seed;
  for (size_t t = 0; t < frames; ++t) {
    const float* x_re = re + t * bins;
    const float* x_im = im + t * bins;
    if (gains == nullptr) {
      for (int k = 0; k < bins; ++k) {
        spec_re[k] = x_re[k];
        spec_im[k] = x_im[k];
      }
    } else {
      const float* gain = gains + t * 2 * bins;
      const float* magnitude = gain + bins;
      for (int k = 0; k < bins; ++k) {
        double r = static_cast<double>(x_re[k]) * gain[k], i = static_cast<double>(x_im[k]) * gain[k];
        if (noise) {
          const uint32_t phase = Mulberry32(state) >> 22;  // floor(draw / 2^32 * 1024)
          r += static_cast<double>(magnitude[k]) * phase_cos[phase];
          i += static_cast<double>(magnitude[k]) * phase_sin[phase];
        }
        spec_re[k] = r;
        spec_im[k] = i;
      }
    }
    fft.Inverse(spec_re.data(), spec_im.data(), frame.data());
    double* acc = sum.data() + t * hop;
    double* env = envelope.data() + t * hop;
    for (int i = 0; i < n; ++i) {
      acc[i] += frame[i] * window[i];
      env[i] += window[i] * window[i];
    }
  }
  const size_t pad = n / 2;
  const size_t end = std::min(length, total - pad);
  for (size_t i = 0; i < end; ++i) {
    const double e = envelope[pad + i];
    out[i] = e > 1e-11 ? static_cast<float>(sum[pad + i] / e) : 0.0f;
  }
  for (size_t i = end; i < length; ++i) out[i] = 0.0f;
}

Status CheckShape(const StftShape& shape) {
  const int n = shape.n_fft;
  if (n < kMinStftSize || n > kMaxStftSize || (n & (n - 1)) != 0) {
    return Status::OutOfRange(ExpectedMessage("a power of two between " + std::to_string(kMinStftSize) + " and " +
                                                  std::to_string(kMaxStftSize),
                                              "nFft", n));
  }
  if (shape.hop < 1 || shape.hop > n / 2) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, n / 2), "hop", shape.hop));
  }
  return Status::Ok();
}

Status CheckLength(size_t got, size_t want, const char* name) {
  if (got != want) {
    return Status::OutOfRange(ExpectedMessage("an array of " + std::to_string(want) + " values", name,
                                              static_cast<int64_t>(got)));
  }
  return Status::Ok();
}

Status CheckSamples(size_t size, const char* name) {
  if (size == 0 || size > kMaxStftSamples) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, static_cast<int64_t>(kMaxStftSamples)) + " samples",
                                              name, static_cast<int64_t>(size)));
  }
  return Status::Ok();
}

}  // namespace

size_t StftFrames(const StftShape& shape, size_t length) { return 1 + length / static_cast<size_t>(shape.hop); }

Status StftAnalyse(const StftShape& shape, Span<const float> x, Span<float> re, Span<float> im,
                   Span<float> magnitude) {
  Status status = CheckShape(shape);
  if (status.ok()) status = CheckSamples(x.size(), "x");
  if (!status.ok()) return status;
  const size_t frames = StftFrames(shape, x.size()), values = frames * (shape.n_fft / 2 + 1);
  status = CheckLength(re.size(), values, "re");
  if (status.ok()) status = CheckLength(im.size(), values, "im");
  if (status.ok()) status = CheckLength(magnitude.size(), values, "magnitude");
  if (!status.ok()) return status;
  AnalyseFrames(shape, x.data(), static_cast<int64_t>(x.size()), frames, re.data(), im.data(), magnitude.data());
  return Status::Ok();
}

Status StftSynthesise(const StftShape& shape, Span<const float> re, Span<const float> im, Span<const float> gains,
                      bool noise, uint32_t seed, Span<float> out) {
  Status status = CheckShape(shape);
  if (status.ok()) status = CheckSamples(out.size(), "out");
  if (!status.ok()) return status;
  const size_t frames = StftFrames(shape, out.size()), values = frames * (shape.n_fft / 2 + 1);
  status = CheckLength(re.size(), values, "re");
  if (status.ok()) status = CheckLength(im.size(), values, "im");
  if (status.ok() && !gains.empty()) status = CheckLength(gains.size(), 2 * values, "gains");
  if (!status.ok()) return status;
  const float* g = gains.empty() ? nullptr : gains.data();
  SynthesiseFrames(shape, re.data(), im.data(), g, noise && g != nullptr, seed, frames, out.data(), out.size());
  return Status::Ok();
}

}  // namespace ncodec
