#!/usr/bin/env bash
# Runs the tests tagged gpu on a GPU node, from a bundle made with `scripts/bundle.sh --with-tests`
# (no Maven needed there):
#   llep/scripts/gpu-tests.sh [--select CLASS]... [--tag TAG] [--reports DIR]
# DJL must find a CUDA libtorch and a DJL JNI built for it (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION,
# PYTORCH_FLAVOR; README.md, "Running on GPUs"). Tests that need more GPUs than the node has skip
# themselves, as on a machine without a GPU. --select runs the named test classes instead of every
# class with the tag; --tag picks another tag (default gpu). Exit status: JUnit's (0 = all passed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tag="gpu"
reports=""
selects=()

die() { echo "gpu-tests: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --select) [ $# -ge 2 ] || die "--select needs a class name"; selects+=("--select-class=$2"); shift 2 ;;
    --tag) [ $# -ge 2 ] || die "--tag needs a tag"; tag="$2"; shift 2 ;;
    --reports) [ $# -ge 2 ] || die "--reports needs a folder"; reports="$2"; shift 2 ;;
    -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[ -d "$root/tests" ] || die "no tests/ folder: make the bundle with scripts/bundle.sh --with-tests"
console="$(ls "$root"/tests/junit-platform-console-standalone-*.jar 2>/dev/null | head -n 1)"
[ -n "$console" ] || die "JUnit's console launcher is missing from $root/tests"
if [ -x "$root/runtime/bin/java" ]; then
  java_bin="$root/runtime/bin/java"
else
  # shellcheck source=find-java.sh
  source "$root/scripts/find-java.sh"
  llep_find_java gpu-tests 25 || exit 2
  java_bin="$LLEP_JAVA_HOME/bin/java"
fi

classpath="$(printf '%s:' "$root"/lib/*.jar "$root"/tests/*.jar | sed 's/:$//')"
scan=()
if [ "${#selects[@]}" -eq 0 ]; then
  scan=("--scan-class-path=$(printf '%s:' "$root"/tests/*-tests.jar | sed 's/:$//')" "--include-tag=$tag")
fi
report_args=()
[ -z "$reports" ] || report_args=("--reports-dir=$reports")

cd "$root"
LLEP_HOME="$root" exec "$java_bin" --enable-native-access=ALL-UNNAMED \
  --sun-misc-unsafe-memory-access=allow -Dai.djl.offline=true \
  -jar "$console" execute --class-path="$classpath" "${scan[@]}" "${selects[@]}" \
  "${report_args[@]}" --details=tree --disable-banner
