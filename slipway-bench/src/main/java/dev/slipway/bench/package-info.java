/**
 * JMH benchmarks of the online pipeline. Run by hand from the shaded jar ({@code java -jar
 * slipway-bench/target/benchmarks.jar}); the build only compiles them. Results and commands are in
 * {@code docs/BENCHMARKS.md}.
 */
package dev.slipway.bench;
