// Writes seed inputs for the decoder fuzz targets: valid streams in the formats of fuzz_common.h, so
// fuzzing starts from inputs that reach deep into the decoders. Usage: make_seeds <out-dir>.
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "coolchic_arm.h"
#include "fuzz_arm.h"
#include "fuzz_common.h"
#include "fuzz_lossless.h"
#include "lossless_mlp.h"
#include "opus_coder.h"
#include "rans_codec.h"

namespace {

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

void Append16(std::vector<uint8_t>* v, uint16_t x) {
  v->push_back(static_cast<uint8_t>(x));
  v->push_back(static_cast<uint8_t>(x >> 8));
}

int32_t RandomValue(std::mt19937& rng) {
  const uint32_t r = rng();
  if (r % 50 == 0) return static_cast<int32_t>(rng());  // an escape, any int32
  return static_cast<int32_t>(r % 9) - 4;
}

void RansSeeds(const std::string& dir) {
  std::mt19937 rng(1);
  int file = 0;
  for (int mode = 0; mode < 2; ++mode) {
    for (uint16_t n : {0, 1, 3, 200, 300, 2000}) {
      std::vector<uint8_t> input = {static_cast<uint8_t>(mode)};
      if (mode == 1) {
        input.push_back(static_cast<uint8_t>(rng() % 4));
        input.push_back(static_cast<uint8_t>(rng() % 16));
        for (int t = 0; t < 4; ++t) {  // extra bytes are harmless: the reader takes what it needs
          input.push_back(static_cast<uint8_t>(rng() % 32));
          for (int s = 0; s < 33; ++s) input.push_back(static_cast<uint8_t>(rng()));
          for (int b = 0; b < 4; ++b) input.push_back(static_cast<uint8_t>(rng() % 3 == 0 ? 0 : rng()));
        }
      }
      // Parse what was written so far to learn the tables, then add n and the seed.
      ncodec_fuzz::Reader probe(input.data(), input.size());
      probe.Byte();
      std::unique_ptr<ncodec::TableSet> owned;
      const ncodec::TableSet* tables = &ncodec_fuzz::FixedTables();
      if (mode == 1) {
        owned = ncodec_fuzz::ReadTables(probe);
        tables = owned.get();
        input.resize(input.size() - probe.Rest().size());
      }
      Append16(&input, n);
      const uint8_t seed = static_cast<uint8_t>(rng() & 0x7F);
      input.push_back(seed);
      const std::vector<int32_t> indexes = ncodec_fuzz::MakeIds(seed, n, tables->table_count(), false);
      std::vector<int32_t> symbols(n);
      for (int32_t& s : symbols) s = RandomValue(rng);
      std::vector<uint8_t> stream;
      ncodec::RansEncode(*tables, symbols, indexes, &stream);
      input.insert(input.end(), stream.begin(), stream.end());
      WriteFile(dir + "/seed" + std::to_string(file++), input);
    }
  }
}

void AdaptiveSeeds(const std::string& dir) {
  std::mt19937 rng(2);
  int file = 0;
  for (uint16_t n : {0, 1, 2, 50, 500, 3000}) {
    std::vector<uint8_t> input = {static_cast<uint8_t>(rng() % 4)};
    for (int c = 0; c < 4; ++c) Append16(&input, static_cast<uint16_t>(rng() % 3 == 0 ? rng() % 16 : rng()));
    input.push_back(static_cast<uint8_t>(rng()));
    Append16(&input, static_cast<uint16_t>(rng() % 1000));
    Append16(&input, n);
    input.push_back(static_cast<uint8_t>(rng()));
    ncodec_fuzz::Reader probe(input.data(), input.size());
    const ncodec_fuzz::AdaptiveCase c = ncodec_fuzz::ReadAdaptiveCase(probe);
    input.resize(input.size() - probe.Rest().size());
    std::vector<int32_t> symbols(c.contexts.size());
    for (size_t i = 0; i < symbols.size(); ++i) {
      const uint32_t size = static_cast<uint32_t>(c.sizes[static_cast<size_t>(c.contexts[i])]);
      symbols[i] = static_cast<int32_t>((rng() % 4 == 0 ? rng() : rng() % 8) % size);
    }
    std::vector<uint8_t> stream;
    ncodec::AdaptiveEncode(symbols, c.contexts, c.sizes, c.options, &stream);
    input.insert(input.end(), stream.begin(), stream.end());
    WriteFile(dir + "/seed" + std::to_string(file++), input);
  }
}

// Valid sections of small images (mode 0), their pixels for round trips (mode 2) and the model (mode 1).
void LosslessSeeds(const std::string& dir) {
  const std::vector<uint8_t> blob = ncodec_fuzz::FuzzLosslessModel();
  ncodec::LosslessMlp model;
  if (!model.Parse(ncodec::Span<const uint8_t>(blob.data(), blob.size())).ok()) {
    std::fprintf(stderr, "make_seeds: the fuzz lossless model does not parse\n");
    std::exit(1);
  }
  std::mt19937 rng(5);
  int file = 0;
  for (int k = 0; k < 6; ++k) {
    const int w = static_cast<int>(rng() % 24) + 1, h = static_cast<int>(rng() % 24) + 1, c = k % 2 ? 3 : 1;
    std::vector<uint8_t> pixels(static_cast<size_t>(w) * h * c);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(100 + i % 13 + rng() % 5);
    std::vector<uint8_t> coded;
    ncodec::LosslessMlpEncode(model, ncodec::Span<const uint8_t>(pixels.data(), pixels.size()), w, h, c, 1, &coded);
    std::vector<uint8_t> head = {0, static_cast<uint8_t>(w - 1), static_cast<uint8_t>(h - 1), static_cast<uint8_t>(c == 3)};
    std::vector<uint8_t> input = head;
    input.insert(input.end(), coded.begin(), coded.end());
    WriteFile(dir + "/seed" + std::to_string(file++), input);
    head[0] = 2;
    input = head;
    input.insert(input.end(), pixels.begin(), pixels.end());
    WriteFile(dir + "/seed" + std::to_string(file++), input);
  }
  std::vector<uint8_t> input = {1, 0, 0, 0};
  input.insert(input.end(), blob.begin(), blob.end());
  WriteFile(dir + "/seed" + std::to_string(file++), input);
}

// Valid ARM streams of small grids (mode 0), their latents for round trips (mode 1) and contexts (mode 2),
// over every weight span.
void ArmSeeds(const std::string& dir) {
  std::mt19937 rng(6);
  int file = 0;
  for (int k = 0; k < 10; ++k) {
    std::vector<uint8_t> head = {0, static_cast<uint8_t>(rng()), static_cast<uint8_t>(k % 5 + 5 * (rng() % 8)),
                                 static_cast<uint8_t>(k % 4)};
    for (int g = 0; g <= k % 4; ++g) {
      head.push_back(static_cast<uint8_t>(rng() % 24));
      head.push_back(static_cast<uint8_t>(rng() % 24));
    }
    ncodec_fuzz::Reader probe(head.data(), head.size());
    const ncodec_fuzz::ArmCase c = ncodec_fuzz::ReadArmCase(probe);
    std::vector<uint8_t> latents;
    for (size_t i = 0; i < c.total; ++i) {
      if (rng() % 64 == 0) {
        latents.push_back(0x80);
        for (int b = 0; b < 3; ++b) latents.push_back(static_cast<uint8_t>(rng()));
      } else {
        latents.push_back(static_cast<uint8_t>(static_cast<int>(rng() % 9) - 4));
      }
    }
    const std::vector<int32_t> values = ncodec_fuzz::ArmLatents(latents, c.total);
    std::vector<uint8_t> coded;
    if (!ncodec::ArmEncode(c.weights, values, c.sizes, &coded).ok()) {
      std::fprintf(stderr, "make_seeds: an ARM seed does not encode\n");
      std::exit(1);
    }
    std::vector<uint8_t> input = head;
    input.insert(input.end(), coded.begin(), coded.end());
    WriteFile(dir + "/seed" + std::to_string(file++), input);
    for (uint8_t mode : {1, 2}) {
      input = head;
      input[0] = mode;
      input.insert(input.end(), latents.begin(), latents.end());
      WriteFile(dir + "/seed" + std::to_string(file++), input);
    }
  }
}

// Decode-mode inputs of fuzz_opus.cc: packets libopus writes for a chirp over noise at a few settings
// (SILK narrow and wide band, hybrid, CELT), and one encode-mode input.
void OpusSeeds(const std::string& dir) {
  const int settings[][3] = {{5800, 6, 1101}, {11700, 8, 1103}, {24000, 10, 1105}, {64000, 5, 1105}};
  int file = 0;
  for (const auto& setting : settings) {
    std::unique_ptr<ncodec::OpusMonoCoder> coder;
    if (!ncodec::OpusMonoCoder::Create(48000, 2049, &coder).ok()) std::exit(1);
    int result = 0;
    coder->EncoderControl(4002, setting[0], &result);
    coder->EncoderControl(4010, setting[1], &result);
    coder->EncoderControl(4004, setting[2], &result);
    std::vector<uint8_t> input = {0, 0};
    std::vector<int16_t> pcm(960);
    std::vector<uint8_t> packet(ncodec::kMaxOpusPacketBytes);
    std::mt19937 rng(static_cast<uint32_t>(setting[0]));
    for (int f = 0; f < 12; ++f) {
      for (int i = 0; i < 960; ++i) {
        const double t = (f * 960 + i) / 48000.0;
        pcm[i] = static_cast<int16_t>(6000 * std::sin(2 * 3.14159265358979 * (200 * t + 900 * t * t)) + static_cast<int>(rng() % 800) - 400);
      }
      if (!coder->Encode(pcm, packet, &result).ok() || result < 1) std::exit(1);
      if (result < 255) {
        input.push_back(static_cast<uint8_t>(result));
      } else {
        input.push_back(255);
        Append16(&input, static_cast<uint16_t>(result - 255));
      }
      input.insert(input.end(), packet.begin(), packet.begin() + result);
    }
    WriteFile(dir + "/seed" + std::to_string(file++), input);
  }
  std::vector<uint8_t> encode = {1, 6, 0x10, 0x05, 0x07, 3};  // complexity 6, ~5.7 kbps, VBR, 960-sample frames
  std::mt19937 rng(9);
  for (int i = 0; i < 2 * 960 * 3; ++i) encode.push_back(static_cast<uint8_t>(rng()));
  WriteFile(dir + "/seed" + std::to_string(file++), encode);
}

// Inputs of fuzz_coolchic_fit.cc long enough to fill the parameters of small images (without them the
// fuzzer starts from a few bytes and grows its inputs slowly): sizes, threads and flags, then values.
void CoolChicFitSeeds(const std::string& dir) {
  std::mt19937 rng(17);
  const int shapes[][4] = {{7, 9, 1, 0}, {15, 4, 0, 1}, {0, 0, 2, 6}, {23, 23, 1, 0xf0}};
  int file = 0;
  for (const auto& s : shapes) {
    std::vector<uint8_t> input = {static_cast<uint8_t>(s[0]), static_cast<uint8_t>(s[1]), static_cast<uint8_t>(s[2]),
                                  static_cast<uint8_t>(s[3])};
    for (int i = 0; i < 4096; ++i) input.push_back(static_cast<uint8_t>(rng()));
    WriteFile(dir + "/seed" + std::to_string(file++), input);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <out-dir>\n");
    return 2;
  }
  const std::string out = argv[1];
  RansSeeds(out + "/rans_decode");
  AdaptiveSeeds(out + "/adaptive_decode");
  LosslessSeeds(out + "/lossless");
  ArmSeeds(out + "/arm_decode");
  OpusSeeds(out + "/opus");
  CoolChicFitSeeds(out + "/coolchic_fit");
  return 0;
}
