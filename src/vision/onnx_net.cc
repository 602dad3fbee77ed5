#include "vision/onnx_net.h"

#include <algorithm>

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "common/log.h"
#include "common/sha256.h"
#include "vision/menjin_layers.h"

namespace menjin {

Status VerifyModelFile(const ModelSpec& spec) {
    std::error_code error;
    if (!std::filesystem::exists(spec.file, error)) {
        return NotFound("models: model file '" + spec.file.string() + "' of '" + spec.name +
                        "' not found: run the setup command");
    }
    if (!std::filesystem::is_regular_file(spec.file, error)) {
        return InvalidArgument("models: model file '" + spec.file.string() + "' of '" + spec.name +
                               "' is not a regular file");
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

namespace {

// Reads the graph. OpenCV warns about every node in a domain it has no table for, which is every
// menjin layer, so a model that declares menjin's layers is read with OpenCV's warnings off.
// The level is process-wide, which is acceptable because models load at start, before other work.
cv::dnn::Net ReadOnnx(const ModelSpec& spec) {
    if (spec.custom_layers.empty())
        return cv::dnn::readNetFromONNX(spec.file.string());
    using cv::utils::logging::LogLevel;
    const LogLevel before = cv::utils::logging::getLogLevel();
    cv::utils::logging::setLogLevel(std::min(before, LogLevel::LOG_LEVEL_ERROR));
    try {
        cv::dnn::Net net = cv::dnn::readNetFromONNX(spec.file.string());
        cv::utils::logging::setLogLevel(before);
        return net;
    } catch (...) {
        cv::utils::logging::setLogLevel(before);
        throw;
    }
}

// Checks that every menjin layer in the graph is listed in the manifest entry, which is what
// keeps OpenCV's warnings about them quiet.
Status CheckDeclaredLayers(cv::dnn::Net& net, const ModelSpec& spec) {
    for (const std::string& name : net.getLayerNames()) {
        const std::string& type = net.getLayer(net.getLayerId(name))->type;
        if (IsMenjinLayerType(type) &&
            std::find(spec.custom_layers.begin(), spec.custom_layers.end(), type) ==
                spec.custom_layers.end()) {
            return InvalidArgument("models: '" + spec.file.string() + "' uses layer type '" + type +
                                   "', which the manifest entry of '" + spec.name +
                                   "' does not list under custom_layers: rerun the setup command");
        }
    }
    return Status::Ok();
}

}  // namespace

Result<cv::dnn::Net> LoadOnnxNet(const ModelSpec& spec) {
    MENJIN_RETURN_IF_ERROR(VerifyModelFile(spec));
    RegisterMenjinLayers();
    for (const std::string& layer : spec.custom_layers) {
        if (!IsMenjinLayerType(layer)) {
            return InvalidArgument("models: '" + spec.name + "' needs layer type '" + layer +
                                   "', which this build of menjin does not have");
        }
    }
    try {
        cv::dnn::Net net = ReadOnnx(spec);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        MENJIN_RETURN_IF_ERROR(CheckDeclaredLayers(net, spec));
        for (const auto& [role, layer] : spec.outputs) {
            if (net.getLayerId(layer) < 0) {
                return InvalidArgument("models: output '" + role + "' of '" + spec.name +
                                       "' names layer '" + layer + "', which '" +
                                       spec.file.string() + "' does not have");
            }
        }
        MENJIN_LOG_INFO("models: loaded {} from {} sha256 {}", spec.name, spec.file.string(),
                        spec.sha256.empty() ? "(not given)" : spec.sha256);
        return net;
    } catch (const cv::Exception& e) {
        return InvalidArgument("models: OpenCV cannot load '" + spec.file.string() +
                               "': " + e.what());
    }
}

cv::Mat MakeInputBlob(const std::vector<cv::Mat>& bgr_images, const ModelSpec& spec) {
    // Each channel is written straight into its plane of the blob in one scaled conversion.
    // blobFromImages makes four passes over float pixels instead (convert, subtract, scale,
    // split): 0.49 ms against 0.04 ms for a 256x192 detector input here.
    CV_Assert(!bgr_images.empty());
    const cv::Size size = bgr_images.front().size();
    const int shape[] = {static_cast<int>(bgr_images.size()), 3, size.height, size.width};
    cv::Mat blob(4, shape, CV_32F);
    std::vector<cv::Mat> planes;
    for (std::size_t i = 0; i < bgr_images.size(); ++i) {
        const cv::Mat& image = bgr_images[i];
        CV_Assert(image.type() == CV_8UC3 && image.size() == size);
        cv::split(image, planes);
        for (int channel = 0; channel < 3; ++channel) {
            // The manifest gives mean and std in the network's channel order.
            const int source = spec.input_rgb ? 2 - channel : channel;
            const double scale = 1.0 / spec.std_dev[channel];
            cv::Mat plane(size, CV_32F, blob.ptr<float>(static_cast<int>(i), channel));
            planes[source].convertTo(plane, CV_32F, scale, -spec.mean[channel] * scale);
        }
    }
    return blob;
}

}  // namespace menjin
