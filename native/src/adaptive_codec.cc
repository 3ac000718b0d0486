#include "adaptive_codec.h"

#include <cmath>
#include <memory>

#include "byte_io.h"
#include "frequency_model.h"
#include "range_coder.h"

namespace ncodec {
namespace {

// The models of all contexts, each created when its context is first used.
class ContextModels {
 public:
  ContextModels(Span<const int32_t> alphabet_sizes, const AdaptiveOptions& options)
      : alphabet_sizes_(alphabet_sizes), options_(options), models_(alphabet_sizes.size()) {}

  // The model of contexts[i], checking the context id. Null on an error, kept in *status.
  FrequencyModel* ForSymbol(Span<const int32_t> contexts, size_t i, Status* status) {
    const uint32_t c = static_cast<uint32_t>(contexts[i]);
    if (NCODEC_UNLIKELY(c >= models_.size())) {
      *status = Status::OutOfRange(ExpectedMessage(IntegerBetween(0, static_cast<int64_t>(models_.size()) - 1),
                                                   ElementName("contexts", i), contexts[i]));
      return nullptr;
    }
    if (NCODEC_LIKELY(models_[c] != nullptr)) return models_[c].get();
    return Create(c, status);
  }

 private:
  NCODEC_NOINLINE FrequencyModel* Create(uint32_t c, Status* status) {
    entries_ += static_cast<uint64_t>(alphabet_sizes_[c]);
    if (entries_ > kMaxModelEntries) {
      *status = Status::OutOfRange(ExpectedMessage("at most " + std::to_string(kMaxModelEntries) +
                                                       " model entries in use (the sum of the alphabet sizes of " +
                                                       "the contexts used)",
                                                   "alphabetSizes", static_cast<int64_t>(entries_)));
      return nullptr;
    }
    models_[c].reset(new FrequencyModel(static_cast<uint32_t>(alphabet_sizes_[c]), options_.increment, options_.limit));
    return models_[c].get();
  }

  Span<const int32_t> alphabet_sizes_;
  AdaptiveOptions options_;
  std::vector<std::unique_ptr<FrequencyModel>> models_;
  uint64_t entries_ = 0;
};

Status CheckLengths(size_t symbols, size_t contexts) {
  if (symbols != contexts) {
    return Status::OutOfRange(ExpectedMessage("one context per symbol (" + std::to_string(symbols) + ")",
                                              "contexts.length", static_cast<int64_t>(contexts)));
  }
  return Status::Ok();
}

// Checks every context id up front, so that a bad argument is reported as such whatever the stream holds.
Status CheckContexts(Span<const int32_t> contexts, size_t context_count) {
  for (size_t i = 0; i < contexts.size(); ++i) {
    if (static_cast<uint32_t>(contexts[i]) >= context_count) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(0, static_cast<int64_t>(context_count) - 1),
                                                ElementName("contexts", i), contexts[i]));
    }
  }
  return Status::Ok();
}

Status SymbolError(Span<const int32_t> symbols, size_t i, uint32_t alphabet_size) {
  return Status::OutOfRange(ExpectedMessage(IntegerBetween(0, int64_t{alphabet_size} - 1), ElementName("symbols", i),
                                            symbols[i]));
}

}  // namespace

Status ValidateAdaptiveModels(Span<const int32_t> alphabet_sizes, const AdaptiveOptions& options) {
  if (options.limit < 2 || options.limit > kMaxModelTotal) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(2, kMaxModelTotal), "options.limit", options.limit));
  }
  const int64_t half = options.limit / 2;
  if (options.increment < 1 || options.increment > half) {
    return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, half) + " (limit / 2)", "options.increment",
                                              options.increment));
  }
  for (size_t c = 0; c < alphabet_sizes.size(); ++c) {
    if (alphabet_sizes[c] < 1 || alphabet_sizes[c] > half) {
      return Status::OutOfRange(ExpectedMessage(IntegerBetween(1, half) + " (limit / 2)",
                                                ElementName("alphabetSizes", c), alphabet_sizes[c]));
    }
  }
  return Status::Ok();
}

Status AdaptiveEncode(Span<const int32_t> symbols, Span<const int32_t> contexts, Span<const int32_t> alphabet_sizes,
                      const AdaptiveOptions& options, std::vector<uint8_t>* out) {
  NCODEC_RETURN_IF_ERROR(CheckLengths(symbols.size(), contexts.size()));
  NCODEC_RETURN_IF_ERROR(ValidateAdaptiveModels(alphabet_sizes, options));
  out->clear();
  if (symbols.empty()) return Status::Ok();
  ContextModels models(alphabet_sizes, options);
  std::vector<uint8_t> payload;
  RangeEncoder encoder(&payload);
  Status status;
  for (size_t i = 0; i < symbols.size(); ++i) {
    FrequencyModel* model = models.ForSymbol(contexts, i, &status);
    if (model == nullptr) return status;
    const uint32_t s = static_cast<uint32_t>(symbols[i]);
    if (NCODEC_UNLIKELY(s >= static_cast<uint32_t>(alphabet_sizes[contexts[i]]))) {
      return SymbolError(symbols, i, static_cast<uint32_t>(alphabet_sizes[contexts[i]]));
    }
    encoder.Encode(model->CumFreq(s), model->Freq(s), model->total());
    model->Update(s);
  }
  encoder.Finish();
  PutVarint(payload.size(), out);
  out->insert(out->end(), payload.begin(), payload.end());
  return Status::Ok();
}

Status AdaptiveDecode(Span<const uint8_t> bytes, Span<const int32_t> contexts, Span<const int32_t> alphabet_sizes,
                      const AdaptiveOptions& options, Span<int32_t> symbols) {
  NCODEC_RETURN_IF_ERROR(CheckLengths(symbols.size(), contexts.size()));
  NCODEC_RETURN_IF_ERROR(ValidateAdaptiveModels(alphabet_sizes, options));
  NCODEC_RETURN_IF_ERROR(CheckContexts(contexts, alphabet_sizes.size()));
  if (symbols.empty()) {
    if (!bytes.empty()) return Status::Corrupt("The range-coded bitstream holds data but no symbols were expected");
    return Status::Ok();
  }
  size_t pos = 0;
  uint64_t payload_size = 0;
  NCODEC_RETURN_IF_ERROR(GetVarint(bytes, &pos, uint64_t{1} << 48, &payload_size));
  if (bytes.size() - pos < payload_size) {
    return Status::Truncated("The bitstream is truncated: the range-coded stream needs " + std::to_string(payload_size) +
                             " bytes after its header but has " + std::to_string(bytes.size() - pos));
  }
  if (bytes.size() - pos > payload_size) {
    return Status::Corrupt("The range-coded stream has " + std::to_string(bytes.size() - pos - payload_size) +
                           " trailing bytes");
  }
  ContextModels models(alphabet_sizes, options);
  RangeDecoder decoder(Span<const uint8_t>(bytes.data() + pos, payload_size));
  NCODEC_RETURN_IF_ERROR(decoder.Start());
  Status status;
  for (size_t i = 0; i < symbols.size(); ++i) {
    FrequencyModel* model = models.ForSymbol(contexts, i, &status);
    if (model == nullptr) return status;
    uint32_t target = 0;
    NCODEC_RETURN_IF_ERROR(decoder.Target(model->total(), &target));
    uint32_t cum = 0;
    const uint32_t s = model->Find(target, &cum);
    NCODEC_RETURN_IF_ERROR(decoder.Consume(cum, model->Freq(s)));
    model->Update(s);
    symbols[i] = static_cast<int32_t>(s);
  }
  return decoder.Finish();
}

Status AdaptiveIdealBits(Span<const int32_t> symbols, Span<const int32_t> contexts,
                         Span<const int32_t> alphabet_sizes, const AdaptiveOptions& options, double* bits) {
  NCODEC_RETURN_IF_ERROR(CheckLengths(symbols.size(), contexts.size()));
  NCODEC_RETURN_IF_ERROR(ValidateAdaptiveModels(alphabet_sizes, options));
  ContextModels models(alphabet_sizes, options);
  Status status;
  double total = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    FrequencyModel* model = models.ForSymbol(contexts, i, &status);
    if (model == nullptr) return status;
    const uint32_t s = static_cast<uint32_t>(symbols[i]);
    if (s >= static_cast<uint32_t>(alphabet_sizes[contexts[i]])) {
      return SymbolError(symbols, i, static_cast<uint32_t>(alphabet_sizes[contexts[i]]));
    }
    total += std::log2(static_cast<double>(model->total()) / model->Freq(s));
    model->Update(s);
  }
  *bits = total;
  return Status::Ok();
}

}  // namespace ncodec
