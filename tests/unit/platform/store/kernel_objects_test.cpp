// The kernel data plane's write-ahead record: what s46d created survives a restart (a crash
// leaves it for the next start to remove), in the order it was created; forgetting is exact.
#include <catch2/catch.hpp>

#include "platform/store/schema.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;

TEST_CASE_METHOD(StateDbFixture, "store: kernel objects are remembered in order, across a reopen, and forgotten exactly", "[store]") {
    const KernelObject link{"link", "s46tnl0"};
    const KernelObject addr{"address6", "eth0 2001:db8::1"};
    const KernelObject table{"nft_table", "ip s46d"};
    {
        auto opened = open_without_warnings(path);
        REQUIRE(opened->store->remember_kernel_object(link).ok());
        REQUIRE(opened->store->remember_kernel_object(addr).ok());
        REQUIRE(opened->store->remember_kernel_object(table).ok());
        REQUIRE(opened->store->remember_kernel_object(addr).ok());  // twice: still one row, first position
    }
    auto opened = open_without_warnings(path);
    auto objects = opened->store->kernel_objects();
    REQUIRE(objects.ok());
    CHECK(*objects == std::vector<KernelObject>{link, addr, table});

    REQUIRE(opened->store->forget_kernel_object(addr).ok());
    REQUIRE(opened->store->forget_kernel_object({"address6", "eth0 2001:db8::2"}).ok());  // unknown: no error
    objects = opened->store->kernel_objects();
    REQUIRE(objects.ok());
    CHECK(*objects == std::vector<KernelObject>{link, table});
}

TEST_CASE_METHOD(StateDbFixture, "store: a version-2 file gains the kernel object table and keeps its lease", "[store]") {
    exec_sql(path, std::string(schema::migrations()[0].sql) + std::string(schema::migrations()[1].sql) +
                       "INSERT INTO selection VALUES (1, 'dslite', 'option 64', '{}');"
                       "PRAGMA user_version = 2;");
    auto opened = open_without_warnings(path);
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
    auto objects = opened->store->kernel_objects();
    REQUIRE(objects.ok());
    CHECK(objects->empty());
    auto sel = opened->store->load_selection();
    REQUIRE(sel.ok());
    REQUIRE(*sel);
    CHECK((*sel)->mode == select::Mode::dslite);
}
