#!/usr/bin/env bash
# Re-creates this folder from libopus' release tarball: the sources a fixed-point build of the
# codec needs (no DNN features, no multistream/projection API, no programs or tests), with the x86
# SSE4.1 / AVX2 kernels picked at run time (RTCD). See README.md.
#
#   native/third_party/opus/vendor.sh opus_1.5.2.orig.tar.gz
#
# (Debian: http://deb.debian.org/debian/pool/main/o/opus/opus_1.5.2.orig.tar.gz; the same file as
# https://downloads.xiph.org/releases/opus/opus-1.5.2.tar.gz.)
set -euo pipefail
tarball="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
expected=65c1d2f78b9f2fb20082c38cbe47c951ad5839345876e46941612ee87f9a7ce1
actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
[ "$actual" = "$expected" ] || { echo "sha256 $actual is not that of opus 1.5.2 ($expected)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
src="$work/opus-1.5.2"

# make's list variables (VAR = a \ b \ ...) of the release's *_sources.mk files
list() { sed -n "/^$2 =/,/^\$/p" "$src/$1" | tr -d '\\' | tail -n +2 | tr -s ' \t' '\n' | grep -v '^$'; }
base=(
  $(list celt_sources.mk CELT_SOURCES) $(list silk_sources.mk SILK_SOURCES) $(list silk_sources.mk SILK_SOURCES_FIXED)
  src/opus.c src/opus_decoder.c src/opus_encoder.c src/extensions.c src/repacketizer.c
  $(list opus_sources.mk OPUS_SOURCES_FLOAT)
)
x86=($(list celt_sources.mk CELT_SOURCES_X86_RTCD) $(list celt_sources.mk CELT_SOURCES_SSE)
  $(list celt_sources.mk CELT_SOURCES_SSE2) $(list silk_sources.mk SILK_SOURCES_X86_RTCD))
sse41=($(list celt_sources.mk CELT_SOURCES_SSE4_1) $(list silk_sources.mk SILK_SOURCES_SSE4_1)
  $(list silk_sources.mk SILK_SOURCES_FIXED_SSE4_1))
avx2=($(list celt_sources.mk CELT_SOURCES_AVX2) $(list silk_sources.mk SILK_SOURCES_AVX2))
files=(
  "${base[@]}" "${x86[@]}" "${sse41[@]}" "${avx2[@]}"
  $(cd "$src" && ls include/*.h celt/*.h celt/x86/*.h silk/*.h silk/fixed/*.h silk/x86/*.h src/*.h)
  COPYING AUTHORS package_version
)
find "$here" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
for f in "${files[@]}"; do
  mkdir -p "$here/$(dirname "$f")"
  cp "$src/$f" "$here/$f"
done
# the source lists of opus.gypi (its targets are written by hand around them)
gypi_list() { local name="$1"; shift; printf "      '%s': [\n" "$name"; printf "        '%s',\n" "$@"; printf "      ],\n"; }
{
  sed -n '1,/^# BEGIN SOURCE LISTS/p' "$here/opus.gypi"
  gypi_list opus_c_files "${base[@]}"
  gypi_list opus_x86_files "${x86[@]}"
  gypi_list opus_sse4_1_files "${sse41[@]}"
  gypi_list opus_avx2_files "${avx2[@]}"
  sed -n '/^# END SOURCE LISTS/,$p' "$here/opus.gypi"
} > "$work/opus.gypi"
mv "$work/opus.gypi" "$here/opus.gypi"
echo "copied ${#files[@]} files; source lists written to opus.gypi" >&2
