#!/usr/bin/env bash
# Benchmarks the LLEP planner (N = 256 experts, P = 64 ranks) with JMH and prints the median.
# Usage: scripts/bench-planner.sh [extra JMH arguments, e.g. -p routing=zipf]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

./mvnw -B -q -pl llep test-compile
cp_file="llep/target/bench-classpath.txt"
./mvnw -B -q -pl llep dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$(pwd)/$cp_file" >/dev/null

"${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "llep/target/test-classes:llep/target/classes:$(cat "$cp_file")" \
  org.openjdk.jmh.Main 'ai.llep.plan.PlannerBenchmark' \
  -f 1 -wi 3 -w 1s -i 5 -r 1s -bm sample -tu us "$@"
