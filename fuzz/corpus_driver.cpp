// Stand-in for libFuzzer when the project is not built with -DS46_FUZZ=ON: runs each
// file named on the command line (directories: every regular file beneath them, in
// sorted order) through LLVMFuzzerTestOneInput once, plus the empty input. Each input
// gets its own exactly-sized heap allocation so ASan builds catch over-reads, as
// libFuzzer's own buffers would. A missing path is an error, not an empty corpus.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace fs = std::filesystem;

namespace {

bool run_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "corpus_driver: cannot read %s\n", p.c_str());
        return false;
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), buf.get());
    LLVMFuzzerTestOneInput(buf.get(), bytes.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        fs::path p(argv[i]);
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file()) files.push_back(e.path());
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            std::fprintf(stderr, "corpus_driver: no such file or directory: %s\n", argv[i]);
            return 2;
        }
    }
    std::sort(files.begin(), files.end());

    std::unique_ptr<std::uint8_t[]> empty(new std::uint8_t[0]);
    LLVMFuzzerTestOneInput(empty.get(), 0);
    std::size_t ran = 0;
    for (const auto& f : files) {
        if (!run_file(f)) return 1;
        ++ran;
    }
    std::printf("corpus_driver: %zu inputs (plus the empty input) ran without a failed invariant\n", ran);
    return 0;
}
