// tshark cross-check of the encoder (ctest dhcp_tshark, label tshark).
//
// Encodes a softwire option set with dhcp/s46_codec.hpp, wraps it in a DHCPv6 Reply inside
// Ethernet/IPv6/UDP 547->546 in a pcap file written here, and asks tshark (Wireshark's DHCPv6
// dissector, an implementation independent of ours and of Kea) what it sees: the AFTR name,
// the S46 rule fields, BR, DMR, BIND, PORTPARAMS and the 111 list, with no malformed-packet or
// expert errors. Our own decoder must read the same bytes back to the same set.
//
// Usage: s46_dhcp_tshark_check WORKDIR    (writes WORKDIR/reply.pcap and WORKDIR/reply.txt)
// Exit 0 pass, 1 fail, 77 skipped (tshark not installed; ctest SKIP_RETURN_CODE).
#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dhcp/s46_codec.hpp"

using namespace s46;
using Bytes = std::vector<std::uint8_t>;

namespace {

int failures = 0;

void expect(const std::string& what, const std::string& got, const std::string& want) {
    bool ok = got == want;
    std::cout << (ok ? "ok   " : "FAIL ") << what << ": tshark '" << got << "'" << (ok ? "" : " want '" + want + "'") << "\n";
    if (!ok) ++failures;
}

void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

void put_le32(std::ofstream& f, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) f.put(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_le16(std::ofstream& f, std::uint16_t v) {
    f.put(static_cast<char>(v & 0xff));
    f.put(static_cast<char>(v >> 8));
}

// Ethernet + IPv6 (fe80::ff:fe00:2 -> fe80::ff:fe00:1) + UDP 547 -> 546 around `payload`.
Bytes frame(const Bytes& payload) {
    const std::array<std::uint8_t, 16> src{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 2};
    const std::array<std::uint8_t, 16> dst{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 1};
    const std::uint16_t udp_len = static_cast<std::uint16_t>(8 + payload.size());
    Bytes udp;
    put16(udp, 547);
    put16(udp, 546);
    put16(udp, udp_len);
    put16(udp, 0);  // checksum, filled below
    udp.insert(udp.end(), payload.begin(), payload.end());
    // RFC 8200 §8.1 pseudo-header + UDP header and data, one's complement sum of 16-bit words.
    Bytes sum_input(src.begin(), src.end());
    sum_input.insert(sum_input.end(), dst.begin(), dst.end());
    put16(sum_input, 0);
    put16(sum_input, udp_len);
    sum_input.insert(sum_input.end(), {0, 0, 0, 17});
    sum_input.insert(sum_input.end(), udp.begin(), udp.end());
    if (sum_input.size() % 2) sum_input.push_back(0);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < sum_input.size(); i += 2) sum += static_cast<std::uint32_t>(sum_input[i] << 8 | sum_input[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    std::uint16_t csum = static_cast<std::uint16_t>(~sum & 0xffff);
    if (csum == 0) csum = 0xffff;
    udp[6] = static_cast<std::uint8_t>(csum >> 8);
    udp[7] = static_cast<std::uint8_t>(csum);

    Bytes f{0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x86, 0xdd};
    f.insert(f.end(), {0x60, 0, 0, 0});
    put16(f, udp_len);
    f.push_back(17);   // next header: UDP
    f.push_back(255);  // hop limit
    f.insert(f.end(), src.begin(), src.end());
    f.insert(f.end(), dst.begin(), dst.end());
    f.insert(f.end(), udp.begin(), udp.end());
    return f;
}

void write_pcap(const std::string& path, const Bytes& pkt) {
    std::ofstream f(path, std::ios::binary);
    put_le32(f, 0xa1b2c3d4);  // microsecond pcap, written little-endian
    put_le16(f, 2);
    put_le16(f, 4);
    put_le32(f, 0);      // thiszone
    put_le32(f, 0);      // sigfigs
    put_le32(f, 65535);  // snaplen
    put_le32(f, 1);      // LINKTYPE_ETHERNET
    put_le32(f, 1700000000);
    put_le32(f, 0);
    put_le32(f, static_cast<std::uint32_t>(pkt.size()));
    put_le32(f, static_cast<std::uint32_t>(pkt.size()));
    f.write(reinterpret_cast<const char*>(pkt.data()), static_cast<std::streamsize>(pkt.size()));
}

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

net::Ipv6Address v6(const char* s) { return net::Ipv6Address::parse(s).value(); }
net::Ipv6Prefix p6(const char* s) { return net::Ipv6Prefix::parse(s).value(); }
net::Ipv4Prefix p4(const char* s) { return net::Ipv4Prefix::parse(s).value(); }

}  // namespace

int main(int argc, char** argv) {
    if (std::system("tshark -v >/dev/null 2>&1") != 0) {
        std::cout << "SKIP: tshark is not installed (apt-get install tshark); dhcp_tshark not run\n";
        return 77;
    }
    const std::string dir = argc > 1 ? argv[1] : ".";
    mkdir(dir.c_str(), 0755);
    const std::string pcap = dir + "/reply.pcap";

    // The set: DNS, AFTR-Name, MAP-E (an FMR with PORTPARAMS and a BMR-only rule whose flags carry
    // the reserved bit 0x80), MAP-T, lw4o6 (BIND with PORTPARAMS 0x34/8 and BR), priority 96, 94, 64.
    provision::S46OptionSet set;
    set.dns_servers = {v6("2001:db8::53")};
    set.aftr_name = "aftr.example.com";
    provision::Rule fmr{true, 16, p4("192.0.2.0/24"), p6("2001:db8:ff00::/40"), provision::PortParams{6, 8, 0x34}};
    provision::Rule bmr{false, 0, p4("198.51.100.7/32"), p6("2001:db8:1:203::/64"), provision::PortParams{0, 6, 5}};
    set.mape.push_back({{fmr}, {v6("2001:db8:ffff::1")}, std::nullopt});
    set.mapt.push_back({{fmr}, p6("2001:db8:64::/64")});
    provision::V4v6Bind bind{net::Ipv4Address(192, 0, 2, 18), p6("2001:db8:12:3400::/56"), provision::PortParams{0, 8, 0x34}};
    set.lw.push_back({{v6("2001:db8:ffff::2")}, bind, std::nullopt});
    set.priority = std::vector<std::uint16_t>{96, 94, 64};

    Bytes options = dhcp::encode(set);
    // A second MAP-E container with the reserved-bit rule, written with the rule encoder.
    Bytes mape2_value = dhcp::encode(bmr, 0x80);
    Bytes br = dhcp::encode_br(v6("2001:db8:ffff::3"));
    mape2_value.insert(mape2_value.end(), br.begin(), br.end());
    Bytes mape2 = dhcp::encode_option(provision::kOptionS46ContMapE, mape2_value);
    options.insert(options.end(), mape2.begin(), mape2.end());

    Bytes reply{7, 0x12, 0x34, 0x56};  // Reply, transaction-id 0x123456
    Bytes client_id = dhcp::encode_option(1, Bytes{0, 3, 0, 1, 2, 0, 0, 0, 0, 1});
    reply.insert(reply.end(), client_id.begin(), client_id.end());
    reply.insert(reply.end(), options.begin(), options.end());
    write_pcap(pcap, frame(reply));

    // Our own decoder reads the same bytes back.
    auto back = dhcp::decode_reply_options(Bytes(reply.begin() + 4, reply.end()));
    provision::S46OptionSet want = set;
    bmr.forwarding = false;
    want.mape.push_back({{bmr}, {v6("2001:db8:ffff::3")}, std::nullopt});
    if (!(back == want)) {
        std::cout << "FAIL our decoder does not read back the encoded set\n";
        ++failures;
    }

    std::string verbose = run("tshark -r '" + pcap + "' -V 2>&1");
    std::ofstream(dir + "/reply.txt") << verbose;
    std::cout << "tshark -V output: " << dir << "/reply.txt (" << verbose.size() << " bytes)\n";
    bool malformed = verbose.find("Malformed") != std::string::npos || verbose.find("[Expert Info (Error") != std::string::npos ||
                     verbose.find("[Expert Info (Warning") != std::string::npos;
    std::cout << (malformed ? "FAIL" : "ok  ") << " no malformed-packet or expert error/warning in tshark -V\n";
    if (malformed) ++failures;
    expect("UDP checksum", trim(run("tshark -r '" + pcap + "' -o udp.check_checksum:TRUE -T fields -e udp.checksum.status 2>/dev/null")), "1");

    const std::vector<std::string> fields = {
        "dhcpv6.msgtype",
        "dhcpv6.dns_server",
        "dhcpv6.aftr_name",
        "dhcpv6.s46_rule.flags",
        "dhcpv6.s46_rule.flags.fmr",
        "dhcpv6.s46_rule.ea_len",
        "dhcpv6.s46_rule.ipv4_pref_len",
        "dhcpv6.s46_rule.ipv4_prefix",
        "dhcpv6.s46_rule.ipv6_prefix_len",
        "dhcpv6.s46_rule.ipv6_prefix",
        "dhcpv6.s46_br.address",
        "dhcpv6.s46_dmr.dmr_pref_len",
        "dhcpv6.s46_dmr.dmr_prefix",
        "dhcpv6.s46_v4v6bind.ipv4_address",
        "dhcpv6.s46_v4v6bind.ipv6_pref_len",
        "dhcpv6.s46_v4v6bind.ipv6_prefix",
        "dhcpv6.s46_portparam.offset",
        "dhcpv6.s46_portparam.psid_len",
        "dhcpv6.s46_portparam.psid",
        "dhcpv6.option_code",
    };
    std::string cmd = "tshark -r '" + pcap + "' -T fields -E separator=/t -E occurrence=a -E aggregator=,";
    for (const auto& f : fields) cmd += " -e " + f;
    std::string line = trim(run(cmd + " 2>/dev/null"));
    std::map<std::string, std::string> got;
    std::istringstream in(line);
    for (const auto& f : fields) std::getline(in, got[f], '\t');

    // Wire order of the message: MAP-E (fmr), MAP-T (fmr), lw4o6 (bind), MAP-E #2 (bmr).
    expect("message type", got["dhcpv6.msgtype"], "7");
    expect("DNS server", got["dhcpv6.dns_server"], "2001:db8::53");
    expect("AFTR name", got["dhcpv6.aftr_name"], "aftr.example.com.");  // tshark prints the root dot
    expect("S46_RULE flags", got["dhcpv6.s46_rule.flags"], "0x01,0x01,0x80");
    expect("S46_RULE F (FMR) bit", got["dhcpv6.s46_rule.flags.fmr"], "1,1,0");
    expect("S46_RULE ea-len", got["dhcpv6.s46_rule.ea_len"], "16,16,0");
    expect("S46_RULE prefix4-len", got["dhcpv6.s46_rule.ipv4_pref_len"], "24,24,32");
    expect("S46_RULE ipv4-prefix", got["dhcpv6.s46_rule.ipv4_prefix"], "192.0.2.0,192.0.2.0,198.51.100.7");
    expect("S46_RULE prefix6-len", got["dhcpv6.s46_rule.ipv6_prefix_len"], "40,40,64");
    expect("S46_RULE ipv6-prefix", got["dhcpv6.s46_rule.ipv6_prefix"], "2001:db8:ff00::,2001:db8:ff00::,2001:db8:1:203::");
    expect("S46_BR", got["dhcpv6.s46_br.address"], "2001:db8:ffff::1,2001:db8:ffff::2,2001:db8:ffff::3");
    expect("S46_DMR length", got["dhcpv6.s46_dmr.dmr_pref_len"], "64");
    expect("S46_DMR prefix", got["dhcpv6.s46_dmr.dmr_prefix"], "2001:db8:64::");
    expect("S46_V4V6BIND ipv4-address", got["dhcpv6.s46_v4v6bind.ipv4_address"], "192.0.2.18");
    expect("S46_V4V6BIND bindprefix6-len", got["dhcpv6.s46_v4v6bind.ipv6_pref_len"], "56");
    expect("S46_V4V6BIND prefix", got["dhcpv6.s46_v4v6bind.ipv6_prefix"], "2001:db8:12:3400::");
    expect("S46_PORTPARAMS offset", got["dhcpv6.s46_portparam.offset"], "6,6,0,0");
    expect("S46_PORTPARAMS psid-len", got["dhcpv6.s46_portparam.psid_len"], "8,8,8,6");
    // Wireshark shows the PSID right-aligned (0x3400 with k=8 -> 52, 0x1400 with k=6 -> 5).
    expect("S46_PORTPARAMS psid", got["dhcpv6.s46_portparam.psid"], "52,52,52,5");
    expect("S46 priority codes (111)", got["dhcpv6.option_code"], "0x0060,0x005e,0x0040");  // 96, 94, 64

    std::cout << (failures ? "dhcp_tshark: " + std::to_string(failures) + " failure(s)\n" : "dhcp_tshark: all passed\n");
    return failures ? 1 : 0;
}
