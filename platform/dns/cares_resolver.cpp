#include "platform/dns/cares_resolver.hpp"

#include <ares.h>
#include <netinet/in.h>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <cstring>
#include <stdexcept>

#include "platform/dns/aaaa_answer.hpp"
#include "platform/dns/cares_event_pump.hpp"
#include "platform/dns/cares_status.hpp"

namespace s46::dns {

namespace {

constexpr int kClassIn = 1;     // RFC 1035 §3.2.4
constexpr int kTypeAaaa = 28;   // RFC 3596 §2.1

// c-ares wants one process-wide init before the first channel; it is never undone, since
// channels may exist until exit.
void init_cares_once() {
    static const int kLibraryInit = ares_library_init(ARES_LIB_INIT_ALL);
    if (kLibraryInit != ARES_SUCCESS) throw std::runtime_error(std::string("c-ares init: ") + ares_strerror(kLibraryInit));
}

std::string servers_text(const std::vector<net::Ipv6Address>& servers, std::uint16_t port) {
    std::string out;
    for (const auto& s : servers) {
        if (!out.empty()) out += ", ";
        out += "[" + s.to_string() + "]:" + std::to_string(port);
    }
    return out;
}

}  // namespace

struct CaresResolver::Impl {
    // One query in flight; `generation` tells its c-ares callback whether it still matters.
    struct Query {
        Impl* self;
        std::uint64_t generation;
    };

    Impl(asio::io_context& io, CaresResolverOptions options);
    ~Impl();

    void start(const std::string& name, const std::vector<net::Ipv6Address>& servers, Callback cb);
    void cancel();
    void finish(AftrResult result);
    void deliver(AftrResult result);
    void on_deadline();
    static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

    asio::io_context& io;
    CaresResolverOptions options;
    CaresEventPump pump;
    ares_channel channel = nullptr;
    asio::steady_timer deadline;

    std::uint64_t generation = 0;
    bool in_flight = false;
    Callback callback;
    std::string asked;  // the servers of the current lookup, for error text
    std::shared_ptr<int> alive = std::make_shared<int>(0);
};

CaresResolver::Impl::Impl(asio::io_context& io_context, CaresResolverOptions opts)
    : io(io_context), options(opts), pump(io_context), deadline(io_context) {
    init_cares_once();

    ares_options o{};
    int mask = 0;
    // Only the DHCPv6 servers, and the name exactly as option 64 gave it: no search domains,
    // no HOSTALIASES, no hosts file ("b" = DNS only), servers in the order given.
    o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    mask |= ARES_OPT_FLAGS;
    // An empty IPv4 server list here keeps resolv.conf's servers out; the real (IPv6) list is
    // set per lookup with ares_set_servers_ports(), the only API that takes IPv6 and a port.
    o.servers = nullptr;
    o.nservers = 0;
    mask |= ARES_OPT_SERVERS;
    o.domains = nullptr;
    o.ndomains = 0;
    mask |= ARES_OPT_DOMAINS;
    char lookups[] = "b";
    o.lookups = lookups;
    mask |= ARES_OPT_LOOKUPS;
    o.timeout = static_cast<int>(options.attempt_timeout.count());
    mask |= ARES_OPT_TIMEOUTMS;
    o.tries = options.tries < 1 ? 1 : options.tries;
    mask |= ARES_OPT_TRIES;
    mask |= ARES_OPT_NOROTATE;
    pump.configure(o, mask);

    int rc = ares_init_options(&channel, &o, mask);
    if (rc != ARES_SUCCESS) throw std::runtime_error(std::string("c-ares channel: ") + ares_strerror(rc));
    pump.attach(channel);
}

CaresResolver::Impl::~Impl() {
    // c-ares calls back every pending query (ARES_EDESTRUCTION) and reports each socket
    // closing; the new generation makes those callbacks no-ops, and the pump releases the fds.
    ++generation;
    in_flight = false;
    alive.reset();
    ares_destroy(channel);
    pump.attach(nullptr);
}

void CaresResolver::Impl::start(const std::string& name, const std::vector<net::Ipv6Address>& servers,
                                Callback cb) {
    cancel();
    callback = std::move(cb);
    asked = servers_text(servers, options.port);
    in_flight = true;

    if (name.empty()) return finish(fail("no AFTR name to resolve"));
    if (servers.empty()) return finish(fail("no DNS servers to ask (DHCPv6 option 23 gave none)"));

    std::vector<ares_addr_port_node> nodes(servers.size());
    for (std::size_t i = 0; i < servers.size(); ++i) {
        auto& n = nodes[i];
        n.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
        n.family = AF_INET6;
        static_assert(sizeof(n.addr.addr6) == sizeof(servers[i].bytes));
        std::memcpy(&n.addr.addr6, servers[i].bytes.data(), servers[i].bytes.size());
        n.udp_port = options.port;
        n.tcp_port = options.port;
    }
    int rc = ares_set_servers_ports(channel, nodes.data());
    if (rc != ARES_SUCCESS) return finish(fail(std::string("cannot use DNS servers ") + asked + ": " + ares_strerror(rc)));

    // Armed before the query: c-ares may answer synchronously (a bad name, say), and finish()
    // must find the deadline there to cancel.
    deadline.expires_after(options.deadline);
    std::weak_ptr<int> weak = alive;
    deadline.async_wait([this, weak, gen = generation](std::error_code ec) {
        if (weak.expired() || ec == asio::error::operation_aborted || gen != generation) return;
        on_deadline();
    });

    ares_query(channel, name.c_str(), kClassIn, kTypeAaaa, &Impl::on_answer, new Query{this, generation});
    pump.update_timer();
}

void CaresResolver::Impl::cancel() {
    ++generation;  // first: the ECANCELLED callbacks below must see it
    callback = nullptr;
    deadline.cancel();
    if (!in_flight) return;
    in_flight = false;
    ares_cancel(channel);
    pump.update_timer();
}

void CaresResolver::Impl::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    Impl* self = q->self;
    if (q->generation != self->generation || !self->in_flight) return;

    if (status != ARES_SUCCESS) return self->finish(fail(describe_ares_status(status) + ", asked " + self->asked));
    auto parsed = parse_aaaa_answer(abuf, alen < 0 ? 0 : static_cast<std::size_t>(alen));
    if (!parsed) return self->finish(fail(parsed.error() + ", asked " + self->asked));
    self->finish(std::move(parsed));
}

void CaresResolver::Impl::on_deadline() {
    if (!in_flight) return;
    // A new generation makes the ECANCELLED callback from ares_cancel() a no-op; the overrun
    // is reported in our words instead, to the same callback.
    ++generation;
    ares_cancel(channel);
    pump.update_timer();
    finish(fail("no answer within " + std::to_string(options.deadline.count()) + " ms, asked " + asked));
}

void CaresResolver::Impl::finish(AftrResult result) {
    if (!in_flight) return;
    in_flight = false;
    deadline.cancel();
    deliver(std::move(result));
}

void CaresResolver::Impl::deliver(AftrResult result) {
    // Always through the event loop: the caller never sees its callback run inside resolve(),
    // and a cancel() before the posted handler runs still wins.
    std::weak_ptr<int> weak = alive;
    asio::post(io, [this, weak, gen = generation, cb = std::move(callback), r = std::move(result)]() mutable {
        if (weak.expired() || gen != generation || !cb) return;
        cb(std::move(r));
    });
    callback = nullptr;
}

CaresResolver::CaresResolver(asio::io_context& io, CaresResolverOptions options)
    : impl_(std::make_unique<Impl>(io, options)) {}

CaresResolver::~CaresResolver() = default;

void CaresResolver::resolve(const std::string& name, const std::vector<net::Ipv6Address>& dns_servers,
                            Callback callback) {
    impl_->start(name, dns_servers, std::move(callback));
}

void CaresResolver::cancel() { impl_->cancel(); }

}  // namespace s46::dns
