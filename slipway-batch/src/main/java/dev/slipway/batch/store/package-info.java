/**
 * The prediction store: scored rows kept by model and entity key (in the metadata database or in
 * Redis), written by batch jobs and read by key, either directly or to answer online requests
 * before falling back to live inference.
 */
package dev.slipway.batch.store;
