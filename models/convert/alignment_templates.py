#!/usr/bin/python3
"""Four-point face alignment templates for the embedders, in output-pixel coordinates.

The detector (MediaPipe BlazeFace) gives four usable points per face, in this order: the
subject's right eye (left in the image), the subject's left eye, the nose tip and the mouth
centre. An embedder's crop is the similarity transform that maps these four points onto its
template with least squares. Run this file to print both templates as JSON.

arcface_112 (MobileFaceNet, 112x112): the standard ArcFace 5-point template with the two mouth
corners (41.5493, 92.3655) and (70.7299, 92.2041) merged into their midpoint.

dlib_chip_150 (dlib_resnet, 150x150): dlib's face descriptor was trained on "face chips" from
get_face_chip_details(shape, 150, 0.25) in dlib/image_transforms/interpolation.h. For a
68-point shape that function fits a similarity from the detected points to dlib's mean face
shape, where a mean-shape point m (coordinates in [0, 1]) lands at chip pixel

    (padding + m) / (1 + 2 * padding) * size = (0.25 + m) * 100    for size 150, padding 0.25.

So each template point is a mean-shape point, or an average of mean-shape points, mapped this
way (iBUG 68-point numbering):
    right eye   mean of points 36-41, the subject's right eye contour: m = (0.2255, 0.2160)
    left eye    mean of points 42-47:                                   m = (0.7548, 0.2160)
    nose tip    point 30:                                               m = (0.4901, 0.5156)
    mouth       midpoint of the mouth corners 48 and 54, as in the ArcFace template:
                                                                        m = (0.4901, 0.7802)
which gives (47.55, 46.60), (100.48, 46.60), (74.01, 76.56), (74.01, 103.02).

Cross-check: for dlib's 5-point shape predictor the same function uses a separate mean shape
of the four eye corners and the point under the nose. The eye-corner midpoints of that shape
map to (47.73, 47.14) and (100.28, 47.12), within 0.6 pixel of the eye centres above.

Check against the detector: on 737 news photos, with the similarity fitted to BlazeFace's two
eye points alone, the median BlazeFace nose point lands at (73.7, 77.8) and the mouth point at
(73.8, 105.0) in this chip. Those are 1.3 and 2.0 pixels below the template's nose tip and mouth
corner midpoint, so BlazeFace's mouth point lies between the corners' midpoint and the lip centre
(points 62 and 66, y 105.9). Moving the template's mouth point to the lip centre changed pair
verification on those photos by less than its fold-to-fold spread.

Compared with ArcFace scaled to 150x150, the dlib chip puts the eyes about 22 pixels higher
(y 46.6 instead of 69.1). Its eye distance is about 12% larger (52.9 instead of 47.2 pixels).
So the chip shows less forehead and more of the chin.
"""

import json

import numpy as np

POINT_NAMES = ["right_eye", "left_eye", "nose_tip", "mouth_centre"]

# The points of dlib's 68-point mean face shape that the template uses, as (x, y) in [0, 1].
# Source: mean_face_shape_x and mean_face_shape_y in get_face_chip_details,
# dlib/image_transforms/interpolation.h (davisking/dlib).
DLIB_MEAN_SHAPE = {
    30: (0.490127, 0.515625),
    36: (0.121737, 0.216423),
    37: (0.187122, 0.178758),
    38: (0.265825, 0.179852),
    39: (0.334606, 0.231733),
    40: (0.260918, 0.245099),
    41: (0.182743, 0.244077),
    42: (0.645647, 0.231733),
    43: (0.714428, 0.179852),
    44: (0.793132, 0.178758),
    45: (0.858516, 0.216423),
    46: (0.797510, 0.244077),
    47: (0.719335, 0.245099),
    48: (0.254149, 0.780233),
    54: (0.726104, 0.780233),
}

DLIB_CHIP_SIZE = 150
DLIB_CHIP_PADDING = 0.25


def dlib_chip_points(size=DLIB_CHIP_SIZE, padding=DLIB_CHIP_PADDING):
    """Compute the four template points of a dlib face chip as [x, y] chip pixels, rounded to 0.01."""

    def mean_of(indices):
        return np.mean([DLIB_MEAN_SHAPE[i] for i in indices], axis=0)

    mean_shape_points = [
        mean_of(range(36, 42)),
        mean_of(range(42, 48)),
        mean_of([30]),
        mean_of([48, 54]),
    ]
    # The same mapping as get_face_chip_details: pad the unit square on every side, then scale.
    return [
        [round(float(v), 2) for v in (padding + point) / (1 + 2 * padding) * size]
        for point in mean_shape_points
    ]


ARCFACE_112 = {
    "name": "arcface_112",
    "width": 112,
    "height": 112,
    "point_names": POINT_NAMES,
    "points": [[38.29, 51.70], [73.53, 51.50], [56.03, 71.74], [56.14, 92.28]],
}

DLIB_CHIP_150 = {
    "name": "dlib_chip_150",
    "width": DLIB_CHIP_SIZE,
    "height": DLIB_CHIP_SIZE,
    "point_names": POINT_NAMES,
    "points": dlib_chip_points(),
}

TEMPLATES = {template["name"]: template for template in (ARCFACE_112, DLIB_CHIP_150)}


if __name__ == "__main__":
    print(json.dumps(TEMPLATES, indent=2))
