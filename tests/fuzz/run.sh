#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) outside CMake, since the project
# builds with g++, and runs each for a short time on a seed corpus from tests/channels/data.
# Exits non-zero when a target crashes, leaks or trips a sanitizer; 77 (skipped) when clang++
# or its libFuzzer runtime is not installed.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET=20] [TARGET...]
#
# Targets: mime messenger kannel cti json_input. Needs clang++ (14+) and libFuzzer
# (Debian libclang-rt-14-dev), plus the project's -dev packages. clang 14 cannot compile
# libstdc++ 12's <expected>, so tests/fuzz/compat supplies a small one (see that header).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mime messenger kannel cti json_input)

cxx="${CLANGXX:-clang++}"
command -v "$cxx" >/dev/null || { echo "fuzz: skipped: $cxx not found" >&2; exit 77; }
runtime=$("$cxx" -print-runtime-dir 2>/dev/null || true)
if ! ls "$runtime"/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
  echo "fuzz: skipped: no libFuzzer runtime in '$runtime' (Debian libclang-rt-14-dev)" >&2
  exit 77
fi
out="${FUZZ_OUT:-$root/build/fuzz}"
mkdir -p "$out/obj"

flags=(-std=c++2b -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
  -fno-sanitize-recover=undefined -Wall -Wextra -Wno-unused-command-line-argument
  -I"$root/tests/fuzz/compat" -I"$root/src"
  $(pkg-config --cflags gmime-3.0 libcurl libsodium))
libs=($(pkg-config --libs gmime-3.0 libcurl libsodium) -lboost_json -lpthread)

channel_sources=(src/channels/text.cpp src/channels/email/html_text.cpp
  src/channels/email/mime_parser.cpp src/channels/http/curl_http.cpp
  src/channels/messenger/messenger.cpp src/channels/phone/cti.cpp src/channels/sms/kannel.cpp
  src/channels/sms/sms_split.cpp src/domain/model.cpp src/domain/result.cpp)
declare -A target_sources=(
  [mime]="${channel_sources[*]}"
  [messenger]="${channel_sources[*]}"
  [kannel]="${channel_sources[*]}"
  [cti]="${channel_sources[*]}"
  [json_input]="src/api/json_input.cpp src/domain/result.cpp"
)
declare -A seeds=(
  [mime]="tests/channels/data/*.eml"
  [messenger]="tests/channels/data/messenger_message.json"
  [kannel]="tests/channels/data/*.query"
  [cti]="tests/channels/data/cti_inbound.json"
  [json_input]="tests/channels/data/*.json"
)

# Library objects: instrumented for coverage but without libFuzzer's main.
compile() {
  local src=$1 obj="$out/obj/$(echo "$1" | tr / _).o"
  if [ ! -f "$obj" ] || [ "$root/$src" -nt "$obj" ] || [ "$0" -nt "$obj" ]; then
    "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$root/$src" -o "$obj"
  fi
  echo "$obj"
}

failed=()
for t in "${targets[@]}"; do
  [ -n "${target_sources[$t]:-}" ] || { echo "fuzz: unknown target $t" >&2; exit 2; }
  objs=()
  for s in ${target_sources[$t]}; do objs+=("$(compile "$s")"); done
  echo "fuzz: building ${t}_fuzz" >&2
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$root/tests/fuzz/${t}_fuzz.cpp" "${objs[@]}" \
    "${libs[@]}" -o "$out/${t}_fuzz"
  corpus="$out/corpus/$t"
  seed="$out/seed/$t"
  mkdir -p "$corpus" "$seed"
  # shellcheck disable=SC2086
  cp $root/${seeds[$t]} "$seed/"
  echo "fuzz: running ${t}_fuzz for ${seconds}s" >&2
  if ! (cd "$out" && ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        G_DEBUG="" "./${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 "$corpus" "$seed" > "$out/${t}.log" 2>&1); then
    echo "fuzz: ${t}_fuzz FAILED; last lines of $out/${t}.log:" >&2
    grep -v "^#\|^INFO\|^\s*$" "$out/${t}.log" | tail -40 >&2
    failed+=("$t")
  else
    grep -E "stat::number_of_executed_units|cov:" "$out/${t}.log" | tail -2 >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (reproducers: $out/crash-*)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a crash" >&2
