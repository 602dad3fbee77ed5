#pragma once

#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "domain/security_records.h"
#include "storage/store.h"

namespace menjin {

// A device credential just issued, with the token that is shown once.
struct IssuedDeviceCredential {
    DeviceCredential credential;
    std::string token;
};

// Device credentials of gates: each gate's devices authenticate with a bearer token of their
// own, which admits them to that gate's routes only. Holds references to `store` and `clock`,
// which must outlive it. Thread-safe.
class GateDevices {
  public:
    // Device tokens start with this prefix (session tokens have another).
    static constexpr const char* kTokenPrefix = "mjd_";

    GateDevices(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // Issues a new credential for an existing gate (kNotFound otherwise). Earlier credentials
    // of the gate stay valid until revoked, so a device can be replaced without a gap.
    Result<IssuedDeviceCredential> Issue(const std::string& gate_id, const std::string& created_by);

    // Returns the unrevoked credential of `token`; kUnauthenticated otherwise.
    Result<DeviceCredential> Resolve(const std::string& token);

  private:
    Store& store_;
    const Clock& clock_;
};

}  // namespace menjin
