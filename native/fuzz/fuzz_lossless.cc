// libFuzzer target: the learned lossless coder (lossless_mlp.h).
//   byte 0   mode: 0 = decode the rest as a section, 1 = parse the rest as a model file,
//            2 = encode the rest as pixels and check the round trip
//   byte 1   width = value % 24 + 1;  byte 2: height = value % 24 + 1;  byte 3: channels (bit 0: 3, else 1)
// Decoding must return without a crash, UB or a hang; a round trip must be exact.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_lossless.h"
#include "lossless_mlp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<uint8_t> blob = ncodec_fuzz::FuzzLosslessModel();
  static ncodec::LosslessMlp model;
  static const bool parsed = model.Parse(ncodec::Span<const uint8_t>(blob.data(), blob.size())).ok();
  if (!parsed) abort();
  if (size < 4) return 0;
  const int mode = data[0] % 3;
  const int w = data[1] % 24 + 1, h = data[2] % 24 + 1, c = (data[3] & 1) ? 3 : 1;
  const ncodec::Span<const uint8_t> rest(data + 4, size - 4);
  if (mode == 1) {
    ncodec::LosslessMlp other;
    (void)other.Parse(rest);
    return 0;
  }
  std::vector<uint8_t> pixels(static_cast<size_t>(w) * h * c);
  if (mode == 0) {
    (void)ncodec::LosslessMlpDecode(model, rest, w, h, c, ncodec::Span<uint8_t>(pixels.data(), pixels.size()));
    return 0;
  }
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = i < rest.size() ? rest[i] : static_cast<uint8_t>(i * 7);
  std::vector<uint8_t> coded;
  if (!ncodec::LosslessMlpEncode(model, ncodec::Span<const uint8_t>(pixels.data(), pixels.size()), w, h, c, 1 + (data[3] >> 7), &coded).ok()) abort();
  std::vector<uint8_t> back(pixels.size());
  if (!ncodec::LosslessMlpDecode(model, ncodec::Span<const uint8_t>(coded.data(), coded.size()), w, h, c,
                                 ncodec::Span<uint8_t>(back.data(), back.size())).ok() || back != pixels)
    abort();
  return 0;
}
