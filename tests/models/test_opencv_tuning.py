"""Tests of models/convert/opencv_tuning.py: the rewritten graphs give the same outputs in OpenCV.

menjin's operators run in cv2 through the numpy versions in models/convert/menjin_layers.py. The
C++ layers are compared with OpenCV's own layers in tests/vision.

Each test builds a small graph with random weights, tunes a copy and compares the two in
OpenCV DNN on random input. Needs only Debian's python3-onnx, numpy and opencv.

    /usr/bin/python3 -m unittest discover -s tests/models -p 'test_opencv_tuning.py'
"""

import os
import sys
import unittest

import cv2
import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "convert"))

import menjin_layers  # noqa: E402
import opencv_tuning  # noqa: E402

menjin_layers.register_with_opencv(cv2)

RANDOM = np.random.RandomState(7)


def _weights(name, shape):
    return numpy_helper.from_array(RANDOM.uniform(-1, 1, shape).astype(np.float32), name)


def _model(nodes, initialisers, input_shape, output_shape):
    graph = helper.make_graph(
        nodes, "tuning_test",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
        initialisers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    return model


def _run(model, x):
    net = cv2.dnn.readNetFromONNX(np.frombuffer(model.SerializeToString(), np.uint8))
    net.setInput(x)
    return net.forward()


def _depthwise_block(channels, side, stride=1, pads=(1, 1, 1, 1), activation=True):
    """Depthwise 3x3 conv with bias, optionally followed by PRelu."""
    out = (side + pads[0] + pads[2] - 3) // stride + 1
    conv_out = "c" if activation else "y"
    nodes = [helper.make_node("Conv", ["x", "w", "b"], [conv_out], group=channels,
                              kernel_shape=[3, 3], strides=[stride, stride], pads=list(pads))]
    initialisers = [_weights("w", (channels, 1, 3, 3)), _weights("b", (channels,))]
    if activation:
        nodes.append(helper.make_node("PRelu", ["c", "slope"], ["y"]))
        initialisers.append(_weights("slope", (channels, 1, 1)))
    return _model(nodes, initialisers, [1, channels, side, side], [1, channels, out, out])


class WidenNarrowDepthwiseTest(unittest.TestCase):
    def assert_same_outputs(self, model, expected_widened, input_shape):
        x = RANDOM.uniform(-1, 1, input_shape).astype(np.float32)
        before = _run(model, x)
        tuned = type(model)()
        tuned.CopyFrom(model)
        # tune() hands 3x3 depthwise layers to the menjin layer, so these tests call the widening
        # directly.
        self.assertEqual(opencv_tuning.widen_narrow_depthwise(tuned), expected_widened)
        after = _run(tuned, x)
        self.assertEqual(before.shape, after.shape)
        np.testing.assert_allclose(after, before, rtol=0, atol=1e-5)
        return tuned

    def test_slice_follows_activation(self):
        tuned = self.assert_same_outputs(_depthwise_block(32, 14), 1,
                                         (1, 32, 14, 14))
        ops = [node.op_type for node in tuned.graph.node]
        self.assertEqual(ops, ["Conv", "PRelu", "Slice"])

    def test_narrow_layer_without_activation_is_widened(self):
        self.assert_same_outputs(_depthwise_block(16, 7, activation=False),
                                 1, (1, 16, 7, 7))

    def test_narrow_stride_two_layer_keeps_its_sampling_grid(self):
        self.assert_same_outputs(_depthwise_block(16, 14, stride=2, pads=(0, 0, 1, 1)),
                                 1, (1, 16, 14, 14))

    def test_wide_layer_is_left_alone(self):
        self.assert_same_outputs(_depthwise_block(8, 28), 0,
                                 (1, 8, 28, 28))

    def test_one_column_output_kept(self):
        channels = 8
        model = _model([helper.make_node("Conv", ["x", "w"], ["y"], group=channels, kernel_shape=[7, 7])],
                       [_weights("w", (channels, 1, 7, 7))], [1, channels, 7, 7], [1, channels, 1, 1])
        self.assert_same_outputs(model, 0, (1, channels, 7, 7))


class FoldPadsIntoConvsTest(unittest.TestCase):
    def test_spatial_pad_before_conv_is_folded(self):
        pads = numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, 1, 1], np.int64), "pads")
        model = _model(
            [helper.make_node("Pad", ["x", "pads"], ["p"], mode="constant"),
             helper.make_node("Conv", ["p", "w", "b"], ["y"], kernel_shape=[3, 3], strides=[2, 2])],
            [pads, _weights("w", (4, 3, 3, 3)), _weights("b", (4,))], [1, 3, 20, 20], [1, 4, 10, 10])
        x = RANDOM.uniform(-1, 1, (1, 3, 20, 20)).astype(np.float32)
        before = _run(model, x)
        self.assertEqual(opencv_tuning.tune(model), {"pads_folded": 1, "residual_blocks_fused": 0, "depthwise_replaced": 0, "depthwise_widened": 0})
        self.assertEqual([node.op_type for node in model.graph.node], ["Conv"])
        np.testing.assert_allclose(_run(model, x), before, rtol=0, atol=1e-5)

    def test_channel_pad_is_kept(self):
        pads = numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 2, 0, 0], np.int64), "pads")
        model = _model(
            [helper.make_node("Pad", ["x", "pads"], ["p"], mode="constant"),
             helper.make_node("Conv", ["p", "w"], ["y"], kernel_shape=[1, 1])],
            [pads, _weights("w", (4, 5, 1, 1))], [1, 3, 8, 8], [1, 4, 8, 8])
        self.assertEqual(opencv_tuning.tune(model), {"pads_folded": 0, "residual_blocks_fused": 0, "depthwise_replaced": 0, "depthwise_widened": 0})


def _residual_block(channels, side, depthwise_bias=True, residual="x"):
    """relu(residual + pointwise(depthwise(x))) with random weights."""
    depthwise_inputs = ["x", "dw"] + (["dwb"] if depthwise_bias else [])
    nodes = [helper.make_node("Conv", depthwise_inputs, ["d"], group=channels, kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Conv", ["d", "pw", "pwb"], ["p"], kernel_shape=[1, 1]),
             helper.make_node("Add", [residual, "p"], ["s"]),
             helper.make_node("Relu", ["s"], ["y"])]
    initialisers = [_weights("dw", (channels, 1, 3, 3)), _weights("pw", (channels, channels, 1, 1)),
                    _weights("pwb", (channels,))]
    if depthwise_bias:
        initialisers.append(_weights("dwb", (channels,)))
    return _model(nodes, initialisers, [1, channels, side, side], [1, channels, side, side])


class FuseResidualBlocksTest(unittest.TestCase):
    def tune_and_compare(self, model, counts, input_shape):
        x = RANDOM.uniform(-1, 1, input_shape).astype(np.float32)
        before = _run(model, x)
        self.assertEqual(opencv_tuning.tune(model), counts)
        np.testing.assert_allclose(_run(model, x), before, rtol=0, atol=1e-5)

    def test_block_becomes_one_node(self):
        model = _residual_block(8, 12)
        self.tune_and_compare(model, {"pads_folded": 0, "residual_blocks_fused": 1, "depthwise_replaced": 0, "depthwise_widened": 0},
                              (1, 8, 12, 12))
        self.assertEqual([(n.domain, n.op_type) for n in model.graph.node],
                         [("menjin", "SeparableResidualBlock")])
        self.assertEqual(opencv_tuning.custom_layers(model), ["menjin.SeparableResidualBlock"])
        self.assertIn("menjin", [opset.domain for opset in model.opset_import])

    def test_block_without_depthwise_bias_gets_zero_bias(self):
        model = _residual_block(4, 20, depthwise_bias=False)
        self.tune_and_compare(model, {"pads_folded": 0, "residual_blocks_fused": 1, "depthwise_replaced": 0, "depthwise_widened": 0},
                              (1, 4, 20, 20))

    def test_sum_with_another_tensor_is_not_a_block(self):
        model = _residual_block(4, 20, residual="d")
        self.tune_and_compare(model, {"pads_folded": 0, "residual_blocks_fused": 0, "depthwise_replaced": 1, "depthwise_widened": 0},
                              (1, 4, 20, 20))
        self.assertEqual(opencv_tuning.custom_layers(model), ["menjin.Depthwise3x3"])

    def test_narrow_block_is_fused_and_later_layer_replaced(self):
        channels = 8
        model = _residual_block(channels, 16)
        model.graph.node.append(helper.make_node("Conv", ["y", "w2"], ["z"], group=channels,
                                                 kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1]))
        model.graph.initializer.append(_weights("w2", (channels, 1, 3, 3)))
        del model.graph.output[:]
        model.graph.output.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, channels, 8, 8]))
        self.tune_and_compare(model, {"pads_folded": 0, "residual_blocks_fused": 1, "depthwise_replaced": 1, "depthwise_widened": 0},
                              (1, channels, 16, 16))


class ReplaceDepthwiseTest(unittest.TestCase):
    def tune_and_compare(self, model, replaced, input_shape):
        x = RANDOM.uniform(-1, 1, input_shape).astype(np.float32)
        before = _run(model, x)
        self.assertEqual(opencv_tuning.tune(model)["depthwise_replaced"], replaced)
        np.testing.assert_allclose(_run(model, x), before, rtol=0, atol=1e-5)
        return [(node.domain, node.op_type, len(node.input)) for node in model.graph.node]

    def test_uneven_stride_two_layer_takes_its_prelu(self):
        model = _depthwise_block(16, 14, stride=2, pads=(0, 0, 1, 1))
        nodes = self.tune_and_compare(model, 1, (1, 16, 14, 14))
        self.assertEqual(nodes, [("menjin", "Depthwise3x3", 4)])

    def test_layer_without_activation_keeps_its_output(self):
        model = _depthwise_block(8, 9, pads=(1, 2, 1, 0), activation=False)
        nodes = self.tune_and_compare(model, 1, (1, 8, 9, 9))
        self.assertEqual(nodes, [("menjin", "Depthwise3x3", 3)])

    def test_other_kernels_and_strides_are_left_alone(self):
        channels = 8
        for kernel, stride in ((5, 1), (3, 3)):
            model = _model([helper.make_node("Conv", ["x", "w"], ["y"], group=channels,
                                             kernel_shape=[kernel, kernel], strides=[stride, stride])],
                           [_weights("w", (channels, 1, kernel, kernel))], [1, channels, 12, 12],
                           [1, channels, (12 - kernel) // stride + 1, (12 - kernel) // stride + 1])
            self.tune_and_compare(model, 0, (1, channels, 12, 12))


if __name__ == "__main__":
    unittest.main()
