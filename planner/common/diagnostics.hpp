#pragma once
// Diagnostics for bad input: every problem names file:line:col, the key path and what was
// expected. Loaders collect all problems of a file, then throw one InputError.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weldcell {

struct SourceLocation {
  std::string file;  ///< Path as the user gave it (or as resolved from the naming file).
  int line = 0;      ///< 1-based; 0 when unknown.
  int column = 0;    ///< 1-based; 0 when unknown.
  bool operator==(const SourceLocation&) const = default;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLocation where;
  std::string key_path;  ///< e.g. "robots[1].base.xyz"; empty when the whole file is meant.
  std::string message;   ///< What is wrong and what was expected.
  bool operator==(const Diagnostic&) const = default;

  /// `file:line:col: error: key.path: message` (compiler style, so editors can jump to it).
  std::string ToString() const;
};

/// `text` made fit for a message: bytes that are not printable UTF-8 (control characters other
/// than newline and tab, invalid or truncated sequences) written as \xNN, and, when it has more
/// than `max_chars` characters, cut there with "…" appended.
std::string Printable(std::string_view text, std::size_t max_chars = std::string_view::npos);

/// How a message quotes input it could not make sense of: Printable(text, max_chars) in double
/// quotes (a whole CSV file given as a cell.yaml is 60 characters and "…", not 800).
std::string Quote(std::string_view text, std::size_t max_chars = 60);

/// The one exception type for bad input (files, arguments). Its what() lists every error,
/// one per line.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Collects errors and warnings while a file is read. Not thread-safe.
class DiagnosticSink {
 public:
  void Error(SourceLocation where, std::string key_path, std::string message);
  void Warning(SourceLocation where, std::string key_path, std::string message);
  void Add(Diagnostic diagnostic);
  /// Appends everything from an InputError (e.g. from a file that this one includes).
  void Merge(const InputError& error);

  bool has_errors() const;
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::vector<Diagnostic> warnings() const;

  /// Throws InputError with all errors collected so far, if there are any.
  void ThrowIfErrors() const;

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace weldcell
