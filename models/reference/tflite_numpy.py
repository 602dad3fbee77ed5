"""Execute a float TFLite graph op by op in numpy, as an independent reference for converters.

The ONNX converters rewrite TFLite graphs (NHWC to NCHW, fused PReLU, explicit Pad, batch-agnostic
flatten). This module shares only the FlatBuffer reader with them and runs the original operators
literally in NHWC with the graph's own fixed shapes, so a parity test against it checks those
rewrites. It computes in float64 by default so that its own rounding stays far below float32
runtime differences. It is written for clarity, not speed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "convert"))

import tflite_reader  # noqa: E402


def _apply_activation(values, activation):
    if activation == "NONE":
        return values
    if activation == "RELU":
        return np.maximum(values, 0)
    if activation == "RELU6":
        return np.clip(values, 0, 6)
    if activation == "RELU_N1_TO_1":
        return np.clip(values, -1, 1)
    if activation == "TANH":
        return np.tanh(values)
    raise NotImplementedError(f"fused activation {activation} is not supported")


def _pad_for_window(values, kernel_height, kernel_width, stride_h, stride_w, dilation_h, dilation_w, padding):
    """Zero-pads an NHWC array for a sliding window and returns it with the output height and width.

    With "SAME" the output size is ceil(input / stride). TensorFlow places floor(total / 2) of
    the padding before and the rest after, so an odd total adds one more row or column at the
    bottom or right. With "VALID" nothing is padded.
    """
    _, height, width, _ = values.shape
    span_h = (kernel_height - 1) * dilation_h + 1
    span_w = (kernel_width - 1) * dilation_w + 1
    if padding == "VALID":
        return values, (height - span_h) // stride_h + 1, (width - span_w) // stride_w + 1
    if padding != "SAME":
        raise NotImplementedError(f"padding {padding} is not supported")
    out_h = (height + stride_h - 1) // stride_h
    out_w = (width + stride_w - 1) // stride_w
    total_h = max((out_h - 1) * stride_h + span_h - height, 0)
    total_w = max((out_w - 1) * stride_w + span_w - width, 0)
    padded = np.pad(values, ((0, 0), (total_h // 2, total_h - total_h // 2),
                             (total_w // 2, total_w - total_w // 2), (0, 0)))
    return padded, out_h, out_w


def _window_slice(padded, row, column, out_h, out_w, options):
    """Returns the input pixels under kernel tap (row, column) for every output position."""
    top = row * options["dilation_h_factor"]
    left = column * options["dilation_w_factor"]
    return padded[:, top : top + (out_h - 1) * options["stride_h"] + 1 : options["stride_h"],
                  left : left + (out_w - 1) * options["stride_w"] + 1 : options["stride_w"], :]


def conv_2d(values, filters, bias, options):
    """Computes TFLite CONV_2D: values [N, H, W, I], filters [O, KH, KW, I], bias [O] or None."""
    out_channels, kernel_height, kernel_width, in_channels = filters.shape
    if values.shape[3] != in_channels:
        raise ValueError(f"CONV_2D input has {values.shape[3]} channels, filters expect {in_channels}")
    padded, out_h, out_w = _pad_for_window(values, kernel_height, kernel_width, options["stride_h"], options["stride_w"],
                                           options["dilation_h_factor"], options["dilation_w_factor"], options["padding"])
    result = np.zeros((values.shape[0], out_h, out_w, out_channels), dtype=values.dtype)
    for row in range(kernel_height):
        for column in range(kernel_width):
            patch = _window_slice(padded, row, column, out_h, out_w, options)
            result += patch @ filters[:, row, column, :].T
    if bias is not None:
        result += bias
    return _apply_activation(result, options["fused_activation_function"])


def depthwise_conv_2d(values, filters, bias, options):
    """Computes TFLite DEPTHWISE_CONV_2D: filters [1, KH, KW, I * M], output channel k reads input k // M."""
    _, kernel_height, kernel_width, out_channels = filters.shape
    in_channels = values.shape[3]
    if out_channels % in_channels:
        raise ValueError(f"DEPTHWISE_CONV_2D has {out_channels} outputs for {in_channels} inputs")
    multiplier = out_channels // in_channels
    expanded = np.repeat(values, multiplier, axis=3) if multiplier > 1 else values
    padded, out_h, out_w = _pad_for_window(expanded, kernel_height, kernel_width, options["stride_h"], options["stride_w"],
                                           options["dilation_h_factor"], options["dilation_w_factor"], options["padding"])
    result = np.zeros((values.shape[0], out_h, out_w, out_channels), dtype=values.dtype)
    for row in range(kernel_height):
        for column in range(kernel_width):
            result += _window_slice(padded, row, column, out_h, out_w, options) * filters[0, row, column, :]
    if bias is not None:
        result += bias
    return _apply_activation(result, options["fused_activation_function"])


class TfliteReference:
    """Runs subgraph 0 of a float TFLite model on NHWC input at the model's fixed batch size."""

    def __init__(self, model_path, dtype=np.float64):
        self.model = tflite_reader.load_model(model_path)
        self.subgraph = self.model.subgraphs[0]
        self.dtype = dtype
        if len(self.subgraph.inputs) != 1 or len(self.subgraph.outputs) != 1:
            raise ValueError("the reference supports one input and one output")
        self.input_shape = self.subgraph.tensors[self.subgraph.inputs[0]].shape
        self.batch_size = self.input_shape[0]

    def _value(self, values, index):
        if index in values:
            return values[index]
        tensor = self.subgraph.tensors[index]
        if tensor.data is None:
            raise ValueError(f"tensor {index} ({tensor.name!r}) is read before it is written")
        if tensor.type_name == "FLOAT32":
            return tensor.data.astype(self.dtype)
        return tensor.data

    def _run_operator(self, operator, values):
        inputs = [self._value(values, i) if i >= 0 else None for i in operator.inputs]
        options = operator.options
        kind = operator.type
        if kind == "CONV_2D":
            return conv_2d(inputs[0], inputs[1], inputs[2] if len(inputs) > 2 else None, options)
        if kind == "DEPTHWISE_CONV_2D":
            return depthwise_conv_2d(inputs[0], inputs[1], inputs[2] if len(inputs) > 2 else None, options)
        if kind == "ADD":
            return _apply_activation(inputs[0] + inputs[1], options["fused_activation_function"])
        if kind == "SUB":
            return _apply_activation(inputs[0] - inputs[1], options["fused_activation_function"])
        if kind == "MUL":
            return _apply_activation(inputs[0] * inputs[1], options["fused_activation_function"])
        if kind == "RELU":
            return np.maximum(inputs[0], 0)
        if kind == "ABS":
            return np.abs(inputs[0])
        if kind == "RESHAPE":
            # As in TFLite's RESHAPE kernel, a 1-D shape operand takes precedence over the new_shape option.
            if len(inputs) > 1 and inputs[1] is not None and np.ndim(inputs[1]) == 1:
                shape = [int(d) for d in inputs[1]]
            else:
                shape = options["new_shape"]
            return inputs[0].reshape(shape)
        raise NotImplementedError(f"operator {operator.index} has type {kind}, which the reference does not support")

    def run_batch(self, images):
        """Runs the graph once on exactly `batch_size` NHWC images and returns the output array."""
        images = np.asarray(images, dtype=self.dtype)
        if images.shape != tuple(self.input_shape):
            raise ValueError(f"input shape {images.shape} does not match the model input {self.input_shape}")
        values = {self.subgraph.inputs[0]: images}
        for operator in self.subgraph.operators:
            result = self._run_operator(operator, values)
            declared = self.subgraph.tensors[operator.outputs[0]].shape
            if result.shape != tuple(declared):
                raise ValueError(
                    f"operator {operator.index} ({operator.type}) produced shape {result.shape}, "
                    f"the model declares {tuple(declared)}"
                )
            values[operator.outputs[0]] = result
        return values[self.subgraph.outputs[0]]

    def run(self, images):
        """Runs any number of NHWC images in chunks of the model's fixed batch size.

        The last chunk is filled up with copies of its last image, as the Android app that ships
        this model does, and those extra rows are dropped from the result.
        """
        images = np.asarray(images, dtype=self.dtype)
        if images.ndim != 4 or images.shape[1:] != tuple(self.input_shape[1:]):
            raise ValueError(f"expected images of shape [N, {', '.join(map(str, self.input_shape[1:]))}], got {images.shape}")
        outputs = []
        for start in range(0, images.shape[0], self.batch_size):
            chunk = images[start : start + self.batch_size]
            count = chunk.shape[0]
            if count < self.batch_size:
                filler = np.repeat(chunk[-1:], self.batch_size - count, axis=0)
                chunk = np.concatenate([chunk, filler])
            outputs.append(self.run_batch(chunk)[:count])
        return np.concatenate(outputs)
