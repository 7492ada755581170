# Sourced by scripts/test and scripts/lab: install the Debian 12 packages that are missing.
# Idempotent: apt-get runs only when something is absent.
s46_install_deps() {
    local wanted=("$@") missing=()
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
        { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

S46_BUILD_DEPS=(build-essential cmake g++ pkg-config libmnl-dev libnftnl-dev libnetfilter-conntrack-dev libcap-ng-dev libc-ares-dev libasio-dev catch2 nlohmann-json3-dev libbenchmark-dev
                kea-dev libboost-dev clang-14 libfuzzer-14-dev libclang-rt-14-dev libsqlite3-dev sqlite3 tshark)

# What the integration suites run: the real DHCPv6 server and DNS server, namespaces, captures.
S46_TEST_DEPS=(kea-dhcp6-server dnsmasq-base iproute2 python3 tshark faketime conntrack)

# What scripts/lab and the e2e conformance cases add: the scapy test peers, nft and ethtool in the namespaces.
S46_LAB_DEPS=(python3-scapy nftables ethtool iputils-ping kea-dhcp6-server dnsmasq-base iproute2)
