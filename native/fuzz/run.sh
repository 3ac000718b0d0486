#!/usr/bin/env bash
# Builds the libFuzzer targets of the native code (entropy coders, lossless model, Cool-chic ARM and fitting step, STFT, resampler,
# integer convolution,
# libopus wrapper) into native/fuzz/out/ and runs each for a
# bounded time, failing on any crash, sanitizer report, leak or timeout.
#
#   native/fuzz/run.sh [seconds-per-target]     (default 30; CI uses the default)
#
# Needs clang++ with libFuzzer (Debian: clang and libclang-rt-<version>-dev). Set CXX_FUZZ to pick
# another clang++. Corpora persist in native/fuzz/out/corpus/<target> between runs (gitignored).
set -euo pipefail

seconds="${1:-30}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../src"
out="$here/out"
cxx="${CXX_FUZZ:-clang++}"
targets=(rans_decode adaptive_decode roundtrip lossless arm_decode stft resample opus coolchic_fit int_conv)

for target in "${targets[@]}"; do mkdir -p "$out/seeds/$target"; done
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

# libopus (native/third_party/opus, plain C: no x86 kernels) as an archive, with AddressSanitizer and
# the fuzzer's coverage; rebuilt when a vendored file is newer than it.
opus="$here/../third_party/opus"
libopus="$out/libopus.a"
if [ ! -f "$libopus" ] || [ -n "$(find "$opus" -newer "$libopus" -type f | head -n 1)" ]; then
  echo "building libopus for fuzzing" >&2
  rm -rf "$out/opus-obj"
  mkdir -p "$out/opus-obj"
  sed -n "/'opus_c_files'/,/\]/p" "$opus/opus.gypi" | grep -o "'[^']*\.c'" | tr -d "'" |
    xargs -P "$(nproc)" -I{} sh -c 'clang -c -g -O1 -w -fsanitize=fuzzer-no-link,address -DOPUS_BUILD -DFIXED_POINT -DVAR_ARRAYS \
      -DHAVE_LRINTF -DHAVE_LRINT -I"$0" -I"$0/include" -I"$0/celt" -I"$0/silk" -I"$0/silk/fixed" -I"$0/src" "$0/{}" \
      -o "$1/$(echo {} | tr / _).o"' "$opus" "$out/opus-obj"
  ar rcs "$libopus" "$out/opus-obj"/*.o
fi
common=(-std=c++17 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -I"$src" -I"$opus/include" "$src"/*.cc "$libopus")

echo "building seeds and fuzz targets with $cxx" >&2
"$cxx" "${common[@]}" -fsanitize=fuzzer-no-link,address,undefined "$here/make_seeds.cc" -o "$out/make_seeds"
"$out/make_seeds" "$out/seeds"
for target in "${targets[@]}"; do
  "$cxx" "${common[@]}" "${sanitize[@]}" "$here/fuzz_$target.cc" -o "$out/fuzz_$target"
done

for target in "${targets[@]}"; do
  corpus="$out/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzzing $target for ${seconds}s" >&2
  # -timeout: one input may take at most 10 s (a hang fails the run); -rss_limit_mb: memory blow-ups fail.
  # The fuzzer's progress lines go to a log; the summary (or the log's end, on failure) is printed.
  log="$out/$target.log"
  if ! "$out/fuzz_$target" "$corpus" "$out/seeds/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/crash-$target-" 2>"$log"; then
    tail -n 60 "$log" >&2
    echo "fuzzing FAILED: $target (artifacts in $out)" >&2
    exit 1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units' "$log" >&2 || true
done
echo "fuzzing passed: ${targets[*]}" >&2
