#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/status.h"

namespace menjin {

// Keypoint positions that alignment maps faces onto, in pixels of the aligned crop. The four
// points are, in order: the subject's right eye, left eye, nose tip and mouth centre.
struct AlignmentTemplate {
    std::string name;
    cv::Size size;
    std::array<cv::Point2f, 4> points;
};

// One model as described by the manifest that setup writes next to the ONNX files.
struct ModelSpec {
    std::string name;
    std::string role;    // "detector" or "embedder"
    std::string family;  // "blazeface", "yunet", "generic" (any ONNX embedder), "sface"
    std::filesystem::path file;
    std::string sha256;  // lower-case hex of the ONNX file, empty when the entry gives none
    cv::Size input_size;
    // When above 0, the input height may be any multiple of this up to input_size.height
    // (the width stays fixed), so a wide frame needs fewer rows.
    int input_height_step = 0;
    bool input_rgb = true;  // channel order the network expects
    cv::Scalar mean;        // subtracted per channel, in the network's channel order
    cv::Scalar std_dev;     // divisor per channel after the mean
    std::string alignment;  // AlignmentTemplate name for embedders
    int output_dim = 0;
    std::map<std::string, std::string> outputs;  // role -> output tensor name
    std::string package;                         // source npm package or "user"
    std::string version;
    std::string license;
    // Layer types beyond OpenCV's own that the graph uses (menjin's fused layers), as the
    // manifest lists them; LoadOnnxNet refuses types this build does not have.
    std::vector<std::string> custom_layers;
};

// The parsed manifest: models by name, alignment templates and the default choices.
class ModelManifest {
  public:
    // Reads `path` (a manifest.json). Fails with kNotFound when the file is missing and
    // kInvalidArgument naming the key when a field is missing or has the wrong type. Model file
    // paths are resolved relative to the manifest's folder.
    static Result<ModelManifest> Load(const std::filesystem::path& path);

    // Returns the model called `name`, or kNotFound listing the names that exist.
    Result<ModelSpec> Find(const std::string& name) const;
    // Returns the template called `name`, or kNotFound.
    Result<AlignmentTemplate> FindTemplate(const std::string& name) const;

    const std::vector<ModelSpec>& models() const { return models_; }
    const std::string& default_detector() const { return default_detector_; }
    const std::string& default_embedder() const { return default_embedder_; }
    const std::vector<std::string>& accurate_embedders() const { return accurate_embedders_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::vector<ModelSpec> models_;
    std::map<std::string, AlignmentTemplate> templates_;
    std::string default_detector_;
    std::string default_embedder_;
    std::vector<std::string> accurate_embedders_;
};

// Returns the model folder to use: `flag` when not empty, else $MENJIN_MODELS, else the
// "models" folder next to the running executable.
std::filesystem::path ResolveModelDir(const std::string& flag);

}  // namespace menjin
