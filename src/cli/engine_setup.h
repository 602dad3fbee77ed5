#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "frames/image_decoder.h"
#include "vision/face_pipeline.h"
#include "vision/recognition_engine.h"

namespace menjin::cli {

// Command-line flags shared by every command that runs the recognition engine.
struct EngineFlags {
    std::string models_dir;
    std::string mode = "default";
    std::string range = "full";
    float detector_score = 0.6f;
    float min_face_px = 20;
};

// Option check that rejects NaN and infinity, which CLI11's range checks let through.
const CLI::Validator& FiniteNumber();

// Adds --models, --mode, --range, --detector-score and --min-face to `command`.
void AddEngineFlags(CLI::App* command, EngineFlags* flags);

// Commands use the engine type of the vision module under a shorter name.
using Engine = RecognitionEngine;

// Loads the manifest and calibration from the model folder and parses the flags.
Result<Engine> LoadEngine(const EngineFlags& flags);

// Decode limits used for photos given on the command line.
DecodeLimits CommandLineDecodeLimits();

// The primary face of a one-person photo and its template. `found` is false, with empty
// `values`, when no face was detected.
struct PhotoTemplate {
    bool found = false;
    DetectedFace face;
    std::vector<float> values;
};

// Decodes `file`, picks its primary face (PrimaryFaceIndex) and computes the template. Fails
// when the file cannot be decoded or inference fails; a photo without a face is not a failure.
Result<PhotoTemplate> TemplateOfPhoto(FacePipeline& pipeline, const std::filesystem::path& file);

}  // namespace menjin::cli
