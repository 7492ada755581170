// Main of the c-ares resolver integration test: it needs dnsmasq and IPv6 on loopback, and
// reports "skipped" (exit 77, ctest SKIP_RETURN_CODE) with the reason when either is missing.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <exception>

#include "tests/dns/dnsmasq_server.hpp"

int main(int argc, char** argv) {
    constexpr int kSkip = 77;
    if (!s46::dns::test::find_dnsmasq()) {
        std::printf("SKIP: dnsmasq is not installed (Debian: apt-get install dnsmasq-base)\n");
        return kSkip;
    }
    try {
        s46::dns::test::pick_loopback_port();
    } catch (const std::exception& e) {
        std::printf("SKIP: no IPv6 loopback to run a DNS server on (%s)\n", e.what());
        return kSkip;
    }
    return Catch::Session().run(argc, argv);
}
