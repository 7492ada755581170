// The migration list stays well-formed as versions are added.
#include <catch2/catch.hpp>

#include "platform/store/schema.hpp"

using namespace s46::store;

TEST_CASE("store schema: migrations count up from 1 without gaps", "[store]") {
    auto list = schema::migrations();
    REQUIRE_FALSE(list.empty());
    for (std::size_t i = 0; i < list.size(); ++i) {
        CHECK(list[i].to_version == static_cast<int>(i) + 1);
        CHECK_FALSE(list[i].sql.empty());
    }
    CHECK(schema::latest_version() == static_cast<int>(list.size()));
    CHECK(schema::latest_version() == 5);
}
