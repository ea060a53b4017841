package dev.slipway.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model versions one job serves, pinned on the driver: the job's model and every other version
 * its fallback chain names, with the driver's resolution of each link, so that every executor
 * serves a link with the same version even if an alias moves while the job runs. Broadcast once per
 * job. Immutable by contract.
 *
 * @param primary the job's model
 * @param others the versions the fallback links resolved to, other than {@code primary}, each once
 * @param routes how the executors' model host resolves a link: the reference it asks for (as {@link
 *     dev.slipway.serving.guard.Guards} writes it: {@code name}, {@code name@alias}, {@code
 *     name/3}) to the pinned {@code name/version}
 */
record JobModels(ModelBundle primary, ArrayList<ModelBundle> others, TreeMap<String, String> routes)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The version a route names, or null. */
  ModelBundle bundle(String nameSlashVersion) {
    if (nameSlashVersion.equals(primary.name() + "/" + primary.version())) {
      return primary;
    }
    for (ModelBundle b : others) {
      if (nameSlashVersion.equals(b.name() + "/" + b.version())) {
        return b;
      }
    }
    return null;
  }

  /**
   * The key of these versions in an executor's cache: two jobs share an executor's pipeline only
   * when every link resolved to the same content.
   */
  String key() {
    StringBuilder k = new StringBuilder(primary.key());
    for (Map.Entry<String, String> r : routes.entrySet()) {
      k.append(' ').append(r.getKey()).append('=').append(bundle(r.getValue()).key());
    }
    if (primary.filter() != null) {
      k.append(" filter=")
          .append(primary.documents().get(dev.slipway.serving.guard.FilterDocument.KIND));
    }
    return k.toString();
  }

  /**
   * These models in Java serialization. They are broadcast as these bytes rather than as an object
   * so that they travel the same whatever {@code spark.serializer} is (Kryo 4, which Spark ships,
   * does not know records).
   */
  byte[] toBytes() {
    long size = primary.artifact().length;
    for (ModelBundle b : others) {
      size += b.artifact().length;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(size + 8192, 1 << 30));
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The models {@link #toBytes} wrote. */
  static JobModels fromBytes(byte[] bytes) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (JobModels) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
