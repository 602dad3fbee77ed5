#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace menjin {

bool InitLogging(const std::string& level) {
    auto parsed = spdlog::level::from_str(level);
    // from_str maps unknown names to "off", so only accept "off" when it was asked for.
    if (parsed == spdlog::level::off && level != "off")
        return false;
    auto logger = spdlog::stderr_color_mt("menjin");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
    logger->set_level(parsed);
    spdlog::set_default_logger(logger);
    return true;
}

bool EnsureLogLevel(const std::string& level) {
    auto parsed = spdlog::level::from_str(level);
    if (parsed == spdlog::level::off && level != "off")
        return false;
    if (spdlog::default_logger()->level() > parsed)
        spdlog::default_logger()->set_level(parsed);
    return true;
}

}  // namespace menjin
