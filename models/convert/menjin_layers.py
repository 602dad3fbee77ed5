"""menjin's own ONNX operators, which OpenCV runs as custom layers.

SeparableResidualBlock (domain "menjin", version 1) is relu(x + pointwise(depthwise(x))): a 3x3
depthwise convolution with padding 1 and bias, then a 1x1 convolution back to the same number of
channels with bias, the residual addition and a ReLU. Inputs: x (NCHW), depthwise weights
(C, 1, 3, 3), depthwise bias (C), pointwise weights (C, C, 1, 1), pointwise bias (C). menjin's
C++ layer (src/vision/separable_residual_layer.cc) computes it in one pass; the numpy version here
lets Python's cv2 load the same files in the model tests.
"""

import numpy as np

DOMAIN = "menjin"
DOMAIN_VERSION = 1
SEPARABLE_RESIDUAL_BLOCK = "SeparableResidualBlock"
# The layer type OpenCV gives a node of this operator: domain, dot, op type.
OPENCV_TYPE = DOMAIN + "." + SEPARABLE_RESIDUAL_BLOCK


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


class _OpenCvSeparableResidualBlock:
    """The numpy block in the shape cv2.dnn_registerLayer expects."""

    def __init__(self, params, blobs):
        self.weights = blobs

    def getMemoryShapes(self, inputs):  # noqa: N802 (name fixed by OpenCV)
        return [inputs[0]]

    def forward(self, inputs):
        return [separable_residual_block(inputs[0], *self.weights)]


_registered = []


def register_with_opencv(cv2):
    """Lets cv2.dnn read graphs with menjin's operators. Registration is process-wide; OpenCV
    refuses a second one, so later calls do nothing."""
    if not _registered:
        cv2.dnn_registerLayer(OPENCV_TYPE, _OpenCvSeparableResidualBlock)
        _registered.append(OPENCV_TYPE)
