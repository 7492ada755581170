// The option-matrix runner: every row of matrix.json through s46ctl select's own code path
// (ctl::run_select), comparing mode, plan fields, rejected options and, for lw4o6 via DHCP 4o6,
// the dhcp4o6 report. One line per row, a closing "N passed, M failed", exit status 1 on any
// failure.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "platform/s46ctl/select_cmd.hpp"

using nlohmann::json;

namespace {

// Builds the s46ctl select argument list a row stands for, so the row runs exactly like the CLI.
std::vector<std::string> row_args(const json& row) {
    std::vector<std::string> a = {"--options-hex", row["reply_options_hex"].get<std::string>()};
    for (const auto& p : row["delegated_prefixes"]) a.insert(a.end(), {"--delegated-prefix", p.get<std::string>()});
    if (row.contains("wan_address")) a.insert(a.end(), {"--wan-address", row["wan_address"].get<std::string>()});
    if (row.contains("policy")) {
        const json& p = row["policy"];
        if (p.contains("mode")) a.insert(a.end(), {"--mode", p["mode"].get<std::string>()});
        if (p.contains("order")) a.insert(a.end(), {"--order", p["order"].get<std::string>()});
        if (p.contains("no_match")) a.insert(a.end(), {"--no-match", p["no_match"].get<std::string>()});
    }
    return a;
}

std::string check_row(const json& row) {
    auto args = s46::ctl::parse_select_args(row_args(row));
    if (!args) return "arguments: " + args.error();
    json got = s46::ctl::run_select(*args);
    std::string why;
    if (got["mode"] != row["expected_mode"])
        why += "mode " + got["mode"].get<std::string>() + " != expected " + row["expected_mode"].get<std::string>() + " (" +
               got["reason"].get<std::string>() + "); ";
    if (row.contains("expected_plan")) {
        for (const auto& [k, v] : row["expected_plan"].items()) {
            if (got["plan"].is_null() || !got["plan"].contains(k)) why += "plan." + k + " missing; ";
            else if (got["plan"][k] != v) why += "plan." + k + " = " + got["plan"][k].dump() + " != expected " + v.dump() + "; ";
        }
    }
    if (row.contains("expected_rejected")) {
        for (const auto& code : row["expected_rejected"]) {
            bool found = false;
            for (const auto& r : got["rejected"]) found = found || r["option"] == code;
            if (!found) why += "option " + code.dump() + " not in rejected " + got["rejected"].dump() + "; ";
        }
    }
    if (row.contains("expected_rejected_why_contains")) {
        const std::string needle = row["expected_rejected_why_contains"].get<std::string>();
        bool found = false;
        for (const auto& r : got["rejected"]) found = found || r["why"].get<std::string>().find(needle) != std::string::npos;
        if (!found) why += "no rejection mentions '" + needle + "' in " + got["rejected"].dump() + "; ";
    }
    // lw4o6 via DHCP 4o6: null means the report must have no dhcp4o6 object; otherwise each field
    // must match, and a pending binding means there is no plan yet.
    if (row.contains("expected_dhcp4o6")) {
        const json& want = row["expected_dhcp4o6"];
        if (want.is_null()) {
            if (got.contains("dhcp4o6")) why += "unexpected dhcp4o6 " + got["dhcp4o6"].dump() + "; ";
        } else if (!got.contains("dhcp4o6")) {
            why += "dhcp4o6 missing; ";
        } else {
            for (const auto& [k, v] : want.items())
                if (got["dhcp4o6"][k] != v) why += "dhcp4o6." + k + " = " + got["dhcp4o6"][k].dump() + " != expected " + v.dump() + "; ";
            if (want.value("binding", "").rfind("pending", 0) == 0 && !got["plan"].is_null()) why += "plan present while the binding is pending; ";
        }
    }
    if (row.contains("expected_reason_contains") &&
        got["reason"].get<std::string>().find(row["expected_reason_contains"].get<std::string>()) == std::string::npos)
        why += "reason '" + got["reason"].get<std::string>() + "' lacks '" + row["expected_reason_contains"].get<std::string>() + "'; ";
    return why;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: s46_conformance MATRIX.json\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "s46_conformance: cannot open " << argv[1] << '\n';
        return 2;
    }
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::exception& e) {
        std::cerr << "s46_conformance: " << argv[1] << ": " << e.what() << '\n';
        return 2;
    }
    int passed = 0, failed = 0;
    for (const auto& row : doc["rows"]) {
        std::string why = check_row(row);
        std::string id = row["id"].get<std::string>();
        if (why.empty()) {
            ++passed;
            std::cout << "PASS " << id << "  " << row["scenario"].get<std::string>() << " -> " << row["expected_mode"].get<std::string>() << '\n';
        } else {
            ++failed;
            std::cout << "FAIL " << id << "  " << row["scenario"].get<std::string>() << ": " << why << '\n';
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 && passed > 0 ? 0 : 1;
}
