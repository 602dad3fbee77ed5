#include "vision/onnx_net.h"

#include <opencv2/imgproc.hpp>

#include "common/log.h"
#include "common/sha256.h"

namespace menjin {

Status VerifyModelFile(const ModelSpec& spec) {
    if (!std::filesystem::exists(spec.file)) {
        return NotFound("models: model file '" + spec.file.string() + "' of '" + spec.name +
                        "' not found: run the setup command");
    }
    if (!spec.sha256.empty()) {
        MENJIN_ASSIGN_OR_RETURN(std::string actual, Sha256OfFile(spec.file));
        if (actual != spec.sha256) {
            return Status(ErrorCode::kDataLoss, "models: sha256 of '" + spec.file.string() +
                                                    "' is " + actual + ", the manifest expects " +
                                                    spec.sha256 + ": rerun the setup command");
        }
    }
    return Status::Ok();
}

Result<cv::dnn::Net> LoadOnnxNet(const ModelSpec& spec) {
    MENJIN_RETURN_IF_ERROR(VerifyModelFile(spec));
    try {
        cv::dnn::Net net = cv::dnn::readNetFromONNX(spec.file.string());
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        MENJIN_LOG_INFO("models: loaded {} from {} sha256 {}", spec.name, spec.file.string(),
                        spec.sha256.empty() ? "(not given)" : spec.sha256);
        return net;
    } catch (const cv::Exception& e) {
        return InvalidArgument("models: OpenCV cannot load '" + spec.file.string() +
                               "': " + e.what());
    }
}

cv::Mat MakeInputBlob(const std::vector<cv::Mat>& bgr_images, const ModelSpec& spec) {
    const cv::Scalar& std_dev = spec.std_dev;
    if (std_dev[0] == std_dev[1] && std_dev[1] == std_dev[2] && std_dev[0] != 0) {
        // One pass over the pixels: blobFromImages swaps the channels first, then subtracts the
        // mean (given in the network's order) and scales.
        return cv::dnn::blobFromImages(bgr_images, 1.0 / std_dev[0], cv::Size(), spec.mean,
                                       spec.input_rgb, false, CV_32F);
    }
    std::vector<cv::Mat> prepared;
    prepared.reserve(bgr_images.size());
    for (const cv::Mat& image : bgr_images) {
        cv::Mat floats;
        image.convertTo(floats, CV_32F);
        if (spec.input_rgb)
            cv::cvtColor(floats, floats, cv::COLOR_BGR2RGB);
        cv::subtract(floats, spec.mean, floats);
        cv::divide(floats, spec.std_dev, floats);
        prepared.push_back(floats);
    }
    return cv::dnn::blobFromImages(prepared, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F);
}

}  // namespace menjin
