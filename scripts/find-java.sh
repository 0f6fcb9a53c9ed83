# Finds a JDK of a given major version or newer. Sourced (not run) by scripts/launch.sh,
# scripts/bundle.sh, scripts/bench-planner.sh, mvnw and .ci/run:
#
#   source scripts/find-java.sh
#   llep_find_java WHO MIN_MAJOR [TOOL...]    # e.g. llep_find_java mvnw 25 javac
#
# Looks, in this order, at JAVA_HOME, the `java` on the PATH, then every JDK under the usual
# folders: /usr/lib/jvm, /usr/java, /usr/local/java, /opt/java, /opt, macOS's
# /Library/Java/JavaVirtualMachines, SDKMAN's candidates (${SDKMAN_DIR:-~/.sdkman}/candidates/java)
# and ~/.jdks. LLEP_JDK_ROOTS (folders separated by ':') replaces that list of folders. The first
# two win when new enough; among the folders, the newest JDK wins. A home qualifies when it has
# bin/java and bin/TOOL for each TOOL given. On success it sets LLEP_JAVA_HOME and LLEP_JAVA_MAJOR
# and says on stderr which one it took ("WHO: using Java 25 at ... (from ...)"); otherwise it says
# what it saw and what to install, and returns 1.
# Plain bash 3.2 (macOS's) on purpose: mvnw sources it before anything else runs.

# The major version of the JDK at $1 (from its release file, else by asking its java), or nothing.
llep_java_major() {
  local home="$1" version=""
  if [ -f "$home/release" ]; then
    version="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" | head -n 1)"
  fi
  if [ -z "$version" ] && [ -x "$home/bin/java" ]; then
    version="$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p' | head -n 1)"
  fi
  case "$version" in
    1.*) version="${version#1.}" ;;
  esac
  version="${version%%[!0-9]*}"
  [ -n "$version" ] && echo "$version"
}

# The real path of $1, following links (without GNU readlink -f, which old macOS lacks).
llep_real_path() {
  local path="$1" link dir
  while [ -L "$path" ]; do
    link="$(readlink "$path")"
    case "$link" in
      /*) path="$link" ;;
      *) path="$(dirname "$path")/$link" ;;
    esac
  done
  dir="$(cd "$(dirname "$path")" 2>/dev/null && pwd -P)" || return 1
  echo "$dir/$(basename "$path")"
}

# The folders whose children are JDK homes.
llep_jdk_roots() {
  if [ -n "${LLEP_JDK_ROOTS:-}" ]; then
    echo "$LLEP_JDK_ROOTS" | tr ':' '\n'
    return 0
  fi
  printf '%s\n' /usr/lib/jvm /usr/java /usr/local/java /opt/java /opt \
    /Library/Java/JavaVirtualMachines "${SDKMAN_DIR:-$HOME/.sdkman}/candidates/java" "$HOME/.jdks"
}

# Whether $1 is a JDK home with bin/java and each tool named after it.
llep_has_tools() {
  local home="$1" tool
  shift
  [ -x "$home/bin/java" ] || return 1
  for tool in ${1+"$@"}; do
    [ -x "$home/bin/$tool" ] || return 1
  done
}

llep_find_java() {
  local who="$1" min="$2" seen="" home major root child best="" best_major=0 best_root=""
  shift 2
  LLEP_JAVA_HOME=""
  LLEP_JAVA_MAJOR=""

  if [ -n "${JAVA_HOME:-}" ]; then
    major="$(llep_java_major "$JAVA_HOME")"
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && llep_has_tools "$JAVA_HOME" ${1+"$@"}; then
      llep_take_java "$who" "$JAVA_HOME" "$major" "JAVA_HOME"
      return 0
    fi
    seen="JAVA_HOME=$JAVA_HOME is $(llep_describe_java "$JAVA_HOME" "$major" ${1+"$@"})"
  fi

  local on_path
  on_path="$(command -v java 2>/dev/null || true)"
  if [ -n "$on_path" ]; then
    home="$(llep_real_path "$on_path")" && home="$(dirname "$(dirname "$home")")" || home=""
    major="$(llep_java_major "$home")"
    if [ -n "$home" ] && [ -n "$major" ] && [ "$major" -ge "$min" ] && llep_has_tools "$home" ${1+"$@"}; then
      llep_take_java "$who" "$home" "$major" "the java on PATH, $on_path"
      return 0
    fi
    seen="${seen:+$seen; }the java on PATH ($on_path) is $(llep_describe_java "$home" "$major" ${1+"$@"})"
  fi

  local roots
  roots="$(llep_jdk_roots)"
  while IFS= read -r root; do
    [ -n "$root" ] && [ -d "$root" ] || continue
    for child in "$root"/*; do
      home="$child"
      [ -d "$home/Contents/Home" ] && home="$home/Contents/Home"
      llep_has_tools "$home" ${1+"$@"} || continue
      major="$(llep_java_major "$home")"
      [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ] || continue
      best="$home"
      best_major="$major"
      best_root="$root"
    done
  done <<EOF
$roots
EOF
  if [ -n "$best" ]; then
    llep_take_java "$who" "$best" "$best_major" "found in $best_root${seen:+; $seen}"
    return 0
  fi

  local looked
  looked="$(echo "$roots" | sed '/^$/d' | paste -sd, - | sed 's/,/, /g')"
  {
    echo "$who: no JDK $min or newer found${seen:+ ($seen)}, nor under $looked."
    echo "$who: install a JDK $min or newer${*:+ (with $*)}, e.g. Eclipse Temurin $min from your" \
      "system's packages or with SDKMAN ('sdk install java <version>-tem'), then run again" \
      "(or set JAVA_HOME to it)."
  } >&2
  return 1
}

# "Java 17", or what the home lacks.
llep_describe_java() {
  local home="$1" major="$2" tool
  shift 2
  if [ -z "$major" ]; then
    echo "not a Java this can run"
    return 0
  fi
  for tool in ${1+"$@"}; do
    if [ ! -x "$home/bin/$tool" ]; then
      echo "Java $major without $tool"
      return 0
    fi
  done
  echo "Java $major"
}

llep_take_java() {
  LLEP_JAVA_HOME="$2"
  LLEP_JAVA_MAJOR="$3"
  echo "$1: using Java $3 at $2 ($4)" >&2
}
