#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision/face.h"

namespace menjin {

// Anchor layout of a BlazeFace model: one grid per head, given as its cells across the input
// width, with a number of anchors per cell. MediaPipe's face models use grids 16 and 8 with 2
// and 6 anchors per cell. The cells are square, so an input less tall than wide has fewer rows.
struct BlazeFaceAnchors {
    std::vector<int> grids{16, 8};
    std::vector<int> per_cell{2, 6};
};

// Returns anchor centres in [0, 1] input coordinates (x across the width, y down the height) for
// an input of `input` pixels, in the order of the model's outputs: grid by grid, row by row,
// cell by cell. The input height must contain a whole number of cells of every grid.
std::vector<cv::Point2f> MakeAnchorCentres(const BlazeFaceAnchors& layout,
                                           cv::Size input = cv::Size(1, 1));

// How an image was scaled and padded into the detector input, and back.
struct Letterbox {
    float scale = 1;  // input pixels per image pixel
    float pad_x = 0;  // input pixels added on the left
    float pad_y = 0;  // input pixels added on the top
    cv::Size input;   // detector input in pixels

    // Returns the letterbox that scales the longer side of `image` to `side` pixels and centres
    // it in an input `side` pixels wide. The input is `side` pixels tall too, unless
    // `height_step` is above 0 and the image is no wider than 16:9: then it is the smallest
    // multiple of `height_step` that contains the scaled image, so a wide frame needs fewer rows.
    static Letterbox Fit(cv::Size image, int side, int height_step = 0);

    // Maps a point in [0, 1] input coordinates to image pixels.
    cv::Point2f ToImage(cv::Point2f normalised) const;
};

// Decodes raw outputs of one image into faces in image pixels. `scores` holds one logit per
// anchor and `regressors` 16 values per anchor (centre offset, width, height, six keypoints,
// all in input pixels relative to the anchor centre). Anchors whose sigmoid score is below
// `score_threshold` are skipped. The result is not yet suppressed.
std::vector<DetectedFace> DecodeBlazeFace(const float* scores, const float* regressors,
                                          const std::vector<cv::Point2f>& anchors,
                                          const Letterbox& letterbox, float score_threshold);

// Merges overlapping detections as MediaPipe does: each cluster of faces whose boxes overlap the
// best remaining one by more than `iou` becomes one face whose box and keypoints are the
// score-weighted mean of the cluster, with the best score. Returns faces sorted by score.
std::vector<DetectedFace> WeightedNonMaxSuppression(std::vector<DetectedFace> faces, float iou);

// Returns the intersection over union of two boxes, 0 when either is empty.
float IntersectionOverUnion(const cv::Rect2f& a, const cv::Rect2f& b);

}  // namespace menjin
