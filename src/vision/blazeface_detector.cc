#include "vision/blazeface_detector.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "vision/onnx_net.h"

namespace menjin {

BlazeFaceDetector::BlazeFaceDetector(cv::dnn::Net net, ModelSpec spec, DetectorOptions options)
    : net_(std::move(net)),
      spec_(std::move(spec)),
      options_(options),
      anchors_(MakeAnchorCentres(BlazeFaceAnchors{})) {
    output_names_ = {
        spec_.outputs.count("scores") ? spec_.outputs.at("scores") : "scores",
        spec_.outputs.count("regressors") ? spec_.outputs.at("regressors") : "regressors"};
}

Result<std::vector<DetectedFace>> BlazeFaceDetector::Detect(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) {
        return InvalidArgument("detector: expected a non-empty 8-bit BGR image");
    }
    const int side = spec_.input_size.width;
    const Letterbox letterbox = Letterbox::Fit(bgr.size(), side);
    const cv::Size scaled(std::max(1, cvRound(bgr.cols * letterbox.scale)),
                          std::max(1, cvRound(bgr.rows * letterbox.scale)));
    cv::Mat resized;
    cv::resize(bgr, resized, scaled, 0, 0, letterbox.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    // The padding is black in the original pixels, as MediaPipe pads its letterbox.
    cv::Mat square(side, side, CV_8UC3, cv::Scalar::all(0));
    const int left = std::clamp(cvRound(letterbox.pad_x), 0, side - scaled.width);
    const int top = std::clamp(cvRound(letterbox.pad_y), 0, side - scaled.height);
    resized.copyTo(square(cv::Rect(left, top, scaled.width, scaled.height)));

    std::vector<cv::Mat> outputs;
    try {
        net_.setInput(MakeInputBlob({square}, spec_));
        net_.forward(outputs, output_names_);
    } catch (const cv::Exception& e) {
        return Internal(std::string("detector: inference failed in ") + spec_.name + ": " +
                        e.what());
    }
    Letterbox placed = letterbox;
    placed.pad_x = static_cast<float>(left);
    placed.pad_y = static_cast<float>(top);
    std::vector<DetectedFace> faces =
        DecodeBlazeFace(outputs[0].ptr<float>(), outputs[1].ptr<float>(), anchors_, placed,
                        options_.score_threshold);
    faces = WeightedNonMaxSuppression(std::move(faces), options_.nms_iou);
    std::erase_if(faces, [&](const DetectedFace& f) { return f.box.width < options_.min_face_px; });
    if (static_cast<int>(faces.size()) > options_.max_faces)
        faces.resize(options_.max_faces);
    return faces;
}

}  // namespace menjin
