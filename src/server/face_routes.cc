// Routes that handle a person's face data: enrolment from an uploaded photo, signed links to
// the display thumbnail, and move-out with its deletion receipt.

#include <span>

#include "common/local_time.h"
#include "domain/record_json.h"
#include "server/request_parsing.h"
#include "server/routes.h"
#include "service/enrolment_json.h"

namespace menjin {

namespace {

std::span<const std::uint8_t> Bytes(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

bool IsImageType(const std::string& content_type) {
    return content_type.rfind("image/", 0) == 0 ||
           content_type.rfind("application/octet-stream", 0) == 0;
}

// Returns the uploaded photo: the multipart part named "photo", or the whole body when it is
// sent as an image content type.
Result<std::string> UploadedPhoto(const ApiRequest& request) {
    if (request.http.is_multipart_form_data()) {
        if (!request.http.has_file("photo")) {
            return InvalidArgument("the multipart upload has no part named 'photo'", "photo");
        }
        const std::size_t parts = request.http.files.count("photo");
        if (parts > 1) {
            return InvalidArgument("the multipart upload has " + std::to_string(parts) +
                                       " parts named 'photo': send one photo per enrolment",
                                   "photo");
        }
        return request.http.get_file_value("photo").content;
    }
    if (!IsImageType(request.http.get_header_value("Content-Type"))) {
        return InvalidArgument(
            "send the photo as multipart/form-data with a part named 'photo', or as the body "
            "with an image content type",
            "photo");
    }
    return request.http.body;
}

Result<ApiReply> Enrol(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(std::string photo, UploadedPhoto(request));
    if (photo.empty())
        return InvalidArgument("the photo is empty", "photo");
    MENJIN_ASSIGN_OR_RETURN(EnrolmentResult result, s.core.Enrol(person.id, Bytes(photo)));
    // The duplicate may live in an estate the caller does not see; name it only when allowed.
    bool show_duplicate = false;
    if (!result.duplicate_person_id.empty()) {
        show_duplicate =
            s.authorizer.PersonFor(request.caller, result.duplicate_person_id).status().ok();
    }
    return JsonReply(EnrolmentToJson(result, show_duplicate), result.accepted ? 201 : 200);
}

Result<ApiReply> ThumbnailLink(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::vector<std::uint8_t>> thumbnail,
                            s.core.store().GetThumbnail(person.id));
    if (!thumbnail)
        return NotFound("person '" + person.id + "' has no thumbnail: enrol a photo first");
    return JsonReply({{"url", s.links.PathFor(person.id)},
                      {"expires_at", FormatUtc(s.links.ExpiryOfNewLink())}});
}

Result<ApiReply> MoveOut(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(DeletionReceipt receipt,
                            s.core.MoveOut(person.id, request.caller.operator_id));
    return JsonReply({{"receipt", ToJson(receipt)}});
}

}  // namespace

std::vector<Route> FaceRoutes(ApiServices& s) {
    return {
        {HttpMethod::kPost, "/api/v1/people/{person_id}/enrolment", kEstateOperators,
         "person.enrol", "person", "person_id", s.limits.upload_bytes,
         [&s](ApiRequest& r) { return Enrol(s, r); }},
        {HttpMethod::kGet, "/api/v1/people/{person_id}/thumbnail-link", kEstateOperators,
         "person.thumbnail_link", "person", "person_id", 0,
         [&s](ApiRequest& r) { return ThumbnailLink(s, r); }},
        {HttpMethod::kPost, "/api/v1/people/{person_id}/move-out", kEstateOperators,
         "person.move_out", "person", "person_id", s.limits.json_bytes,
         [&s](ApiRequest& r) { return MoveOut(s, r); }},
    };
}

}  // namespace menjin
