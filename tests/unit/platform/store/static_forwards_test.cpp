// The operator's static port forwards: kept across a reopen in the order added, replaced by
// key, deleted exactly; a version-3 file gains the table and keeps what it had.
#include <catch2/catch.hpp>

#include "platform/store/schema.hpp"
#include "store_fixture.hpp"

using namespace s46;
using namespace s46::store;
using namespace s46::store::test;
using s46::napt::Protocol;
using s46::napt::StaticForward;

namespace {

StaticForward fwd(Protocol p, std::uint16_t port, std::uint8_t host, std::uint16_t lan_port) {
    return {p, port, net::Ipv4Address(192, 168, 1, host), lan_port};
}

}  // namespace

TEST_CASE_METHOD(StateDbFixture, "store: static forwards round-trip across a reopen, in the order added", "[store]") {
    const StaticForward ssh = fwd(Protocol::tcp, 1233, 10, 22);
    const StaticForward sip = fwd(Protocol::udp, 1233, 11, 5060);  // same port, other protocol: another key
    const StaticForward web = fwd(Protocol::tcp, 2258, 12, 8080);
    {
        auto opened = open_without_warnings(path);
        REQUIRE(opened->store->save_static_forward(ssh).ok());
        REQUIRE(opened->store->save_static_forward(sip).ok());
        REQUIRE(opened->store->save_static_forward(web).ok());
    }
    auto opened = open_without_warnings(path);
    auto list = opened->store->static_forwards();
    REQUIRE(list.ok());
    CHECK(*list == std::vector<StaticForward>{ssh, sip, web});

    REQUIRE(opened->store->delete_static_forward(Protocol::tcp, 1233).ok());
    REQUIRE(opened->store->delete_static_forward(Protocol::tcp, 4000).ok());  // unknown: no error
    list = opened->store->static_forwards();
    REQUIRE(list.ok());
    CHECK(*list == std::vector<StaticForward>{sip, web});
    CHECK(sql_value(path, "SELECT lan_address || ':' || lan_port FROM static_forward WHERE protocol = 'udp'") == "192.168.1.11:5060");
}

TEST_CASE_METHOD(StateDbFixture, "store: a row edited into nonsense is refused by name, not half-read", "[store]") {
    { open_without_warnings(path); }
    exec_sql(path, "INSERT INTO static_forward VALUES ('sctp', 1233, '192.168.1.10', 22);");
    auto opened = open_without_warnings(path);
    auto list = opened->store->static_forwards();
    REQUIRE_FALSE(list.ok());
    CHECK_THAT(list.error(), Catch::Matchers::Contains("static forward row sctp 1233"));
}

TEST_CASE_METHOD(StateDbFixture, "store: a version-3 file gains the static forward table and keeps its kernel objects", "[store]") {
    exec_sql(path, std::string(schema::migrations()[0].sql) + std::string(schema::migrations()[1].sql) +
                       std::string(schema::migrations()[2].sql) +
                       "INSERT INTO kernel_object VALUES ('link', 's46tnl0');"
                       "PRAGMA user_version = 3;");
    auto opened = open_without_warnings(path);
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(schema::latest_version()));
    auto list = opened->store->static_forwards();
    REQUIRE(list.ok());
    CHECK(list->empty());
    auto objects = opened->store->kernel_objects();
    REQUIRE(objects.ok());
    CHECK(*objects == std::vector<KernelObject>{{"link", "s46tnl0"}});
    REQUIRE(opened->store->save_static_forward(fwd(Protocol::udp, 2256, 10, 53)).ok());
}
