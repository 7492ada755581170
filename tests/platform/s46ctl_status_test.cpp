// s46ctl status's text rendering of the daemon's status JSON (report::status_table, tested in
// status_report_test.cpp; here only that s46ctl uses it).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "platform/s46ctl/daemon_cmds.hpp"

using namespace s46;

TEST_CASE("s46ctl status: the text is the status table, events line once something happened", "[s46ctl][status]") {
    nlohmann::json s = {{"mode", "lw4o6"}, {"reason", "r"}, {"lease", nullptr},
                        {"events", {{"no_binding_reports", 0}, {"reprovisions", 0}, {"aftr_failovers", 0}}}};
    CHECK(ctl::status_text(s).find("mode        lw4o6\nwhy         r\n") == 0);
    CHECK(ctl::status_text(s).find("events") == std::string::npos);
    s["events"]["no_binding_reports"] = 3;
    s["events"]["reprovisions"] = 1;
    CHECK(ctl::status_text(s).find("events      3 no-binding report(s), 1 re-provisioning(s), 0 AFTR failover(s)\n") !=
          std::string::npos);
}
