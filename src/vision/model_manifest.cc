#include "vision/model_manifest.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace menjin {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The ArcFace reference points for a 112x112 crop with the two mouth corners merged into their
// midpoint. Built in so that a hand-written manifest for standard ONNX models (SFace, ArcFace
// exports) needs no template of its own.
AlignmentTemplate ArcFace112() {
    return {
        "arcface_112",
        {112, 112},
        {{{38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f}, {56.1396f, 92.2848f}}}};
}

Status Invalid(const fs::path& path, const std::string& what) {
    return InvalidArgument("models: invalid manifest '" + path.string() + "': " + what);
}

cv::Scalar ToScalar(const json& values) {
    return {values.at(0).get<double>(), values.at(1).get<double>(), values.at(2).get<double>()};
}

// Reads input.height_step (absent means 0), a whole number of pixels that divides the input
// height. For BlazeFace it must also be a multiple of the coarse anchor cell (an eighth of the
// width), because otherwise the anchors would not line up with the network's output rows.
int ParseHeightStep(const json& input, const ModelSpec& spec) {
    if (!input.contains("height_step"))
        return 0;
    const json& value = input.at("height_step");
    const int height = spec.input_size.height;
    const int cell = spec.input_size.width / 8;
    const bool whole = value.is_number_integer() && value.get<long long>() >= 0 &&
                       value.get<long long>() <= height;
    const int step = whole ? value.get<int>() : -1;
    if (!whole || (step > 0 && height % step != 0)) {
        throw std::out_of_range("input.height_step of '" + spec.name + "' is " + value.dump() +
                                ", expected 0 or a whole number of pixels that divides the "
                                "input height " +
                                std::to_string(height));
    }
    if (spec.family == "blazeface" && step > 0 && (cell == 0 || step % cell != 0)) {
        throw std::out_of_range("input.height_step of '" + spec.name + "' is " + value.dump() +
                                ", expected a multiple of the coarse anchor cell, " +
                                std::to_string(cell) + " pixels");
    }
    return step;
}

// Largest input side accepted, far above any face model's input.
constexpr int kMaxInputSide = 4096;
// Largest magnitude a preprocessed pixel may reach. Usual models take values within about 1,
// or raw pixels up to 255. A tiny std would saturate every pixel, and then different faces
// give nearly the same embedding.
constexpr double kMaxScaledPixel = 1000;

// Reads `key` of `object` as a whole number in [minimum, maximum].
int ReadWholeNumber(const json& object, const char* key, int minimum, int maximum,
                    const std::string& what) {
    const json& value = object.at(key);
    const bool whole = value.is_number_integer() && value.get<long long>() >= minimum &&
                       value.get<long long>() <= maximum;
    if (!whole) {
        throw std::out_of_range(what + " is " + value.dump() + ", expected a whole number from " +
                                std::to_string(minimum) + " to " + std::to_string(maximum));
    }
    return value.get<int>();
}

// Checks that each mean is a pixel value, std is positive, and mean and std keep every 8-bit
// pixel within kMaxScaledPixel.
void CheckPreprocessing(const ModelSpec& spec, const json& pre) {
    for (int channel = 0; channel < 3; ++channel) {
        const double std_dev = spec.std_dev[channel];
        const double mean = spec.mean[channel];
        const double largest = std::max(std::abs(mean), std::abs(255 - mean)) / std_dev;
        if (!(mean >= 0 && mean <= 255) || !(std_dev > 0) || !std::isfinite(largest) ||
            largest > kMaxScaledPixel) {
            throw std::out_of_range("preprocess of '" + spec.name + "' is " + pre.dump() +
                                    ", expected mean from 0 to 255, std above 0, and (pixel - "
                                    "mean) / std within 1000 for pixels 0-255");
        }
    }
}

ModelSpec ParseModel(const json& entry, const fs::path& folder) {
    ModelSpec spec;
    spec.name = entry.at("name").get<std::string>();
    spec.role = entry.at("role").get<std::string>();
    spec.family = entry.value("family", "generic");
    spec.file = folder / entry.at("file").get<std::string>();
    spec.sha256 = entry.value("sha256", "");
    const json& input = entry.at("input");
    const std::string input_name = "input of '" + spec.name + "'";
    spec.input_size = {ReadWholeNumber(input, "width", 1, kMaxInputSide, input_name + ": width"),
                       ReadWholeNumber(input, "height", 1, kMaxInputSide, input_name + ": height")};
    spec.input_height_step = ParseHeightStep(input, spec);
    const std::string color = input.value("color", "RGB");
    if (color != "RGB" && color != "BGR") {
        throw std::out_of_range(input_name + ": color is '" + color + "', expected RGB or BGR");
    }
    spec.input_rgb = color == "RGB";
    const json pre = entry.value("preprocess", json::object());
    if (!pre.is_object()) {
        throw std::out_of_range("preprocess of '" + spec.name + "' is " + pre.dump() +
                                ", expected an object with mean and std");
    }
    spec.mean = pre.contains("mean") ? ToScalar(pre["mean"]) : cv::Scalar(0, 0, 0);
    spec.std_dev = pre.contains("std") ? ToScalar(pre["std"]) : cv::Scalar(1, 1, 1);
    CheckPreprocessing(spec, pre);
    spec.alignment = entry.value("alignment", "");
    if (entry.contains("output_dim")) {
        spec.output_dim = ReadWholeNumber(entry, "output_dim", spec.role == "embedder" ? 1 : 0,
                                          65536, "output_dim of '" + spec.name + "'");
    }
    if (entry.contains("outputs")) {
        for (const auto& [role, name] : entry["outputs"].items()) {
            spec.outputs[role] = name.get<std::string>();
        }
    } else if (entry.contains("output")) {
        spec.outputs["embedding"] = entry["output"].get<std::string>();
    }
    const json& source = entry.value("source", json::object());
    spec.package = source.value("package", "user");
    spec.version = source.value("version", "");
    spec.license = entry.value("license", "");
    const json layers = entry.value("custom_layers", json::array());
    for (const json& layer : layers.is_array() ? layers : json::array({nullptr})) {
        if (!layer.is_string()) {
            throw std::out_of_range("custom_layers of '" + spec.name + "' is " + layers.dump() +
                                    ", expected a list of layer type names");
        }
        spec.custom_layers.push_back(layer.get<std::string>());
    }
    return spec;
}

AlignmentTemplate ParseTemplate(const std::string& name, const json& entry) {
    AlignmentTemplate tmpl;
    tmpl.name = name;
    tmpl.size = {
        ReadWholeNumber(entry, "width", 1, kMaxInputSide, "template " + name + ": width"),
        ReadWholeNumber(entry, "height", 1, kMaxInputSide, "template " + name + ": height")};
    const json& points = entry.at("points");
    if (points.size() != 4)
        throw std::out_of_range("template " + name + " needs 4 points");
    for (std::size_t i = 0; i < 4; ++i) {
        tmpl.points[i] = {points[i].at(0).get<float>(), points[i].at(1).get<float>()};
    }
    for (const cv::Point2f& point : tmpl.points) {
        if (!(point.x >= 0 && point.x <= tmpl.size.width && point.y >= 0 &&
              point.y <= tmpl.size.height)) {
            throw std::out_of_range("template " + name + ": every point must lie inside its " +
                                    std::to_string(tmpl.size.width) + "x" +
                                    std::to_string(tmpl.size.height) + " pixels");
        }
    }
    // The eyes must be apart and the mouth off the eye line, or the similarity transform that
    // maps a face onto the template is degenerate.
    const cv::Point2f eyes = tmpl.points[1] - tmpl.points[0];
    const float eye_distance = std::hypot(eyes.x, eyes.y);
    const cv::Point2f mouth = tmpl.points[3] - tmpl.points[0];
    if (eye_distance < 1 || std::abs(eyes.x * mouth.y - eyes.y * mouth.x) / eye_distance < 1) {
        throw std::out_of_range("template " + name +
                                ": the eye points must be at least 1 pixel apart and the "
                                "mouth point at least 1 pixel off the eye line");
    }
    return tmpl;
}

}  // namespace

Result<ModelManifest> ModelManifest::Load(const fs::path& path) {
    std::ifstream in(path);
    if (!in) {
        return NotFound("models: manifest '" + path.string() +
                        "' not found: run the setup command or pass --models DIR");
    }
    ModelManifest manifest;
    manifest.path_ = path;
    manifest.templates_["arcface_112"] = ArcFace112();
    try {
        json doc = json::parse(in);
        for (const auto& entry : doc.at("models")) {
            ModelSpec spec = ParseModel(entry, path.parent_path());
            for (const ModelSpec& earlier : manifest.models_) {
                if (earlier.name == spec.name)
                    throw std::out_of_range("two models are named '" + spec.name + "'");
            }
            manifest.models_.push_back(std::move(spec));
        }
        const json templates = doc.value("alignment_templates", json::object());
        for (const auto& [name, entry] : templates.items()) {
            manifest.templates_[name] = ParseTemplate(name, entry);
        }
        const json& defaults = doc.value("defaults", json::object());
        manifest.default_detector_ = defaults.value("detector", "blazeface");
        manifest.default_embedder_ = defaults.value("embedder", "mobilefacenet");
        manifest.accurate_embedders_ =
            defaults.value("accurate_embedders", std::vector<std::string>{});
    } catch (const json::exception& e) {
        return Invalid(path, e.what());
    } catch (const std::out_of_range& e) {
        return Invalid(path, e.what());
    }
    return manifest;
}

Result<ModelSpec> ModelManifest::Find(const std::string& name) const {
    std::string known;
    for (const ModelSpec& spec : models_) {
        if (spec.name == name)
            return spec;
        known += (known.empty() ? "" : ", ") + spec.name;
    }
    return NotFound("models: no model '" + name + "' in '" + path_.string() +
                    "' (models: " + known + ")");
}

Result<AlignmentTemplate> ModelManifest::FindTemplate(const std::string& name) const {
    auto it = templates_.find(name);
    if (it == templates_.end()) {
        return NotFound("models: no alignment template '" + name + "' in '" + path_.string() + "'");
    }
    return it->second;
}

fs::path ResolveModelDir(const std::string& flag) {
    if (!flag.empty())
        return flag;
    if (const char* env = std::getenv("MENJIN_MODELS"); env && *env)
        return env;
    std::error_code error;
    fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (error)
        return "models";
    return exe.parent_path() / "models";
}

}  // namespace menjin
