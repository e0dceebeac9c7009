import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";

// TF.js 4.22's wasm backend has every kernel a conv net's training needs but one: the filter
// gradient, Conv2DBackpropFilter (docs/training.md "Backends"). Without it a conv layer cannot
// train there and the daemon fell back to the cpu backend (~25 samples/s on mnist-cnn). This adds
// it: the forward conv and the input gradient stay in wasm (XNNPACK), the filter gradient is a
// direct loop over the wasm heap's arrays, checked against the cpu backend's kernel in tests.

type ConvInfoArgs = Parameters<typeof tf.backend_util.computeConv2DInfo>;

/** Conv2DBackpropFilter's attributes (tfjs-core's conv2DBackpropFilter op sets them). */
interface FilterGradAttrs {
  readonly strides: ConvInfoArgs[2];
  readonly pad: ConvInfoArgs[4];
  readonly dataFormat: "NHWC" | "NCHW";
  readonly dimRoundingMode?: ConvInfoArgs[5];
  readonly filterShape: ConvInfoArgs[1];
}

/**
 * dW[r, c, i, o] = Σ_b Σ_y Σ_x input[b, y·sh + r − top, x·sw + c − left, i] · dy[b, y, x, o]:
 * channels-last input [batch, height, width, in], dy [batch, outHeight, outWidth, out].
 */
export function conv2dFilterGradient(
  input: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dW = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  const acc = new Float64Array(outChannels);
  for (let r = 0; r < filterHeight; r++) {
    const yMin = Math.max(0, Math.ceil((top - r) / strideHeight));
    const yMax = Math.min(outHeight, Math.ceil((inHeight + top - r) / strideHeight));
    for (let c = 0; c < filterWidth; c++) {
      const xMin = Math.max(0, Math.ceil((left - c) / strideWidth));
      const xMax = Math.min(outWidth, Math.ceil((inWidth + left - c) / strideWidth));
      for (let i = 0; i < inChannels; i++) {
        acc.fill(0);
        for (let b = 0; b < batchSize; b++) {
          for (let y = yMin; y < yMax; y++) {
            const row = y * strideHeight + r - top;
            const inRow = (b * inHeight + row) * inWidth * inChannels + i;
            const dyRow = (b * outHeight + y) * outWidth * outChannels;
            for (let x = xMin; x < xMax; x++) {
              const v = input[inRow + (x * strideWidth + c - left) * inChannels]!;
              if (v === 0) continue;
              const d = dyRow + x * outChannels;
              for (let o = 0; o < outChannels; o++) acc[o]! += v * dy[d + o]!;
            }
          }
        }
        const at = ((r * filterWidth + c) * inChannels + i) * outChannels;
        for (let o = 0; o < outChannels; o++) dW[at + o] = acc[o]!;
      }
    }
  }
  return dW;
}

const filterGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as FilterGradAttrs;
  if (a.dataFormat !== "NHWC")
    throw new Error(`Conv2DBackpropFilter on wasm: data format ${a.dataFormat} is not supported (NHWC only)`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
  // Read both inputs before allocating the output: an allocation may grow the heap and detach views.
  const dW = conv2dFilterGradient(
    wasm.typedArrayFromHeap(x) as Float32Array,
    wasm.typedArrayFromHeap(dy) as Float32Array,
    info,
  );
  const out = wasm.makeOutput(info.filterShape, "float32");
  (wasm.typedArrayFromHeap(out) as Float32Array).set(dW);
  return out;
};

/**
 * Registers the filter gradient for the wasm backend, once (later calls do nothing; nor does one
 * where a later TF.js has its own). Call before training a conv net on wasm.
 * @returns whether wasm can now train conv layers.
 */
export function registerWasmConvGradients(): boolean {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm") === undefined)
    tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc: filterGradKernel });
  return tf.getKernel("Conv2DBackpropFilter", "wasm") !== undefined;
}
