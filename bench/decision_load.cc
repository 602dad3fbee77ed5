#include "decision_load.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

#include <httplib.h>

namespace menjin::bench {

namespace {

using Clock = std::chrono::steady_clock;

double Milliseconds(Clock::duration duration) {
    return std::chrono::duration<double, std::milli>(duration).count();
}

// Sends one frame as the gate; returns the HTTP status, or 0 when the request failed.
int PostFrame(httplib::Client& client, const GateDevice& gate, const std::string& frame,
              bool* granted) {
    auto response = client.Post("/api/v1/gates/" + gate.gate_id + "/decisions",
                                {{"Authorization", "Bearer " + gate.token}}, frame, "image/jpeg");
    if (!response)
        return 0;
    *granted = response->body.find("\"decision\":\"grant\"") != std::string::npos;
    return response->status;
}

std::unique_ptr<httplib::Client> NewClient(int port) {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    client->set_read_timeout(120);
    return client;
}

// Collects the outcomes of all gate threads.
class Tally {
  public:
    void Add(int status, bool granted, double latency_ms) {
        std::lock_guard lock(mutex_);
        if (status != 200) {
            ++result_.errors;
            return;
        }
        result_.latencies_ms.push_back(latency_ms);
        result_.grants += granted ? 1 : 0;
    }
    LoadResult Take(double seconds) {
        std::lock_guard lock(mutex_);
        result_.seconds = seconds;
        return std::move(result_);
    }

  private:
    std::mutex mutex_;
    LoadResult result_;
};

}  // namespace

double LoadResult::DecisionsPerSecond() const {
    return seconds > 0 ? static_cast<double>(latencies_ms.size()) / seconds : 0;
}

double LoadResult::Percentile(double fraction) const {
    if (latencies_ms.empty())
        return 0;
    std::vector<double> sorted = latencies_ms;
    std::sort(sorted.begin(), sorted.end());
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * sorted.size()));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

LoadResult RunClosedLoop(int port, const std::vector<GateDevice>& gates,
                         const std::vector<std::string>& frames, std::chrono::seconds warmup,
                         std::chrono::seconds duration) {
    Tally tally;
    const Clock::time_point start = Clock::now() + warmup;
    const Clock::time_point end = start + duration;
    std::vector<std::thread> threads;
    for (std::size_t g = 0; g < gates.size(); ++g) {
        threads.emplace_back([&, g] {
            auto client = NewClient(port);
            std::size_t next = g * frames.size() / gates.size();
            while (Clock::now() < end) {
                const Clock::time_point sent = Clock::now();
                bool granted = false;
                const int status =
                    PostFrame(*client, gates[g], frames[next++ % frames.size()], &granted);
                if (sent >= start)
                    tally.Add(status, granted, Milliseconds(Clock::now() - sent));
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    return tally.Take(std::chrono::duration<double>(Clock::now() - start).count());
}

LoadResult RunOpenLoop(int port, const std::vector<GateDevice>& gates,
                       const std::vector<std::string>& frames, std::chrono::microseconds interval,
                       std::chrono::seconds duration) {
    Tally tally;
    const Clock::time_point start = Clock::now() + std::chrono::milliseconds(200);
    const Clock::time_point end = start + duration;
    std::mt19937 random(7);
    std::uniform_int_distribution<long> phase_us(0, interval.count() - 1);
    std::vector<std::thread> threads;
    for (std::size_t g = 0; g < gates.size(); ++g) {
        const auto phase = std::chrono::microseconds(phase_us(random));
        threads.emplace_back([&, g, phase] {
            auto client = NewClient(port);
            std::size_t next = g * frames.size() / gates.size();
            for (Clock::time_point due = start + phase; due < end; due += interval) {
                std::this_thread::sleep_until(due);
                bool granted = false;
                const int status =
                    PostFrame(*client, gates[g], frames[next++ % frames.size()], &granted);
                tally.Add(status, granted, Milliseconds(Clock::now() - due));
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    // Real elapsed time: a server that falls behind the schedule finishes late, and its
    // throughput is what it served, not what was offered.
    return tally.Take(std::chrono::duration<double>(Clock::now() - start).count());
}

}  // namespace menjin::bench
