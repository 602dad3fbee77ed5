#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "vision/face_pipeline.h"
#include "vision/recognition_engine.h"

namespace menjin {

// A fixed set of face pipelines shared by request threads. A FacePipeline is not thread-safe,
// so each caller borrows one for the duration of its work; callers beyond the pool size wait.
class PipelinePool {
  public:
    // Creates `size` pipelines (at least one) from `engine`.
    static Result<std::unique_ptr<PipelinePool>> Create(const RecognitionEngine& engine, int size);

    // Returns a pipeline to the pool when destroyed.
    class Lease {
      public:
        Lease(PipelinePool* pool, std::unique_ptr<FacePipeline> pipeline)
            : pool_(pool), pipeline_(std::move(pipeline)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = default;
        ~Lease();
        FacePipeline& operator*() { return *pipeline_; }
        FacePipeline* operator->() { return pipeline_.get(); }

      private:
        PipelinePool* pool_;
        std::unique_ptr<FacePipeline> pipeline_;
    };

    // Blocks until a pipeline is free and lends it out, to callers in the order they called.
    Lease Acquire();

    // Template kind and score offset shared by every pipeline of the pool.
    const std::string& template_kind() const { return template_kind_; }
    int template_dim() const { return template_dim_; }
    float score_offset() const { return score_offset_; }

  private:
    void Release(std::unique_ptr<FacePipeline> pipeline);

    std::mutex mutex_;  // guards free_, next_ticket_ and serving_ticket_
    std::condition_variable available_;
    std::vector<std::unique_ptr<FacePipeline>> free_;
    // Arrival tickets: Acquire hands out next_ticket_ and waits until serving_ticket_ is its own.
    std::uint64_t next_ticket_ = 0;
    std::uint64_t serving_ticket_ = 0;
    std::string template_kind_;
    int template_dim_ = 0;
    float score_offset_ = 0;
};

}  // namespace menjin
