#include "planner/common/diagnostics.hpp"

#include <algorithm>

namespace weldcell {

std::string Diagnostic::ToString() const {
  std::string out = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) {
    out += ":" + std::to_string(where.line);
    if (where.column > 0) out += ":" + std::to_string(where.column);
  }
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  if (!key_path.empty()) out += Printable(key_path) + ": ";
  // Raw bytes a library quoted from the input (nlohmann's "last read: '...'") are escaped.
  out += Printable(message);
  return out;
}

std::string Printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  auto hex = [&out](unsigned char c) {
    static constexpr char kDigits[] = "0123456789abcdef";  // as cli/output_paths.cpp
    out += "\\x";
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    if (chars == max_chars) {
      out += "…";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    // The length of the UTF-8 sequence starting here, 0 when it is not a valid one.
    std::size_t length = c < 0x80                 ? 1
                         : c >= 0xC2 && c <= 0xDF ? 2
                         : c >= 0xE0 && c <= 0xEF ? 3
                         : c >= 0xF0 && c <= 0xF4 ? 4
                                                  : 0;
    if (length > 1) {
      if (i + length > text.size()) {
        length = 0;
      } else {
        for (std::size_t k = 1; k < length; ++k) {
          if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) length = 0;
        }
      }
    }
    if (length == 0 || (length == 1 && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F))) {
      hex(c);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
    ++chars;
  }
  return out;
}

std::string Quote(std::string_view text, std::size_t max_chars) {
  return "\"" + Printable(text, max_chars) + "\"";
}

namespace {
std::string JoinErrors(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity != Severity::kError) continue;
    if (!out.empty()) out += '\n';
    out += d.ToString();
  }
  return out;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(JoinErrors(diagnostics)), diagnostics_(std::move(diagnostics)) {}

void DiagnosticSink::Error(SourceLocation where, std::string key_path, std::string message) {
  Add({.severity = Severity::kError,
       .where = std::move(where),
       .key_path = std::move(key_path),
       .message = std::move(message)});
}

void DiagnosticSink::Warning(SourceLocation where, std::string key_path, std::string message) {
  Add({.severity = Severity::kWarning,
       .where = std::move(where),
       .key_path = std::move(key_path),
       .message = std::move(message)});
}

void DiagnosticSink::Add(Diagnostic diagnostic) { diagnostics_.push_back(std::move(diagnostic)); }

void DiagnosticSink::Merge(const InputError& error) {
  for (const Diagnostic& d : error.diagnostics()) Add(d);
}

bool DiagnosticSink::has_errors() const {
  return std::any_of(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::vector<Diagnostic> DiagnosticSink::warnings() const {
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : diagnostics_) {
    if (d.severity == Severity::kWarning) out.push_back(d);
  }
  return out;
}

void DiagnosticSink::ThrowIfErrors() const {
  if (has_errors()) throw InputError(diagnostics_);
}

}  // namespace weldcell
