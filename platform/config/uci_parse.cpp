#include "platform/config/uci_parse.hpp"

#include <algorithm>

namespace s46::config {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Section types and option names: what libuci accepts as an identifier.
bool is_identifier(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// The words of one line; a comment ends it.
Result<std::vector<std::string>> split_words(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (true) {
        while (i < line.size() && is_blank(line[i])) ++i;
        if (i >= line.size() || line[i] == '#') break;
        std::string word;
        while (i < line.size() && !is_blank(line[i])) {
            char c = line[i];
            if (c == '\'') {
                auto close = line.find('\'', i + 1);
                if (close == std::string_view::npos) return fail("unterminated ' quote");
                word.append(line.substr(i + 1, close - i - 1));
                i = close + 1;
            } else if (c == '"') {
                ++i;
                bool closed = false;
                while (i < line.size()) {
                    if (line[i] == '\\' && i + 1 < line.size()) {
                        word.push_back(line[i + 1]);
                        i += 2;
                    } else if (line[i] == '"') {
                        closed = true;
                        ++i;
                        break;
                    } else {
                        word.push_back(line[i++]);
                    }
                }
                if (!closed) return fail("unterminated \" quote");
            } else if (c == '\\') {
                if (i + 1 >= line.size()) return fail("a backslash at the end of the line (continued lines are not supported)");
                word.push_back(line[i + 1]);
                i += 2;
            } else {
                word.push_back(c);
                ++i;
            }
        }
        words.push_back(std::move(word));
    }
    return words;
}

}  // namespace

Result<std::vector<UciSection>> parse_uci(std::string_view text) {
    std::vector<UciSection> sections;
    std::size_t line_no = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_no;
        const std::string at = "line " + std::to_string(line_no) + ": ";
        if (line.find('\0') != std::string_view::npos) return fail(at + "a NUL character");
        auto words = split_words(line);
        if (!words) return fail(at + words.error());
        if (words->empty()) continue;
        const auto& w = *words;
        const std::string& keyword = w[0];
        if (keyword == "package") {
            if (w.size() != 2) return fail(at + "package takes one name");
            continue;
        }
        if (keyword == "config") {
            if (w.size() < 2 || w.size() > 3) return fail(at + "config takes a type and an optional name");
            if (!is_identifier(w[1])) return fail(at + "config: '" + w[1] + "' is not a valid section type");
            if (w.size() == 3 && !is_identifier(w[2])) return fail(at + "config: '" + w[2] + "' is not a valid section name");
            UciSection s;
            s.type = w[1];
            s.name = w.size() == 3 ? w[2] : std::string();
            s.line = line_no;
            sections.push_back(std::move(s));
            continue;
        }
        if (keyword == "option" || keyword == "list") {
            if (w.size() != 3) return fail(at + keyword + " takes a name and one value (quote a value with blanks)");
            if (sections.empty()) return fail(at + keyword + " '" + w[1] + "' before any config section");
            if (!is_identifier(w[1])) return fail(at + keyword + ": '" + w[1] + "' is not a valid option name");
            auto& opts = sections.back().options;
            auto same = std::find_if(opts.begin(), opts.end(), [&](const UciOption& o) { return o.name == w[1]; });
            const bool list = keyword == "list";
            if (same != opts.end()) {
                if (!list || !same->is_list)
                    return fail(at + keyword + " '" + w[1] + "' is already set in this section (line " + std::to_string(same->line) + ")");
                same->values.push_back(w[2]);
                continue;
            }
            opts.push_back(UciOption{w[1], {w[2]}, list, line_no});
            continue;
        }
        return fail(at + "'" + keyword + "' is not config, option, list or package");
    }
    return sections;
}

}  // namespace s46::config
