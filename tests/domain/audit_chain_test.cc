#include "domain/audit_chain.h"

#include <vector>

#include <gtest/gtest.h>

namespace menjin {
namespace {

// Builds a valid chain of `count` entries.
std::vector<AuditEntry> Chain(int count) {
    std::vector<AuditEntry> entries;
    std::string prev = AuditGenesisHash();
    for (int i = 1; i <= count; ++i) {
        AuditEntry entry;
        entry.seq = i;
        entry.at = 1767225600 + i;
        entry.actor = "admin";
        entry.actor_role = "centre_admin";
        entry.action = "person.read";
        entry.record_type = "person";
        entry.record_id = "p" + std::to_string(i);
        entry.remote_address = "127.0.0.1";
        entry.outcome = "ok";
        entry.prev_hash = prev;
        entry.hash = AuditEntryHash(prev, entry);
        prev = entry.hash;
        entries.push_back(entry);
    }
    return entries;
}

Status Verify(const std::vector<AuditEntry>& entries, std::int64_t issued,
              AuditChainVerifier& verifier) {
    for (const AuditEntry& entry : entries) {
        MENJIN_RETURN_IF_ERROR(verifier.Add(entry));
    }
    return verifier.Finish(issued);
}

TEST(AuditChainTest, CanonicalTextSeparatesFields) {
    AuditEntry a;
    a.actor = "ab";
    a.actor_role = "c";
    AuditEntry b;
    b.actor = "a";
    b.actor_role = "bc";
    EXPECT_NE(AuditCanonicalText(a), AuditCanonicalText(b));
    EXPECT_EQ(AuditCanonicalText(a), "1:0,1:0,2:ab,1:c,0:,0:,0:,0:,0:,");
}

TEST(AuditChainTest, IntactChainVerifies) {
    AuditChainVerifier verifier;
    std::vector<AuditEntry> entries = Chain(5);
    EXPECT_TRUE(Verify(entries, 5, verifier).ok());
    EXPECT_EQ(verifier.entries_checked(), 5);
    EXPECT_EQ(verifier.head_hash(), entries.back().hash);
    EXPECT_FALSE(verifier.first_bad_seq().has_value());
}

TEST(AuditChainTest, EmptyChainVerifies) {
    AuditChainVerifier verifier;
    EXPECT_TRUE(verifier.Finish(0).ok());
    EXPECT_EQ(verifier.head_hash(), AuditGenesisHash());
}

TEST(AuditChainTest, EditedFieldIsFound) {
    std::vector<AuditEntry> entries = Chain(5);
    entries[2].outcome = "permission_denied";
    AuditChainVerifier verifier;
    Status status = Verify(entries, 5, verifier);
    EXPECT_EQ(status.code(), ErrorCode::kDataLoss);
    EXPECT_EQ(verifier.first_bad_seq(), 3);
}

TEST(AuditChainTest, RehashedEditBreaksTheNextLink) {
    std::vector<AuditEntry> entries = Chain(5);
    entries[2].record_id = "other";
    entries[2].hash = AuditEntryHash(entries[2].prev_hash, entries[2]);
    AuditChainVerifier verifier;
    EXPECT_FALSE(Verify(entries, 5, verifier).ok());
    EXPECT_EQ(verifier.first_bad_seq(), 4);
}

TEST(AuditChainTest, DeletedMiddleEntryIsFound) {
    std::vector<AuditEntry> entries = Chain(5);
    entries.erase(entries.begin() + 1);
    AuditChainVerifier verifier;
    EXPECT_FALSE(Verify(entries, 5, verifier).ok());
    EXPECT_EQ(verifier.first_bad_seq(), 2);
}

TEST(AuditChainTest, DeletedLastEntryIsFound) {
    std::vector<AuditEntry> entries = Chain(5);
    entries.pop_back();
    AuditChainVerifier verifier;
    Status status = Verify(entries, 5, verifier);
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(verifier.first_bad_seq(), 5);
    EXPECT_NE(status.message().find("missing from the end"), std::string::npos);
}

}  // namespace
}  // namespace menjin
