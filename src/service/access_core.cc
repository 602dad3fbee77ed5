#include "service/access_core.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "common/log.h"
#include "crypto/data_key.h"
#include "sqlite/sqlite_store.h"

namespace menjin {

namespace fs = std::filesystem;

fs::path DatabasePath(const fs::path& data_dir) {
    return data_dir / "menjin.db";
}
fs::path KeyFilePath(const fs::path& data_dir) {
    return data_dir / "data.key";
}

namespace {

constexpr const char* kTemplateKindSetting = "template_kind";
constexpr const char* kModeSetting = "recognition_mode";

const char* ModeName(RecognitionMode mode) {
    return mode == RecognitionMode::kAccurate ? "accurate" : "default";
}

Result<std::unique_ptr<Store>> OpenStore(const fs::path& data_dir, const DataKey& key) {
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store,
                            SqliteStore::Open(DatabasePath(data_dir), RecordCipher(key)));
    return std::unique_ptr<Store>(std::move(store));
}

// Records the template kind on first use and refuses to mix kinds afterwards.
Status CheckTemplateKind(Store& store, const std::string& kind, const fs::path& data_dir) {
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                            store.GetSetting(kTemplateKindSetting));
    if (!stored)
        return store.PutSetting(kTemplateKindSetting, kind);
    if (*stored != kind) {
        return Status(ErrorCode::kFailedPrecondition,
                      "core: data folder '" + data_dir.string() + "' holds templates of kind '" +
                          *stored + "' but the engine makes '" + kind +
                          "': open it with the mode it was enrolled with");
    }
    return Status::Ok();
}

}  // namespace

AccessCore::AccessCore(AccessCoreOptions options, std::shared_ptr<const Clock> clock,
                       std::unique_ptr<Store> store, RecordCipher cipher, RecognitionEngine engine,
                       std::unique_ptr<PipelinePool> pool, std::unique_ptr<GallerySet> galleries)
    : options_(std::move(options)),
      clock_(std::move(clock)),
      store_(std::move(store)),
      cipher_(std::move(cipher)),
      engine_(std::move(engine)),
      pool_(std::move(pool)),
      galleries_(std::move(galleries)) {}

Status AccessCore::InitDataDir(const fs::path& data_dir, RecognitionMode mode) {
    std::error_code error;
    if (!fs::exists(data_dir)) {
        fs::create_directories(data_dir, error);
        if (error) {
            return IoError("core: cannot create data folder '" + data_dir.string() +
                           "': " + error.message());
        }
        if (::chmod(data_dir.c_str(), 0700) != 0) {
            return IoError("core: cannot restrict data folder '" + data_dir.string() +
                           "': " + std::strerror(errno));
        }
    } else if (!fs::is_directory(data_dir)) {
        return InvalidArgument("core: data folder '" + data_dir.string() + "' is not a folder");
    }
    MENJIN_ASSIGN_OR_RETURN(DataKey key, DataKey::LoadOrCreate(KeyFilePath(data_dir)));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(data_dir, key));
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::string> stored, store->GetSetting(kModeSetting));
    if (!stored)
        return store->PutSetting(kModeSetting, ModeName(mode));
    if (*stored != ModeName(mode)) {
        return Status(ErrorCode::kFailedPrecondition, "core: data folder '" + data_dir.string() +
                                                          "' was set up in " + *stored +
                                                          " mode, not " + ModeName(mode));
    }
    return Status::Ok();
}

Result<std::unique_ptr<AccessCore>> AccessCore::Open(const AccessCoreOptions& options,
                                                     std::shared_ptr<const Clock> clock) {
    if (!fs::exists(DatabasePath(options.data_dir))) {
        return NotFound("core: no database in '" + options.data_dir.string() +
                        "': run `menjin init --data " + options.data_dir.string() + "` first");
    }
    MENJIN_ASSIGN_OR_RETURN(DataKey key, DataKey::LoadOrCreate(KeyFilePath(options.data_dir)));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(options.data_dir, key));
    PipelineOptions pipeline = options.pipeline;
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::string> mode, store->GetSetting(kModeSetting));
    if (mode) {
        MENJIN_ASSIGN_OR_RETURN(pipeline.mode, ParseRecognitionMode(*mode));
    }
    MENJIN_ASSIGN_OR_RETURN(RecognitionEngine engine,
                            LoadRecognitionEngine(options.model_dir, pipeline));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<PipelinePool> pool,
                            PipelinePool::Create(engine, options.pipelines));
    MENJIN_RETURN_IF_ERROR(CheckTemplateKind(*store, pool->template_kind(), options.data_dir));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<GallerySet> galleries,
                            GallerySet::Create(pool->template_dim()));
    std::unique_ptr<AccessCore> core(new AccessCore(options, std::move(clock), std::move(store),
                                                    RecordCipher(key), std::move(engine),
                                                    std::move(pool), std::move(galleries)));
    MENJIN_RETURN_IF_ERROR(core->LoadGalleries());
    return core;
}

Status AccessCore::LoadGalleries() {
    std::lock_guard lock(membership_mutex_);
    galleries_->Clear();
    MENJIN_ASSIGN_OR_RETURN(std::vector<FaceTemplateRecord> templates,
                            store_->ListTemplatesOfKind(template_kind()));
    std::set<std::string> people;
    for (const FaceTemplateRecord& t : templates)
        people.insert(t.person_id);
    for (const std::string& person_id : people) {
        MENJIN_RETURN_IF_ERROR(AddPersonToGalleries(person_id));
    }
    MENJIN_LOG_INFO("core: galleries loaded: {} templates of {} people, kind {}", templates.size(),
                    people.size(), template_kind());
    return Status::Ok();
}

Status AccessCore::AddPersonToGalleries(const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<FaceTemplateRecord> templates,
                            store_->ListTemplatesOfPerson(person_id));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> grants, store_->ListGrantsOfPerson(person_id));
    std::set<std::string> estates{kAllEstatesGallery};
    for (const AccessGrant& grant : grants)
        estates.insert(grant.estate_id);
    for (const FaceTemplateRecord& t : templates) {
        if (t.template_kind != template_kind())
            continue;
        for (const std::string& estate_id : estates) {
            if (galleries_->ContainsTemplate(estate_id, t.template_id))
                continue;
            MENJIN_RETURN_IF_ERROR(galleries_->Add(estate_id, t.template_id, person_id, t.values));
        }
    }
    return Status::Ok();
}

Result<Thresholds> AccessCore::ThresholdsOf(const std::string& estate_id) const {
    MENJIN_ASSIGN_OR_RETURN(Estate estate, store_->GetEstate(estate_id));
    MENJIN_ASSIGN_OR_RETURN(ImpostorTail tail, engine_.ImpostorTailOf(template_kind()));
    const int people = static_cast<int>(galleries_->PeopleCount(estate_id));
    return ComputeThresholds(tail, estate.target_fpir, people);
}

float AccessCore::Score(std::span<const float> a, std::span<const float> b) const {
    float dot = 0;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        dot += a[i] * b[i];
    return dot - pool_->score_offset();
}

Result<ImpostorTail> AccessCore::ImpostorTailOfKind() const {
    return engine_.ImpostorTailOf(template_kind());
}

Result<Thresholds> AccessCore::DuplicateThresholds() const {
    MENJIN_ASSIGN_OR_RETURN(ImpostorTail tail, ImpostorTailOfKind());
    const int people = static_cast<int>(galleries_->PeopleCount(kAllEstatesGallery));
    return ComputeThresholds(tail, Estate{}.target_fpir, people);
}

}  // namespace menjin
