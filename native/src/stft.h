// The short-time Fourier transforms around opuspf's learned post-filter (codecs/opuspf/postfilter.ts,
// models/train/postfilter/model.py): a periodic Hann window of n_fft samples, `hop` samples between
// frames, centred frames with reflect padding of n_fft / 2 (torch.stft(center=True,
// pad_mode='reflect')), T = 1 + floor(L / hop) frames of bins = n_fft / 2 + 1 one-sided bins.
//
//   StftAnalyse     x (L samples) -> X (re, im) and |X|, T x bins each, frame-major (float32; |X| is
//                   computed from the float32-rounded X, as PyTorch does)
//   StftSynthesise  Y = X * G + N * U, then the inverse: per frame the inverse real FFT times the window,
//                   overlap-added at hop, divided by the overlap-added squared window (torch.istft(
//                   center=True, length=L)). `gains` (T x 2*bins, frame-major: G = columns 0 .. bins-1,
//                   N = columns bins .. 2*bins-1) may be empty: Y = X. U = (cos phi, sin phi) with phi one of
//                   kNoisePhases points of the circle, drawn per bin (frame by frame, bin by bin) from
//                   mulberry32(seed) as phi index = draw >> 22 (src/prng.ts), so the TypeScript reference
//                   and this code make the same noise.
//
// Arithmetic is float64 inside (inputs and outputs float32). Results do not depend on anything but the
// arguments (one thread, no tables shared between calls). Sizes are checked: every span must have exactly
// the length the shape gives.
#ifndef NCODEC_STFT_H_
#define NCODEC_STFT_H_

#include <cstddef>
#include <cstdint>

#include "span.h"
#include "status.h"

namespace ncodec {

constexpr int kMinStftSize = 16;
constexpr int kMaxStftSize = 16384;
constexpr int kNoisePhases = 1024;
// The longest signal one call takes (about 2 hours at 48 kHz): keeps frames * bins far inside size_t
// and the frame arithmetic inside int64.
constexpr size_t kMaxStftSamples = size_t{1} << 29;

struct StftShape {
  int n_fft;  // a power of two in [kMinStftSize, kMaxStftSize]
  int hop;    // in [1, n_fft / 2]
};

// Frames of a centred STFT of `length` samples: 1 + length / hop.
size_t StftFrames(const StftShape& shape, size_t length);

// X and |X| of x (1 <= x.size() <= kMaxStftSamples); re, im and magnitude hold StftFrames * bins values.
Status StftAnalyse(const StftShape& shape, Span<const float> x, Span<float> re, Span<float> im,
                   Span<float> magnitude);

// The signal (out.size() = L samples, the length x had) of Y = X * G + N * U (see above); `noise`
// false leaves N * U out. re and im hold StftFrames(L) * bins values, gains 0 or twice as many.
Status StftSynthesise(const StftShape& shape, Span<const float> re, Span<const float> im, Span<const float> gains,
                      bool noise, uint32_t seed, Span<float> out);

}  // namespace ncodec

#endif  // NCODEC_STFT_H_
