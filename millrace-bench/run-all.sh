#!/usr/bin/env bash
# Runs every workload with its defaults on PostgreSQL, and drain on H2; prints the RESULT lines at the end.
# Usage: millrace-bench/run-all.sh [JAR] [extra options for every workload…]   (build first: ./millrace bench --help)
# JAVA_OPTS (environment) goes to every JVM, e.g. JAVA_OPTS=-Xmx2g.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${1:-millrace-bench/target/millrace-bench.jar}; [ $# -gt 0 ] && shift
JAVA_HOME=$(bin/jdk21)
out=$(mktemp -t millrace-bench-XXXXXX.log)
run() { echo "== $*" | tee -a "$out"; "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} -jar "$JAR" "$@" 2>&1 | tee -a "$out"; }
run enqueue-single "$@"
run enqueue-bulk "$@"
run drain "$@"
run latency "$@"
run latency --via-client "$@"
run fairness "$@"
run depth "$@"
run events "$@"
run drain --db h2 --jobs 20000 "$@"
echo; echo "RESULT lines (full log: $out)"; grep '^RESULT' "$out"
