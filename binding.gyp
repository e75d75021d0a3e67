# node-gyp build of the native addon (npm run build:native / npm install).
# Keep in sync with CMakeLists.txt (the cmake-js build of the same sources).
{
  "targets": [
    {
      "target_name": "epoll_reactor",
      "sources": [
        "native/addon.cc",
        "native/epoll.cc",
        "native/watch.cc",
        "native/eventfd.cc",
        "native/timerfd.cc",
        "native/poll.cc",
        "native/socket.cc",
        "native/io.cc",
        "native/batch.cc",
        "native/rlimit.cc",
        "native/ring.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ],
      # common.gypi adds -Wno-unused-parameter; we want all of -Wextra.
      "cflags!": ["-Wno-unused-parameter"],
      "cflags_cc": [
        "-std=c++17",
        "-O2",
        "-Wall",
        "-Wextra"
      ],
      "conditions": [
        ["OS != 'linux'", {
          "type": "none"
        }]
      ]
    }
  ]
}
