#include "platform/net/netlink_session.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>

namespace s46::platform {

namespace {

// Room for the biggest datagram the kernel sends us: a dump part is at most a page or two, but
// a batch of thousands of acknowledgements arrives as several datagrams of up to 32 KiB.
constexpr std::size_t kReceiveBuffer = 64 * 1024;
// The receive queue must hold every acknowledgement of a large batch (a 4096-slot NAPT map is
// a few thousand messages of 36 bytes each) until we read them.
constexpr int kSocketReceiveBuffer = 1 << 20;

int set_option(mnl_socket* nl, int option, int value) {
    return mnl_socket_setsockopt(nl, option, &value, sizeof value);
}

}  // namespace

std::string netlink_error_text(const void* message, std::size_t length) {
    if (length < sizeof(nlmsghdr)) return "truncated netlink error message";
    nlmsghdr head;
    std::memcpy(&head, message, sizeof head);
    if (head.nlmsg_len > length || head.nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return "truncated netlink error message";
    // libmnl walks attributes up to the aligned end of the message: read an aligned,
    // zero-padded copy so an unaligned last attribute cannot reach past the caller's buffer.
    std::vector<std::uint8_t> padded(MNL_ALIGN(head.nlmsg_len), 0);
    std::memcpy(padded.data(), message, head.nlmsg_len);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(padded.data());
    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    // The kernel sends -errno; anything else (a positive value, INT_MIN, which cannot even be
    // negated) is named by its number rather than trusted.
    const long long code = -static_cast<long long>(err->error);
    std::string text = code > 0 && code < 4096 ? std::strerror(static_cast<int>(code)) : "netlink error " + std::to_string(err->error);
    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return text;
    // NETLINK_EXT_ACK: attributes after the error header and, unless capped (NETLINK_CAP_ACK),
    // after the echoed request.
    std::size_t offset = sizeof(nlmsgerr);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
        if (err->msg.nlmsg_len < sizeof(nlmsghdr)) return text;
        offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
    }
    if (NLMSG_HDRLEN + MNL_ALIGN(offset) > nlh->nlmsg_len) return text;
    std::string kernel_says;
    mnl_attr_parse(
        nlh, static_cast<unsigned>(offset),
        [](const nlattr* attr, void* data) -> int {
            if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
                *static_cast<std::string*>(data) = mnl_attr_get_str(attr);
            return MNL_CB_OK;
        },
        &kernel_says);
    if (!kernel_says.empty()) text += " (kernel: " + kernel_says + ")";
    return text;
}

NetlinkSession::NetlinkSession(mnl_socket* nl, std::chrono::milliseconds timeout)
    : nl_(nl), timeout_(timeout), seq_(static_cast<std::uint32_t>(std::time(nullptr))), portid_(mnl_socket_get_portid(nl)) {}

NetlinkSession::~NetlinkSession() { mnl_socket_close(nl_); }

Result<std::unique_ptr<NetlinkSession>> NetlinkSession::open(int protocol, std::chrono::milliseconds timeout) {
    const std::string name = protocol == NETLINK_ROUTE ? "rtnetlink" : protocol == NETLINK_NETFILTER ? "nfnetlink" : "netlink";
    mnl_socket* nl = mnl_socket_open2(protocol, SOCK_CLOEXEC);
    if (!nl) return fail(name + ": socket: " + std::strerror(errno));
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        const int e = errno;
        mnl_socket_close(nl);
        return fail(name + ": bind: " + std::strerror(e));
    }
    // Best effort, each: a kernel without extended acks still reports errno; without a larger
    // receive buffer a large batch's acknowledgements may overflow (reported as ENOBUFS).
    set_option(nl, NETLINK_EXT_ACK, 1);
    set_option(nl, NETLINK_CAP_ACK, 1);
    const int rcvbuf = kSocketReceiveBuffer;
    if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    return std::unique_ptr<NetlinkSession>(new NetlinkSession(nl, timeout));
}

Result<void> NetlinkSession::send(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    // The kernel refuses a datagram larger than the socket's send buffer (EMSGSIZE): grow it
    // for a large batch, as nft(8) does.
    const int needed = static_cast<int>(bytes.size()) + 4096;
    if (needed > sndbuf_ && needed > 200 * 1024) {
        if (setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_SNDBUFFORCE, &needed, sizeof needed) < 0)
            setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_SNDBUF, &needed, sizeof needed);
        sndbuf_ = needed;
    }
    if (mnl_socket_sendto(nl_, bytes.data(), bytes.size()) < 0) return fail(what + ": send: " + std::strerror(errno));
    return ok();
}

Result<bool> NetlinkSession::wait_readable(std::chrono::steady_clock::time_point deadline, const std::string& what) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{mnl_socket_get_fd(nl_), POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) return fail(what + ": poll: " + std::strerror(errno));
    }
}

Result<void> NetlinkSession::transact(const std::vector<std::uint8_t>& batch, const std::vector<std::string>& what) {
    // Which sequence numbers expect an answer, and how to name them.
    std::map<std::uint32_t, std::string> pending;
    {
        std::size_t index = 0;
        int left = static_cast<int>(batch.size());
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(batch.data()); mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
            if (!(nlh->nlmsg_flags & NLM_F_ACK)) continue;
            pending[nlh->nlmsg_seq] = index < what.size() ? what[index] : "message " + std::to_string(nlh->nlmsg_seq);
            ++index;
        }
        if (left != 0) return fail("netlink batch: malformed (" + std::to_string(left) + " trailing bytes)");
    }
    const std::string first = pending.empty() ? std::string("netlink batch") : pending.begin()->second;
    if (auto r = send(batch, first); !r) return r;

    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::vector<std::uint8_t> buffer(kReceiveBuffer);
    std::optional<std::string> error;
    while (!pending.empty()) {
        // After a failure the kernel may not answer the rest (nf_tables aborts the whole batch):
        // take only what is already queued.
        auto ready = error ? wait_readable(std::chrono::steady_clock::now(), first) : wait_readable(deadline, first);
        if (!ready) return fail(ready.error());
        if (!*ready) {
            if (error) break;
            return fail(pending.begin()->second + ": no answer from the kernel within " + std::to_string(timeout_.count()) + " ms");
        }
        const ssize_t n = mnl_socket_recvfrom(nl_, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return fail(pending.begin()->second + ": receive: " + std::strerror(errno));
        }
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;  // echoes and notifications are not answers
            auto it = pending.find(nlh->nlmsg_seq);
            if (it == pending.end()) continue;  // an answer to an earlier, timed-out request
            if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr))) {
                const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                if (err->error != 0 && !error) error = it->second + ": " + netlink_error_text(nlh, nlh->nlmsg_len);
            }
            pending.erase(it);
        }
    }
    if (error) return fail(*error);
    return ok();
}

Result<std::vector<std::vector<std::uint8_t>>> NetlinkSession::dump(const std::vector<std::uint8_t>& request, const std::string& what) {
    if (request.size() < sizeof(nlmsghdr)) return fail(what + ": empty request");
    std::vector<std::uint8_t> bytes = request;
    auto* req = reinterpret_cast<nlmsghdr*>(bytes.data());
    req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
    const std::uint32_t seq = req->nlmsg_seq;
    if (auto r = send(bytes, what); !r) return fail(r.error());

    std::vector<std::vector<std::uint8_t>> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::vector<std::uint8_t> buffer(kReceiveBuffer);
    for (;;) {
        auto ready = wait_readable(deadline, what);
        if (!ready) return fail(ready.error());
        if (!*ready) return fail(what + ": dump not finished within " + std::to_string(timeout_.count()) + " ms");
        const ssize_t n = mnl_socket_recvfrom(nl_, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return fail(what + ": receive: " + std::strerror(errno));
        }
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_seq != seq) continue;  // a late answer to something else
            if (nlh->nlmsg_type == NLMSG_DONE) return out;
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)) && err->error == 0) continue;
                return fail(what + ": " + netlink_error_text(nlh, nlh->nlmsg_len));
            }
            const auto* p = reinterpret_cast<const std::uint8_t*>(nlh);
            out.emplace_back(p, p + nlh->nlmsg_len);
        }
    }
}

}  // namespace s46::platform
