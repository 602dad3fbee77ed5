// `menjin gate-check`: decide at a gate on photos (the frames of one approach) or on an
// alternative credential, log the passage and print what the gate would show.

#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "cli/json_output.h"
#include "service/gate_outcome_json.h"

namespace menjin::cli {

namespace {

struct GateCheckFlags {
    DataFlags data;
    std::string gate_id;
    std::vector<std::string> images;
    std::string card, pin, qr;
};

Result<std::vector<std::uint8_t>> ReadFile(const std::string& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        return NotFound("cannot open '" + path + "'");
    const auto size = static_cast<std::size_t>(in.tellg());
    if (size > max_bytes) {
        return Status(ErrorCode::kTooLarge, "'" + path + "' has " + std::to_string(size) +
                                                " bytes, over the " + std::to_string(max_bytes) +
                                                "-byte limit");
    }
    std::vector<std::uint8_t> bytes(size);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    return bytes;
}

Result<GateOutcome> Decide(AccessCore& core, const GateCheckFlags& flags) {
    if (!flags.card.empty()) {
        return core.DecideCredential(flags.gate_id, CredentialKind::kCard, flags.card);
    }
    if (!flags.pin.empty()) {
        return core.DecideCredential(flags.gate_id, CredentialKind::kPin, flags.pin);
    }
    if (!flags.qr.empty()) {
        return core.DecideCredential(flags.gate_id, CredentialKind::kQrToken, flags.qr);
    }
    if (flags.images.empty()) {
        return InvalidArgument("give one or more images, or --card, --pin or --qr");
    }
    std::vector<std::vector<std::uint8_t>> frames;
    for (const std::string& image : flags.images) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes,
                                ReadFile(image, DecodeLimits{}.max_bytes));
        frames.push_back(std::move(bytes));
    }
    std::vector<std::span<const std::uint8_t>> spans(frames.begin(), frames.end());
    return core.DecideFaces(flags.gate_id, spans);
}

int RunGateCheck(const GateCheckFlags& flags) {
    Result<std::unique_ptr<AccessCore>> core = OpenCore(flags.data);
    if (!core.ok())
        return ReportError("gate-check", core.status());
    Result<GateOutcome> outcome = Decide(**core, flags);
    if (!outcome.ok())
        return ReportError("gate-check", outcome.status());
    PrintJson(GateOutcomeToJson(*outcome));
    return 0;
}

}  // namespace

void AddGateCheckCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<GateCheckFlags>();
    CLI::App* command = app.add_subcommand(
        "gate-check",
        "Decide at a gate on photos (frames of one approach) or a credential; prints JSON");
    AddDataFlags(command, &flags->data);
    command->add_option("--gate", flags->gate_id, "Gate id")->required();
    command->add_option("images", flags->images, "Frames of one approach (JPEG, PNG, ...)");
    command->add_option("--card", flags->card, "Card number presented instead of a face");
    command->add_option("--pin", flags->pin, "PIN entered instead of a face");
    command->add_option("--qr", flags->qr, "QR token shown instead of a face");
    command->callback([flags, exit_code] { *exit_code = RunGateCheck(*flags); });
}

}  // namespace menjin::cli
