#include "frames/image_decoder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <opencv2/core/check.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "frames/image_header.h"

namespace menjin {
namespace {

Status CheckLimits(const DecodeLimits& limits) {
    if (limits.max_pixels <= 0) {
        return InvalidArgument(
            fmt::format("frames: invalid limits: max_pixels must be positive, got {}",
                        limits.max_pixels),
            "max_pixels");
    }
    if (limits.max_side <= 0) {
        return InvalidArgument(
            fmt::format("frames: invalid limits: max_side must be positive, got {}",
                        limits.max_side),
            "max_side");
    }
    return Status::Ok();
}

Status CheckByteSize(std::uint64_t size, const DecodeLimits& limits, std::string_view label) {
    if (size <= limits.max_bytes)
        return Status::Ok();
    return Status(ErrorCode::kTooLarge,
                  fmt::format("frames: image '{}' is {} bytes, over the limit of {} bytes", label,
                              size, limits.max_bytes));
}

Status CheckPixelSize(const ImageHeader& header, const DecodeLimits& limits,
                      std::string_view label) {
    if (header.width > limits.max_side || header.height > limits.max_side) {
        return Status(
            ErrorCode::kTooLarge,
            fmt::format("frames: image '{}' is {}x{} px, over the limit of {} px per side", label,
                        header.width, header.height, limits.max_side));
    }
    // Both sides are at most max_side (an int) here, so the product cannot overflow.
    const std::int64_t pixels = header.width * header.height;
    if (pixels > limits.max_pixels) {
        return Status(ErrorCode::kTooLarge,
                      fmt::format("frames: image '{}' is {}x{} px ({} pixels), over the limit of "
                                  "{} pixels",
                                  label, header.width, header.height, pixels, limits.max_pixels));
    }
    return Status::Ok();
}

Status DecodeFailed(const ImageHeader& header, std::string_view label, std::string_view detail) {
    return Status(ErrorCode::kUnprocessable,
                  fmt::format("frames: failed to decode {} '{}': {}",
                              ImageFormatName(header.format), label, detail));
}

// OpenCV 4.6 applies the TIFF orientation itself, so orientations 5..8 swap the stored sides.
bool DecodedSizeMatches(const cv::Mat& raw, const ImageHeader& header) {
    if (raw.cols == header.width && raw.rows == header.height)
        return true;
    return header.format == ImageFormat::kTiff && header.exif_orientation >= 5 &&
           raw.cols == header.height && raw.rows == header.width;
}

// Decodes with IMREAD_UNCHANGED, which keeps alpha and 16-bit samples. With that flag OpenCV
// 4.6 leaves JPEG, PNG and WebP as stored (ApplyOrientation rotates them), but still applies the
// TIFF Orientation tag. May throw cv::Exception.
Result<cv::Mat> DecodePixels(std::span<const std::uint8_t> bytes, const ImageHeader& header,
                             std::string_view label) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        return Status(ErrorCode::kTooLarge,
                      fmt::format("frames: image '{}' is {} bytes, over OpenCV's limit of 2 GiB",
                                  label, bytes.size()));
    }
    // cv::Mat takes a non-const pointer, but imdecode only reads the buffer.
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                          const_cast<std::uint8_t*>(bytes.data()));
    // NOTE: libjpeg only warns about corrupt entropy-coded data, and OpenCV 4.6 does not pass
    // the warning on, so a JPEG damaged in the middle (rather than cut short) decodes with
    // visible artifacts instead of failing.
    cv::Mat raw = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
    if (raw.empty()) {
        return DecodeFailed(header, label,
                            "the decoder rejected the data as corrupt or unsupported");
    }
    if (!DecodedSizeMatches(raw, header)) {
        return DecodeFailed(header, label,
                            fmt::format("decoded size {}x{} differs from the header's {}x{}",
                                        raw.cols, raw.rows, header.width, header.height));
    }
    return raw;
}

Result<cv::Mat> ToEightBit(const cv::Mat& raw, const ImageHeader& header, std::string_view label) {
    if (raw.depth() == CV_8U)
        return raw;
    if (raw.depth() == CV_16U) {
        cv::Mat eight_bit;
        raw.convertTo(eight_bit, CV_8U, 255.0 / 65535.0);  // 65535 maps to 255, with rounding
        return eight_bit;
    }
    return DecodeFailed(header, label,
                        fmt::format("sample type {} is not supported (only 8 and 16 bits)",
                                    cv::depthToString(raw.depth())));
}

// Blends a CV_8UC4 image over a white background. With straight alpha a pixel becomes
// color * a / 255 + (255 - a). With premultiplied alpha the stored color already contains the
// color * a / 255 term.
cv::Mat CompositeOverWhite(const cv::Mat& bgra, bool premultiplied) {
    cv::Mat bgr(bgra.size(), CV_8UC3);
    for (int y = 0; y < bgra.rows; ++y) {
        const std::uint8_t* in = bgra.ptr<std::uint8_t>(y);
        std::uint8_t* out = bgr.ptr<std::uint8_t>(y);
        for (int x = 0; x < bgra.cols; ++x, in += 4, out += 3) {
            const int alpha = in[3];
            for (int c = 0; c < 3; ++c) {
                const int color = premultiplied ? in[c] : (in[c] * alpha + 127) / 255;
                out[c] = static_cast<std::uint8_t>(std::min(color + 255 - alpha, 255));
            }
        }
    }
    return bgr;
}

// Returns whether the fourth channel of `bgra` is real transparency.
bool HasUsableAlpha(const cv::Mat& bgra, const ImageHeader& header) {
    if (!header.alpha_declared)
        return false;
    if (header.format != ImageFormat::kBmp)
        return true;
    // NOTE: many BMP writers declare an alpha mask but leave every alpha byte 0. Taken
    // literally that image is fully transparent and would turn white, so an all-zero alpha
    // channel counts as opaque, as most image viewers treat it.
    cv::Mat alpha;
    cv::extractChannel(bgra, alpha, 3);
    return cv::countNonZero(alpha) > 0;
}

// Converts the decoder's output (1, 3 or 4 channels, 8 or 16 bits) to CV_8UC3 BGR.
//
// NOTE: OpenCV 4.6 returns a gray+alpha TIFF as one gray channel without its alpha, so its
// transparent areas keep their stored gray instead of turning white. A gray+alpha PNG arrives
// as BGRA and is blended.
Result<cv::Mat> ToBgr(const cv::Mat& raw, const ImageHeader& header, std::string_view label) {
    // libtiff, which OpenCV 4.6 uses to read every 8-bit TIFF, premultiplies unassociated alpha.
    // 16-bit TIFF samples arrive as stored: premultiplied only when ExtraSamples is 1.
    const bool premultiplied = header.format == ImageFormat::kTiff &&
                               (raw.depth() == CV_8U || header.tiff_associated_alpha);
    MENJIN_ASSIGN_OR_RETURN(cv::Mat image, ToEightBit(raw, header, label));
    cv::Mat bgr;
    switch (image.channels()) {
        case 1:
            cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
            return bgr;
        case 3:
            return image;
        case 4:
            if (HasUsableAlpha(image, header))
                return CompositeOverWhite(image, premultiplied);
            cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
            return bgr;
        default:
            return DecodeFailed(header, label,
                                fmt::format("{} channels are not supported", image.channels()));
    }
}

// Turns an image stored with EXIF orientation `orientation` upright.
cv::Mat ApplyOrientation(const cv::Mat& stored, int orientation) {
    cv::Mat upright;
    switch (orientation) {
        case 2:  // mirrored left to right
            cv::flip(stored, upright, 1);
            return upright;
        case 3:  // rotated 180 degrees
            cv::rotate(stored, upright, cv::ROTATE_180);
            return upright;
        case 4:  // mirrored top to bottom
            cv::flip(stored, upright, 0);
            return upright;
        case 5:  // mirrored along the main diagonal
            cv::transpose(stored, upright);
            return upright;
        case 6:  // stored rotated 90 degrees counterclockwise
            cv::rotate(stored, upright, cv::ROTATE_90_CLOCKWISE);
            return upright;
        case 7:  // mirrored along the anti-diagonal
            cv::transpose(stored, upright);
            cv::rotate(upright, upright, cv::ROTATE_180);
            return upright;
        case 8:  // stored rotated 90 degrees clockwise
            cv::rotate(stored, upright, cv::ROTATE_90_COUNTERCLOCKWISE);
            return upright;
        default:
            return stored;
    }
}

Result<DecodedImage> DecodeCheckedImage(std::span<const std::uint8_t> bytes,
                                        const ImageHeader& header, std::string_view label) {
    MENJIN_ASSIGN_OR_RETURN(cv::Mat raw, DecodePixels(bytes, header, label));
    MENJIN_ASSIGN_OR_RETURN(cv::Mat bgr, ToBgr(raw, header, label));
    // NOTE: TIFF orientation relies on OpenCV 4.6 applying the Orientation tag while decoding.
    // The tests check this for 8- and 16-bit strip TIFFs, and another OpenCV version may differ.
    if (header.format != ImageFormat::kTiff)
        bgr = ApplyOrientation(bgr, header.exif_orientation);
    return DecodedImage{std::move(bgr), header.format, header.exif_orientation};
}

Status OsError(std::string_view action, const std::filesystem::path& path, int error) {
    const ErrorCode code = error == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError;
    return Status(code, fmt::format("frames: cannot {} '{}': {}", action, path.string(),
                                    std::generic_category().message(error)));
}

// Closes a POSIX file descriptor when it goes out of scope.
class ScopedFd {
  public:
    explicit ScopedFd(int fd) : fd_(fd) {}
    ~ScopedFd() { ::close(fd_); }
    ScopedFd(const ScopedFd&) = delete;
    ScopedFd& operator=(const ScopedFd&) = delete;

  private:
    int fd_;
};

// Reads the whole regular file at `path`, rejecting it from its size when over `limits`.
Result<std::vector<std::uint8_t>> ReadFileBytes(const std::filesystem::path& path,
                                                const DecodeLimits& limits) {
    // O_NONBLOCK keeps open() from waiting for a writer when `path` is a FIFO.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return OsError("open", path, errno);
    const ScopedFd closer(fd);

    struct stat info {};
    if (::fstat(fd, &info) != 0)
        return OsError("stat", path, errno);
    if (!S_ISREG(info.st_mode)) {
        return InvalidArgument(
            fmt::format("frames: cannot read '{}': not a regular file", path.string()));
    }
    const std::string label = path.string();
    MENJIN_RETURN_IF_ERROR(CheckByteSize(static_cast<std::uint64_t>(info.st_size), limits, label));

    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t count = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return OsError("read", path, errno);
        if (count == 0)
            break;  // the file shrank after fstat
        done += static_cast<std::size_t>(count);
    }
    bytes.resize(done);
    return bytes;
}

}  // namespace

Result<DecodedImage> DecodeImage(std::span<const std::uint8_t> bytes, const DecodeLimits& limits,
                                 std::string_view label) {
    MENJIN_RETURN_IF_ERROR(CheckLimits(limits));
    MENJIN_RETURN_IF_ERROR(CheckByteSize(bytes.size(), limits, label));
    MENJIN_ASSIGN_OR_RETURN(const ImageHeader header, ReadImageHeader(bytes, label));
    MENJIN_RETURN_IF_ERROR(CheckPixelSize(header, limits, label));
    MENJIN_RETURN_IF_ERROR(header.truncation);
    try {
        return DecodeCheckedImage(bytes, header, label);
    } catch (const cv::Exception& e) {
        // OpenCV reports out-of-memory and codec failures it does not catch itself this way.
        return DecodeFailed(header, label, e.err);
    }
}

Result<DecodedImage> DecodeImageFile(const std::filesystem::path& path,
                                     const DecodeLimits& limits) {
    MENJIN_RETURN_IF_ERROR(CheckLimits(limits));
    MENJIN_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> bytes, ReadFileBytes(path, limits));
    return DecodeImage(bytes, limits, path.string());
}

}  // namespace menjin
