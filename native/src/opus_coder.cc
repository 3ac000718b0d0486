// OpusMonoCoder: see opus_coder.h.
#include "opus_coder.h"

#include <opus.h>

#include <algorithm>
#include <string>
#include <utility>

namespace ncodec {
namespace {

// The controls EncoderControl passes on: each takes one opus_int32 (opus_defines.h).
bool IsIntegerSetRequest(int request) {
  switch (request) {
    case OPUS_SET_BITRATE_REQUEST:
    case OPUS_SET_MAX_BANDWIDTH_REQUEST:
    case OPUS_SET_VBR_REQUEST:
    case OPUS_SET_BANDWIDTH_REQUEST:
    case OPUS_SET_COMPLEXITY_REQUEST:
    case OPUS_SET_INBAND_FEC_REQUEST:
    case OPUS_SET_PACKET_LOSS_PERC_REQUEST:
    case OPUS_SET_DTX_REQUEST:
    case OPUS_SET_VBR_CONSTRAINT_REQUEST:
    case OPUS_SET_FORCE_CHANNELS_REQUEST:
    case OPUS_SET_SIGNAL_REQUEST:
    case OPUS_SET_LSB_DEPTH_REQUEST:
    case OPUS_SET_EXPERT_FRAME_DURATION_REQUEST:
    case OPUS_SET_PREDICTION_DISABLED_REQUEST:
      return true;
    default:
      return false;
  }
}

bool IsRate(int rate) { return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000; }

std::string LibOpusFailure(const char* what, int code) {
  return std::string("libopus could not create its ") + what + ": " + opus_strerror(code);
}

}  // namespace

Status OpusMonoCoder::Create(int rate, int application, std::unique_ptr<OpusMonoCoder>* out) {
  if (!IsRate(rate)) return Status::OutOfRange(ExpectedMessage("one of 8000, 12000, 16000, 24000, 48000", "rate", rate));
  if (application != OPUS_APPLICATION_VOIP && application != OPUS_APPLICATION_AUDIO &&
      application != OPUS_APPLICATION_RESTRICTED_LOWDELAY) {
    return Status::OutOfRange(ExpectedMessage("one of 2048, 2049, 2051 (an OPUS_APPLICATION_*)", "application", application));
  }
  std::unique_ptr<OpusMonoCoder> coder(new OpusMonoCoder());
  int error = OPUS_OK;
  coder->encoder_ = opus_encoder_create(rate, 1, application, &error);
  if (!coder->encoder_ || error != OPUS_OK) return Status::OutOfRange(LibOpusFailure("encoder", error));
  coder->decoder_ = opus_decoder_create(rate, 1, &error);
  if (!coder->decoder_ || error != OPUS_OK) return Status::OutOfRange(LibOpusFailure("decoder", error));
  *out = std::move(coder);
  return Status::Ok();
}

OpusMonoCoder::~OpusMonoCoder() {
  if (encoder_) opus_encoder_destroy(encoder_);
  if (decoder_) opus_decoder_destroy(decoder_);
}

Status OpusMonoCoder::EncoderControl(int request, int32_t value, int* result) {
  if (!IsIntegerSetRequest(request)) {
    return Status::OutOfRange(ExpectedMessage("an OPUS_SET_* request with one integer argument", "request", request));
  }
  *result = opus_encoder_ctl(encoder_, request, static_cast<opus_int32>(value));
  return Status::Ok();
}

Status OpusMonoCoder::Encode(Span<const int16_t> pcm, Span<uint8_t> packet, int* result) {
  if (pcm.empty() || pcm.size() > static_cast<size_t>(kMaxOpusFrameSamples)) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, kMaxOpusFrameSamples), "frame size", static_cast<int64_t>(pcm.size())));
  }
  if (packet.size() < static_cast<size_t>(kMaxOpusPacketBytes)) {
    return Status::OutOfRange(ExpectedMessage("at least " + std::to_string(kMaxOpusPacketBytes), "packet capacity", static_cast<int64_t>(packet.size())));
  }
  *result = opus_encode(encoder_, pcm.data(), static_cast<int>(pcm.size()), packet.data(), kMaxOpusPacketBytes);
  return Status::Ok();
}

Status OpusMonoCoder::Decode(Span<const uint8_t> packet, Span<int16_t> pcm, int* result) {
  if (packet.empty() || packet.size() > static_cast<size_t>(kMaxOpusPacketBytes)) {
    *result = OPUS_INVALID_PACKET;
    return Status::Ok();
  }
  const int capacity = static_cast<int>(std::min<size_t>(pcm.size(), kMaxOpusFrameSamples));
  if (capacity == 0) {
    *result = OPUS_BUFFER_TOO_SMALL;
    return Status::Ok();
  }
  *result = opus_decode(decoder_, packet.data(), static_cast<opus_int32>(packet.size()), pcm.data(), capacity, 0);
  return Status::Ok();
}

int64_t OpusMonoCoder::MemoryBytes() { return int64_t{opus_encoder_get_size(1)} + opus_decoder_get_size(1); }

}  // namespace ncodec
