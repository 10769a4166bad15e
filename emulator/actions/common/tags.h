// Tags and resource ARNs as DynamoDB checks them (TagResource, UntagResource,
// ListTagsOfResource, CreateTable's Tags).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/json.h"

namespace ddb::actions {

using Tags = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kMaxTags = 50;

// Whether a tag key or value uses only DynamoDB's characters: Unicode letters, digits and
// separators (spaces of every kind, but no tab or newline) and _ . : / = + - @.
bool tag_characters_ok(std::string_view utf8);
// The length DynamoDB counts (UTF-16 code units, as Java does).
size_t utf16_length(std::string_view utf8);

// A tag key (of TagResource or UntagResource): ValidationException "The Tag Key provided is
// invalid, Key: ..." for an empty, over-long or badly spelled key, "Tag Key cannot be prefixed
// with aws:, ..." for a reserved one.
void check_tag_key(std::string_view key);
void check_tag_value(std::string_view value);

// The Tags list of TagResource or CreateTable, checked in request order; a missing Key or Value
// is refused as DynamoDB refuses it (", Key: null"). Duplicates and more than 50 are refused.
Tags read_tags(const model::Json& list);
// `current` with `added` set (a key that is there keeps its place and takes the new value);
// refuses a result of more than 50 tags.
Tags merge_tags(Tags current, const Tags& added);

// A ResourceArn, as far as it can be read without the catalog.
struct ResourceArn {
  std::string region, account, table;
  std::string stream_label;  // "" unless it names a table's stream
};
// Refuses what is not a table or stream ARN of DynamoDB with DynamoDB's messages:
// "ARNs must start with 'arn:'", "Provided Arn is not a DynamoDB resource arn", index ARNs,
// and "Invalid TableArn: Invalid ResourceArn provided as input ..." for a malformed table part.
ResourceArn parse_resource_arn(std::string_view arn);

}  // namespace ddb::actions
