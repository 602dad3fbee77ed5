#include "cli/photo_batch.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <opencv2/core.hpp>

namespace menjin::cli {

Result<std::map<std::filesystem::path, PhotoOutcome>> TemplatesOfPhotos(
    const Engine& engine, const std::vector<std::filesystem::path>& files, int threads) {
    std::vector<std::filesystem::path> distinct = files;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::min<int>(threads, static_cast<int>(std::max<std::size_t>(1, distinct.size())));

    std::vector<std::unique_ptr<FacePipeline>> pipelines;
    for (int i = 0; i < threads; ++i) {
        MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<FacePipeline> pipeline, engine.NewPipeline());
        pipelines.push_back(std::move(pipeline));
    }
    std::vector<PhotoOutcome> outcomes(distinct.size());
    std::atomic<std::size_t> next{0};
    const int previous_threads = cv::getNumThreads();
    cv::setNumThreads(threads > 1 ? 1 : previous_threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (std::size_t i = next++; i < distinct.size(); i = next++) {
                Result<PhotoTemplate> result = TemplateOfPhoto(*pipelines[t], distinct[i]);
                outcomes[i].status = result.status();
                if (result.ok())
                    outcomes[i].photo = std::move(result).value();
            }
        });
    }
    for (std::thread& worker : workers)
        worker.join();
    cv::setNumThreads(previous_threads);

    std::map<std::filesystem::path, PhotoOutcome> by_file;
    for (std::size_t i = 0; i < distinct.size(); ++i)
        by_file[distinct[i]] = outcomes[i];
    return by_file;
}

}  // namespace menjin::cli
