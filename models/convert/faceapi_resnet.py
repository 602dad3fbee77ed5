#!/usr/bin/python3
"""Convert the face-api.js face recognition weights (dlib's ResNet face descriptor) to ONNX.

@vladmandic/face-api ships the weights of dlib_face_recognition_resnet_model_v1 as a TensorFlow.js
weights manifest plus one .bin file, with no graph. This module rebuilds the graph from the
architecture that face-api's src/faceRecognitionNet and dlib's dnn_face_recognition_ex.cpp
define, so the C++ side can run it through cv::dnn (OpenCV 4.6) without a JavaScript runtime.

Network (input 3x150x150, NCHW, already normalised as (pixel - mean) / 256 by the caller):
    conv 7x7/2 valid, 32 -> affine -> ReLU -> max pool 3x3/2 valid        72x72 -> 35x35
    3 x residual(32)                                                        35x35
    residual_down(64), 3 x residual(64)                                     17x17
    residual_down(128), 2 x residual(128)                                   8x8
    residual_down(256), 2 x residual(256)                                   4x4 (main branch 3x3)
    residual_down(256)                                                      2x2 (main branch 1x1)
    global average pool -> fully connected 256 -> 128 without bias

residual(C):       relu(x + affine(conv3x3(relu(affine(conv3x3(x))))))
residual_down(C):  relu(avgpool2x2/2(x) zero-padded to C channels
                        + affine(conv3x3(relu(affine(conv3x3/2 valid(x))))) zero-padded
                          at the bottom and right to the shortcut's height and width)

"affine" is the per-channel scale and bias that dlib substitutes for batch normalisation at
inference time. It is folded into the preceding convolution here.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from onnx_graph import GraphBuilder, save  # noqa: E402

PACKAGE_NAME = "@vladmandic/face-api"
PACKAGE_VERSION = "1.7.15"
MANIFEST_PATH = "model/face_recognition_model-weights_manifest.json"
WEIGHTS_PATH = "model/face_recognition_model.bin"

INPUT_SIZE = 150
INPUT_NAME = "input"
OUTPUT_NAME = "embedding"
OUTPUT_DIM = 128

# dlib's input_rgb_image_sized subtracts these RGB means and divides by 256. face-api.js divides
# by 255 instead. This model follows dlib, because dlib trained the weights with that scaling.
MEAN_RGB = [122.782, 117.001, 104.298]
STD_RGB = [256.0, 256.0, 256.0]

ALIGNMENT_TEMPLATE = "dlib_chip_150"

# Residual stages in execution order: (weights prefix, output channels, downsamples).
RESIDUAL_STAGES = [
    ("conv32_1", 32, False),
    ("conv32_2", 32, False),
    ("conv32_3", 32, False),
    ("conv64_down", 64, True),
    ("conv64_1", 64, False),
    ("conv64_2", 64, False),
    ("conv64_3", 64, False),
    ("conv128_down", 128, True),
    ("conv128_1", 128, False),
    ("conv128_2", 128, False),
    ("conv256_down", 256, True),
    ("conv256_1", 256, False),
    ("conv256_2", 256, False),
    ("conv256_down_out", 256, True),
]

# numpy types for the stored tfjs dtypes that this loader supports.
STORED_DTYPES = {"uint8": np.uint8, "uint16": np.uint16, "float32": np.float32}


def load_tfjs_weights(package_root):
    """Read and dequantise every tensor of the face recognition model.

    Returns a dict from tfjs weight name to a float32 array in the manifest's shape (filters are
    HWIO). Quantised entries are dequantised as q * scale + min. Entries without a quantization
    block are raw little-endian float32, which is how the conv64_* filters are stored.
    """
    manifest_file = os.path.join(package_root, MANIFEST_PATH)
    with open(manifest_file) as f:
        groups = json.load(f)

    weights = {}
    model_folder = os.path.dirname(manifest_file)
    for group in groups:
        data = b"".join(_read_bytes(os.path.join(model_folder, p)) for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            quantization = entry.get("quantization")
            stored = quantization["dtype"] if quantization else entry["dtype"]
            if stored not in STORED_DTYPES or entry["dtype"] != "float32":
                raise ValueError(
                    f"weight {entry['name']} in {manifest_file} has dtype {entry['dtype']} "
                    f"stored as {stored}, but this loader reads only float32 weights stored as "
                    f"{', '.join(STORED_DTYPES)}"
                )
            dtype = np.dtype(STORED_DTYPES[stored]).newbyteorder("<")
            count = int(np.prod(entry["shape"]))
            end = offset + count * dtype.itemsize
            if end > len(data):
                raise ValueError(
                    f"weight {entry['name']} needs bytes {offset}..{end} but the weight files "
                    f"of {manifest_file} hold only {len(data)} bytes"
                )
            values = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
            values = values.astype(np.float64)
            if quantization:
                values = values * quantization["scale"] + quantization["min"]
            weights[entry["name"]] = values.astype(np.float32).reshape(entry["shape"])
            offset = end
        if offset != len(data):
            raise ValueError(
                f"{len(data) - offset} bytes left over after the last weight of {manifest_file}. "
                "The manifest and the .bin file do not match, so re-fetch the package."
            )
    return weights


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def fold_conv_affine(weights, prefix):
    """Fold conv bias and the per-channel affine layer into one OIHW kernel and bias.

    affine(conv(x) + b) = s * conv(x) + (s * b + beta), so scaling output channel o of the
    kernel by s[o] gives the same result with a single convolution.
    """
    filters = weights[f"{prefix}/conv/filters"]  # HWIO, as tfjs stores it
    bias = weights[f"{prefix}/conv/bias"]
    scale = weights[f"{prefix}/scale/weights"]
    shift = weights[f"{prefix}/scale/biases"]

    kernel = filters.astype(np.float64).transpose(3, 2, 0, 1) * scale[:, None, None, None]
    folded_bias = bias.astype(np.float64) * scale + shift
    return kernel.astype(np.float32), folded_bias.astype(np.float32)


def conv_output_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


class ResnetBuilder:
    """Builder of the network's ONNX graph, which tracks the static spatial size of each block."""

    def __init__(self, weights):
        self.weights = weights
        self.graph = GraphBuilder("dlib_resnet")

    def conv(self, x, prefix, stride, padding, relu):
        kernel, bias = fold_conv_affine(self.weights, prefix)
        size = kernel.shape[2]
        out = self.graph.op(
            "Conv",
            [x, self.graph.const(f"{prefix}/kernel", kernel), self.graph.const(f"{prefix}/bias", bias)],
            base=f"{prefix}/conv",
            kernel_shape=[size, size],
            strides=[stride, stride],
            pads=[padding] * 4,
        )
        if relu:
            out = self.graph.op("Relu", [out], base=f"{prefix}/relu")
        return out

    def residual(self, x, prefix):
        out = self.conv(x, f"{prefix}/conv1", stride=1, padding=1, relu=True)
        out = self.conv(out, f"{prefix}/conv2", stride=1, padding=1, relu=False)
        out = self.graph.op("Add", [out, x], base=f"{prefix}/add")
        return self.graph.op("Relu", [out], base=f"{prefix}/relu")

    def residual_down(self, x, prefix, in_channels, out_channels, size):
        """Emit a downsampling block and return (output name, output spatial size)."""
        # dlib's con_ and pooling layers default to padding 0 when the stride is not 1
        # (dlib/dnn/layers.h).
        out = self.conv(x, f"{prefix}/conv1", stride=2, padding=0, relu=True)
        out = self.conv(out, f"{prefix}/conv2", stride=1, padding=1, relu=False)
        main_size = conv_output_size(size, 3, 2, 0)

        shortcut = self.graph.op(
            "AveragePool", [x], base=f"{prefix}/shortcut_pool", kernel_shape=[2, 2], strides=[2, 2]
        )
        shortcut_size = conv_output_size(size, 2, 2, 0)
        if out_channels > in_channels:
            # dlib's add_prev sums into a tensor of the larger size and treats missing channels
            # as zeros. OpenCV 4.6 accepts a constant Pad on the channel axis, checked at batch 1
            # and 4 with cv2 4.6.0.
            pads = [0, 0, 0, 0, 0, out_channels - in_channels, 0, 0]
            shortcut = self.graph.op(
                "Pad",
                [shortcut, self.graph.const(f"{prefix}/shortcut_pads", np.array(pads))],
                base=f"{prefix}/shortcut_pad",
                mode="constant",
            )

        # With even input sizes the valid 3x3/2 convolution gives one row and column fewer than
        # the 2x2/2 pool (8 -> 3 vs 4, 4 -> 1 vs 2). dlib's add_prev then pads the smaller tensor
        # with zeros at the bottom and right, so the sum keeps the shortcut's size.
        if main_size != shortcut_size:
            grow = shortcut_size - main_size
            pads = [0, 0, 0, 0, 0, 0, grow, grow]
            out = self.graph.op(
                "Pad",
                [out, self.graph.const(f"{prefix}/main_pads", np.array(pads))],
                base=f"{prefix}/main_pad",
                mode="constant",
            )

        out = self.graph.op("Add", [out, shortcut], base=f"{prefix}/add")
        out = self.graph.op("Relu", [out], base=f"{prefix}/relu")
        return out, shortcut_size

    def build(self):
        x = self.conv(INPUT_NAME, "conv32_down", stride=2, padding=0, relu=True)
        size = conv_output_size(INPUT_SIZE, 7, 2, 0)
        x = self.graph.op("MaxPool", [x], base="max_pool", kernel_shape=[3, 3], strides=[2, 2])
        size = conv_output_size(size, 3, 2, 0)

        channels = 32
        for prefix, out_channels, downsamples in RESIDUAL_STAGES:
            if downsamples:
                x, size = self.residual_down(x, prefix, channels, out_channels, size)
            else:
                x = self.residual(x, prefix)
            channels = out_channels

        x = self.graph.op("GlobalAveragePool", [x], base="global_average_pool")
        x = self.graph.op("Flatten", [x], base="flatten", axis=1)
        # tfjs stores fc as [256, 128] and computes x @ fc. OpenCV 4.6 imports MatMul with a
        # constant right-hand side as a fully connected layer.
        fc = self.weights["fc"]
        if fc.shape != (channels, OUTPUT_DIM):
            raise ValueError(f"expected fc of shape {(channels, OUTPUT_DIM)}, found {fc.shape}")
        self.graph.op("MatMul", [x, self.graph.const("fc/weights", fc)], base=OUTPUT_NAME)

        return self.graph.build(
            [(INPUT_NAME, ["N", 3, INPUT_SIZE, INPUT_SIZE])],
            [(OUTPUT_NAME, ["N", OUTPUT_DIM])],
            doc=(
                "dlib_face_recognition_resnet_model_v1 rebuilt from "
                f"{PACKAGE_NAME}@{PACKAGE_VERSION} {WEIGHTS_PATH}. Input RGB NCHW 150x150 as "
                "(pixel - mean) / 256, output 128-d descriptor, not L2-normalised."
            ),
        )


def convert(package_root: str, out_path: str) -> dict:
    """Write the ONNX model to out_path and return its manifest entry without sha256."""
    weights = load_tfjs_weights(package_root)
    model = ResnetBuilder(weights).build()
    out_folder = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_folder, exist_ok=True)
    save(model, out_path)

    return {
        "name": "dlib_resnet",
        "role": "embedder",
        "family": "generic",
        "file": os.path.basename(out_path),
        "source": {"package": PACKAGE_NAME, "version": PACKAGE_VERSION, "path": WEIGHTS_PATH},
        "input": {"width": INPUT_SIZE, "height": INPUT_SIZE, "color": "RGB", "layout": "NCHW"},
        "preprocess": {"mean": MEAN_RGB, "std": STD_RGB},
        "alignment": ALIGNMENT_TEMPLATE,
        "output_dim": OUTPUT_DIM,
        "output": OUTPUT_NAME,
        "license": (
            "MIT (npm package @vladmandic/face-api). The weights are dlib's "
            "dlib_face_recognition_resnet_model_v1, trained by Davis King according to the "
            "package's TUTORIAL.md. The package states no separate licence for the weights."
        ),
        "provenance": (
            "The package ships weights only, so models/convert/faceapi_resnet.py rebuilds the "
            "graph from the architecture in face-api's src/faceRecognitionNet and dlib's "
            "dnn_face_recognition_ex.cpp. Most tensors are uint8-quantised per tensor "
            "(value = q * scale + min, 256 levels per tensor), so the weights are not dlib's "
            "float originals. The conv64_* filters are stored as float32. The "
            "per-channel affine layers are folded into the convolutions. Preprocessing divides by "
            "256 as dlib does, where face-api.js divides by 255. Checked against an independent "
            "numpy implementation (models/reference/faceapi_numpy.py) in "
            "tests/models/test_faceapi_resnet.py; not yet checked against dlib itself."
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package", required=True, help="unpacked @vladmandic/face-api package folder"
    )
    parser.add_argument("--out", required=True, help="path of the ONNX file to write")
    args = parser.parse_args()
    entry = convert(args.package, args.out)
    print(json.dumps(entry, indent=2))


if __name__ == "__main__":
    main()
