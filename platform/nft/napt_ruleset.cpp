#include "platform/nft/napt_ruleset.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <netinet/in.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <memory>

namespace s46::platform::nft {

// Message order, flags and attributes follow nft 1.0.6 for the ruleset text in the header:
// tables, then chains in declaration order, the named counter, the named map with its elements,
// then each rule, preceded by the anonymous set it looks up (nft makes one per `{ .. }`). The
// anonymous sets and the map are referred to by their batch-local set id, numbered as nft does.

namespace {

// nft's datatype numbers (nftables src/datatype.h); a concatenation is (t1 << 6) | t2.
constexpr std::uint32_t kTypeInteger = 4, kTypeIpAddr = 7, kTypeInetProto = 12, kTypeInetService = 13;
// nft's byte order value for a host-endian key (BYTEORDER_HOST_ENDIAN), stored under the userdata
// key NFTNL_UDATA_SET_KEYBYTEORDER.
constexpr std::uint32_t kByteorderHost = 1;

constexpr std::uint32_t kSlotSetId = 1;

struct Deleter {
    void operator()(nftnl_table* p) const { nftnl_table_free(p); }
    void operator()(nftnl_chain* p) const { nftnl_chain_free(p); }
    void operator()(nftnl_rule* p) const { nftnl_rule_free(p); }
    void operator()(nftnl_set* p) const { nftnl_set_free(p); }
    void operator()(nftnl_obj* p) const { nftnl_obj_free(p); }
    void operator()(nftnl_udata_buf* p) const { nftnl_udata_buf_free(p); }
    void operator()(nftnl_flowtable* p) const { nftnl_flowtable_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Deleter>;

// Appends whole netlink messages to one buffer: a message is built in a scratch buffer large
// enough for any of ours (the element list of a big slot map is split over several messages,
// see put_slot_elements) and then copied.
constexpr std::size_t kMaxMessage = 16384;
class Batch {
public:
    Batch(std::uint32_t seq, bool ack, const char* table = kTable, std::uint16_t family = NFPROTO_IPV4)
        : seq_(seq), ack_(ack), table_(table), family_(family) {
        nftnl_batch_begin(reinterpret_cast<char*>(scratch_.data()), seq_++);
        commit(false, {});
    }

    nlmsghdr* header(std::uint16_t type, std::uint16_t flags) {
        scratch_.fill(0);
        return nftnl_nlmsg_build_hdr(reinterpret_cast<char*>(scratch_.data()), type, family_,
                                     static_cast<std::uint16_t>(flags | (ack_ ? NLM_F_ACK : 0)), seq_++);
    }
    void commit(bool acked, std::string what) {
        const auto* nlh = reinterpret_cast<const nlmsghdr*>(scratch_.data());
        out_.bytes.insert(out_.bytes.end(), scratch_.begin(), scratch_.begin() + nlh->nlmsg_len);
        if (acked && ack_) out_.what.push_back(std::move(what));
    }
    const char* table() const { return table_; }
    // "ip s46d", "ip6 s46d": how messages name the table in errors.
    std::string table_name() const { return std::string(family_ == NFPROTO_IPV6 ? "ip6 " : "ip ") + table_; }
    NftBatch finish() {
        scratch_.fill(0);
        nftnl_batch_end(reinterpret_cast<char*>(scratch_.data()), seq_++);
        commit(false, {});
        out_.next_seq = seq_;
        return std::move(out_);
    }

private:
    std::array<std::uint8_t, kMaxMessage> scratch_{};
    std::uint32_t seq_;
    bool ack_;
    const char* table_;
    std::uint16_t family_;
    NftBatch out_;
};

void put_table(Batch& b, std::uint16_t type) {
    Owned<nftnl_table> t(nftnl_table_alloc());
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, b.table());
    if (type == NFT_MSG_NEWTABLE) nftnl_table_set_u32(t.get(), NFTNL_TABLE_FLAGS, 0);
    // nft sends `table ip s46d` without NLM_F_CREATE (an existing table is fine) and without EXCL.
    nftnl_table_nlmsg_build_payload(b.header(type, 0), t.get());
    b.commit(true, (type == NFT_MSG_NEWTABLE ? "add table " : "delete table ") + b.table_name());
}

// Written attribute by attribute: nft 1.0.6 sends table, name, type, policy, then the hook nest
// (libnftnl's own order differs), and the bytes are meant to equal nft's.
void put_chain(Batch& b, const char* name, const char* type, std::uint32_t hook, std::int32_t priority) {
    nlmsghdr* nlh = b.header(NFT_MSG_NEWCHAIN, NLM_F_CREATE);
    mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, b.table());
    mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, name);
    mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, type);
    mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(NF_ACCEPT));
    nlattr* nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
    mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(hook));
    mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl(static_cast<std::uint32_t>(priority)));
    mnl_attr_nest_end(nlh, nest);
    b.commit(true, "add chain " + b.table_name() + " " + name);
}

void put_counter_object(Batch& b, const char* name) {
    Owned<nftnl_obj> o(nftnl_obj_alloc());
    nftnl_obj_set_str(o.get(), NFTNL_OBJ_TABLE, b.table());
    nftnl_obj_set_str(o.get(), NFTNL_OBJ_NAME, name);
    nftnl_obj_set_u32(o.get(), NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
    nftnl_obj_set_u64(o.get(), NFTNL_OBJ_CTR_BYTES, 0);
    nftnl_obj_set_u64(o.get(), NFTNL_OBJ_CTR_PKTS, 0);
    nftnl_obj_nlmsg_build_payload(b.header(NFT_MSG_NEWOBJ, NLM_F_CREATE), o.get());
    b.commit(true, "add counter " + b.table_name() + " " + name);
}

// ---- the slot map -------------------------------------------------------------------------

// NEWSETELEM as nft 1.0.6 writes it: table, set name, set id (when the set is new in this
// batch), then the element list (libnftnl's own payload puts the table last).
void put_elements(Batch& b, const char* set, std::uint32_t set_id, const std::vector<nftnl_set_elem*>& elems,
                  const std::string& what) {
    nlmsghdr* nlh = b.header(NFT_MSG_NEWSETELEM, NLM_F_CREATE);
    mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, b.table());
    mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
    if (set_id != 0) mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID, htonl(set_id));
    nlattr* list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
    int i = 0;
    for (nftnl_set_elem* e : elems) {
        nftnl_set_elem_nlmsg_build(nlh, e, ++i);
        nftnl_set_elem_free(e);
    }
    mnl_attr_nest_end(nlh, list);
    b.commit(true, what);
}

// nft's userdata for `typeof numgen inc mod N : interval ip saddr . th sport`: key byte order
// host (numgen writes a host-order u32), the typeof expressions nft lists the map with, and
// "data is an interval" (without it nft lists the data as single values).
void put_slot_map_userdata(nftnl_set* s, std::uint32_t modulus) {
    Owned<nftnl_udata_buf> ud(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
    nftnl_udata_put_u32(ud.get(), NFTNL_UDATA_SET_KEYBYTEORDER, kByteorderHost);
    nftnl_udata_put_u32(ud.get(), NFTNL_UDATA_SET_DATABYTEORDER, 0);
    // Key: the numgen expression (nft's expression id 23) {type inc, modulus, offset 0}.
    auto* key = nftnl_udata_nest_start(ud.get(), NFTNL_UDATA_SET_KEY_TYPEOF);
    nftnl_udata_put_u32(ud.get(), 0, 23);
    auto* ng = nftnl_udata_nest_start(ud.get(), 1);
    nftnl_udata_put_u32(ud.get(), 0, NFT_NG_INCREMENTAL);
    nftnl_udata_put_u32(ud.get(), 1, modulus);
    nftnl_udata_put_u32(ud.get(), 2, 0);
    nftnl_udata_nest_end(ud.get(), ng);
    nftnl_udata_nest_end(ud.get(), key);
    // Data: a concatenation (id 13) of two payload expressions (id 7): ip saddr (protocol
    // description 12, field 11) and th sport (description 11, field 1).
    auto* data = nftnl_udata_nest_start(ud.get(), NFTNL_UDATA_SET_DATA_TYPEOF);
    nftnl_udata_put_u32(ud.get(), 0, 13);
    auto* concat = nftnl_udata_nest_start(ud.get(), 1);
    const std::uint32_t fields[2][2] = {{12, 11}, {11, 1}};
    for (std::uint32_t i = 0; i < 2; ++i) {
        auto* member = nftnl_udata_nest_start(ud.get(), static_cast<std::uint8_t>(i));
        nftnl_udata_put_u32(ud.get(), 0, 7);
        auto* payload = nftnl_udata_nest_start(ud.get(), 1);
        nftnl_udata_put_u32(ud.get(), 0, fields[i][0]);
        nftnl_udata_put_u32(ud.get(), 1, fields[i][1]);
        nftnl_udata_nest_end(ud.get(), payload);
        nftnl_udata_nest_end(ud.get(), member);
    }
    nftnl_udata_nest_end(ud.get(), concat);
    nftnl_udata_nest_end(ud.get(), data);
    nftnl_udata_put_u32(ud.get(), NFTNL_UDATA_SET_DATA_INTERVAL, 1);
    nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud.get()), nftnl_udata_buf_len(ud.get()));
}

Owned<nftnl_set> slot_set_ref(const char* table) {
    Owned<nftnl_set> s(nftnl_set_alloc());
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table);
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, kSlotMap);
    return s;
}

// Elements n : addr . first-last. The 16-byte data are four 32-bit registers, as nf_nat reads
// them: addr_min, proto_min, addr_max, proto_max (ports big-endian in the first 2 bytes).
// Emitted in chunks so no message outgrows the scratch buffer.
void put_slot_elements(Batch& b, net::Ipv4Address addr, const std::vector<map::PortRange>& ranges,
                       const std::vector<std::uint32_t>& slots, bool with_id) {
    constexpr std::size_t per_message = 128;  // 128 x 40 bytes: well below kMaxMessage
    const std::uint32_t addr_be = htonl(addr.value);
    for (std::size_t start = 0; start < slots.size(); start += per_message) {
        std::vector<nftnl_set_elem*> elems;
        for (std::size_t n = start; n < slots.size() && n < start + per_message; ++n) {
            const map::PortRange r = ranges[slots[n]];
            const auto key = static_cast<std::uint32_t>(n);  // numgen's host-order u32
            std::array<std::uint8_t, 16> data{};
            const std::uint16_t lo = htons(r.first), hi = htons(r.last);
            std::memcpy(&data[0], &addr_be, 4);
            std::memcpy(&data[4], &lo, 2);
            std::memcpy(&data[8], &addr_be, 4);
            std::memcpy(&data[12], &hi, 2);
            nftnl_set_elem* e = nftnl_set_elem_alloc();
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, sizeof key);
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data.data(), data.size());
            elems.push_back(e);
        }
        put_elements(b, kSlotMap, with_id ? kSlotSetId : 0, elems, "add element ip s46d slots (" + std::to_string(start) + "..)");
    }
}

void put_slot_map(Batch& b, net::Ipv4Address addr, const std::vector<map::PortRange>& ranges,
                  const std::vector<std::uint32_t>& slots) {
    Owned<nftnl_set> s = slot_set_ref(b.table());
    nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, NFT_SET_MAP);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, kTypeInteger);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, 4);
    nftnl_set_set_u32(s.get(), NFTNL_SET_DATA_TYPE, (kTypeIpAddr << 6) | kTypeInetService);
    nftnl_set_set_u32(s.get(), NFTNL_SET_DATA_LEN, 16);
    nftnl_set_set_u32(s.get(), NFTNL_SET_ID, kSlotSetId);
    put_slot_map_userdata(s.get(), static_cast<std::uint32_t>(slots.size()));
    nftnl_set_nlmsg_build_payload(b.header(NFT_MSG_NEWSET, NLM_F_CREATE), s.get());
    b.commit(true, "add map ip s46d slots");
    put_slot_elements(b, addr, ranges, slots, true);
}

// A set of IP protocols as nft makes it for `meta l4proto { ... }`: an anonymous constant set of
// inet_proto, with the `meta l4proto` typeof userdata, under batch-local set id `id`. `names`
// is the set as nft prints it, for the batch's error messages.
void put_l4proto_set(Batch& b, std::uint32_t id, std::initializer_list<std::uint8_t> protocols, const std::string& names) {
    Owned<nftnl_set> s(nftnl_set_alloc());
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, b.table());
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, "__set%d");
    nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, kTypeInetProto);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, 1);
    nftnl_set_set_u32(s.get(), NFTNL_SET_ID, id);
    nftnl_set_set_u32(s.get(), NFTNL_SET_DESC_SIZE, static_cast<std::uint32_t>(protocols.size()));
    Owned<nftnl_udata_buf> ud(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
    nftnl_udata_put_u32(ud.get(), NFTNL_UDATA_SET_KEYBYTEORDER, kByteorderHost);
    auto* key = nftnl_udata_nest_start(ud.get(), NFTNL_UDATA_SET_KEY_TYPEOF);
    nftnl_udata_put_u32(ud.get(), 0, 9);  // nft's meta expression
    auto* meta = nftnl_udata_nest_start(ud.get(), 1);
    nftnl_udata_put_u32(ud.get(), 0, NFT_META_L4PROTO);
    nftnl_udata_nest_end(ud.get(), meta);
    nftnl_udata_nest_end(ud.get(), key);
    nftnl_set_set_data(s.get(), NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud.get()), nftnl_udata_buf_len(ud.get()));
    nftnl_set_nlmsg_build_payload(b.header(NFT_MSG_NEWSET, NLM_F_CREATE), s.get());
    b.commit(true, "add set ip s46d " + names);
    std::vector<nftnl_set_elem*> elems;
    for (std::uint8_t proto : protocols) {
        nftnl_set_elem* e = nftnl_set_elem_alloc();
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &proto, 1);
        elems.push_back(e);
    }
    put_elements(b, "__set%d", id, elems, "add element ip s46d " + names);
}

// `{ tcp, udp, icmp }`: what the NAPT maps into the port set. RFC 7597 §8.2 / RFC 7596 §5.1:
// ICMP echo identifiers are mapped into the port set like ports.
void put_napt_protocols_set(Batch& b, std::uint32_t id) {
    put_l4proto_set(b, id, {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP}, "{ tcp, udp, icmp }");
}

// `{ tcp, udp }`: the protocols the kernel's flowtable handles (nf_flow_table_ip.c looks at TCP
// and UDP only).
void put_flow_protocols_set(Batch& b, std::uint32_t id) {
    put_l4proto_set(b, id, {IPPROTO_TCP, IPPROTO_UDP}, "{ tcp, udp }");
}

// `flowtable ft { hook ingress priority filter; devices = { .. }; }` as nft 1.0.6 writes it:
// table and name first, then libnftnl's hook nest (hook number, priority, the device names)
// and the flags (0: a software flowtable; NFT_FLOWTABLE_HW_OFFLOAD would be `flags offload`).
void put_flowtable(Batch& b, const std::string& tunnel, const std::vector<std::string>& lan) {
    std::vector<const char*> devices{tunnel.c_str()};
    for (const auto& d : lan) devices.push_back(d.c_str());
    devices.push_back(nullptr);
    Owned<nftnl_flowtable> f(nftnl_flowtable_alloc());
    nftnl_flowtable_set_u32(f.get(), NFTNL_FLOWTABLE_HOOKNUM, NF_NETDEV_INGRESS);
    nftnl_flowtable_set_s32(f.get(), NFTNL_FLOWTABLE_PRIO, 0);
    nftnl_flowtable_set_array(f.get(), NFTNL_FLOWTABLE_DEVICES, devices.data());
    nftnl_flowtable_set_u32(f.get(), NFTNL_FLOWTABLE_FLAGS, 0);
    nlmsghdr* nlh = b.header(NFT_MSG_NEWFLOWTABLE, NLM_F_CREATE);
    mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_TABLE, b.table());
    mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_NAME, kFlowtable);
    nftnl_flowtable_nlmsg_build_payload(nlh, f.get());
    std::string names;
    for (std::size_t i = 0; i + 1 < devices.size(); ++i) names += std::string(i ? ", " : "") + devices[i];
    b.commit(true, "add flowtable " + b.table_name() + " " + kFlowtable + " (devices " + names + ")");
}

// ---- rules --------------------------------------------------------------------------------

class Rule {
public:
    Rule(const Batch& b, const char* chain) : r_(nftnl_rule_alloc()), chain_(chain) {
        nftnl_rule_set_str(r_.get(), NFTNL_RULE_TABLE, b.table());
        nftnl_rule_set_str(r_.get(), NFTNL_RULE_CHAIN, chain);
    }
    nftnl_expr* add(const char* name) {
        nftnl_expr* e = nftnl_expr_alloc(name);
        nftnl_rule_add_expr(r_.get(), e);
        return e;
    }
    void meta(std::uint32_t key) {
        nftnl_expr* e = add("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
    }
    void cmp_eq(const void* data, std::uint32_t len) {
        nftnl_expr* e = add("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
    }
    // oifname / iifname "TUN": the whole IFNAMSIZ buffer, zero padded, as nft compares it.
    void ifname(std::uint32_t key, const std::string& name) {
        meta(key);
        std::array<char, IFNAMSIZ> buf{};
        std::memcpy(buf.data(), name.data(), name.size());
        cmp_eq(buf.data(), buf.size());
    }
    void cmp_neq(const void* data, std::uint32_t len) {
        nftnl_expr* e = add("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
    }
    void l4proto_eq(std::uint8_t proto) {
        meta(NFT_META_L4PROTO);
        cmp_eq(&proto, 1);
    }
    void l4proto_lookup(std::uint32_t set_id, bool invert) {
        meta(NFT_META_L4PROTO);
        nftnl_expr* e = add("lookup");
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
        if (invert) nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
    }
    // tcp flags syn / syn,rst  (SYN set, RST clear; transport header byte 13)
    void tcp_syn() {
        l4proto_eq(IPPROTO_TCP);
        payload_load(NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1);
        nftnl_expr* e = add("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 1);
        const std::uint8_t mask = 0x06, zero = 0x00, syn = 0x02;  // SYN | RST, SYN
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 1);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 1);
        cmp_eq(&syn, 1);
    }
    void payload_load(std::uint32_t base, std::uint32_t offset, std::uint32_t len) {
        nftnl_expr* e = add("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    }
    void counter() { add("counter"); }
    void immediate(std::uint32_t reg, const void* data, std::uint32_t len) {
        nftnl_expr* e = add("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
        nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
    }
    // tcp option maxseg size set <reg 1>
    void write_mss() {
        nftnl_expr* e = add("exthdr");
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_SREG, NFT_REG_1);
        nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, 2);  // TCP option kind 2: MSS (RFC 9293 §3.2)
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 2);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 2);
        nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
    }
    void emit(Batch& b, const std::string& what) {
        nftnl_rule_nlmsg_build_payload(b.header(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), r_.get());
        b.commit(true, "add rule " + b.table_name() + " " + std::string(chain_) + " " + what);
    }
    // `replace rule ... handle H`: the same position, the new expressions, atomically.
    void emit_replace(Batch& b, std::uint64_t handle, const std::string& what) {
        nftnl_rule_set_u64(r_.get(), NFTNL_RULE_HANDLE, handle);
        nftnl_rule_nlmsg_build_payload(b.header(NFT_MSG_NEWRULE, NLM_F_REPLACE), r_.get());
        b.commit(true, "replace rule ip s46d " + std::string(chain_) + " handle " + std::to_string(handle) + " " + what);
    }
    nftnl_rule* get() { return r_.get(); }

private:
    Owned<nftnl_rule> r_;
    const char* chain_;
};

// The snat rule; with `replace_handle` it replaces that rule instead of being appended.
void put_snat_rule(Batch& b, const NaptRuleset& rs, std::uint32_t protocols_set, std::uint64_t replace_handle = 0) {
    Rule r(b, "nat_postrouting");
    r.ifname(NFT_META_OIFNAME, rs.tunnel);
    r.l4proto_lookup(protocols_set, false);
    r.counter();
    nftnl_expr* e;
    if (rs.ranges.size() == 1) {
        // snat ip to A:lo-hi -- one contiguous range (lw4o6 with offset 0, or a full address).
        const std::uint32_t addr_be = htonl(rs.nat_address.value);
        const std::uint16_t lo = htons(rs.ranges[0].first), hi = htons(rs.ranges[0].last);
        r.immediate(NFT_REG_1, &addr_be, 4);
        r.immediate(NFT_REG_2, &lo, 2);
        r.immediate(NFT_REG_3, &hi, 2);
        e = r.add("nat");
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_3);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
        r.emit(b, "snat to one range");
        return;
    }
    // snat ip to numgen inc mod N map @slots: the looked-up 16 bytes fill registers 1 (as
    // NFT_REG32_00), 9, 10 and 11: addr_min, proto_min, addr_max, proto_max.
    e = r.add("numgen");
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, static_cast<std::uint32_t>(rs.slots.size()));
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_INCREMENTAL);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NG_OFFSET, 0);
    e = r.add("lookup");
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, kSlotMap);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, kSlotSetId);
    e = r.add("nat");
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG32_02);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_01);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG32_03);
    if (replace_handle != 0) r.emit_replace(b, replace_handle, "snat to the slot map");
    else r.emit(b, "snat to the slot map");
}

void put_dnat_rule(Batch& b, const std::string& tunnel, const StaticForward& f) {
    Rule r(b, "nat_prerouting");
    r.ifname(NFT_META_IIFNAME, tunnel);
    r.l4proto_eq(static_cast<std::uint8_t>(f.proto));
    r.payload_load(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);  // th dport
    const std::uint16_t port = htons(f.external_port);
    r.cmp_eq(&port, 2);
    r.counter();
    const std::uint32_t addr_be = htonl(f.lan_address.value);
    const std::uint16_t lan_port = htons(f.lan_port);
    r.immediate(NFT_REG_1, &addr_be, 4);
    r.immediate(NFT_REG_2, &lan_port, 2);
    nftnl_expr* e = r.add("nat");
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
    r.emit(b, "dnat " + std::string(f.proto == ForwardProto::tcp ? "tcp " : "udp ") + std::to_string(f.external_port) +
                  " to " + f.lan_address.to_string() + ":" + std::to_string(f.lan_port));
}

// Protocols other than TCP, UDP and ICMP have no port or identifier to restrict (RFC 7597 §8.2,
// RFC 7596 §5.1): on a shared address they would collide with the other CEs' traffic, so they
// are dropped before they reach the softwire, and counted.
void put_unrestricted_drop(Batch& b, const char* chain, const std::string& tunnel, std::uint32_t protocols_set) {
    Rule r(b, chain);
    r.ifname(NFT_META_OIFNAME, tunnel);
    r.l4proto_lookup(protocols_set, true);
    nftnl_expr* e = r.add("objref");
    nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
    nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, kDropUnrestrictedCounter);
    e = r.add("immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
    r.emit(b, "drop protocols without ports");
}

// Flows through the softwire enter the flowtable once conntrack has seen their reply; from then
// on the flowtable's ingress hook on the LAN and tunnel devices forwards them (NAT, TTL and
// all) before the IP stack sees them. One rule per direction (`key`: oifname, iifname): a flow
// is added by its first established packet either way, so one that mostly comes in (a
// download's reply stream) is offloaded from its first reply on, not from the LAN's next packet.
void put_flow_add_rule(Batch& b, std::uint32_t key, const std::string& tunnel, std::uint32_t protocols_set) {
    Rule r(b, "flow_offload");
    r.ifname(key, tunnel);
    r.l4proto_lookup(protocols_set, false);
    nftnl_expr* e = r.add("flow_offload");
    nftnl_expr_set_str(e, NFTNL_EXPR_FLOW_TABLE_NAME, kFlowtable);
    r.emit(b, std::string(key == NFT_META_OIFNAME ? "oifname " : "iifname ") + tunnel + " flow add @" + kFlowtable);
}

// Outbound: the route MTU of the softwire (tunnel MTU) - 40. Inbound: `rt mtu` would be the
// LAN route's MTU, so the constant tunnel MTU - 40. The write only ever lowers an MSS.
void put_mss_rules(Batch& b, const std::string& tunnel, std::uint16_t mss) {
    Rule out(b, "mss_clamp");
    out.ifname(NFT_META_OIFNAME, tunnel);
    out.tcp_syn();
    out.counter();
    nftnl_expr* e = out.add("rt");
    nftnl_expr_set_u32(e, NFTNL_EXPR_RT_KEY, NFT_RT_TCPMSS);
    nftnl_expr_set_u32(e, NFTNL_EXPR_RT_DREG, NFT_REG_1);
    e = out.add("byteorder");
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 2);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
    out.write_mss();
    out.emit(b, "clamp outbound MSS to rt mtu");

    Rule in(b, "mss_clamp");
    in.ifname(NFT_META_IIFNAME, tunnel);
    in.tcp_syn();
    in.counter();
    const std::uint16_t mss_be = htons(mss);
    in.immediate(NFT_REG_1, &mss_be, 2);
    in.write_mss();
    in.emit(b, "clamp inbound MSS to " + std::to_string(mss));
}

Result<void> validate_ifname(const std::string& name) {
    if (name.empty()) return fail("nft ruleset: an empty interface name");
    if (name.size() >= IFNAMSIZ)
        return fail("nft ruleset: interface name '" + name + "' is longer than " + std::to_string(IFNAMSIZ - 1) + " bytes");
    return ok();
}

Result<void> validate(const NaptRuleset& rs) {
    if (rs.tunnel.empty()) return fail("nft ruleset: no tunnel interface name");
    if (auto ok = validate_ifname(rs.tunnel); !ok) return ok;
    for (std::size_t i = 0; i < rs.flowtable_lan.size(); ++i) {
        const std::string& d = rs.flowtable_lan[i];
        if (auto ok = validate_ifname(d); !ok) return ok;
        // The kernel refuses a device twice in one flowtable (EEXIST): say which.
        if (d == rs.tunnel) return fail("nft ruleset: flowtable LAN device '" + d + "' is the tunnel");
        for (std::size_t j = 0; j < i; ++j)
            if (rs.flowtable_lan[j] == d) return fail("nft ruleset: flowtable LAN device '" + d + "' listed twice");
    }
    if (!rs.napt) {
        if (!rs.forwards.empty()) return fail("nft ruleset: static forwards need NAPT (no NAT address without it)");
        if (rs.mss == 0 && rs.flowtable_lan.empty()) return fail("nft ruleset: neither NAPT, MSS clamping nor a flowtable: nothing to install");
        return ok();
    }
    if (rs.ranges.empty()) return fail("nft ruleset: NAPT without a port range");
    for (auto r : rs.ranges)
        if (r.first > r.last) return fail("nft ruleset: empty port range " + std::to_string(r.first) + "-" + std::to_string(r.last));
    if (rs.ranges.size() > 1) {
        if (rs.slots.empty()) return fail("nft ruleset: " + std::to_string(rs.ranges.size()) + " port ranges but no slots");
        for (std::uint32_t s : rs.slots)
            if (s >= rs.ranges.size())
                return fail("nft ruleset: slot names range " + std::to_string(s) + " of " + std::to_string(rs.ranges.size()));
    }
    for (const auto& f : rs.forwards)
        if (f.external_port == 0 || f.lan_port == 0)
            return fail("nft ruleset: static forward to " + f.lan_address.to_string() + " with port 0");
    return ok();
}

// Chains, counter, map and rules of `rs` into the table of `b` (created just before).
void put_contents(Batch& b, const NaptRuleset& rs) {
    if (rs.napt) {
        put_chain(b, "nat_postrouting", "nat", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC);
        if (!rs.forwards.empty()) put_chain(b, "nat_prerouting", "nat", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
        put_chain(b, "filter_forward", "filter", NF_INET_FORWARD, NF_IP_PRI_FILTER);
        put_chain(b, "filter_output", "filter", NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER);
    }
    if (rs.mss != 0) put_chain(b, "mss_clamp", "filter", NF_INET_FORWARD, NF_IP_PRI_MANGLE);
    const bool flowtable = !rs.flowtable_lan.empty();
    if (flowtable) put_chain(b, "flow_offload", "filter", NF_INET_FORWARD, NF_IP_PRI_FILTER + 10);
    std::uint32_t next_set_id = 0;  // nft numbers the sets of a batch from 1, in order
    if (rs.napt) {
        put_counter_object(b, kDropUnrestrictedCounter);
        if (rs.ranges.size() > 1) {
            put_slot_map(b, rs.nat_address, rs.ranges, rs.slots);
            next_set_id = kSlotSetId;
        }
    }
    // nft sends the table's flowtables after its objects and sets, before any rule.
    if (flowtable) put_flowtable(b, rs.tunnel, rs.flowtable_lan);
    if (rs.napt) {
        put_napt_protocols_set(b, ++next_set_id);
        put_snat_rule(b, rs, next_set_id);
        for (const auto& f : rs.forwards) put_dnat_rule(b, rs.tunnel, f);
        put_napt_protocols_set(b, ++next_set_id);
        put_unrestricted_drop(b, "filter_forward", rs.tunnel, next_set_id);
        put_napt_protocols_set(b, ++next_set_id);
        put_unrestricted_drop(b, "filter_output", rs.tunnel, next_set_id);
    }
    if (rs.mss != 0) put_mss_rules(b, rs.tunnel, rs.mss);
    if (flowtable)
        for (std::uint32_t key : {NFT_META_OIFNAME, NFT_META_IIFNAME}) {
            put_flow_protocols_set(b, ++next_set_id);
            put_flow_add_rule(b, key, rs.tunnel, next_set_id);
        }
}

}  // namespace

Result<NftBatch> build_napt_ruleset(const NaptRuleset& rs, std::uint32_t seq, bool ack) {
    if (auto ok = validate(rs); !ok) return fail(ok.error());
    Batch b(seq, ack);
    put_table(b, NFT_MSG_NEWTABLE);
    put_table(b, NFT_MSG_DELTABLE);
    put_table(b, NFT_MSG_NEWTABLE);
    put_contents(b, rs);
    return b.finish();
}

NftBatch build_feature_probe(NftFeature feature, std::uint32_t seq, bool ack) {
    NaptRuleset rs;
    rs.tunnel = "s46probe";
    rs.nat_address = net::Ipv4Address(192, 0, 2, 1);  // RFC 5737 documentation address
    switch (feature) {
        case NftFeature::nat:
            rs.ranges = {{1024, 2047}};
            break;
        case NftFeature::numgen:
            rs.ranges = {{1232, 1235}, {2256, 2259}};
            rs.slots = {0, 1};
            break;
        case NftFeature::mss_clamp:
            rs.napt = false;
            rs.mss = 1400;
            break;
        case NftFeature::flowtable:
            break;  // below
    }
    Batch b(seq, ack, kProbeTable);
    put_table(b, NFT_MSG_NEWTABLE);
    put_table(b, NFT_MSG_DELTABLE);
    put_table(b, NFT_MSG_NEWTABLE);
    if (feature == NftFeature::flowtable) {
        // A flowtable's devices must exist (the kernel answers ENOENT for a missing one, as for
        // a missing flowtable type), so the probe's only device is `lo`, which always does. Its
        // ingress hook lives from this batch's prepare phase to its commit.
        put_chain(b, "flow_offload", "filter", NF_INET_FORWARD, NF_IP_PRI_FILTER + 10);
        put_flowtable(b, "lo", {});
        put_flow_protocols_set(b, 1);
        put_flow_add_rule(b, NFT_META_OIFNAME, "lo", 1);
    } else {
        put_contents(b, rs);
    }
    put_table(b, NFT_MSG_DELTABLE);
    return b.finish();
}

std::string to_string(NftFeature f) {
    switch (f) {
        case NftFeature::nat: return "nf_tables NAT (nft_chain_nat, nft_nat)";
        case NftFeature::numgen: return "numgen slot map (nft_numgen, map lookups)";
        case NftFeature::mss_clamp: return "TCP MSS clamping (nft_exthdr, nft_rt)";
        case NftFeature::flowtable:
            return "kernel lacks nf_flow_table: --flowtable needs CONFIG_NF_FLOW_TABLE, CONFIG_NF_FLOW_TABLE_INET and "
                   "CONFIG_NFT_FLOW_OFFLOAD (modules nf_flow_table, nf_flow_table_inet, nft_flow_offload)";
    }
    return "unknown feature";
}

Result<NftBatch> build_slot_update(net::Ipv4Address nat_address, const std::vector<map::PortRange>& ranges,
                                   const std::vector<std::uint32_t>& slots, std::uint32_t seq, bool ack) {
    if (slots.empty()) return fail("nft slot update: no slots");
    for (std::uint32_t s : slots)
        if (s >= ranges.size()) return fail("nft slot update: slot names range " + std::to_string(s) + " of " + std::to_string(ranges.size()));
    Batch b(seq, ack);
    Owned<nftnl_set> s = slot_set_ref(b.table());
    // DELSETELEM with no element list flushes the map (nf_tables_delsetelem).
    nftnl_set_elems_nlmsg_build_payload(b.header(NFT_MSG_DELSETELEM, 0), s.get());
    b.commit(true, "flush map ip s46d slots");
    // nft sends the set id here too; the kernel finds the set by name and uses the id only
    // for a set created in the same batch.
    put_slot_elements(b, nat_address, ranges, slots, true);
    return b.finish();
}

Result<NftBatch> build_slot_replan(const NaptRuleset& rs, std::uint64_t snat_rule_handle, std::uint32_t seq, bool ack) {
    if (auto ok = validate(rs); !ok) return fail(ok.error());
    if (!rs.napt || rs.ranges.size() < 2) return fail("nft slot replan: needs NAPT over more than one range (a slot map)");
    if (snat_rule_handle == 0) return fail("nft slot replan: no handle of the snat rule");
    Batch b(seq, ack);
    nftnl_set_elems_nlmsg_build_payload(b.header(NFT_MSG_DELSETELEM, 0), slot_set_ref(b.table()).get());
    b.commit(true, "flush map ip s46d slots");
    put_slot_elements(b, rs.nat_address, rs.ranges, rs.slots, true);
    // The replacement rule brings its own `{ tcp, udp, icmp }`; the old rule's anonymous set
    // goes with the old rule. The map keeps its name, so the other rules are untouched and
    // the named counters keep counting.
    // Set ids are batch-local names; any id the batch does not use otherwise will do. nft 1.0.6
    // numbers on after the four sets it finds in the table (the map, three anonymous ones), so
    // 5 keeps the bytes equal to nft's.
    constexpr std::uint32_t replan_protocols_set_id = 5;
    put_napt_protocols_set(b, replan_protocols_set_id);
    put_snat_rule(b, rs, replan_protocols_set_id, snat_rule_handle);
    return b.finish();
}

NftBatch build_delete_table(std::uint32_t seq, bool ack) {
    Batch b(seq, ack);
    put_table(b, NFT_MSG_NEWTABLE);
    put_table(b, NFT_MSG_DELTABLE);
    return b.finish();
}

// ---- the softwire guard (table ip6 s46d) --------------------------------------------------

Result<NftBatch> build_softwire_guard(const SoftwireGuard& g, std::uint32_t seq, bool ack) {
    if (g.local == net::Ipv6Address() || g.remote == net::Ipv6Address()) return fail("softwire guard: local and remote must be set");
    Batch b(seq, ack, kTable, NFPROTO_IPV6);
    put_table(b, NFT_MSG_NEWTABLE);
    put_table(b, NFT_MSG_DELTABLE);
    put_table(b, NFT_MSG_NEWTABLE);
    put_chain(b, "input", "filter", NF_INET_LOCAL_IN, 0);
    put_counter_object(b, kDropForeignSoftwireCounter);
    Rule r(b, "input");
    r.l4proto_eq(IPPROTO_IPIP);                                    // IPv4-in-IPv6: next header 4
    r.payload_load(NFT_PAYLOAD_NETWORK_HEADER, 24, 16);            // ip6 daddr
    r.cmp_eq(g.local.bytes.data(), 16);
    r.payload_load(NFT_PAYLOAD_NETWORK_HEADER, 8, 16);             // ip6 saddr
    r.cmp_neq(g.remote.bytes.data(), 16);
    nftnl_expr* e = r.add("objref");
    nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
    nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, kDropForeignSoftwireCounter);
    e = r.add("immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
    r.emit(b, "drop IPv4-in-IPv6 from other sources");
    return b.finish();
}

NftBatch build_delete_guard(std::uint32_t seq, bool ack) {
    Batch b(seq, ack, kTable, NFPROTO_IPV6);
    put_table(b, NFT_MSG_NEWTABLE);
    put_table(b, NFT_MSG_DELTABLE);
    return b.finish();
}

}  // namespace s46::platform::nft
