"""Plain numpy implementation of face-api.js's face recognition network, used to check the ONNX.

It reads the tfjs weights manifest and .bin of @vladmandic/face-api itself. It then follows the
TensorFlow.js code of src/faceRecognitionNet step by step in NHWC layout: convolution, bias and the
separate per-channel scale layer, with the downsampling shortcut built by concatenating zeros as
face-api does. It shares no code with models/convert/faceapi_resnet.py, so a mistake in the
converter's weight loading, layout transposes, scale folding or padding shows up as a mismatch.
Computation is in float64 so that the reference itself adds almost no rounding error.
"""

import json
import os

import numpy as np

MANIFEST_NAME = "face_recognition_model-weights_manifest.json"


def read_weights(model_folder):
    """Read and dequantise the weights in model_folder into {tfjs weight name: float64 array}."""
    with open(os.path.join(model_folder, MANIFEST_NAME)) as f:
        manifest = json.load(f)

    tensors = {}
    for group in manifest:
        blob = bytearray()
        for path in group["paths"]:
            with open(os.path.join(model_folder, path), "rb") as f:
                blob.extend(f.read())
        position = 0
        for spec in group["weights"]:
            size = 1
            for dimension in spec["shape"]:
                size *= dimension
            quantization = spec.get("quantization")
            if quantization is None:
                raw = np.frombuffer(blob, dtype="<f4", count=size, offset=position)
                values = raw.astype(np.float64)
            else:
                stored = np.dtype(quantization["dtype"]).newbyteorder("<")
                raw = np.frombuffer(blob, dtype=stored, count=size, offset=position)
                values = raw.astype(np.float64) * quantization["scale"] + quantization["min"]
            position += raw.nbytes
            tensors[spec["name"]] = values.reshape(spec["shape"])
        if position != len(blob):
            raise ValueError(f"{len(blob) - position} unread bytes in the weights of {model_folder}")
    return tensors


def convolve(x, filters, stride, padding):
    """2-D convolution of NHWC x with HWIO filters, 'same' or 'valid' as tf.conv2d defines them."""
    kernel_height, kernel_width, in_channels, out_channels = filters.shape
    if padding == "same":
        # For the odd kernels and stride 1 used here, tf's 'same' pads k // 2 on each side.
        if stride != 1 or kernel_height % 2 == 0:
            raise ValueError(f"'same' padding is implemented for stride 1 and odd kernels only, "
                             f"not stride {stride} with kernel height {kernel_height}")
        pad = kernel_height // 2
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    batch, height, width, _ = x.shape
    out_height = (height - kernel_height) // stride + 1
    out_width = (width - kernel_width) // stride + 1

    # Gather every kernel-sized patch into one row, then multiply by the flattened filters.
    columns = np.empty((batch, out_height, out_width, kernel_height, kernel_width, in_channels))
    for row in range(kernel_height):
        for column in range(kernel_width):
            columns[:, :, :, row, column, :] = x[
                :,
                row : row + stride * out_height : stride,
                column : column + stride * out_width : stride,
                :,
            ]
    columns = columns.reshape(batch * out_height * out_width, -1)
    out = columns @ filters.reshape(-1, out_channels)
    return out.reshape(batch, out_height, out_width, out_channels)


def pool(x, size, stride, reduce):
    """Max or average pooling over NHWC x with 'valid' padding."""
    batch, height, width, channels = x.shape
    out_height = (height - size) // stride + 1
    out_width = (width - size) // stride + 1
    windows = np.stack(
        [
            x[:, row : row + stride * out_height : stride, column : column + stride * out_width : stride, :]
            for row in range(size)
            for column in range(size)
        ]
    )
    return reduce(windows, axis=0)


def conv_layer(x, tensors, prefix, stride, padding, relu):
    out = convolve(x, tensors[f"{prefix}/conv/filters"], stride, padding)
    out = out + tensors[f"{prefix}/conv/bias"]
    out = out * tensors[f"{prefix}/scale/weights"] + tensors[f"{prefix}/scale/biases"]
    return np.maximum(out, 0.0) if relu else out


def residual(x, tensors, prefix):
    out = conv_layer(x, tensors, f"{prefix}/conv1", 1, "same", relu=True)
    out = conv_layer(out, tensors, f"{prefix}/conv2", 1, "same", relu=False)
    return np.maximum(out + x, 0.0)


def residual_down(x, tensors, prefix):
    out = conv_layer(x, tensors, f"{prefix}/conv1", 2, "valid", relu=True)
    out = conv_layer(out, tensors, f"{prefix}/conv2", 1, "same", relu=False)

    pooled = pool(x, 2, 2, np.mean)
    if pooled.shape[1:3] != out.shape[1:3]:
        # Append one zero row and one zero column, as face-api.js does when the sizes differ.
        batch, height, width, channels = out.shape
        out = np.concatenate([out, np.zeros((batch, 1, width, channels))], axis=1)
        out = np.concatenate([out, np.zeros((batch, height + 1, 1, channels))], axis=2)
    if pooled.shape[3] != out.shape[3]:
        pooled = np.concatenate([pooled, np.zeros_like(pooled)], axis=3)
    return np.maximum(pooled + out, 0.0)


class FaceApiResnet:
    """The 128-d face descriptor network with weights from a face-api.js model folder."""

    def __init__(self, model_folder):
        self.tensors = read_weights(model_folder)

    def forward(self, batch):
        """Compute raw descriptors [N, 128] from normalised NHWC RGB input [N, 150, 150, 3]."""
        t = self.tensors
        x = np.asarray(batch, dtype=np.float64)
        x = conv_layer(x, t, "conv32_down", 2, "valid", relu=True)
        x = pool(x, 3, 2, np.max)

        for prefix in ("conv32_1", "conv32_2", "conv32_3"):
            x = residual(x, t, prefix)
        x = residual_down(x, t, "conv64_down")
        for prefix in ("conv64_1", "conv64_2", "conv64_3"):
            x = residual(x, t, prefix)
        x = residual_down(x, t, "conv128_down")
        for prefix in ("conv128_1", "conv128_2"):
            x = residual(x, t, prefix)
        x = residual_down(x, t, "conv256_down")
        for prefix in ("conv256_1", "conv256_2"):
            x = residual(x, t, prefix)
        x = residual_down(x, t, "conv256_down_out")

        return x.mean(axis=(1, 2)) @ t["fc"]
