#!/usr/bin/env bash
# Builds DJL's PyTorch JNI (libdjl_torch.so) against your libtorch, from DJL's published sources:
#   scripts/build-djl-jni.sh --djl-src DIR [--python PY | --libtorch DIR] [--output DIR]
#                            [--version V] [--flavor F] [--jobs N]
# --djl-src   a checkout of DJL at the version this project uses (see below); only read, never
#             written: its CMake file and JNI sources are copied to a scratch folder, and the JNI
#             header is made there with `javac -h` from DJL's PyTorchLibrary.java
# --python    the Python whose `import torch` is the libtorch to build against (default python3)
# --libtorch  a libtorch folder instead (lib/libtorch.so, include/, share/cmake/Torch)
# --version, --flavor   that libtorch's version (2.11.0) and flavor (cpu, cu130); read from
#             torch.__version__ and torch.version.cuda, or libtorch's build-version file
# --output    where the JNI goes (default: DJL's cache folder for that version and flavor,
#             $DJL_CACHE_DIR/pytorch/<version>-<flavor>-<os>-<arch>/, default ~/.djl.ai/...)
# It is written as <djl version>-libdjl_torch.so, the first name DJL looks for; the script then
# prints the PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR to export.
# Needs cmake, a C++17 compiler, a JDK (for javac -h and jni.h; found by find-java.sh) and, for a
# CUDA torch, the CUDA toolkit (nvcc) of that torch's CUDA version. See README.md, "Running on
# GPUs" > "A DJL JNI for your libtorch".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
djl_src=""
python_bin=""
libtorch=""
output=""
version=""
flavor=""
jobs="$(nproc 2>/dev/null || echo 2)"

die() { echo "build-djl-jni: $*" >&2; exit 2; }
say() { echo "build-djl-jni: $*" >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --djl-src|--python|--libtorch|--output|--version|--flavor|--jobs)
      [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"
      case "$1" in
        --djl-src) djl_src="$2" ;;
        --python) python_bin="$2" ;;
        --libtorch) libtorch="$2" ;;
        --output) output="$2" ;;
        --version) version="$2" ;;
        --flavor) flavor="$2" ;;
        --jobs) jobs="$2" ;;
      esac
      shift 2 ;;
    -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# --- The DJL version the project's jars are ---------------------------------------------------
engine_jar="$(ls "$root"/lib/pytorch-engine-*.jar "$root"/trainer/target/lib/pytorch-engine-*.jar 2>/dev/null | head -n 1 || true)"
if [ -n "$engine_jar" ]; then
  djl_version="$(basename "$engine_jar" .jar)"; djl_version="${djl_version#pytorch-engine-}"
else
  djl_version="$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' "$root/pom.xml" 2>/dev/null | head -n 1)"
fi
[ -n "$djl_version" ] || die "cannot tell which DJL version this project uses (no pytorch-engine jar, no pom.xml)"

# --- DJL's sources ---------------------------------------------------------------------------
[ -n "$djl_src" ] || die "give --djl-src: a checkout of DJL v$djl_version (e.g. git clone --branch v$djl_version --depth 1 of DJL's repository)"
native="$djl_src/engines/pytorch/pytorch-native"
library_java="$djl_src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
for needed in "$native/CMakeLists.txt" "$native/src/main/native" "$library_java" "$djl_src/api/src/main/native/djl/utils.h"; do
  [ -e "$needed" ] || die "$needed not found: --djl-src must be the root of a DJL checkout"
done
src_version="$(sed -n 's/^djl = "\(.*\)"/\1/p' "$djl_src/gradle/libs.versions.toml" 2>/dev/null | head -n 1)"
[ "$src_version" = "$djl_version" ] \
  || die "--djl-src is DJL '${src_version:-unknown}', but this project's jars are DJL $djl_version: check out tag v$djl_version"

# --- The libtorch ----------------------------------------------------------------------------
if [ -n "$libtorch" ]; then
  [ -f "$libtorch/lib/libtorch.so" ] && [ -d "$libtorch/share/cmake/Torch" ] \
    || die "--libtorch $libtorch: expected lib/libtorch.so and share/cmake/Torch"
  lib_dir="$(cd "$libtorch/lib" && pwd)"
  prefix="$(cd "$libtorch" && pwd)"
  build_version="$(cat "$libtorch/build-version" 2>/dev/null || true)"
  [ -n "$version" ] || version="${build_version%%+*}"
  if [ -z "$flavor" ] && [[ "$build_version" == *+* ]]; then flavor="${build_version#*+}"; fi
else
  python_bin="${python_bin:-python3}"
  command -v "$python_bin" >/dev/null || die "no $python_bin: give --python or --libtorch"
  facts="$("$python_bin" -c 'import os, torch, torch.utils
print(torch.__version__); print(torch.version.cuda or ""); print(os.path.join(os.path.dirname(torch.__file__), "lib")); print(torch.utils.cmake_prefix_path)')" \
    || die "$python_bin cannot import torch"
  { read -r torch_version; read -r torch_cuda; read -r lib_dir; read -r prefix; } <<< "$facts"
  [ -n "$version" ] || version="${torch_version%%+*}"
  if [ -z "$flavor" ]; then
    if [[ "$torch_version" == *+* ]]; then flavor="${torch_version#*+}"
    elif [ -n "$torch_cuda" ]; then flavor="cu${torch_cuda//./}"
    else flavor=cpu
    fi
  fi
fi
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot tell the libtorch version (got '$version'): give --version"
[[ "$flavor" =~ ^(cpu|cu[0-9]+)$ ]] || die "cannot tell the libtorch flavor (got '$flavor'): give --flavor cpu or cuXYZ"
say "libtorch $version ($flavor) in $lib_dir; DJL $djl_version sources in $djl_src"

command -v cmake >/dev/null || die "cmake not found: install it (e.g. apt-get install cmake)"
command -v c++ >/dev/null || command -v g++ >/dev/null || die "no C++ compiler found: install g++"
if [[ "$flavor" == cu* ]]; then
  command -v nvcc >/dev/null || [ -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ] \
    || die "a CUDA libtorch needs the CUDA toolkit ($flavor) for CMake: put nvcc on PATH or set CUDA_HOME"
fi
# shellcheck source=find-java.sh
source "$root/scripts/find-java.sh"
llep_find_java build-djl-jni 11 javac || exit 2

# --- Build in a scratch copy -----------------------------------------------------------------
# DJL's CMake file finds djl/utils.h three folders up and the JNI header in build/include, so the
# copy keeps DJL's layout.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
copy="$scratch/engines/pytorch/pytorch-native"
mkdir -p "$copy/src/main" "$scratch/api/src/main"
cp "$native/CMakeLists.txt" "$copy/"
cp -r "$native/src/main/native" "$copy/src/main/"
[ ! -d "$native/src/main/patch" ] || cp -r "$native/src/main/patch" "$copy/src/main/"
cp -r "$djl_src/api/src/main/native" "$scratch/api/src/main/"
"$LLEP_JAVA_HOME/bin/javac" -h "$copy/build/include" -d "$scratch/classes" \
  -sourcepath "$djl_src/engines/pytorch/pytorch-engine/src/main/java" "$library_java" \
  || die "javac -h failed on $library_java"

cmake_args=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$prefix")
[[ ! "$version" =~ ^(1\.13\.1|2\.0\.1|2\.1\..*)$ ]] || cmake_args+=(-DPT_VERSION=V1_13_X)
[[ "$flavor" != cu* ]] || cmake_args+=(-DUSE_CUDA=1)
say "configuring (cmake) and compiling with $jobs jobs; this takes a few minutes"
(cd "$copy/build" && JAVA_HOME="$LLEP_JAVA_HOME" cmake "${cmake_args[@]}" .. >&2 \
  && cmake --build . --config Release -- -j "$jobs" >&2) || die "the build failed (output above)"
built="$copy/build/libdjl_torch.so"
[ -f "$built" ] || die "the build made no libdjl_torch.so"

# --- Install where DJL looks -----------------------------------------------------------------
arch="$(uname -m)"; [ "$arch" != amd64 ] || arch=x86_64
if [ -z "$output" ]; then
  output="${ENGINE_CACHE_DIR:-${DJL_CACHE_DIR:-$HOME/.djl.ai}}/pytorch/$version-$flavor-linux-$arch"
fi
mkdir -p "$output"
cp "$built" "$output/$djl_version-libdjl_torch.so.tmp"
mv "$output/$djl_version-libdjl_torch.so.tmp" "$output/$djl_version-libdjl_torch.so"
say "wrote $output/$djl_version-libdjl_torch.so"
echo "export PYTORCH_LIBRARY_PATH=$lib_dir"
echo "export PYTORCH_VERSION=$version"
echo "export PYTORCH_FLAVOR=$flavor"
if [ "$output" != "$lib_dir" ] && [[ "$output" != */pytorch/$version-$flavor-linux-$arch ]]; then
  say "DJL does not look in $output: copy the file into $lib_dir or DJL's cache folder"
fi
