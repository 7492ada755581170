// Fuzz target: the control socket's request path, control::dispatch() (platform/control/
// service.hpp), with a fake service that answers, refuses or throws.
//
// For every input:
//  * dispatch() returns (it is noexcept: an escaping exception would terminate);
//  * the reply is exactly one '\n'-terminated line of valid UTF-8 (RFC 3629), a JSON object
//    with "version": 1 and a boolean "ok"; an error reply has a one-line "error" string;
//  * a request that parse_request() accepts survives to_json -> parse_request unchanged,
//    so s46ctl's serialiser and s46d's parser agree.
// The fake service echoes request data back (including bytes that are not UTF-8) so that the
// serialiser's replacement of bad UTF-8 is exercised, not just the parser.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.hpp"
#include "platform/control/protocol.hpp"
#include "platform/control/service.hpp"

using namespace s46;
using namespace s46::control;
using nlohmann::json;

namespace {

struct FakeService : Service {
    enum class Behaviour { answer, refuse, raise } behaviour = Behaviour::answer;
    std::string echo;  // raw input bytes, echoed into replies

    template <class R>
    Result<R> give(R r) {
        if (behaviour == Behaviour::refuse) return fail("refused: " + echo);
        if (behaviour == Behaviour::raise) throw std::runtime_error("thrown: " + echo);
        return r;
    }
    Result<StatusReply> status(const StatusRequest&) override { return give(StatusReply{json{{"echo", echo}, {"mode", "mape"}}}); }
    Result<EventsReply> events(const EventsRequest& r) override {
        EventsReply out;
        for (auto k : r.kinds) out.events.push_back({1, r.since.value_or(0), k, select::Mode::none, select::Mode::mape, echo});
        return give(out);
    }
    Result<MessageReply> renew(const RenewRequest&) override { return give(MessageReply{echo}); }
    Result<StatusReply> provision(const ProvisionRequest& r) override {
        return give(StatusReply{json{{"prefixes", r.prefixes.size()}, {"options", r.options.size()}}});
    }
    Result<MessageReply> mode(const ModeRequest&) override { return give(MessageReply{echo}); }
    Result<PortmapReply> portmap(const PortmapRequest&) override {
        PortmapReply p;
        p.ipv4 = echo;
        p.port_ranges = {echo};
        return give(p);
    }
    Result<MessageReply> reload(const ReloadRequest&) override { return give(MessageReply{echo}); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    FakeService service;
    service.behaviour = static_cast<FakeService::Behaviour>(size % 3);
    service.echo = std::string(line.substr(0, 64));

    const std::string out = dispatch(line, service);
    S46_FUZZ_CHECK(!out.empty() && out.back() == '\n');
    S46_FUZZ_CHECK(out.find('\n') == out.size() - 1);
    S46_FUZZ_CHECK(valid_utf8(out));
    const json reply = json::parse(out, nullptr, /*allow_exceptions=*/false);
    S46_FUZZ_CHECK(!reply.is_discarded() && reply.is_object());
    S46_FUZZ_CHECK(reply.contains("version") && reply["version"] == kProtocolVersion);
    S46_FUZZ_CHECK(reply.contains("ok") && reply["ok"].is_boolean());
    if (!reply["ok"].get<bool>()) {
        S46_FUZZ_CHECK(reply.contains("error") && reply["error"].is_string());
        const auto error = reply["error"].get<std::string>();
        S46_FUZZ_CHECK(!error.empty() && error.find('\n') == std::string::npos);
    }

    if (auto request = parse_request(line)) {
        auto again = parse_request(request_line(*request));
        S46_FUZZ_CHECK(again && *again == *request);
    }
    return 0;
}
