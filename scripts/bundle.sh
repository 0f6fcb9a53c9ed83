#!/usr/bin/env bash
# Builds a self-contained copy of the framework for GPU nodes that have no Java:
#   scripts/bundle.sh [--output DIR] [--skip-build] [--no-archive] [--with-tests]
# DIR (default target/bundle) receives llep/ and llep.tar.xz (not with --no-archive). llep/ holds
# a jlink runtime of a JDK 25+ (runtime/: the modules the jars use, plus javac and the JNI headers,
# so that scripts/build-djl-jni.sh runs on a node without a JDK), the project's jars without DJL's
# CPU libtorch and prebuilt JNI (lib/), the launcher scripts, configs/, recipes/ and README.md.
# --with-tests adds tests/: the compiled tests of every module, their test dependencies and JUnit's
# console launcher (JUnit Platform 1.14.1, the platform of the pom's junit.version), run on the
# node by scripts/gpu-tests.sh (the tests tagged gpu).
# On the GPU node, point DJL at a CUDA libtorch and a DJL JNI built for it, then run
# llep/scripts/launch.sh as usual; how: README.md, "Running on GPUs" > "A DJL JNI for your libtorch".
# The archive must stay within 45 MB (55 MB with --with-tests); the script fails if not.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="$root/target/bundle"
build=1
archive=1
tests=0
max_bytes=$(( 45 * 1000 * 1000 ))

die() { echo "bundle: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --output) [ $# -ge 2 ] || die "--output needs a folder"; output="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --no-archive) archive=0; shift ;;
    --with-tests) tests=1; max_bytes=$(( 55 * 1000 * 1000 )); shift ;;
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
if [ "$tests" -eq 1 ]; then
  echo "bundle: collecting the tests and their dependencies" >&2
  (cd "$root" && JAVA_HOME="$java_home" ./mvnw -B -q -DskipTests package \
    dependency:copy-dependencies -DincludeScope=test -DexcludeGroupIds=ai.llep -DoutputDirectory=target/test-lib \
    && JAVA_HOME="$java_home" ./mvnw -B -q -N dependency:copy \
      -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
      -DoutputDirectory=target/junit-console) >&2 \
    || die "collecting the tests failed; run ./mvnw -B test-compile to see why"
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
if [ "$tests" -eq 1 ]; then
  mkdir -p "$stage/tests"
  for module in llep models trainer; do
    "$java_home/bin/jar" --create --file "$stage/tests/$module-tests.jar" -C "$root/$module/target/test-classes" .
    for jar in "$root/$module"/target/test-lib/*.jar; do
      case "$(basename "$jar")" in
        pytorch-native-cpu-*|pytorch-jni-*|llep-*|models-*|trainer-*) ;;
        *) [ -f "$stage/lib/$(basename "$jar")" ] || cp -n "$jar" "$stage/tests/" ;;
      esac
    done
  done
  cp "$root"/target/junit-console/junit-platform-console-standalone-*.jar "$stage/tests/"
  cp "$root/scripts/gpu-tests.sh" "$stage/scripts/"
  cp -r "$root/fixtures" "$stage/fixtures"
fi
cp -r "$root/configs" "$stage/configs"
cp -r "$root/recipes" "$stage/recipes"
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
# jdk.compiler gives the runtime javac (with the JNI headers kept below) for build-djl-jni.sh; the
# tests' launcher reads JUnit's configuration through java.management and java.logging; jdk.jfr
# lets LLEP_JAVA_OPTS start a flight recording of the host side.
extra="jdk.unsupported,java.xml,jdk.zipfs,jdk.compiler,jdk.jfr"
[ "$tests" -eq 0 ] || extra="$extra,java.management,java.logging,java.desktop,jdk.management"
modules="$(echo "$modules,$extra" | tr ',' '\n' | sort -u | paste -sd, -)"
echo "bundle: runtime modules $modules" >&2

# zip-0 leaves the module image uncompressed: xz then compresses it better than jlink's zip would.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages \
  --compress=zip-0 --output "$stage/runtime"
"$stage/runtime/bin/java" -XshowSettings:properties -version 2>&1 \
  | grep -q 'java.specification.version' || die "the jlink runtime does not start"

# --- Stored jars -----------------------------------------------------------------------------
# The archive is compressed once, by xz: jars re-packed without compression (as jlink's zip-0
# leaves the modules) compress to about a third of their deflated size. Native libraries that jars
# carry for other platforms (their folders under native/lib/) are dropped: the runtime above is
# linux-x86_64 only. Every file beside those folders stays: DJL reads the library's version from
# native/lib/<name>.properties (tokenizers.properties), and fails without it.
for jar in "$stage"/lib/*.jar "$stage"/tests/*.jar; do
  [ -f "$jar" ] || continue
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
