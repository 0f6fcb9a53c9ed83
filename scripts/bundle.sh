#!/usr/bin/env bash
# Builds a self-contained copy of the framework for GPU nodes that have no Java:
#   scripts/bundle.sh [--output DIR] [--skip-build] [--no-archive]
# DIR (default target/bundle) receives llep/ and llep.tar.xz (not with --no-archive). llep/ holds
# a jlink runtime of a JDK 25+ (runtime/, only the modules the jars use), the project's jars
# without DJL's CPU libtorch and prebuilt JNI (lib/), the launcher scripts, configs/ and README.md.
# On the GPU node, point DJL at a CUDA libtorch and a DJL JNI built for it, then run
# llep/scripts/launch.sh as usual; how: README.md, "Running on GPUs" > "A DJL JNI for your libtorch".
# The archive must stay within 40 MB; the script fails if not.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="$root/target/bundle"
build=1
archive=1
max_bytes=$(( 40 * 1000 * 1000 ))

die() { echo "bundle: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --output) [ $# -ge 2 ] || die "--output needs a folder"; output="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --no-archive) archive=0; shift ;;
    -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# --- A JDK 25 with jlink and jdeps -----------------------------------------------------------
# shellcheck source=find-java.sh
source "$root/scripts/find-java.sh"
llep_find_java bundle 25 jlink jdeps jar || exit 2
java_home="$LLEP_JAVA_HOME"

if [ "$build" -eq 1 ]; then
  echo "bundle: building the jars" >&2
  (cd "$root" && JAVA_HOME="$java_home" ./mvnw -B -q -DskipTests package) >&2 \
    || die "the build failed; run ./mvnw -B package to see why"
fi
[ -f "$root/trainer/target/trainer.jar" ] || die "no trainer/target/trainer.jar: build first"

# --- Jars ------------------------------------------------------------------------------------
stage="$output/llep"
rm -rf "$stage" "$output/llep.tar.xz"
mkdir -p "$stage/lib" "$stage/scripts"
cp "$root/trainer/target/trainer.jar" "$stage/lib/"
for jar in "$root"/trainer/target/lib/*.jar; do
  case "$(basename "$jar")" in
    pytorch-native-cpu-*|pytorch-jni-*) ;;  # the GPU node brings its own libtorch and JNI
    *) cp "$jar" "$stage/lib/" ;;
  esac
done
cp "$root/scripts/launch.sh" "$root/scripts/find-java.sh" "$root/scripts/build-djl-jni.sh" "$stage/scripts/"
cp -r "$root/configs" "$stage/configs"
cp "$root/README.md" "$stage/README.md"

# --- Modules the jars need -------------------------------------------------------------------
# jdeps resolves modular jars as modules and stops at a missing optional requirement, so every jar
# is read as plain classes on the class path instead. Reflection is invisible to it: gson and DJL
# reach sun.misc.Unsafe (jdk.unsupported), log4j reads its XML config (java.xml), and the config
# loader reads configs/ inside the jar through the zip file system (jdk.zipfs).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for jar in "$stage"/lib/*.jar; do
  dir="$scratch/$(basename "$jar" .jar)"
  mkdir -p "$dir"
  (cd "$dir" && "$java_home/bin/jar" xf "$jar")
  find "$dir" -name module-info.class -delete
done
modules="$("$java_home/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
  --class-path "$(printf '%s:' "$scratch"/*)" "$scratch"/*)"
modules="$(echo "$modules,jdk.unsupported,java.xml,jdk.zipfs" | tr ',' '\n' | sort -u | paste -sd, -)"
echo "bundle: runtime modules $modules" >&2

# zip-0 leaves the module image uncompressed: xz then compresses it better than jlink's zip would.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-0 --output "$stage/runtime"
"$stage/runtime/bin/java" -XshowSettings:properties -version 2>&1 \
  | grep -q 'java.specification.version' || die "the jlink runtime does not start"

# --- Stored jars -----------------------------------------------------------------------------
# The archive is compressed once, by xz: jars re-packed without compression (as jlink's zip-0
# leaves the modules) compress to about a third of their deflated size. Native libraries that jars
# carry for other platforms (their folders under native/lib/) are dropped: the runtime above is
# linux-x86_64 only. Every file beside those folders stays: DJL reads the library's version from
# native/lib/<name>.properties (tokenizers.properties), and fails without it.
for jar in "$stage"/lib/*.jar; do
  dir="$scratch/stored"
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && "$java_home/bin/jar" xf "$jar")
  if [ -d "$dir/native/lib" ]; then
    find "$dir/native/lib" -mindepth 1 -maxdepth 1 -type d ! -name linux-x86_64 -exec rm -rf {} +
  fi
  rm "$jar"
  "$java_home/bin/jar" --create --no-compress --no-manifest --file "$jar" -C "$dir" .
done
tokenizers_jar="$(ls "$stage"/lib/tokenizers-*.jar 2>/dev/null | head -n 1)"
[ -n "$tokenizers_jar" ] || die "no tokenizers jar in $stage/lib"
for entry in native/lib/tokenizers.properties native/lib/linux-x86_64/cpu/libtokenizers.so; do
  "$java_home/bin/jar" tf "$tokenizers_jar" | grep -x "$entry" >/dev/null \
    || die "$(basename "$tokenizers_jar") lost $entry: Hugging Face tokenizers would not load"
done

# --- Archive ---------------------------------------------------------------------------------
if [ "$archive" -eq 0 ]; then
  echo "bundle: $stage ($(du -sh "$stage" | cut -f1)); no archive (--no-archive)"
  exit 0
fi
XZ_OPT="${XZ_OPT:--9 -T0}" tar -C "$output" -cJf "$output/llep.tar.xz" llep
bytes="$(stat -c %s "$output/llep.tar.xz")"
echo "bundle: $stage ($(du -sh "$stage" | cut -f1) unpacked), $output/llep.tar.xz ($(( bytes / 1000 / 1000 )) MB)"
[ "$bytes" -le "$max_bytes" ] || die "llep.tar.xz is $bytes bytes, over the limit of $max_bytes"
