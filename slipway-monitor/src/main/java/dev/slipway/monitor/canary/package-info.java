/**
 * Canary (gray) releases: a candidate version takes a growing share of a model's traffic in steps;
 * at each evaluation its error rate, p99 latency and feedback metric are compared with the stable
 * version's, and the rollout advances, rolls back or waits, every decision audited with its numbers
 * and the state kept in the metadata database so a restart continues it.
 */
package dev.slipway.monitor.canary;
