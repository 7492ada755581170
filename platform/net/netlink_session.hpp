// One netlink socket (libmnl) that carries the kernel data plane's changes: rtnetlink
// (NETLINK_ROUTE: links, addresses, routes) and nf_tables / conntrack (NETLINK_NETFILTER).
//
// A change is one batch: the messages are built elsewhere (pure builders, byte-tested) and
// sent here in a single sendmsg(); then every message that asked for an acknowledgement
// (NLM_F_ACK) is answered before transact() returns, or the deadline passes. A kernel that
// never answers cannot stall the daemon: the wait is bounded by the session's timeout.
//
// Errors name the message that failed (the caller's description for its sequence number), the
// kernel's errno text and, where the kernel gave one, its extended-ack message.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

struct mnl_socket;

namespace s46::platform {

class NetlinkSession {
public:
    // `protocol`: NETLINK_ROUTE or NETLINK_NETFILTER. `timeout` bounds every transact()/dump().
    static Result<std::unique_ptr<NetlinkSession>> open(int protocol, std::chrono::milliseconds timeout = std::chrono::seconds(2));
    ~NetlinkSession();
    NetlinkSession(const NetlinkSession&) = delete;
    NetlinkSession& operator=(const NetlinkSession&) = delete;

    // A fresh sequence number for the next message a builder makes.
    std::uint32_t next_seq() { return ++seq_; }

    // Sends `batch` (one or more complete netlink messages back to back) in one sendmsg(), then
    // reads until every message carrying NLM_F_ACK has its answer. `what` describes those
    // messages in the order they appear in the batch (fewer entries than acknowledged messages
    // is allowed: the rest are named "message <seq>"). The first error wins; answers to earlier
    // requests still queued on the socket (a timed-out transact) are skipped by sequence number.
    Result<void> transact(const std::vector<std::uint8_t>& batch, const std::vector<std::string>& what);

    // Sends one request with NLM_F_DUMP set and returns every message of the answer, up to and
    // excluding NLMSG_DONE.
    Result<std::vector<std::vector<std::uint8_t>>> dump(const std::vector<std::uint8_t>& request, const std::string& what);

    unsigned portid() const { return portid_; }

private:
    NetlinkSession(mnl_socket* nl, std::chrono::milliseconds timeout);
    Result<void> send(const std::vector<std::uint8_t>& bytes, const std::string& what);
    // Waits for data until `deadline`; false on timeout.
    Result<bool> wait_readable(std::chrono::steady_clock::time_point deadline, const std::string& what);

    mnl_socket* nl_;
    std::chrono::milliseconds timeout_;
    std::uint32_t seq_;
    unsigned portid_;
    int sndbuf_ = 0;  // the send buffer size last set (grown for large batches)
};

// The text of an NLMSG_ERROR payload: strerror(-error) plus the kernel's extended-ack message
// when present. Pure; exposed for the tests.
std::string netlink_error_text(const void* nlmsgerr_message, std::size_t length);

}  // namespace s46::platform
