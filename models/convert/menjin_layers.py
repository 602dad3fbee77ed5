"""menjin's own ONNX operators, which OpenCV runs as custom layers.

SeparableResidualBlock (domain "menjin", version 1) is relu(x + pointwise(depthwise(x))): a 3x3
depthwise convolution with padding 1 and bias, then a 1x1 convolution back to the same number of
channels with bias, the residual addition and a ReLU. Inputs: x (NCHW), depthwise weights
(C, 1, 3, 3), depthwise bias (C), pointwise weights (C, C, 1, 1), pointwise bias (C). menjin's
C++ layer (src/vision/separable_residual_layer.cc) computes it in one pass.

Depthwise3x3 (domain "menjin", version 1) is a 3x3 depthwise convolution with bias. It takes the
Conv attributes strides ([1, 1] or [2, 2]) and pads (top, left, bottom, right, each 0 to 2). A
per-channel PReLU follows when a fourth input gives the slopes. Inputs: x, weights (C, 1, 3, 3),
bias (C), optional slopes (C). menjin's C++ layer (src/vision/depthwise_layer.cc) pads in cache
instead of through a separate Padding layer.

The numpy versions here let Python's cv2 load the same files in the model tests.
"""

import numpy as np

DOMAIN = "menjin"
DOMAIN_VERSION = 1
SEPARABLE_RESIDUAL_BLOCK = "SeparableResidualBlock"
DEPTHWISE_3X3 = "Depthwise3x3"


def separable_residual_block(x, depthwise, depthwise_bias, pointwise, pointwise_bias):
    """Computes the block from its definition in float64 and returns float32."""
    x = np.asarray(x, np.float64)
    channels = x.shape[1]
    kernel = np.asarray(depthwise, np.float64).reshape(channels, 3, 3)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    height, width = x.shape[2], x.shape[3]
    d = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            d += padded[:, :, i:i + height, j:j + width] * kernel[None, :, i, j, None, None]
    d += np.asarray(depthwise_bias, np.float64).reshape(1, channels, 1, 1)
    mix = np.asarray(pointwise, np.float64).reshape(channels, channels)
    out = np.einsum("kc,nchw->nkhw", mix, d)
    out += np.asarray(pointwise_bias, np.float64).reshape(1, channels, 1, 1)
    return np.maximum(out + x, 0).astype(np.float32)


def depthwise_3x3(x, weights, bias, slope=None, strides=(1, 1), pads=(0, 0, 0, 0)):
    """Computes Depthwise3x3 from its definition in float64 and returns float32."""
    x = np.asarray(x, np.float64)
    channels, stride = x.shape[1], strides[0]
    kernel = np.asarray(weights, np.float64).reshape(channels, 3, 3)
    top, left, bottom, right = pads
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    height = (padded.shape[2] - 3) // stride + 1
    width = (padded.shape[3] - 3) // stride + 1
    out = np.zeros((x.shape[0], channels, height, width))
    for i in range(3):
        for j in range(3):
            window = padded[:, :, i:i + stride * (height - 1) + 1:stride,
                            j:j + stride * (width - 1) + 1:stride]
            out += window * kernel[None, :, i, j, None, None]
    out += np.asarray(bias, np.float64).reshape(1, channels, 1, 1)
    if slope is not None:
        slopes = np.asarray(slope, np.float64).reshape(1, channels, 1, 1)
        out = np.where(out < 0, out * slopes, out)
    return out.astype(np.float32)


class _OpenCvSeparableResidualBlock:
    """The numpy block in the shape cv2.dnn_registerLayer expects."""

    def __init__(self, params, blobs):
        self.weights = blobs

    def getMemoryShapes(self, inputs):  # noqa: N802 (name fixed by OpenCV)
        return [inputs[0]]

    def forward(self, inputs):
        return [separable_residual_block(inputs[0], *self.weights)]


class _OpenCvDepthwise3x3:
    """The numpy depthwise layer in the shape cv2.dnn_registerLayer expects. OpenCV passes the
    node's strides and pads attributes on as "stride" and "pad"."""

    def __init__(self, params, blobs):
        self.weights = blobs
        self.strides = tuple(params.get("stride", (1, 1)))
        self.pads = tuple(params.get("pad", (0, 0, 0, 0)))

    def getMemoryShapes(self, inputs):  # noqa: N802 (name fixed by OpenCV)
        n, c, h, w = inputs[0]
        top, left, bottom, right = self.pads
        stride = self.strides[0]
        return [[n, c, (h + top + bottom - 3) // stride + 1, (w + left + right - 3) // stride + 1]]

    def forward(self, inputs):
        slope = self.weights[2] if len(self.weights) > 2 else None
        return [depthwise_3x3(inputs[0], self.weights[0], self.weights[1], slope,
                              self.strides, self.pads)]


def opencv_type(op_type):
    """Returns the layer type OpenCV gives a node of one of these operators."""
    return DOMAIN + "." + op_type


_registered = []


def register_with_opencv(cv2):
    """Lets cv2.dnn read graphs with menjin's operators. Registration is process-wide and OpenCV
    rejects a second one, so later calls do nothing."""
    if not _registered:
        cv2.dnn_registerLayer(opencv_type(SEPARABLE_RESIDUAL_BLOCK), _OpenCvSeparableResidualBlock)
        cv2.dnn_registerLayer(opencv_type(DEPTHWISE_3X3), _OpenCvDepthwise3x3)
        _registered.append(True)
