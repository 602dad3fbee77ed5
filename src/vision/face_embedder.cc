#include "vision/face_embedder.h"

#include <opencv2/core.hpp>

#include "vision/face_aligner.h"
#include "vision/onnx_net.h"

namespace menjin {

FaceEmbedder::FaceEmbedder(cv::dnn::Net net, ModelSpec spec, AlignmentTemplate tmpl)
    : net_(std::move(net)), spec_(std::move(spec)), template_(std::move(tmpl)) {
    auto it = spec_.outputs.find("embedding");
    output_name_ = it != spec_.outputs.end() ? it->second : "";
}

Result<std::unique_ptr<FaceEmbedder>> FaceEmbedder::Create(const ModelManifest& manifest,
                                                           const ModelSpec& spec) {
    if (spec.role != "embedder") {
        return InvalidArgument("models: '" + spec.name + "' is a " + spec.role +
                               ", not an embedder");
    }
    MENJIN_ASSIGN_OR_RETURN(
        AlignmentTemplate tmpl,
        manifest.FindTemplate(spec.alignment.empty() ? "arcface_112" : spec.alignment));
    if (tmpl.size != spec.input_size) {
        return InvalidArgument(
            "models: template '" + tmpl.name + "' is " + std::to_string(tmpl.size.width) + "x" +
            std::to_string(tmpl.size.height) + " but '" + spec.name + "' takes " +
            std::to_string(spec.input_size.width) + "x" + std::to_string(spec.input_size.height));
    }
    MENJIN_ASSIGN_OR_RETURN(cv::dnn::Net net, LoadOnnxNet(spec));
    auto embedder = std::unique_ptr<FaceEmbedder>(new FaceEmbedder(std::move(net), spec, tmpl));
    // One pass over a grey crop, so that a wrong output_dim or input size fails here and not at
    // the first face.
    Result<cv::Mat> probe =
        embedder->EmbedAligned({cv::Mat(spec.input_size, CV_8UC3, cv::Scalar::all(128))}, false);
    if (!probe.ok()) {
        return InvalidArgument("models: embedder '" + spec.name +
                               "' does not run as the "
                               "manifest describes it: " +
                               probe.status().message());
    }
    return embedder;
}

Result<cv::Mat> FaceEmbedder::Embed(const cv::Mat& bgr, const std::vector<DetectedFace>& faces,
                                    bool mirror) {
    std::vector<cv::Mat> crops;
    crops.reserve(faces.size());
    for (const DetectedFace& face : faces)
        crops.push_back(AlignFace(bgr, face, template_));
    return EmbedAligned(crops, mirror);
}

Result<cv::Mat> FaceEmbedder::EmbedAligned(const std::vector<cv::Mat>& crops, bool mirror) {
    const int count = static_cast<int>(crops.size());
    if (count == 0)
        return cv::Mat(0, dim(), CV_32F);
    std::vector<cv::Mat> batch = crops;
    if (mirror) {
        for (const cv::Mat& crop : crops) {
            cv::Mat flipped;
            cv::flip(crop, flipped, 1);
            batch.push_back(flipped);
        }
    }
    cv::Mat output;
    try {
        net_.setInput(MakeInputBlob(batch, spec_));
        output = output_name_.empty() ? net_.forward() : net_.forward(output_name_);
    } catch (const cv::Exception& e) {
        return Internal("embedder: inference failed in " + spec_.name + ": " + e.what());
    }
    if (output.total() != static_cast<std::size_t>(batch.size()) * dim()) {
        return Internal("embedder: " + spec_.name + " returned " + std::to_string(output.total()) +
                        " values for " + std::to_string(batch.size()) + " faces of dimension " +
                        std::to_string(dim()));
    }
    cv::Mat rows = output.reshape(1, static_cast<int>(batch.size()));
    cv::Mat embeddings = rows.rowRange(0, count).clone();
    if (mirror)
        embeddings += rows.rowRange(count, 2 * count);
    for (int i = 0; i < count; ++i) {
        cv::Mat row = embeddings.row(i);
        const double norm = cv::norm(row);
        if (norm > 0)
            row /= norm;
    }
    return embeddings;
}

}  // namespace menjin
