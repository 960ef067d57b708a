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
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
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
