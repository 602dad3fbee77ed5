// Bulk enrolment throughput: the first photo of each identity of a photo folder laid out as
// identities/<id>/<n>.<ext>, enrolled as a new resident through AccessCore::AddResidentAndEnrol
// (decode, detect, quality gate, embed, duplicate check, encrypted write in one transaction)
// into a fresh temporary data folder, one pipeline, one photo after another.
//
// The photos are read into memory and the units and households created before the clock
// starts, so the figure covers the enrolment calls alone. Prints one JSON line:
//   photos, accepted, rejected (quality gate or duplicate), failed (errors such as an
//   undecodable file), seconds, photos_per_second, pipelines, opencv_threads.
//
// Usage: enrolment_bench [--faces DIR] [--models DIR]
// Defaults: $MENJIN_FACES_DIR or the shared photo set beside the source tree, and
// $MENJIN_MODELS or the models folder of the build tree. Without the photo folder it prints
// a message and exits with 0, so it can run on a clone without the photos.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cli/process_restart.h"
#include "common/clock.h"
#include "common/log.h"
#include "service/access_core.h"

namespace {

namespace fs = std::filesystem;
using menjin::AccessCore;
using menjin::Result;
using menjin::Status;

struct Photo {
    std::string person_id;
    std::vector<std::uint8_t> bytes;
};

struct Tally {
    int accepted = 0;
    int rejected = 0;
    int failed = 0;
};

std::string EnvOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// Returns the first photo, in name order, of each identity folder, in folder name order.
std::vector<Photo> FirstPhotos(const fs::path& identities) {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(identities)) {
        if (entry.is_directory())
            folders.push_back(entry.path());
    }
    std::sort(folders.begin(), folders.end());
    std::vector<Photo> photos;
    for (const fs::path& folder : folders) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder)) {
            if (entry.is_regular_file())
                files.push_back(entry.path());
        }
        if (files.empty())
            continue;
        std::ifstream in(*std::min_element(files.begin(), files.end()), std::ios::binary);
        photos.push_back({folder.filename().string(),
                          std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {})});
    }
    return photos;
}

// Adds the estate, and a unit with its household for each photo's person.
Status AddDirectory(AccessCore& core, const std::vector<Photo>& photos) {
    menjin::Estate estate;
    estate.id = "bench-estate";
    estate.name = "Benchmark estate";
    MENJIN_RETURN_IF_ERROR(core.AddEstate(estate));
    const std::string building = "Block 1";
    for (const Photo& photo : photos) {
        menjin::Unit unit;
        unit.id = "unit-" + photo.person_id;
        unit.estate_id = estate.id;
        unit.building = building;
        unit.number = photo.person_id;
        MENJIN_RETURN_IF_ERROR(core.AddUnitWithHousehold(unit, ""));
    }
    return Status::Ok();
}

Tally EnrolAll(AccessCore& core, const std::vector<Photo>& photos) {
    Tally tally;
    for (const Photo& photo : photos) {
        menjin::Person person;
        person.id = photo.person_id;
        person.name = "Resident " + photo.person_id;
        person.household_id = "unit-" + photo.person_id;
        Result<menjin::EnrolmentResult> result = core.AddResidentAndEnrol(person, 365, photo.bytes);
        if (!result.ok()) {
            ++tally.failed;
        } else if (result->accepted) {
            ++tally.accepted;
        } else {
            ++tally.rejected;
        }
    }
    return tally;
}

struct Measurement {
    Tally tally;
    double seconds = 0;
};

// Creates a data folder in `root`, adds the directory, then times the enrolments alone.
Result<Measurement> Measure(const fs::path& root, const fs::path& models,
                            const std::vector<Photo>& photos) {
    menjin::AccessCoreOptions options;
    options.data_dir = root / "data";
    options.model_dir = models;
    options.pipelines = 1;
    MENJIN_RETURN_IF_ERROR(
        AccessCore::InitDataDir(options.data_dir, menjin::RecognitionMode::kDefault));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<AccessCore> core,
                            AccessCore::Open(options, std::make_shared<menjin::SystemClock>()));
    MENJIN_RETURN_IF_ERROR(AddDirectory(*core, photos));

    const auto start = std::chrono::steady_clock::now();
    Measurement measurement;
    measurement.tally = EnrolAll(*core, photos);
    measurement.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return measurement;
}

int Run(const fs::path& faces, const fs::path& models) {
    const std::vector<Photo> photos = FirstPhotos(faces / "identities");
    std::string root = (fs::temp_directory_path() / "menjin-enrolment-bench-XXXXXX").string();
    if (::mkdtemp(root.data()) == nullptr) {
        std::cerr << "enrolment_bench: cannot create a temporary folder from " << root << "\n";
        return 1;
    }

    const Result<Measurement> measurement = Measure(root, models, photos);
    fs::remove_all(root);
    if (!measurement.ok()) {
        std::cerr << "enrolment_bench: " << measurement.status().ToString() << "\n";
        return 1;
    }

    const Tally& tally = measurement->tally;
    std::printf(
        "{\"photos\":%zu,\"accepted\":%d,\"rejected\":%d,\"failed\":%d,\"seconds\":%.2f,"
        "\"photos_per_second\":%.2f,\"pipelines\":1,\"opencv_threads\":%d}\n",
        photos.size(), tally.accepted, tally.rejected, tally.failed, measurement->seconds,
        photos.size() / measurement->seconds, cv::getNumThreads());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // The same heap and OpenCV kernels as `menjin` itself, so the figures compare.
    menjin::cli::RestartWithTunedEnvironment(argv);
    // Only warnings and errors are logged, to stderr, so stdout contains the result line alone.
    menjin::InitLogging("warn");
    fs::path faces = EnvOr("MENJIN_FACES_DIR", MENJIN_DEFAULT_FACES_DIR);
    fs::path models = EnvOr("MENJIN_MODELS", MENJIN_DEFAULT_MODEL_DIR);
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--faces" || arg == "--models") && i + 1 < argc) {
            (arg == "--faces" ? faces : models) = argv[++i];
        } else {
            std::cerr << "usage: enrolment_bench [--faces DIR] [--models DIR]\n";
            return 2;
        }
    }
    if (!fs::is_directory(faces / "identities")) {
        std::cout << "enrolment_bench: no identities/ folder in '" << faces.string()
                  << "': pass --faces DIR to measure; nothing measured\n";
        return 0;
    }
    return Run(faces, models);
}
