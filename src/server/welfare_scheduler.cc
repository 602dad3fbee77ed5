#include "server/welfare_scheduler.h"

#include "common/log.h"
#include "welfare/lead_finder.h"
#include "welfare/welfare_monitor.h"

namespace menjin {

WelfareScheduler::WelfareScheduler(AccessCore& core, WelfareSchedulerOptions options)
    : core_(core), options_(options), sender_(core.store(), core.clock(), options.webhooks) {}

WelfareScheduler::~WelfareScheduler() {
    Stop();
}

void WelfareScheduler::Start() {
    thread_ = std::thread([this] { Loop(); });
}

void WelfareScheduler::RequestStop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    sender_.Abort();
}

void WelfareScheduler::Stop() {
    RequestStop();
    if (thread_.joinable()) {
        thread_.join();
        MENJIN_LOG_INFO("welfare: scheduler stopped");
    }
}

bool WelfareScheduler::Stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void WelfareScheduler::Loop() {
    while (!Stopping()) {
        RunOnce();
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.tick, [this] { return stopping_; });
    }
}

void WelfareScheduler::RunOnce() {
    const UnixSeconds now = core_.clock().Now();
    EvaluateDueEstates(now);
    SweepWhenDue(now);
    if (Stopping())
        return;
    CompactWhenDue(now);
    DeliverWebhooks();
}

void WelfareScheduler::EvaluateDueEstates(UnixSeconds now) {
    Result<std::vector<Estate>> estates = core_.store().ListEstates();
    if (!estates.ok()) {
        MENJIN_LOG_ERROR("welfare: cannot list estates: {}", estates.status().ToString());
        return;
    }
    for (const Estate& estate : *estates) {
        if (Stopping())
            return;
        Result<EstateWelfareSettings> settings = core_.store().GetWelfareSettings(estate.id);
        if (!settings.ok()) {
            MENJIN_LOG_ERROR("welfare: estate {}: cannot read settings: {}", estate.id,
                             settings.status().ToString());
            continue;
        }
        auto last = last_evaluated_.find(estate.id);
        const UnixSeconds interval = settings->evaluation_interval_minutes * 60;
        if (last != last_evaluated_.end() && now - last->second < interval)
            continue;
        last_evaluated_[estate.id] = now;
        EvaluateEstate(estate.id);
    }
}

void WelfareScheduler::EvaluateEstate(const std::string& estate_id) {
    Result<WelfareEvaluation> alerts =
        WelfareMonitor(core_.store(), core_.clock()).EvaluateEstate(estate_id);
    if (!alerts.ok()) {
        MENJIN_LOG_ERROR("welfare: estate {}: alert evaluation failed: {}", estate_id,
                         alerts.status().ToString());
    }
    Result<LeadEvaluation> leads = LeadFinder(core_).EvaluateEstate(estate_id);
    if (!leads.ok()) {
        MENJIN_LOG_ERROR("welfare: estate {}: lead evaluation failed: {}", estate_id,
                         leads.status().ToString());
        return;
    }
    purged_since_compact_ += leads->attempts_purged;
}

void WelfareScheduler::SweepWhenDue(UnixSeconds now) {
    if (last_sweep_ != 0 && now - last_sweep_ < options_.duplicate_sweep_seconds)
        return;
    if (Stopping())
        return;
    last_sweep_ = now;
    Result<LeadEvaluation> sweep = LeadFinder(core_).SweepDuplicates();
    if (!sweep.ok()) {
        MENJIN_LOG_ERROR("welfare: duplicate identity sweep failed: {}", sweep.status().ToString());
    }
}

void WelfareScheduler::CompactWhenDue(UnixSeconds now) {
    if (purged_since_compact_ == 0 || now - last_compact_ < options_.compact_seconds)
        return;
    Status compacted = core_.store().Compact();
    if (!compacted.ok()) {
        // Busy readers keep the checkpoint from finishing; the next round tries again.
        MENJIN_LOG_WARN("welfare: compaction after purging {} unknown faces failed: {}",
                        purged_since_compact_, compacted.ToString());
        return;
    }
    MENJIN_LOG_INFO("welfare: compacted the store after purging {} unknown faces",
                    purged_since_compact_);
    last_compact_ = now;
    purged_since_compact_ = 0;
}

void WelfareScheduler::DeliverWebhooks() {
    Result<DeliveryRound> round = sender_.DeliverDue();
    if (!round.ok()) {
        MENJIN_LOG_ERROR("webhook: cannot read or update the outbox: {}",
                         round.status().ToString());
    }
}

}  // namespace menjin
