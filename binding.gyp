{
  "variables": {
    "napi_version%": "<!(node -p \"require('./package.json').binary.napi_versions[0]\")"
  },
  "targets": [{
    "target_name": "torchlet",
    "includes": ["native/sources.gypi"],
    "include_dirs": ["native"],
    "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
    "defines": ["NAPI_VERSION=<(napi_version)", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
    "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno"],
    "cflags_cc!": ["-std=gnu++17"],
    "xcode_settings": { "MACOSX_DEPLOYMENT_TARGET": "11.0", "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"] },
    "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"] } }
  }]
}
