#!/usr/bin/env bash
# The SPARK timing hook: scores a file with the Spark runner on local[*] (or SPARK_MASTER) in one
# JVM, prints the summary with rows/s, to compare with `slipway batch score` on the same file.
#
#   slipway-spark/run-local.sh --model ad-click@champion --input big.csv --output spark-out.csv \
#       [--home ./slipway-home] [--config slipway.yaml | --guard reject] [--single-file] \
#       [--partitions N] [--chunk 512]
#
# --config applies the model's guards section of slipway.yaml (as `slipway batch score --config`);
# --guard reject applies rejecting input checks without a file; not both.
#
# Builds the module (no install) the first time; JAVA_OPTS adds JVM options (e.g. -Xmx8g).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cp_file="$here/target/spark-classpath.txt"
if [[ ! -f "$cp_file" || ! -f "$here/target/slipway-spark.jar" ]]; then
  # compile scope lists compile and provided dependencies: Slipway's and Spark's jars
  (cd "$root" && mvn -B -q -pl slipway-spark -am -DskipTests -Djacoco.skip=true package \
    dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile=target/spark-classpath.txt) >&2
fi
# the opens spark-submit adds on Java 17 (Spark's JavaModuleOptions)
opens=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
  java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs \
  sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
# the classpath goes in CLASSPATH, not on the command line: ONNX Runtime 1.28 crashes when the
# java command line is over ~4 KB
CLASSPATH="$here/target/classes:$(cat "$cp_file")" exec java -XX:+IgnoreUnrecognizedVMOptions \
  "${opens[@]}" -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
  -Dspark.master="${SPARK_MASTER:-local[*]}" -Dspark.ui.enabled=false ${JAVA_OPTS:-} \
  dev.slipway.spark.SparkRunner "$@"
