// libFuzzer target: opus_coder.h (the libopus 1.5.2 fixed-point build opuspf's core runs) on
// input-derived packets, PCM and encoder settings.
//   byte 0   mode: bit 0 clear = decode the packets below, set = encode PCM, then decode the packets
//   decode:  byte 1 picks the output capacity; then packets, each a length byte L (L < 255: L bytes;
//            L = 255: 255 + a 2-byte value % 1300 bytes) and its bytes
//   encode:  byte 1 complexity (% 11), bytes 2-3 bitrate (500 + value * 4 bit/s), byte 4 bit 0 VBR,
//            bits 1-3 maximum bandwidth, byte 5 frame size (index into kFrameSizes, some of them not
//            sizes libopus codes); rest: int16 samples, frame by frame
// Requires: every call returns Ok with a result that is a libopus error (-7 ... -1) or a count within
// the buffer; two decoders fed the same packets give the same samples; a frame libopus accepts
// encodes to 1 ... kMaxOpusPacketBytes bytes that decode back to that many samples.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "fuzz_common.h"
#include "opus_coder.h"

namespace {

constexpr int kFrameSizes[] = {120, 240, 480, 960, 1920, 2880, 5760, 1000, 1};
constexpr int kBandwidths[] = {1101, 1102, 1103, 1104, 1105, 1105, 1105, 1105};

std::unique_ptr<ncodec::OpusMonoCoder> NewCoder() {
  std::unique_ptr<ncodec::OpusMonoCoder> coder;
  if (!ncodec::OpusMonoCoder::Create(48000, 2049, &coder).ok()) abort();
  return coder;
}

void Decode(ncodec_fuzz::Reader& in) {
  const uint8_t pick = in.Byte();
  const size_t capacity = pick % 4 == 0 ? ncodec::kMaxOpusFrameSamples : (pick * 23u) % (ncodec::kMaxOpusFrameSamples + 1);
  auto a = NewCoder(), b = NewCoder();
  std::vector<int16_t> pa(capacity), pb(capacity);
  while (!in.empty()) {
    size_t length = in.Byte();
    if (length == 255) length += in.U16() % 1300;
    std::vector<uint8_t> packet;
    while (packet.size() < length && !in.empty()) packet.push_back(in.Byte());
    int ra = 0, rb = 0;
    if (!a->Decode(packet, pa, &ra).ok() || !b->Decode(packet, pb, &rb).ok()) abort();
    if (ra != rb || ra < -7 || ra > static_cast<int>(capacity)) abort();
    for (int i = 0; i < ra; ++i) {
      if (pa[i] != pb[i]) abort();
    }
  }
}

void Encode(ncodec_fuzz::Reader& in) {
  auto coder = NewCoder();
  int result = 0;
  const int complexity = in.Byte() % 11;
  const int32_t bitrate = 500 + 4 * static_cast<int32_t>(in.U16());
  const uint8_t flags = in.Byte();
  const int frame = kFrameSizes[in.Byte() % (sizeof(kFrameSizes) / sizeof(kFrameSizes[0]))];
  if (!coder->EncoderControl(4010, complexity, &result).ok() || result != 0) abort();            // COMPLEXITY
  if (!coder->EncoderControl(4002, bitrate, &result).ok() || result != 0) abort();               // BITRATE
  if (!coder->EncoderControl(4006, flags & 1, &result).ok() || result != 0) abort();             // VBR
  if (!coder->EncoderControl(4004, kBandwidths[(flags >> 1) & 7], &result).ok() || result != 0) abort();  // MAX_BANDWIDTH
  if (coder->EncoderControl(4003, 0, &result).code() != ncodec::StatusCode::kOutOfRange) abort();  // a GET: refused
  const bool valid = frame != 1000 && frame != 1;
  std::vector<int16_t> pcm(frame), decoded(ncodec::kMaxOpusFrameSamples);
  std::vector<uint8_t> packet(ncodec::kMaxOpusPacketBytes);
  for (int frames = 0; !in.empty() && frames < 8; ++frames) {
    for (auto& s : pcm) s = static_cast<int16_t>(in.U16());
    if (!coder->Encode(pcm, packet, &result).ok()) abort();
    if (!valid) {
      if (result >= 0) abort();
      continue;
    }
    if (result < 1 || result > ncodec::kMaxOpusPacketBytes) abort();
    int samples = 0;
    if (!coder->Decode(ncodec::Span<const uint8_t>(packet.data(), static_cast<size_t>(result)), decoded, &samples).ok()) abort();
    if (samples != frame) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ncodec_fuzz::Reader in(data, size);
  if (in.Byte() & 1) {
    Encode(in);
  } else {
    Decode(in);
  }
  return 0;
}
