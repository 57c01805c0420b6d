#!/usr/bin/env bash
# Runs txguard's benchmarks against a real PostgreSQL and prints the ratio table (see BENCHMARKS.md).
#   txguard-bench/run.sh            short mode, about 9 minutes
#   txguard-bench/run.sh --full     for publication, about an hour
#   txguard-bench/run.sh --smoke    checks the harness only
#   txguard-bench/run.sh --queue [--smoke|--rounds N|--only ...|--sustained ...]
#                                   the queue benchmark (issue 15; options in queue/QueueBench.java,
#                                   how to read it in BENCHMARKS.md), on its own embedded PostgreSQL
#                                   unless --url is given
#   txguard-bench/run.sh --paired [--only read|write] [--threads 1,8] [--cycles N|--seconds N]
#                        [--slice-ms 1000] [--contenders jdbc,txguard,txguard-unresolved] [--smoke]
#                                   the paired overhead run (issue 13): the JMH benchmark's units in
#                                   one JVM, contenders alternating in short slices (random order per
#                                   cycle), one ratio per cycle, a 99.9% interval and the 3% verdict;
#                                   options in Paired.java, how to read it in BENCHMARKS.md
# Other options: --prof gc|stack|..., --only read|write|contention, --rounds N, --out DIR, and
#   --pin   the local PostgreSQL's processes on the first CPU, the benchmark JVMs and pgbench on the
#           others (taskset, Linux; needs permission to change the server's affinity, which is
#           restored when the run ends)
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
./mvnw -B -q -pl txguard-bench -am package dependency:build-classpath \
  -DskipTests -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="txguard-bench/target/classes:$(cat txguard-bench/target/classpath.txt)"

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jvm_opts=(-Xmx512m)
# JMH 1.37 still calls sun.misc.Unsafe; JDK 24+ warns about it unless told it is allowed
if [ "$(java_major "$java")" -ge 24 ]; then
  jvm_opts+=(--sun-misc-unsafe-memory-access=allow)
fi

pin=false
args=()
for arg in "$@"; do
  if [ "$arg" = "--pin" ]; then pin=true; else args+=("$arg"); fi
done
if ! $pin; then
  exec "$java" "${jvm_opts[@]}" -cp "$cp" dev.txguard.bench.Main "${args[@]}"
fi

# --pin: the server on CPU 0, everything on the client side on the rest. Backends forked later
# inherit the postmaster's affinity, so pinning the running processes covers the pool's connections.
cpus=$(nproc --all)
if ! command -v taskset >/dev/null 2>&1 || [ "$cpus" -lt 2 ]; then
  echo "--pin needs taskset and at least 2 CPUs (found $cpus)" >&2
  exit 2
fi
server_pids=$(pgrep -x postgres || pgrep -f '^postgres' || true)
if [ -z "$server_pids" ]; then
  echo "--pin: no local postgres process found; it pins only a server on this machine" >&2
  exit 2
fi
all_cpus="0-$((cpus - 1))"
client_cpus=$([ "$cpus" -eq 2 ] && echo 1 || echo "1-$((cpus - 1))")
set_server_affinity() {
  for pid in $(pgrep -x postgres || pgrep -f '^postgres' || true); do
    taskset -a -cp "$1" "$pid" >/dev/null 2>&1 || true
  done
}
trap 'set_server_affinity "$all_cpus"' EXIT
for pid in $server_pids; do
  if ! taskset -a -cp 0 "$pid" >/dev/null; then
    echo "--pin: cannot set the affinity of postgres process $pid (run as its owner or root)" >&2
    exit 2
  fi
done
echo "pinned: postgres on CPU 0, the benchmark on CPU(s) $client_cpus"
taskset -c "$client_cpus" "$java" "${jvm_opts[@]}" \
  "-Dtxguard.bench.pinned=PostgreSQL on CPU 0, benchmark JVMs and pgbench on CPU(s) $client_cpus" \
  -cp "$cp" dev.txguard.bench.Main "${args[@]}"
