#!/usr/bin/env bash
# Runs txguard's benchmarks against a real PostgreSQL and prints the ratio table (see BENCHMARKS.md).
#   txguard-bench/run.sh            short mode, about 7 minutes
#   txguard-bench/run.sh --full     for publication, about an hour
#   txguard-bench/run.sh --smoke    checks the harness only
# Other options: --prof gc|stack|..., --only read|write|contention, --out DIR.
# The server: TXGUARD_BENCH_URL, default jdbc:postgresql://127.0.0.1:5432/test?user=postgres.
# It must be a server you may load: the benchmarks drop and recreate tables named bench_*.
set -euo pipefail
cd "$(dirname "$0")/.."

java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

current="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$current" >/dev/null 2>&1 || [ "$(java_major "$current")" -lt 21 ]; then
  for jdk in /usr/lib/jvm/*; do
    if [ -x "$jdk/bin/javac" ] && [ "$(java_major "$jdk/bin/java")" -ge 21 ]; then
      export JAVA_HOME="$jdk"
      break
    fi
  done
fi
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
export TXGUARD_BENCH_URL="${TXGUARD_BENCH_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}"

# Classpath instead of a shaded jar: nothing extra happens during the project's own build.
mvn -B -q -pl txguard-bench -am package dependency:build-classpath \
  -DskipTests -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="txguard-bench/target/classes:$(cat txguard-bench/target/classpath.txt)"

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jvm_opts=(-Xmx512m)
# JMH 1.37 still calls sun.misc.Unsafe; JDK 24+ warns about it unless told it is allowed
if [ "$(java_major "$java")" -ge 24 ]; then
  jvm_opts+=(--sun-misc-unsafe-memory-access=allow)
fi
exec "$java" "${jvm_opts[@]}" -cp "$cp" dev.txguard.bench.Main "$@"
