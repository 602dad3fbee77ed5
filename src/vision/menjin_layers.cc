#include "vision/menjin_layers.h"

#include <mutex>
#include <string>

namespace menjin {

bool IsMenjinLayerType(std::string_view type) {
    return type == kSeparableResidualLayerType || type == kDepthwiseLayerType;
}

void RegisterMenjinLayers() {
    static std::once_flag once;
    std::call_once(once, [] {
        cv::dnn::LayerFactory::registerLayer(std::string(kSeparableResidualLayerType),
                                             CreateSeparableResidualLayer);
        cv::dnn::LayerFactory::registerLayer(std::string(kDepthwiseLayerType),
                                             CreateDepthwiseLayer);
    });
}

}  // namespace menjin
