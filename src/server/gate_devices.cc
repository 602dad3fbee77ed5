#include "server/gate_devices.h"

#include <sodium.h>

#include "crypto/secret_token.h"

namespace menjin {

namespace {

std::string NewCredentialId() {
    unsigned char random[8];
    randombytes_buf(random, sizeof(random));
    char hex[sizeof(random) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    return std::string("dev-") + hex;
}

}  // namespace

Result<IssuedDeviceCredential> GateDevices::Issue(const std::string& gate_id,
                                                  const std::string& created_by) {
    MENJIN_RETURN_IF_ERROR(store_.GetGate(gate_id).status());
    IssuedDeviceCredential issued;
    issued.token = kTokenPrefix + NewSecretToken();
    issued.credential.id = NewCredentialId();
    issued.credential.gate_id = gate_id;
    issued.credential.token_hash = SecretTokenHash(issued.token);
    issued.credential.created_at = clock_.Now();
    issued.credential.created_by = created_by;
    MENJIN_RETURN_IF_ERROR(store_.CreateDeviceCredential(issued.credential));
    return issued;
}

Result<DeviceCredential> GateDevices::Resolve(const std::string& token) {
    MENJIN_ASSIGN_OR_RETURN(std::optional<DeviceCredential> credential,
                            store_.FindDeviceCredential(SecretTokenHash(token)));
    if (!credential) {
        return Status(ErrorCode::kUnauthenticated,
                      "the device token is unknown or was revoked: issue a new one");
    }
    return std::move(*credential);
}

}  // namespace menjin
