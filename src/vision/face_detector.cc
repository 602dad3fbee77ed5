#include "vision/face_detector.h"

#include "vision/blazeface_detector.h"
#include "vision/onnx_net.h"
#include "vision/yunet_detector.h"

namespace menjin {

namespace {

Result<std::unique_ptr<FaceDetector>> CreateYuNet(const ModelSpec& spec,
                                                  const DetectorOptions& options) {
    MENJIN_RETURN_IF_ERROR(VerifyModelFile(spec));
    try {
        auto yunet = cv::FaceDetectorYN::create(spec.file.string(), "", spec.input_size,
                                                options.score_threshold, options.nms_iou, 5000);
        return std::unique_ptr<FaceDetector>(new YuNetDetector(yunet, options));
    } catch (const cv::Exception& e) {
        return InvalidArgument("models: OpenCV cannot load YuNet '" + spec.file.string() +
                               "': " + e.what());
    }
}

}  // namespace

Result<std::unique_ptr<FaceDetector>> CreateFaceDetector(const ModelSpec& spec,
                                                         const DetectorOptions& options) {
    if (spec.role != "detector") {
        return InvalidArgument("models: '" + spec.name + "' is a " + spec.role +
                               ", not a detector");
    }
    if (spec.family == "yunet")
        return CreateYuNet(spec, options);
    if (spec.family != "blazeface") {
        return InvalidArgument("models: detector family '" + spec.family + "' of '" + spec.name +
                               "' is not supported (blazeface, yunet)");
    }
    MENJIN_ASSIGN_OR_RETURN(cv::dnn::Net net, LoadOnnxNet(spec));
    auto detector =
        std::unique_ptr<FaceDetector>(new BlazeFaceDetector(std::move(net), spec, options));
    // One pass over a black frame of the manifest's input size, so that a size or output the
    // network cannot produce fails here and not at the first face.
    Result<std::vector<DetectedFace>> probe =
        detector->Detect(cv::Mat(spec.input_size, CV_8UC3, cv::Scalar::all(0)));
    if (!probe.ok()) {
        return InvalidArgument("models: detector '" + spec.name + "' does not run at its " +
                               std::to_string(spec.input_size.width) + "x" +
                               std::to_string(spec.input_size.height) +
                               " input: " + probe.status().message());
    }
    return detector;
}

}  // namespace menjin
