// AftrResolver: turns the AFTR name from DHCPv6 option 64 (RFC 6334) into its AAAA records,
// asking only the DNS servers from DHCPv6 option 23 (RFC 3646). The daemon's policy around it
// (which address, when to ask again) lives in AftrTracker; this is only the question and answer.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::dns {

struct AftrAnswer {
    // Every AAAA record, in answer order, duplicates removed: DS-Lite tries each in turn.
    std::vector<net::Ipv6Address> addresses;
    // The smallest TTL in the answer set: the whole set is stale once any record is.
    std::chrono::seconds ttl{0};
};

// The error text names the cause and the servers asked, not the name (the caller has it),
// e.g. "name does not exist (NXDOMAIN), asked [2001:db8::53]:53".
using AftrResult = Result<AftrAnswer>;

class AftrResolver {
public:
    using Callback = std::function<void(AftrResult)>;

    virtual ~AftrResolver() = default;

    // Starts one lookup. A lookup still in flight is cancelled first (its callback never runs).
    // The callback runs exactly once, later, from the event loop: never inside resolve().
    virtual void resolve(const std::string& name, const std::vector<net::Ipv6Address>& dns_servers,
                         Callback callback) = 0;
    // Abandons the lookup in flight, if any; its callback will not run.
    virtual void cancel() = 0;
};

}  // namespace s46::dns
