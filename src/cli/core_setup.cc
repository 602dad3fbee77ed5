#include "cli/core_setup.h"

#include <iostream>
#include <sstream>

#include "common/local_time.h"
#include "vision/model_manifest.h"

namespace menjin::cli {

void AddDataFlags(CLI::App* command, DataFlags* flags) {
    command->add_option("--data", flags->data_dir, "Data folder made by `menjin init`")->required();
    command->add_option("--models", flags->models_dir,
                        "Folder with manifest.json and the models (default: models/ next to "
                        "the executable, or $MENJIN_MODELS)");
    command->add_option("--range", flags->range, "Detector range: full or short")
        ->check(CLI::IsMember({"full", "short"}));
    command->add_option("--pipelines", flags->pipelines, "Face pipelines for parallel work")
        ->check(CLI::Range(1, 64));
}

Result<std::unique_ptr<AccessCore>> OpenCore(const DataFlags& flags) {
    return OpenCore(flags, AccessCoreOptions{});
}

Result<std::unique_ptr<AccessCore>> OpenCore(const DataFlags& flags, AccessCoreOptions options) {
    options.data_dir = flags.data_dir;
    options.model_dir = ResolveModelDir(flags.models_dir);
    MENJIN_ASSIGN_OR_RETURN(options.pipeline.range, ParseDetectorRange(flags.range));
    options.pipelines = flags.pipelines;
    return AccessCore::Open(options, std::make_shared<SystemClock>());
}

int ReportError(const std::string& command, const Status& status) {
    std::cerr << "menjin " << command << ": " << status.message() << "\n";
    return status.code() == ErrorCode::kNotFound &&
                   status.message().find("menjin init") != std::string::npos
               ? 2
               : 1;
}

Result<UnixSeconds> ParseTimeFlag(const std::string& text, UnixSeconds fallback,
                                  const std::string& flag) {
    if (text.empty())
        return fallback;
    Result<UnixSeconds> parsed = ParseUtc(text);
    if (!parsed.ok())
        return InvalidArgument(flag + ": " + parsed.status().message(), flag);
    return parsed;
}

std::vector<std::string> SplitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, ',')) {
        if (!part.empty())
            parts.push_back(part);
    }
    return parts;
}

void PrintJson(const nlohmann::json& value) {
    std::cout << value.dump() << "\n";
}

}  // namespace menjin::cli
