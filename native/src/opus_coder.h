// OpusMonoCoder: one libopus 1.5.2 encoder and decoder (mono, fixed-point build: native/third_party/
// opus) behind the checks the rest of the core uses — the core of the opuspf codec
// (codecs/opuspf/core.ts).
//
// The wrapper owns both states, accepts only the integer encoder controls it
// lists (a libopus control takes a typed variadic argument, so an unknown request could read a
// pointer that is not there), and bounds every buffer: an encode reads exactly one frame and writes
// at most kMaxPacketBytes, a decode writes at most the capacity it is given. libopus' own negative
// error codes come back as the result (the caller names them); the Status reports misuse.
#ifndef NCODEC_OPUS_CODER_H_
#define NCODEC_OPUS_CODER_H_

#include <cstdint>
#include <memory>

#include "span.h"
#include "status.h"

struct OpusEncoder;
struct OpusDecoder;

namespace ncodec {

// libopus' largest packet (3 frames of 1275 bytes).
constexpr int kMaxOpusPacketBytes = 1275 * 3;
// The longest frame libopus codes or decodes at 48 kHz (120 ms).
constexpr int kMaxOpusFrameSamples = 5760;

class OpusMonoCoder {
 public:
  // rate: 8000, 12000, 16000, 24000 or 48000; application: OPUS_APPLICATION_VOIP (2048), AUDIO (2049)
  // or RESTRICTED_LOWDELAY (2051).
  static Status Create(int rate, int application, std::unique_ptr<OpusMonoCoder>* out);
  ~OpusMonoCoder();
  OpusMonoCoder(const OpusMonoCoder&) = delete;
  OpusMonoCoder& operator=(const OpusMonoCoder&) = delete;

  // An OPUS_SET_* encoder control with one opus_int32 argument (bitrate, VBR, complexity, ...);
  // *result is libopus' return value (0 or a negative error).
  Status EncoderControl(int request, int32_t value, int* result);

  // Encodes one frame (pcm.size() samples, a frame size libopus accepts at this rate) into `packet`
  // (capacity at least kMaxOpusPacketBytes); *result is the packet's length or a negative libopus error.
  Status Encode(Span<const int16_t> pcm, Span<uint8_t> packet, int* result);

  // Decodes one packet (1 ... kMaxOpusPacketBytes bytes) into `pcm`; *result is the sample count or a
  // negative libopus error (e.g. OPUS_INVALID_PACKET, or OPUS_BUFFER_TOO_SMALL when pcm is too short).
  Status Decode(Span<const uint8_t> packet, Span<int16_t> pcm, int* result);

  // Bytes of native memory the two states of a coder hold (for the garbage collector's accounting).
  static int64_t MemoryBytes();

 private:
  OpusMonoCoder() = default;

  OpusEncoder* encoder_ = nullptr;
  OpusDecoder* decoder_ = nullptr;
};

}  // namespace ncodec

#endif  // NCODEC_OPUS_CODER_H_
