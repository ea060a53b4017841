package dev.slipway.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A model running on an ONNX Runtime session.
 *
 * <p>Thread-safe: any number of threads may call {@link #infer} at once (ONNX Runtime sessions are
 * safe for concurrent runs). {@link #close} waits for calls in flight and then frees the native
 * session; later calls fail with {@link ModelUnavailableException}.
 *
 * <p>ONNX Runtime's Java API cannot create UINT16, UINT32 or UINT64 inputs, so such inputs are
 * refused at load; outputs of those types are read by their bit pattern.
 */
public final class OnnxPredictor implements Predictor {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Signature signature;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  OnnxPredictor(OrtEnvironment env, OrtSession session) throws OrtException {
    this.env = env;
    this.session = session;
    try {
      this.signature =
          new Signature(specs(session.getInputInfo(), true), specs(session.getOutputInfo(), false));
    } catch (RuntimeException | OrtException e) {
      session.close();
      throw e;
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> infos, boolean inputs) {
    List<TensorSpec> out = new ArrayList<>();
    for (NodeInfo info : infos.values()) {
      if (!(info.getInfo() instanceof TensorInfo t)) {
        if (inputs) {
          throw InvalidInputException.of(
              "model.inputs." + info.getName(), info.getInfo().toString(), "a tensor input");
        }
        continue; // non-tensor outputs (maps, sequences) are not served
      }
      DataType type = dataType(t.onnxType);
      if (type == null || (inputs && !feedable(type))) {
        throw InvalidInputException.of(
            "model." + (inputs ? "inputs." : "outputs.") + info.getName(),
            t.onnxType.toString(),
            "a tensor of BOOL, INT8-INT64, UINT8, FP32, FP64 or STRING");
      }
      out.add(new TensorSpec(info.getName(), type, t.getShape()));
    }
    return out;
  }

  private static boolean feedable(DataType type) {
    return type != DataType.UINT16 && type != DataType.UINT32 && type != DataType.UINT64;
  }

  static DataType dataType(TensorInfo.OnnxTensorType t) {
    return switch (t) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
      default -> null;
    };
  }

  @Override
  public Signature signature() {
    return signature;
  }

  @Override
  public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
    ReentrantReadWriteLock.ReadLock read = lock.readLock();
    read.lock();
    try {
      if (closed) {
        throw new ModelUnavailableException("model is unloaded");
      }
      return run(inputs, outputs);
    } finally {
      read.unlock();
    }
  }

  private Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputs) {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>(inputs.size() * 2);
    try {
      for (Tensor t : inputs.values()) {
        feed.put(t.name(), toOrt(t));
      }
      Set<String> wanted =
          outputs.isEmpty() ? session.getOutputNames() : new LinkedHashSet<>(outputs);
      try (OrtSession.Result result = session.run(feed, wanted)) {
        Map<String, Tensor> out = new LinkedHashMap<>(wanted.size() * 2);
        for (Map.Entry<String, OnnxValue> e : result) {
          if (e.getValue() instanceof OnnxTensor ot) {
            out.put(e.getKey(), fromOrt(e.getKey(), ot));
          }
        }
        return out;
      }
    } catch (OrtException e) {
      throw new ModelFailureException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : feed.values()) {
        t.close();
      }
    }
  }

  private OnnxTensor toOrt(Tensor t) throws OrtException {
    long[] shape = t.shape();
    Object d = t.data();
    return switch (t.type()) {
      case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) d), shape);
      case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) d), shape);
      case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) d), shape);
      case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) d), shape);
      case INT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) d), shape);
      case INT8 ->
          OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) d), shape, OnnxJavaType.INT8);
      case UINT8 ->
          OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) d), shape, OnnxJavaType.UINT8);
      case BOOL -> {
        boolean[] b = (boolean[]) d;
        ByteBuffer buf = ByteBuffer.allocate(b.length);
        for (boolean v : b) {
          buf.put((byte) (v ? 1 : 0));
        }
        buf.flip();
        yield OnnxTensor.createTensor(env, buf, shape, OnnxJavaType.BOOL);
      }
      case BYTES -> OnnxTensor.createTensor(env, (String[]) d, shape);
      case UINT16, UINT32, UINT64 ->
          throw InvalidInputException.of(
              "inputs." + t.name() + ".datatype", t.type().name(), "a type ONNX Runtime accepts");
    };
  }

  private static Tensor fromOrt(String name, OnnxTensor ot) throws OrtException {
    TensorInfo info = ot.getInfo();
    long[] shape = info.getShape();
    DataType type = dataType(info.onnxType);
    if (type == null) {
      throw new ModelFailureException(
          "output '" + name + "' has unsupported type " + info.onnxType);
    }
    Object data =
        switch (type) {
          case FP32 -> copy(ot.getFloatBuffer());
          case FP64 -> copy(ot.getDoubleBuffer());
          case INT64 -> copy(ot.getLongBuffer());
          case INT32 -> copy(ot.getIntBuffer());
          case INT16 -> copy(ot.getShortBuffer());
          case INT8, UINT8 -> copy(ot.getByteBuffer());
          case UINT16 -> copy(raw(ot).asShortBuffer());
          case UINT32 -> copy(raw(ot).asIntBuffer());
          case UINT64 -> copy(raw(ot).asLongBuffer());
          case BOOL -> {
            ByteBuffer b = ot.getByteBuffer();
            boolean[] out = new boolean[b.remaining()];
            for (int i = 0; i < out.length; i++) {
              out[i] = b.get(i) != 0;
            }
            yield out;
          }
          case BYTES -> flattenStrings(ot.getValue(), (int) info.getNumElements());
        };
    return new Tensor(name, type, shape, data);
  }

  private static ByteBuffer raw(OnnxTensor ot) {
    return ot.getByteBuffer().order(ByteOrder.nativeOrder());
  }

  private static float[] copy(FloatBuffer b) {
    float[] a = new float[b.remaining()];
    b.get(a);
    return a;
  }

  private static double[] copy(DoubleBuffer b) {
    double[] a = new double[b.remaining()];
    b.get(a);
    return a;
  }

  private static long[] copy(LongBuffer b) {
    long[] a = new long[b.remaining()];
    b.get(a);
    return a;
  }

  private static int[] copy(IntBuffer b) {
    int[] a = new int[b.remaining()];
    b.get(a);
    return a;
  }

  private static short[] copy(ShortBuffer b) {
    short[] a = new short[b.remaining()];
    b.get(a);
    return a;
  }

  private static byte[] copy(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  private static String[] flattenStrings(Object value, int n) {
    String[] out = new String[n];
    int[] next = {0};
    flatten(value, out, next);
    return out;
  }

  private static void flatten(Object value, String[] out, int[] next) {
    if (value instanceof String s) {
      out[next[0]++] = s;
    } else if (value != null && value.getClass().isArray()) {
      for (int i = 0; i < Array.getLength(value); i++) {
        flatten(Array.get(value, i), out, next);
      }
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        try {
          session.close();
        } catch (OrtException e) {
          throw new ModelFailureException("could not close ONNX session: " + e.getMessage(), e);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
