#!/usr/bin/env bash
# Benchmarks the LLEP planner (N = 256 experts, P = 64 ranks) with JMH, then prints the medians.
# Needs JDK 25 (found by scripts/find-java.sh).
# Usage: scripts/bench-planner.sh [extra JMH arguments, e.g. -p routing=zipf]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=find-java.sh
source "$root/scripts/find-java.sh"
llep_find_java bench-planner 25 javac || exit 1
export JAVA_HOME="$LLEP_JAVA_HOME"
java="$JAVA_HOME/bin/java"

./mvnw -B -q -pl llep test-compile
cp_file="llep/target/bench-classpath.txt"
./mvnw -B -q -pl llep dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$root/$cp_file" >/dev/null

out="llep/target/bench-planner.txt"
"$java" -cp "llep/target/test-classes:llep/target/classes:$(cat "$cp_file")" \
  org.openjdk.jmh.Main 'ai.llep.plan.PlannerBenchmark' \
  -f 1 -wi 3 -w 1s -i 5 -r 1s -bm sample -tu us "$@" | tee "$out"

echo
echo "Medians (us/op):"
grep ':p0.50 ' "$out"
