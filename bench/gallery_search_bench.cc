// Latency of one exact gallery search (EstateGallery::Search, top 5 people) on synthetic
// L2-normalised 192-float templates, three per person, for galleries of 2,000, 133,000 and
// 1,000,000 templates, with FAISS limited to one OpenMP thread.
//
// Each benchmark times every search on its own and reports, per repetition, the median and
// 99th percentile search latency in ms (counters p50_ms and p99_ms). The aggregate rows give
// the statistics of those values over the repetitions. Benchmarks:
//   BM_GallerySearch/automatic        the product's search (SearchMethod::kAutomatic), one
//                                     search at a time. scored = templates whose float32 inner
//                                     product was computed, per search; heap_bytes = heap
//                                     bytes per template of the gallery, measured with
//                                     mallinfo2 while it was built (vector capacity included).
//   BM_GallerySearch/faiss_scan       FAISS's exhaustive float32 search, for comparison.
//   .../threads:2                     two threads searching the same gallery at once. p50_ms is
//                                     the latency under that load, and the Time column is wall
//                                     time divided by the searches of both threads.
//   BM_QuantisedSpeedup               the quantised scan and the FAISS scan, alternating on the
//                                     same queries so that load on the host affects both alike.
//                                     speedup = FAISS median / quantised median; mismatches
//                                     counts searches whose people, template ids or inner
//                                     products differ. The small sizes locate the crossover.
// BM_GalleryRemovePerson times EstateGallery::RemovePerson, which FAISS runs in time linear
// in the gallery size.
//
// Each gallery is built once per process, before its first benchmark. The 1,000,000-template
// gallery contains about 960 MB of templates (floats and int8 codes). Run one size with e.g.
// --benchmark_filter=templates:133000/.

#include <malloc.h>
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
#include <optional>
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

// Returns the bytes that malloc has handed out and not taken back.
std::size_t HeapBytesInUse() {
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
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

// A gallery shared by the benchmarks, with the heap it took to build.
struct SharedGallery {
    std::unique_ptr<EstateGallery> gallery;
    double heap_bytes_per_template = 0;
};

// Returns the gallery of `templates` templates, building it on first use. Galleries are kept
// for the whole run so that repetitions and variants of one size share one build.
SharedGallery& GalleryOfSize(std::int64_t templates) {
    static std::mutex mutex;
    static std::map<std::int64_t, SharedGallery> galleries;
    std::lock_guard lock(mutex);
    SharedGallery& shared = galleries[templates];
    if (!shared.gallery) {
        const std::size_t heap_before = HeapBytesInUse();
        shared.gallery = BuildGallery(templates);
        shared.heap_bytes_per_template =
            static_cast<double>(HeapBytesInUse() - heap_before) / static_cast<double>(templates);
    }
    return shared;
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

// Returns the latency of one search in ms, or nullopt after marking `state` as failed.
std::optional<double> TimeSearch(benchmark::State& state, const EstateGallery& gallery,
                                 const std::vector<float>& query, SearchMethod method,
                                 std::vector<PersonHit>& hits, SearchStats& stats) {
    const auto start = std::chrono::steady_clock::now();
    Result<std::vector<PersonHit>> result = gallery.Search(query, kMaxPeople, method, &stats);
    const auto end = std::chrono::steady_clock::now();
    if (!result.ok()) {
        state.SkipWithError(result.status().ToString().c_str());
        return std::nullopt;
    }
    hits = std::move(result).value();
    benchmark::DoNotOptimize(hits);
    return std::chrono::duration<double, std::milli>(end - start).count();
}

// Arguments: gallery size in templates. `method` selects the search.
void BM_GallerySearch(benchmark::State& state, SearchMethod method) {
    const SharedGallery& shared = GalleryOfSize(state.range(0));
    const std::vector<std::vector<float>>& queries = Queries();

    std::vector<double> latencies_ms;
    double templates_scored = 0;
    std::vector<PersonHit> hits;
    SearchStats stats;
    std::size_t next_query = static_cast<std::size_t>(state.thread_index()) * 7;
    for (auto _ : state) {
        const std::vector<float>& query = queries[next_query++ % queries.size()];
        std::optional<double> latency_ms =
            TimeSearch(state, *shared.gallery, query, method, hits, stats);
        if (!latency_ms) {
            break;
        }
        latencies_ms.push_back(*latency_ms);
        templates_scored += static_cast<double>(stats.templates_scored);
    }
    const auto per_thread = benchmark::Counter::kAvgThreads;
    state.counters["p50_ms"] = benchmark::Counter(Percentile(latencies_ms, 0.5), per_thread);
    state.counters["p99_ms"] = benchmark::Counter(Percentile(latencies_ms, 0.99), per_thread);
    state.counters["scored"] = benchmark::Counter(
        templates_scored / static_cast<double>(std::max<std::size_t>(1, latencies_ms.size())),
        per_thread);
    state.counters["heap_bytes"] = benchmark::Counter(shared.heap_bytes_per_template, per_thread);
}

// Arguments: gallery size in templates. Each iteration searches one query with both methods,
// in alternating order.
void BM_QuantisedSpeedup(benchmark::State& state) {
    const EstateGallery& gallery = *GalleryOfSize(state.range(0)).gallery;
    const std::vector<std::vector<float>>& queries = Queries();

    std::vector<double> quantised_ms;
    std::vector<double> faiss_ms;
    int mismatches = 0;
    std::vector<PersonHit> quantised_hits;
    std::vector<PersonHit> faiss_hits;
    SearchStats stats;
    std::size_t next_query = 0;
    for (auto _ : state) {
        const std::vector<float>& query = queries[next_query % queries.size()];
        const bool quantised_first = next_query++ % 2 == 0;
        std::optional<double> first_ms =
            quantised_first
                ? TimeSearch(state, gallery, query, SearchMethod::kQuantisedScan, quantised_hits,
                             stats)
                : TimeSearch(state, gallery, query, SearchMethod::kFaissScan, faiss_hits, stats);
        std::optional<double> second_ms =
            quantised_first
                ? TimeSearch(state, gallery, query, SearchMethod::kFaissScan, faiss_hits, stats)
                : TimeSearch(state, gallery, query, SearchMethod::kQuantisedScan, quantised_hits,
                             stats);
        if (!first_ms || !second_ms) {
            break;
        }
        quantised_ms.push_back(quantised_first ? *first_ms : *second_ms);
        faiss_ms.push_back(quantised_first ? *second_ms : *first_ms);
        // Random queries have no exactly tied inner products, so both methods must agree.
        bool same = quantised_hits.size() == faiss_hits.size();
        for (std::size_t i = 0; same && i < faiss_hits.size(); ++i) {
            same = quantised_hits[i].person_id == faiss_hits[i].person_id &&
                   quantised_hits[i].template_id == faiss_hits[i].template_id &&
                   quantised_hits[i].inner_product == faiss_hits[i].inner_product;
        }
        mismatches += same ? 0 : 1;
    }
    const double quantised_p50 = Percentile(quantised_ms, 0.5);
    const double faiss_p50 = Percentile(faiss_ms, 0.5);
    state.counters["quantised_p50_ms"] = quantised_p50;
    state.counters["faiss_p50_ms"] = faiss_p50;
    state.counters["speedup"] = quantised_p50 > 0 ? faiss_p50 / quantised_p50 : 0;
    state.counters["mismatches"] = mismatches;
}

void GallerySizes(benchmark::internal::Benchmark* benchmark) {
    benchmark->ArgName("templates");
    for (std::int64_t templates : {2'000, 133'000, 1'000'000}) {
        benchmark->Arg(templates);
    }
}

BENCHMARK_CAPTURE(BM_GallerySearch, automatic, SearchMethod::kAutomatic)
    ->Apply(GallerySizes)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_GallerySearch, faiss_scan, SearchMethod::kFaissScan)
    ->Apply(GallerySizes)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_GallerySearch, automatic, SearchMethod::kAutomatic)
    ->Apply(GallerySizes)
    ->Threads(2)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_QuantisedSpeedup)
    ->ArgName("templates")
    ->Arg(10)
    ->Arg(30)
    ->Arg(100)
    ->Arg(300)
    ->Arg(1'000)
    ->Apply(GallerySizes)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Time of RemovePerson on a person in the middle of the gallery, which GallerySet runs under
// its exclusive lock, so searches of every estate wait for it. Each removed person is added
// back with new random templates outside the timed part, so the gallery keeps its size.
// Arguments: gallery size in templates.
void BM_GalleryRemovePerson(benchmark::State& state) {
    EstateGallery& gallery = *GalleryOfSize(state.range(0)).gallery;
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

// Limits FAISS to one OpenMP thread, so that every figure is for one core per search.
int main(int argc, char** argv) {
    omp_set_num_threads(1);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
