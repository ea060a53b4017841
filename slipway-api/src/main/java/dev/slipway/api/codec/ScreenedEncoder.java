package dev.slipway.api.codec;

import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A codec's encoding that checks every value against a {@link ValueScreen} in the same pass that
 * encodes it, so that a caller who must check records before a model sees them (the guards) does
 * not read every value twice. Implementations are immutable and thread-safe.
 */
@FunctionalInterface
public interface ScreenedEncoder {
  /**
   * Encodes the records as {@link RecordCodec#encode} does and sets {@code plain[i]} to whether
   * every value of record {@code i} passes the screen. Never throws for a value: a record that is
   * not plain is encoded only as far as its values allow, and the caller must check it and encode
   * it again before its row is used. The rows of plain records are exactly what {@link
   * RecordCodec#encode} gives for them.
   *
   * @param plain at least {@code records.size()} long; every entry is written
   */
  Map<String, Tensor> encode(List<Record> records, boolean[] plain);
}
