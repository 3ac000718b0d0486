{
  "includes": ["native/third_party/opus/opus.gypi"],
  "targets": [
    {
      "target_name": "ncodec_native",
      "sources": [
        "native/src/adaptive_codec.cc",
        "native/src/cdf_tables.cc",
        "native/src/coolchic_arm.cc",
        "native/src/coolchic_fit.cc",
        "native/src/frequency_model.cc",
        "native/src/int_conv.cc",
        "native/src/lossless_mlp.cc",
        "native/src/opus_coder.cc",
        "native/src/quantize_cdf.cc",
        "native/src/rans_codec.cc",
        "native/src/resample.cc",
        "native/src/stft.cc",
        "native/binding/addon.cc",
        "native/binding/adaptive_binding.cc",
        "native/binding/arm_binding.cc",
        "native/binding/coolchic_fit_binding.cc",
        "native/binding/int_conv_binding.cc",
        "native/binding/lossless_binding.cc",
        "native/binding/opus_binding.cc",
        "native/binding/rans_binding.cc",
        "native/binding/resample_binding.cc",
        "native/binding/stft_binding.cc",
        "native/binding/tables_binding.cc"
      ],
      "dependencies": ["opus"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/src"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-omit-frame-pointer"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-ffp-contract=off"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CFLAGS": ["-Wall", "-Wextra", "-O3", "-ffp-contract=off"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] }
      }
    }
  ]
}
