// Vendor hooks (docs/integration.md): what a hook is told, which files run, in which order,
// and what happens to one that fails, hangs or cannot start. Real processes from shell scripts
// in a temporary directory; no root needed.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platform/hooks/hook_runner.hpp"

using namespace s46;
using namespace std::chrono_literals;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/s46hooks.XXXXXX";
        path = ::mkdtemp(t);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    void script(const std::string& name, const std::string& body, bool executable = true) const {
        const std::string p = path + "/" + name;
        std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
        ::chmod(p.c_str(), executable ? 0755 : 0644);
    }
    std::string read(const std::string& name) const {
        std::ifstream in(path + "/" + name);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

modes::Plan mape_plan() {
    modes::Plan p;
    p.mode = select::Mode::mape;
    p.tunnel_local = *net::Ipv6Address::parse("2001:db8:1234:5600:c0:2:3400:56");
    p.tunnel_remote = *net::Ipv6Address::parse("2001:db8:ffff::1");
    p.ipv4 = net::Ipv4Prefix(*net::Ipv4Address::parse("192.0.2.52"), 32);
    p.ports = {6, 8, 0x34};
    p.napt = true;
    p.tunnel_mtu = 1460;
    return p;
}

hooks::HookContext context() { return {"kernel", "s46tnl0", "eth0"}; }

struct Logged {
    std::vector<std::pair<bool, std::string>> lines;
    hooks::HookRunner::Log fn() {
        return [this](bool problem, const std::string& line) { lines.emplace_back(problem, line); };
    }
    bool has(bool problem, const std::string& text) const {
        for (const auto& [p, l] : lines)
            if (p == problem && l.find(text) != std::string::npos) return true;
        return false;
    }
};

void run_until_idle(asio::io_context& io, hooks::HookRunner& r) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!r.idle() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(20ms);
    }
    REQUIRE(r.idle());
}

}  // namespace

TEST_CASE("hook call: event names, environment and input for a MAP-E plan") {
    CHECK(hooks::hook_event(select::TransitionKind::activate) == hooks::HookEvent::up);
    CHECK(hooks::hook_event(select::TransitionKind::replace) == hooks::HookEvent::change);
    CHECK(hooks::hook_event(select::TransitionKind::teardown) == hooks::HookEvent::down);
    CHECK_FALSE(hooks::hook_event(select::TransitionKind::none));

    const auto plan = mape_plan();
    const auto call = hooks::make_hook_call(hooks::HookEvent::up, &plan, context());
    auto has = [&](const std::string& kv) { return std::find(call.env.begin(), call.env.end(), kv) != call.env.end(); };
    CHECK(has("S46_EVENT=up"));
    CHECK(has("S46_MODE=mape"));
    CHECK(has("S46_DATAPLANE=kernel"));
    CHECK(has("S46_DEVICE=s46tnl0"));
    CHECK(has("S46_IPV4=192.0.2.52"));
    CHECK(has("S46_PSID=52"));
    CHECK(has("S46_PSID_LEN=8"));
    CHECK(has("S46_PSID_OFFSET=6"));
    CHECK(has("S46_REMOTE=2001:db8:ffff::1"));
    CHECK(has("S46_MTU=1460"));
    // 63 ranges of 4 ports, the first 1232-1235 (RFC 7597 §5.1 with a = 6, k = 8, PSID 0x34).
    auto ports = std::find_if(call.env.begin(), call.env.end(), [](const std::string& e) { return e.rfind("S46_PORTS=", 0) == 0; });
    REQUIRE(ports != call.env.end());
    CHECK(ports->rfind("S46_PORTS=1232-1235 2256-2259 ", 0) == 0);
    CHECK(std::count(ports->begin(), ports->end(), ' ') == 62);
    auto in = nlohmann::json::parse(call.input);
    CHECK(in["event"] == "up");
    CHECK(in["device"] == "s46tnl0");
    CHECK(in["mode"] == "mape");
    CHECK(in["plan"]["psid"] == 52);

    const auto down = hooks::make_hook_call(hooks::HookEvent::down, nullptr, context());
    CHECK(nlohmann::json::parse(down.input)["plan"].is_null());
    CHECK(std::find(down.env.begin(), down.env.end(), "S46_MODE=none") != down.env.end());
}

TEST_CASE("hooks: executables only, in name order, skipping leftovers") {
    TempDir d;
    d.script("20-b", "true");
    d.script("10-a", "true");
    d.script("30-plain", "true", false);
    d.script(".hidden", "true");
    d.script("40-c~", "true");
    d.script("50-d.dpkg-old", "true");
    std::filesystem::create_directory(d.path + "/60-dir");
    auto list = hooks::HookRunner::list_hooks(d.path);
    REQUIRE(list.size() == 2);
    CHECK(list[0] == d.path + "/10-a");
    CHECK(list[1] == d.path + "/20-b");
    CHECK(hooks::HookRunner::list_hooks(d.path + "/missing").empty());
}

TEST_CASE("hooks: each gets the event, failures and hangs are logged, events keep their order") {
    TempDir d;
    const std::string log = d.path + "/record.txt";
    d.script("10-record", "read -r line; echo \"$S46_EVENT $S46_MODE $S46_IPV4 pg=$(cut -d' ' -f5 /proc/$$/stat) pid=$$ $line\" >> " + log);
    d.script("20-fail", "echo boom; echo 'second line' >&2; exit 3");
    d.script("30-hang", "sleep 30");
    d.script("40-after", "echo \"after $S46_EVENT\" >> " + log);

    asio::io_context io;
    Logged logged;
    hooks::HookRunner runner(io, {d.path, 300ms}, logged.fn());
    const auto plan = mape_plan();
    const auto t0 = std::chrono::steady_clock::now();
    runner.run(hooks::make_hook_call(hooks::HookEvent::up, &plan, context()));
    runner.run(hooks::make_hook_call(hooks::HookEvent::down, nullptr, context()));
    run_until_idle(io, runner);
    const auto elapsed = std::chrono::steady_clock::now() - t0;

    std::istringstream rec(d.read("record.txt"));
    std::vector<std::string> lines;
    for (std::string l; std::getline(rec, l);) lines.push_back(l);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].rfind("up mape 192.0.2.52 ", 0) == 0);
    CHECK(lines[0].find("\"event\":\"up\"") != std::string::npos);  // stdin is the event's JSON
    // Its own process group (pgid == pid).
    const auto pg = lines[0].substr(lines[0].find("pg=") + 3, lines[0].find(' ', lines[0].find("pg=")) - lines[0].find("pg=") - 3);
    const auto pid = lines[0].substr(lines[0].find("pid=") + 4, lines[0].find(' ', lines[0].find("pid=")) - lines[0].find("pid=") - 4);
    CHECK(pg == pid);
    CHECK(lines[1] == "after up");
    CHECK(lines[2].rfind("down none ", 0) == 0);
    CHECK(lines[3] == "after down");

    CHECK(logged.has(false, "hook 10-record (up): exit status 0"));
    CHECK(logged.has(true, "hook 20-fail (up): exit status 3"));
    CHECK(logged.has(true, "output: boom|second line"));
    CHECK(logged.has(true, "hook 30-hang (up): killed after the 300 ms timeout"));
    CHECK(logged.has(true, "hook 30-hang (down): killed after the 300 ms timeout"));
    CHECK(runner.runs() == 8);
    CHECK(runner.failures() == 4);
    // Two hangs cut at 300 ms each, not 30 s.
    CHECK(elapsed < 10s);
}

TEST_CASE("hooks: a hook that cannot start is logged and the next one still runs") {
    TempDir d;
    const std::string log = d.path + "/record.txt";
    // Executable, but its interpreter does not exist.
    {
        std::ofstream(d.path + "/10-broken") << "#!/nonexistent/interpreter\n";
        ::chmod((d.path + "/10-broken").c_str(), 0755);
    }
    d.script("20-ok", "echo ran >> " + log);
    asio::io_context io;
    Logged logged;
    hooks::HookRunner runner(io, {d.path, 2s}, logged.fn());
    runner.run(hooks::make_hook_call(hooks::HookEvent::change, nullptr, context()));
    run_until_idle(io, runner);
    CHECK(d.read("record.txt") == "ran\n");
    CHECK((logged.has(true, "hook 10-broken (change): cannot run") || logged.has(true, "hook 10-broken (change): exit status 127")));
}

TEST_CASE("hooks: drain at shutdown finishes quick hooks and cuts a hang at the budget") {
    TempDir d;
    const std::string log = d.path + "/record.txt";
    d.script("10-quick", "echo \"$S46_EVENT\" >> " + log);
    d.script("20-hang", "sleep 30");
    asio::io_context io;
    Logged logged;
    SECTION("the shutdown budget cuts a hook with a longer timeout, and what is queued is skipped") {
        d.script("30-never", "echo never >> " + log);
        hooks::HookRunner runner(io, {d.path, 10s}, logged.fn());
        runner.run(hooks::make_hook_call(hooks::HookEvent::down, nullptr, context()));
        const auto t0 = std::chrono::steady_clock::now();
        runner.drain(500ms);
        CHECK(std::chrono::steady_clock::now() - t0 < 5s);
        CHECK(runner.idle());
        CHECK(d.read("record.txt") == "down\n");
        CHECK(logged.has(true, "hook 20-hang (down): killed: s46d is stopping and its 500 ms for hooks ran out"));
        CHECK(logged.has(true, "hook 30-never (down): not run, s46d is stopping"));
    }
    SECTION("a hook's own timeout shorter than the budget: the hooks after it still run") {
        d.script("30-after", "echo after >> " + log);
        hooks::HookRunner runner(io, {d.path, 300ms}, logged.fn());
        runner.run(hooks::make_hook_call(hooks::HookEvent::down, nullptr, context()));
        runner.drain(5s);
        CHECK(runner.idle());
        CHECK(d.read("record.txt") == "down\nafter\n");
        CHECK(logged.has(true, "hook 20-hang (down): killed after the 300 ms timeout"));
    }
}
