// Tests of the detector-range-aware calibration lookup of RecognitionEngine.

#include <gtest/gtest.h>

#include "vision/recognition_engine.h"

namespace menjin {
namespace {

ImpostorTail TailStartingAt(float start) {
    ImpostorTail tail;
    tail.impostor_pairs = 1000;
    tail.tail_start = start;
    tail.threshold_far_1e3 = start;
    tail.tail_fraction = 0.001;
    tail.tail_scale = 0.03f;
    return tail;
}

RecognitionEngine EngineWithKinds(DetectorRange range, bool with_short_entry) {
    RecognitionEngine engine;
    engine.options.range = range;
    engine.calibration.kinds["mobilefacenet"] = TailStartingAt(0.45f);
    if (with_short_entry)
        engine.calibration.kinds["mobilefacenet@short"] = TailStartingAt(0.46f);
    return engine;
}

TEST(CalibrationKeyTest, ShortRangeAddsSuffix) {
    EXPECT_EQ(CalibrationKey("mobilefacenet", DetectorRange::kFull), "mobilefacenet");
    EXPECT_EQ(CalibrationKey("mobilefacenet", DetectorRange::kShort), "mobilefacenet@short");
}

TEST(ImpostorTailOfTest, FullRangeUsesPlainEntry) {
    const RecognitionEngine engine = EngineWithKinds(DetectorRange::kFull, true);

    Result<ImpostorTail> tail = engine.ImpostorTailOf("mobilefacenet");

    ASSERT_TRUE(tail.ok()) << tail.status().message();
    EXPECT_FLOAT_EQ(tail->tail_start, 0.45f);
}

TEST(ImpostorTailOfTest, ShortRangeUsesItsOwnEntry) {
    const RecognitionEngine engine = EngineWithKinds(DetectorRange::kShort, true);

    Result<ImpostorTail> tail = engine.ImpostorTailOf("mobilefacenet");

    ASSERT_TRUE(tail.ok()) << tail.status().message();
    EXPECT_FLOAT_EQ(tail->tail_start, 0.46f);
}

TEST(ImpostorTailOfTest, ShortRangeFallsBackToFullRangeEntry) {
    const RecognitionEngine engine = EngineWithKinds(DetectorRange::kShort, false);

    Result<ImpostorTail> tail = engine.ImpostorTailOf("mobilefacenet");

    ASSERT_TRUE(tail.ok()) << tail.status().message();
    EXPECT_FLOAT_EQ(tail->tail_start, 0.45f);
}

TEST(ImpostorTailOfTest, UnknownKindIsNotFound) {
    const RecognitionEngine engine = EngineWithKinds(DetectorRange::kShort, true);

    Result<ImpostorTail> tail = engine.ImpostorTailOf("sface");

    ASSERT_FALSE(tail.ok());
    EXPECT_EQ(tail.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace menjin
