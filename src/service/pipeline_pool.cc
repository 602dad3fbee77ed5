#include "service/pipeline_pool.h"

namespace menjin {

Result<std::unique_ptr<PipelinePool>> PipelinePool::Create(const RecognitionEngine& engine,
                                                           int size) {
    std::unique_ptr<PipelinePool> pool(new PipelinePool());
    for (int i = 0; i < std::max(size, 1); ++i) {
        MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<FacePipeline> pipeline, engine.NewPipeline());
        pool->template_kind_ = pipeline->template_kind();
        pool->template_dim_ = pipeline->template_dim();
        pool->score_offset_ = pipeline->score_offset();
        pool->free_.push_back(std::move(pipeline));
    }
    return pool;
}

PipelinePool::Lease PipelinePool::Acquire() {
    std::unique_lock lock(mutex_);
    // Callers are served in arrival order. Without the tickets, a thread that has just released
    // a pipeline and requests one again usually wins it over the threads already waiting, so
    // under load some requests wait many turns.
    const std::uint64_t ticket = next_ticket_++;
    available_.wait(lock, [&] { return ticket == serving_ticket_ && !free_.empty(); });
    ++serving_ticket_;
    std::unique_ptr<FacePipeline> pipeline = std::move(free_.back());
    free_.pop_back();
    lock.unlock();
    // The next ticket may find another free pipeline.
    available_.notify_all();
    return Lease(this, std::move(pipeline));
}

void PipelinePool::Release(std::unique_ptr<FacePipeline> pipeline) {
    {
        std::lock_guard lock(mutex_);
        free_.push_back(std::move(pipeline));
    }
    available_.notify_all();
}

PipelinePool::Lease::~Lease() {
    if (pool_ != nullptr && pipeline_ != nullptr)
        pool_->Release(std::move(pipeline_));
}

}  // namespace menjin
