// libFuzzer target: the STFT transforms of opuspf's post-filter (stft.h) on input-derived shapes,
// signals and gains, with array sizes that are sometimes wrong.
//   byte 0      log2(n_fft) - 4 (mod 7: 16 ... 1024)
//   byte 1      hop (mod n_fft / 2, + 1)
//   byte 2      bit 0: gains present; bit 1: noise; bit 2: a wrong array size; bit 3: raw float bits
//   bytes 3-6   seed
//   rest        samples: int16 each (or raw float32 bits with bit 3, NaN and infinities included)
// Requires: a wrong size gives kOutOfRange and writes nothing; otherwise Ok, and without gains the
// synthesis gives finite input back to 1e-4 of its peak (float32 spectra; the transforms are an identity).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_common.h"
#include "stft.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  ncodec::StftShape shape{};
  shape.n_fft = 16 << (in.Byte() % 7);
  shape.hop = 1 + in.Byte() % (shape.n_fft / 2);
  const uint8_t flags = in.Byte();
  const uint32_t seed = in.U32();
  std::vector<float> x;
  bool finite = true;
  while (!in.empty() && x.size() < 20000) {
    float v;
    if (flags & 8) {
      const uint32_t bits = in.U32();
      std::memcpy(&v, &bits, sizeof v);
    } else {
      v = static_cast<int16_t>(in.U16()) / 32768.0f;
    }
    finite = finite && std::isfinite(v) && std::fabs(v) < 1e6f;
    x.push_back(v);
  }
  if (x.empty()) x.push_back(0.25f);
  const size_t bins = shape.n_fft / 2 + 1;
  const size_t values = ncodec::StftFrames(shape, x.size()) * bins;
  const bool wrong = flags & 4;
  std::vector<float> re(values + (wrong ? 1 : 0)), im(values), magnitude(values);
  const ncodec::Status analysed = ncodec::StftAnalyse(shape, x, re, im, magnitude);
  if (wrong) {
    if (analysed.code() != ncodec::StatusCode::kOutOfRange) abort();
    re.resize(values);
    if (!ncodec::StftAnalyse(shape, x, re, im, magnitude).ok()) abort();
  } else if (!analysed.ok()) {
    abort();
  }
  std::vector<float> gains;
  if (flags & 1) {
    gains.resize(2 * values);
    uint32_t s = seed;
    for (float& g : gains) {
      s = s * 1664525u + 1013904223u;
      g = static_cast<float>(s >> 8) / 16777216.0f;
    }
  }
  std::vector<float> out(x.size());
  if (!ncodec::StftSynthesise(shape, re, im, gains, flags & 2, seed, out).ok()) abort();
  if (!gains.empty()) {
    std::vector<float> short_gains(gains.begin(), gains.end() - 1);
    if (ncodec::StftSynthesise(shape, re, im, short_gains, true, seed, out).code() != ncodec::StatusCode::kOutOfRange) abort();
  } else if (finite) {
    float peak = 0;
    for (float v : x) peak = std::max(peak, std::fabs(v));
    for (size_t i = 0; i < x.size(); ++i) {
      if (!(std::fabs(out[i] - x[i]) <= 1e-4f * peak + 1e-6f)) abort();
    }
  }
  return 0;
}
