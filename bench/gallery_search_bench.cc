// Latency of one exact gallery search (EstateGallery::Search, top 5 people) on synthetic
// L2-normalised 192-float templates, three per person, for galleries of 2,000, 133,000 and
// 1,000,000 templates.
//
// Each benchmark times every search on its own and reports, per repetition, the median and
// 99th percentile search latency in ms (counters p50_ms and p99_ms). The aggregate rows give
// the statistics of those values over the repetitions. Variants:
//   /templates/faiss_threads          one search at a time, with FAISS's OpenMP team limited
//                                     to faiss_threads threads
//   .../threads:2                     two threads searching the same gallery at once, each
//                                     with one OpenMP thread. p50_ms is the latency under
//                                     that load, and the Time column is wall time divided by
//                                     the searches of both threads (inverse throughput).
// BM_GalleryRemovePerson times EstateGallery::RemovePerson, which FAISS runs in time linear
// in the gallery size.
//
// Each gallery is built once per process, before its first benchmark. The 1,000,000-template
// gallery contains about 770 MB of floats. Run one size with e.g.
// --benchmark_filter=templates:133000/.

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "gallery/estate_gallery.h"

namespace menjin {
namespace {

constexpr int kDimension = 192;
constexpr int kTemplatesPerPerson = 3;
constexpr int kMaxPeople = 5;
constexpr int kQueryCount = 1024;
constexpr std::uint32_t kSeed = 20240601;

std::vector<float> RandomUnitVector(std::mt19937& random) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(kDimension);
    double squared_norm = 0;
    for (float& value : values) {
        value = normal(random);
        squared_norm += static_cast<double>(value) * value;
    }
    const float scale = static_cast<float>(1.0 / std::sqrt(squared_norm));
    for (float& value : values) {
        value *= scale;
    }
    return values;
}

std::string PersonOfTemplate(std::int64_t template_id) {
    return "person-" + std::to_string(template_id / kTemplatesPerPerson);
}

// Builds a gallery of `templates` random templates. Aborts the benchmark run on failure,
// because every later number would be meaningless.
std::unique_ptr<EstateGallery> BuildGallery(std::int64_t templates) {
    Result<std::unique_ptr<EstateGallery>> gallery = EstateGallery::Create(kDimension);
    if (!gallery.ok()) {
        std::fprintf(stderr, "gallery_search_bench: %s\n", gallery.status().ToString().c_str());
        std::exit(1);
    }
    std::mt19937 random(kSeed);
    for (std::int64_t id = 0; id < templates; ++id) {
        Status status = (*gallery)->Add(id, PersonOfTemplate(id), RandomUnitVector(random));
        if (!status.ok()) {
            std::fprintf(stderr, "gallery_search_bench: %s\n", status.ToString().c_str());
            std::exit(1);
        }
    }
    return std::move(gallery).value();
}

// Returns the gallery of `templates` templates, building it on first use. Galleries are kept
// for the whole run so that repetitions and variants of one size share one build.
EstateGallery& GalleryOfSize(std::int64_t templates) {
    static std::mutex mutex;
    static std::map<std::int64_t, std::unique_ptr<EstateGallery>> galleries;
    std::lock_guard lock(mutex);
    std::unique_ptr<EstateGallery>& gallery = galleries[templates];
    if (!gallery) {
        gallery = BuildGallery(templates);
    }
    return *gallery;
}

const std::vector<std::vector<float>>& Queries() {
    static const std::vector<std::vector<float>> queries = [] {
        std::mt19937 random(kSeed + 1);
        std::vector<std::vector<float>> result;
        for (int i = 0; i < kQueryCount; ++i) {
            result.push_back(RandomUnitVector(random));
        }
        return result;
    }();
    return queries;
}

double Percentile(std::vector<double> values, double fraction) {
    if (values.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + rank, values.end());
    return values[rank];
}

// Arguments: gallery size in templates, OpenMP threads for FAISS.
void BM_GallerySearch(benchmark::State& state) {
    omp_set_num_threads(static_cast<int>(state.range(1)));
    const EstateGallery& gallery = GalleryOfSize(state.range(0));
    const std::vector<std::vector<float>>& queries = Queries();

    std::vector<double> latencies_ms;
    std::size_t next_query = static_cast<std::size_t>(state.thread_index()) * 7;
    for (auto _ : state) {
        const std::vector<float>& query = queries[next_query++ % queries.size()];
        const auto start = std::chrono::steady_clock::now();
        Result<std::vector<PersonHit>> hits = gallery.Search(query, kMaxPeople);
        const auto end = std::chrono::steady_clock::now();
        if (!hits.ok()) {
            state.SkipWithError(hits.status().ToString().c_str());
            break;
        }
        benchmark::DoNotOptimize(hits);
        latencies_ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    state.counters["p50_ms"] =
        benchmark::Counter(Percentile(latencies_ms, 0.5), benchmark::Counter::kAvgThreads);
    state.counters["p99_ms"] =
        benchmark::Counter(Percentile(latencies_ms, 0.99), benchmark::Counter::kAvgThreads);
    state.counters["templates"] =
        benchmark::Counter(static_cast<double>(gallery.size()), benchmark::Counter::kAvgThreads);
}

void SearchArguments(benchmark::internal::Benchmark* benchmark) {
    benchmark->ArgNames({"templates", "faiss_threads"});
    for (std::int64_t templates : {2'000, 133'000, 1'000'000}) {
        for (std::int64_t faiss_threads : {1, 2}) {
            benchmark->Args({templates, faiss_threads});
        }
    }
}

BENCHMARK(BM_GallerySearch)
    ->Apply(SearchArguments)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_GallerySearch)
    ->ArgNames({"templates", "faiss_threads"})
    ->Args({2'000, 1})
    ->Args({133'000, 1})
    ->Args({1'000'000, 1})
    ->Threads(2)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Time of RemovePerson on a person in the middle of the gallery, which GallerySet runs under
// its exclusive lock, so searches of every estate wait for it. Each removed person is added
// back with new random templates outside the timed part, so the gallery keeps its size.
// Arguments: gallery size in templates.
void BM_GalleryRemovePerson(benchmark::State& state) {
    EstateGallery& gallery = GalleryOfSize(state.range(0));
    std::mt19937 random(kSeed + 2);
    std::uniform_int_distribution<std::int64_t> person_index(
        0, state.range(0) / kTemplatesPerPerson - 1);

    for (auto _ : state) {
        const std::int64_t first_template = person_index(random) * kTemplatesPerPerson;
        const std::string person_id = PersonOfTemplate(first_template);
        Result<int> removed = gallery.RemovePerson(person_id);
        if (!removed.ok() || *removed != kTemplatesPerPerson) {
            state.SkipWithError("RemovePerson failed or removed the wrong number of templates");
            break;
        }

        state.PauseTiming();
        bool added_back = true;
        for (int i = 0; i < kTemplatesPerPerson; ++i) {
            added_back &= gallery.Add(first_template + i, person_id, RandomUnitVector(random)).ok();
        }
        state.ResumeTiming();
        if (!added_back) {
            state.SkipWithError("adding the removed person back failed");
            break;
        }
    }
}

// Registered after the searches, because it replaces templates of the shared galleries.
BENCHMARK(BM_GalleryRemovePerson)
    ->ArgName("templates")
    ->Arg(133'000)
    ->Arg(1'000'000)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace menjin

BENCHMARK_MAIN();
