// weldcell-viewer [cell.yaml] [plan.json] [--plan] [--screenshot file.png [--time T]] ...
// The 3D viewer of weldcell (docs/viewer.md). With --screenshot it renders one frame and exits
// (for documentation and CI; under Xvfb set QT3D_RENDERER=opengl).

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImageWriter>
#include <QLayout>
#include <QPainter>
#include <QSaveFile>
#include <QScreen>
#include <QStatusBar>
#include <QSurfaceFormat>
#include <QTimer>
#include <QToolBar>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gui/main_window.hpp"
#include "gui/playback.hpp"
#include "planner/cell/cell.hpp"
#include "planner/common/input_file.hpp"

namespace {

using weldcell::gui::MainWindow;

// Calls `then` once the window's background work (and planning, and verifying the plan) is
// done; with `only_loading`, once the cell and plan are open (reach may still be running).
void WhenIdle(MainWindow* w, std::function<void()> then, bool only_loading = false) {
  if (!w->loading() && (only_loading || !w->background_busy()) && !w->planning() &&
      !w->verifying()) {
    then();
    return;
  }
  QTimer::singleShot(
      50, w, [w, then = std::move(then), only_loading] { WhenIdle(w, then, only_loading); });
}

// Captures `frames` frames in a row (Qt 3D uploads geometry over the first ones) and hands the
// last to `done`.
void CaptureAfter(MainWindow* w, int frames, std::function<void(const QImage&)> done) {
  w->scene()->Capture([w, frames, done = std::move(done)](const QImage& image) {
    if (frames <= 1) {
      done(image);
    } else {
      CaptureAfter(w, frames - 1, done);
    }
  });
}

// The whole window, with the 3D view's frame painted where its widget is (a widget grab does
// not see the native 3D window).
QImage Composite(MainWindow* w, const QImage& view) {
  QImage window = w->grab().toImage();
  QPainter painter(&window);
  const QWidget* widget = w->scene()->widget();
  const QPoint at = widget->mapTo(w, QPoint(0, 0));
  painter.drawImage(QRect(at, widget->size()), view);
  return window;
}

// The smallest window whose panes show their controls whole beside the 3D view (below it dock
// titles overlapped their contents, the time slider collapsed and the weld list was hidden);
// the 3D view alone (--view-only) may be smaller.
constexpr int kMinWidth = 640, kMinHeight = 480, kMinViewOnly = 100;
// The window's size unless --size says otherwise, shrunk to the screen's available area.
constexpr int kDefaultWidth = 1400, kDefaultHeight = 860;

// What is wrong with the value options (a usage error, exit 2), or empty. `options` are, in
// order: --time, --size, --view, --welds, --bench-frames, --view-only.
std::string BadOption(const QCommandLineParser& parser,
                      const std::array<QCommandLineOption, 6>& options) {
  const auto& [time, size, view, welds, bench, view_only] = options;
  auto got = [&](const QCommandLineOption& o) {
    return ", got '" + parser.value(o).toStdString() + "'";
  };
  bool ok = false;
  // Blanks around the number are refused, as by weldcell's own options (toDouble skips them).
  const double t = parser.value(time).toDouble(&ok);
  if (!ok || !std::isfinite(t) || t < 0 || parser.value(time) != parser.value(time).trimmed()) {
    return "--time: expected seconds >= 0" + got(time);
  }
  const QStringList wh = parser.value(size).split('x');
  bool w_ok = false, h_ok = false;
  const int width = wh.size() == 2 ? wh[0].toInt(&w_ok) : 0;
  const int height = wh.size() == 2 ? wh[1].toInt(&h_ok) : 0;
  const bool alone = parser.isSet(view_only);
  const int min_w = alone ? kMinViewOnly : kMinWidth, min_h = alone ? kMinViewOnly : kMinHeight;
  if (!w_ok || !h_ok || width < min_w || height < min_h || width > 10000 || height > 10000) {
    return "--size: expected WxH, " + std::to_string(min_w) + ".." + "10000 by " +
           std::to_string(min_h) + "..10000 pixels" +
           (alone ? std::string()
                  : " (smaller leaves the panes no room for their controls; --view-only: 100)") +
           got(size);
  }
  if (!QStringList{"iso", "front", "top", "side"}.contains(parser.value(view))) {
    return "--view: expected iso, front, top or side" + got(view);
  }
  if (parser.isSet(welds) && !QStringList{"reach", "robot"}.contains(parser.value(welds))) {
    return "--welds: expected reach or robot" + got(welds);
  }
  if (parser.isSet(bench) && (parser.value(bench).toInt(&ok) < 4 || !ok)) {
    return "--bench-frames: expected a number of frames >= 4 (the first 3 upload the geometry)" +
           got(bench);
  }
  return {};
}

// --select-weld's id is none of the cell's (ids are case-sensitive): the message names the
// option and the id, and lists the first few ids (a close one first when only the case differs).
std::string UnknownWeldMessage(const std::string& id, const weldcell::cell::Cell& cell) {
  std::string message = "--select-weld: the cell has no weld " + id + " (ids are case-sensitive";
  for (const auto& weld : cell.welds) {
    if (QString::fromStdString(weld.id).compare(QString::fromStdString(id), Qt::CaseInsensitive) ==
        0) {
      message += "; did you mean " + weld.id + "?";
      break;
    }
  }
  message += "; its " + std::to_string(cell.welds.size()) + " weld(s): ";
  constexpr std::size_t kListed = 5;
  for (std::size_t i = 0; i < cell.welds.size() && i < kListed; ++i) {
    message += (i > 0 ? ", " : "") + cell.welds[i].id;
  }
  if (cell.welds.size() > kListed) {
    message += ", … (the Inspector lists them all, as does the cell's welds file)";
  }
  return message + ")";
}

bool IsPlanFile(const QString& file) { return file.endsWith(".json", Qt::CaseInsensitive); }
bool IsYamlFile(const QString& file) {
  return file.endsWith(".yaml", Qt::CaseInsensitive) || file.endsWith(".yml", Qt::CaseInsensitive);
}

// Files and options that make no sense together (a usage error, exit 2), or empty. `options`
// are, in order: --plan, --screenshot, --view-only, --time, --bench-frames, --welds.
std::string BadCombination(const QCommandLineParser& parser,
                           const std::array<QCommandLineOption, 6>& options) {
  const auto& [plan, screenshot, view_only, time, bench, welds] = options;
  const QStringList files = parser.positionalArguments();
  // The cell comes first, its plan second: a .json first is a plan where the cell belongs.
  if (!files.isEmpty() && IsPlanFile(files[0])) {
    if (files.size() > 1 && IsYamlFile(files[1])) {
      return "the cell comes first, then its plan: got the plan " + files[0].toStdString() +
             " before the cell " + files[1].toStdString() + " (weldcell-viewer " +
             files[1].toStdString() + " " + files[0].toStdString() + ")";
    }
    return "expected a cell YAML first, got the plan " + files[0].toStdString() +
           " (a plan opens with its cell: weldcell-viewer cell.yaml plan.json)";
  }
  if (files.size() > 1 && IsYamlFile(files[1])) {
    return "expected a plan.json after the cell, got the YAML " + files[1].toStdString();
  }
  if (parser.isSet(screenshot) && files.isEmpty()) {
    return "--screenshot needs a cell to draw: weldcell-viewer cell.yaml [plan.json] "
           "--screenshot file.png";
  }
  if (parser.isSet(plan) && files.size() > 1) {
    return "--plan plans the cell anew: give either the plan " + files[1].toStdString() +
           " or --plan, not both";
  }
  if (parser.isSet(view_only) && !parser.isSet(screenshot)) {
    return "--view-only only applies to --screenshot (the picture without the panels)";
  }
  if (parser.isSet(time) && files.size() < 2 && !parser.isSet(plan)) {
    return "--time needs a plan: give a plan.json after the cell, or --plan";
  }
  // As --time: without a plan every weld would be grey, "not planned".
  if (parser.isSet(welds) && parser.value(welds) == "robot" && files.size() < 2 &&
      !parser.isSet(plan)) {
    return "--welds robot needs a plan (the robot that welds each weld): give a plan.json after "
           "the cell, or --plan";
  }
  if (parser.isSet(bench) && parser.isSet(screenshot)) {
    return "--bench-frames and --screenshot exclude each other";
  }
  return {};
}

// What is wrong with the files named on the command line (missing, a folder, a device), in
// the words the loaders use, or empty: checked before the display is opened or anything loaded.
std::string BadInputFile(const QString& file, bool is_cell) {
  const std::filesystem::path path = file.toStdString();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return path.string() + ": error: is a directory, " +
           (is_cell ? "expected a YAML file: " + path.string() + " (did you mean " +
                          (path / "cell.yaml").string() + "?)"
                    : "expected a plan.json file (did you mean " + (path / "plan.json").string() +
                          "?)");
  }
  if (const std::optional<std::string> problem =
          weldcell::InputFileProblem(path, is_cell ? "cell (cell.yaml)" : "plan (plan.json)")) {
    return path.string() + ": error: " + *problem;
  }
  return {};
}

// What is wrong with the --screenshot file name (its folder missing or not writable, a folder
// of that name, an extension that names no image format), or empty. Checked before the
// display is opened and the cell loaded (a large cell takes tens of seconds).
std::string BadScreenshotPath(const QString& file) {
  const QFileInfo info(file);
  const QByteArray suffix = info.suffix().toLower().toLatin1();
  const QList<QByteArray> formats = QImageWriter::supportedImageFormats();
  if (!formats.contains(suffix)) {
    QStringList names;
    for (const QByteArray& f : formats) names << QString::fromLatin1(f);
    return "--screenshot: '" + file.toStdString() +
           "' is not an image file name: expected one of ." + names.join(", .").toStdString();
  }
  const QFileInfo folder(info.absolutePath());
  if (!folder.exists()) {
    return "--screenshot: cannot write " + file.toStdString() + ": the folder " +
           info.path().toStdString() + " does not exist";
  }
  if (!folder.isDir()) {
    return "--screenshot: cannot write " + file.toStdString() + ": " + info.path().toStdString() +
           " is not a folder";
  }
  if (info.isDir()) {
    return "--screenshot: cannot write " + file.toStdString() + ": it is a folder";
  }
  if (!folder.isWritable() || (info.exists() && !info.isWritable())) {
    return "--screenshot: cannot write " + file.toStdString() + ": permission denied";
  }
  return {};
}

// CPU time of the calling thread, ms.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Max(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

// While QApplication connects to the display: Qt's messages about the platform plugin, kept to
// explain a failure; and the handler that was installed before.
QtMessageHandler previous_handler = nullptr;
std::string* platform_messages = nullptr;

// A display that is set but does not answer (DISPLAY=:99 with no X server there) makes Qt
// abort (qFatal, a core dump): say which display it was and exit 2 instead.
void StartupMessageHandler(QtMsgType type, const QMessageLogContext& context,
                           const QString& message) {
  const std::string_view category = context.category != nullptr ? context.category : "";
  if (type != QtFatalMsg) {
    if (category.starts_with("qt.qpa") && platform_messages != nullptr) {
      *platform_messages += message.toStdString() + "\n";
      return;
    }
    if (previous_handler != nullptr) previous_handler(type, context, message);
    return;
  }
  const QByteArray x_display = qgetenv("DISPLAY");
  const QByteArray wayland = qgetenv("WAYLAND_DISPLAY");
  const std::string which = !wayland.isEmpty() && qgetenv("QT_QPA_PLATFORM").startsWith("wayland")
                                ? "the Wayland display " + wayland.toStdString()
                            : !x_display.isEmpty() ? "display " + x_display.toStdString()
                                                   : "the display";
  std::fprintf(stderr,
               "weldcell-viewer: error: cannot connect to %s (no display server answers there, "
               "or it refuses the connection); without one run it under Xvfb: "
               "QT3D_RENDERER=opengl xvfb-run -a weldcell-viewer ...\n",
               which.c_str());
  if (platform_messages != nullptr && !platform_messages->empty()) {
    std::fprintf(stderr, "Qt said: %s", platform_messages->c_str());
  }
  std::fflush(stderr);
  std::_Exit(2);
}

// The command line as given, Qt's own `-platform NAME` taken out: QApplication reads it, it is
// not ours to parse, but it is checked as QT_QPA_PLATFORM is.
struct RawArguments {
  QStringList arguments;  // the program's name and the viewer's own arguments
  bool help = false;      // --help, -h or --help-all is among them
  // The platform plugin asked for, and where: "QT_QPA_PLATFORM=" or "-platform ".
  QByteArray platform;
  std::string platform_from;
};

RawArguments ReadArguments(int argc, char** argv) {
  RawArguments raw;
  raw.platform = qgetenv("QT_QPA_PLATFORM");
  raw.platform_from = "QT_QPA_PLATFORM=";
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (i > 0 && (arg == "--help" || arg == "-h" || arg == "--help-all")) raw.help = true;
    if (i > 0 && (arg == "-platform" || arg == "--platform") && i + 1 < argc) {
      raw.platform = argv[++i];
      raw.platform_from = "-platform ";
      continue;
    }
    raw.arguments << QString::fromLocal8Bit(argv[i]);
  }
  return raw;
}

// The viewer's options (docs/viewer.md) and the parser that reads them.
struct CommandLine {
  CommandLine();

  QCommandLineParser parser;
  const QCommandLineOption plan{"plan", "Plan the cell in the viewer (worker thread)."};
  const QCommandLineOption screenshot{
      "screenshot",
      "Render one frame to <file.png> and exit (the whole window); the extension names the "
      "image format (png, jpg, bmp, ...).",
      "file.png"};
  const QCommandLineOption view_only{"view-only",
                                     "With --screenshot: only the 3D view, no panels."};
  const QCommandLineOption time{"time", "Timeline time in s (with a plan).", "T", "0"};
  const QCommandLineOption size{
      "size", "Window size WxH, from 640x480 (default: 1400x860 or the screen's available area).",
      "WxH", QString("%1x%2").arg(kDefaultWidth).arg(kDefaultHeight)};
  const QCommandLineOption view{"view", "iso | front | top | side.", "view", "iso"};
  const QCommandLineOption welds{"welds", "Colour welds by reach | robot.", "by"};
  const QCommandLineOption select_weld{"select-weld", "Select weld <id> (inspector).", "id"};
  const QCommandLineOption tab{
      "tab",
      "With --screenshot: the bottom pane in front, timeline | diagnostics (default: "
      "Diagnostics when it lists something, else the timeline).",
      "pane"};
  const QCommandLineOption bench_frames{
      "bench-frames",
      "Render <n> (>= 4) frames of the plan's animation, print the frame times, exit.", "n"};
};

CommandLine::CommandLine() {
  parser.setApplicationDescription(
      "weldcell's 3D viewer: the station, its reach, its plan on a timeline (docs/viewer.md).");
  parser.addHelpOption();
  parser.addPositionalArgument("cell", "cell YAML to open", "[cell.yaml]");
  parser.addPositionalArgument("plan", "plan.json of that cell to open", "[plan.json]");
  parser.addOptions(
      {plan, screenshot, view_only, time, size, view, welds, select_weld, bench_frames, tab});
}

// What is wrong with --tab (only with --screenshot, and only a bottom pane), or empty.
std::string BadTab(const CommandLine& cli) {
  const QCommandLineParser& parser = cli.parser;
  if (!parser.isSet(cli.tab)) return {};
  if (!parser.isSet(cli.screenshot)) {
    return "--tab only applies to --screenshot (the pane in front in the picture)";
  }
  // The Inspector is always shown (its own pane at the right): only the bottom panes share
  // a place.
  if (!QStringList{"timeline", "diagnostics"}.contains(parser.value(cli.tab))) {
    return "--tab: expected timeline or diagnostics (the bottom panes; the Inspector is always "
           "shown), got '" +
           parser.value(cli.tab).toStdString() + "'";
  }
  return {};
}

// An option given twice would silently take one of the values: which one was, or empty.
std::string RepeatedOption(const CommandLine& cli) {
  for (const QCommandLineOption& option : {cli.screenshot, cli.time, cli.size, cli.view, cli.welds,
                                           cli.select_weld, cli.bench_frames, cli.tab}) {
    if (cli.parser.values(option).size() > 1) {
      return "--" + option.names().first().toStdString() + " given " +
             std::to_string(cli.parser.values(option).size()) + " times: give it once";
    }
  }
  return {};
}

// Parses the command line (`arguments`: ReadArguments) and says what makes it a usage error
// (exit 2), or empty: what Qt cannot parse, more than two files, bad values, options that
// mean nothing as given or given twice, a --screenshot file that cannot be written (checked
// before the display is opened and the cell loaded: a large one takes tens of seconds).
std::string BadCommandLine(CommandLine& cli, const QStringList& arguments) {
  QCommandLineParser& parser = cli.parser;
  if (!parser.parse(arguments)) return parser.errorText().toStdString();
  if (parser.positionalArguments().size() > 2) {
    return "at most a cell and a plan, got " + std::to_string(parser.positionalArguments().size()) +
           " files";
  }
  if (std::string bad = BadOption(
          parser, {cli.time, cli.size, cli.view, cli.welds, cli.bench_frames, cli.view_only});
      !bad.empty()) {
    return bad;
  }
  if (std::string bad = BadCombination(
          parser, {cli.plan, cli.screenshot, cli.view_only, cli.time, cli.bench_frames, cli.welds});
      !bad.empty()) {
    return bad;
  }
  if (std::string bad = BadTab(cli); !bad.empty()) return bad;
  if (std::string bad = RepeatedOption(cli); !bad.empty()) return bad;
  if (parser.isSet(cli.screenshot)) return BadScreenshotPath(parser.value(cli.screenshot));
  return {};
}

// What is wrong with the cell and plan files of the command line (BadInputFile: the first
// that is), or empty.
std::string BadInputFiles(const QStringList& files) {
  for (qsizetype i = 0; i < files.size(); ++i) {
    if (std::string bad = BadInputFile(files[i], i == 0); !bad.empty()) return bad;
  }
  return {};
}

// Where Qt would abort (no X display) or hang (the offscreen platform, where Qt 3D's OpenGL
// context never becomes current): why the viewer cannot show there, or empty. A display that
// is set but does not answer is found as Qt connects to it (StartupMessageHandler).
std::string BadDisplay(const RawArguments& raw) {
  if (raw.platform.startsWith("offscreen") || raw.platform.startsWith("minimal")) {
    return raw.platform_from + raw.platform.toStdString() +
           " is not supported (Qt 3D cannot draw there); without a display run it under Xvfb: "
           "QT3D_RENDERER=opengl xvfb-run -a weldcell-viewer ...";
  }
  if ((raw.platform.isEmpty() || raw.platform.startsWith("xcb")) && qgetenv("DISPLAY").isEmpty() &&
      qgetenv("WAYLAND_DISPLAY").isEmpty()) {
    return "no display (DISPLAY is not set); without one run it under Xvfb: QT3D_RENDERER=opengl "
           "xvfb-run -a weldcell-viewer ...";
  }
  return {};
}

// The window's size: --size, else the default not larger than the screen (1400x860 on a
// 1280x800 one went past its edges): its available area less a window frame's usual size, not
// below the smallest usable size.
QSize WindowSize(const CommandLine& cli) {
  const QStringList size = cli.parser.value(cli.size).split('x');
  QSize window_size(size[0].toInt(), size[1].toInt());  // checked by BadOption
  if (!cli.parser.isSet(cli.size)) {
    if (const QScreen* screen = QGuiApplication::primaryScreen(); screen != nullptr) {
      const QSize available = screen->availableGeometry().size() - QSize(16, 40);
      window_size = window_size.boundedTo(available).expandedTo(QSize(kMinWidth, kMinHeight));
    }
  }
  return window_size;
}

// The main window, shown at its size; for --screenshot --view-only the 3D view alone fills it,
// so that the picture has the size asked for.
std::unique_ptr<MainWindow> ShowWindow(const CommandLine& cli) {
  auto window = std::make_unique<MainWindow>();
  if (cli.parser.isSet(cli.screenshot) && cli.parser.isSet(cli.view_only)) {
    for (QDockWidget* dock : window->findChildren<QDockWidget*>()) dock->hide();
    for (QToolBar* bar : window->findChildren<QToolBar*>()) bar->hide();
    window->statusBar()->hide();
  }
  window->resize(WindowSize(cli));
  window->show();
  return window;
}

// What the steps of a run share once the window is shown.
struct Session {
  const CommandLine& cli;
  MainWindow* w;
  // What came of opening the files (OpenFiles): the cell opened, the plan opened or made, and
  // why --select-weld names no weld of the cell (empty: it names one, or is not given).
  bool cell_ok = false;
  bool plan_ok = true;
  std::string bad_select;
  // When the cell was drawn, the collision world built and the reach map done, in s since
  // the window was shown (TrackLoadTimes; --screenshot logs its stages on the same clock).
  QElapsedTimer open_clock;
  std::array<double, 3> opened_s{};
  // UI responsiveness (--bench-frames): the largest gap between ticks of a 10 ms timer.
  std::shared_ptr<double> max_gap = std::make_shared<double>(0.0);
};

// What --bench-frames reports of opening: the UI's longest stall while the cell loads (until
// the collision world and reach are built) and while frames render, and when the cell is
// drawn, the collision world built and the reach map done.
void TrackLoadTimes(Session& s) {
  auto ticker = new QTimer(s.w);
  auto tick_clock = std::make_shared<QElapsedTimer>();
  QObject::connect(ticker, &QTimer::timeout, s.w, [tick_clock, max_gap = s.max_gap] {
    if (tick_clock->isValid()) *max_gap = std::max(*max_gap, tick_clock->nsecsElapsed() / 1e6);
    tick_clock->start();
  });
  if (s.cli.parser.isSet(s.cli.bench_frames)) ticker->start(10);
  s.open_clock.start();
  QObject::connect(s.w, &MainWindow::cellOpened, s.w,
                   [&s] { s.opened_s[0] = s.open_clock.elapsed() / 1e3; });
  QObject::connect(s.w, &MainWindow::worldBuilt, s.w,
                   [&s] { s.opened_s[1] = s.open_clock.elapsed() / 1e3; });
  QObject::connect(s.w, &MainWindow::backgroundFinished, s.w,
                   [&s] { s.opened_s[2] = s.open_clock.elapsed() / 1e3; });
}

// --screenshot runs unattended (CI, docs): what it is doing goes to stderr, as `weldcell
// plan` logs its stages: each stage's start and every quarter of it, with counts.
void LogStagesToStderr(Session& s) {
  MainWindow* w = s.w;
  auto say = [&open_clock = s.open_clock](const std::string& what) {
    std::fprintf(stderr, "weldcell-viewer: %6.1f s  %s\n", open_clock.elapsed() / 1e3,
                 what.c_str());
    std::fflush(stderr);
  };
  say("reading " + s.cli.parser.positionalArguments().value(0).toStdString());
  QObject::connect(w, &MainWindow::cellOpened, w, [w, say](bool ok) {
    if (!ok) return;
    say("cell drawn: " + std::to_string(w->cell()->robots.size()) + " robot(s), " +
        std::to_string(w->cell()->welds.size()) + " weld(s), " +
        std::to_string(w->cell()->obstacles.size()) + " obstacle(s); building the collision " +
        "world");
  });
  QObject::connect(w, &MainWindow::worldBuilt, w, [w, say] {
    say("collision world built" +
        (w->station_errors() > 0
             ? ": " + std::to_string(w->station_errors()) + " station check error(s)"
             : std::string(", station check passed")));
  });
  QObject::connect(w, &MainWindow::planOpened, w, [say](bool ok) {
    if (ok) say("plan read; verifying it independently (as weldcell verify)");
  });
  QObject::connect(w, &MainWindow::planVerified, w, [say](int violations) {
    say("plan verified: " + std::to_string(violations) + " violation(s)");
  });
  QObject::connect(w, &MainWindow::backgroundFinished, w, [say] { say("reach map done"); });
  QObject::connect(w, &MainWindow::planningFinished, w, [say](bool complete) {
    say(complete ? "planned" : "planning did not complete");
  });
  // Stages run side by side (reach while a plan is verified): each keeps its own quarter.
  auto last = std::make_shared<std::map<QString, qint64>>();
  QObject::connect(
      w, &MainWindow::workProgress, w,
      [say, last](const QString& stage, qint64 done, qint64 total) {
        const qint64 quarter = total > 0 ? 4 * done / total : 0;
        if (const auto it = last->find(stage); it != last->end() && it->second == quarter) {
          return;
        }
        (*last)[stage] = quarter;
        say(stage.toStdString() + ": " + std::to_string(done) + " / " + std::to_string(total));
      });
}

// Opens the cell of the command line in a worker; once it is open, checks --select-weld (an
// unknown id: exit 2), then opens the plan or plans the cell (--plan). What came of it is in
// `s` (cell_ok, plan_ok, bad_select).
void OpenFiles(Session& s) {
  const QStringList files = s.cli.parser.positionalArguments();
  QObject::connect(
      s.w, &MainWindow::cellOpened, s.w,
      [&s, files](bool ok) {
        const CommandLine& cli = s.cli;
        MainWindow* w = s.w;
        s.cell_ok = ok;
        if (!ok) return;
        // Checked first: an unknown weld id is the error, not a plan left half opened.
        if (cli.parser.isSet(cli.select_weld)) {
          const std::string id = cli.parser.value(cli.select_weld).toStdString();
          const auto& welds = w->cell()->welds;
          if (std::none_of(welds.begin(), welds.end(),
                           [&](const auto& weld) { return weld.id == id; })) {
            s.bad_select = UnknownWeldMessage(id, *w->cell());
            std::fprintf(stderr, "weldcell-viewer: error: %s\n", s.bad_select.c_str());
            QApplication::exit(2);
            return;
          }
        }
        if (files.size() > 1) {
          s.plan_ok = false;
          QObject::connect(
              w, &MainWindow::planOpened, w, [&s](bool opened) { s.plan_ok = opened; },
              Qt::SingleShotConnection);
          w->OpenPlan(files[1]);
        }
        if (cli.parser.isSet(cli.plan)) {
          // A cell that cannot be planned (its check fails) is exit 2, as `weldcell plan`.
          QObject::connect(
              w, &MainWindow::planningFinished, w,
              [&s](bool complete) {
                if (!complete) s.plan_ok = false;
              },
              Qt::SingleShotConnection);
          w->StartPlanning({},
                           cli.parser.isSet(cli.screenshot) || cli.parser.isSet(cli.bench_frames));
        }
      },
      Qt::SingleShotConnection);
  if (!files.isEmpty()) s.w->OpenCell(files[0]);
}

// Shows what the command line asks for once the cell (and the plan) are open: the view, the
// bottom pane in front, the weld colouring, the time and the selected weld.
void ApplyViewOptions(const Session& s) {
  const CommandLine& cli = s.cli;
  const QCommandLineParser& parser = cli.parser;
  MainWindow* w = s.w;
  const auto view_name = parser.value(cli.view);
  w->ShowStandardView(view_name == "front"  ? weldcell::gui::StandardView::kFront
                      : view_name == "top"  ? weldcell::gui::StandardView::kTop
                      : view_name == "side" ? weldcell::gui::StandardView::kSide
                                            : weldcell::gui::StandardView::kIso);
  if (parser.isSet(cli.tab)) w->ShowPane(parser.value(cli.tab));
  if (parser.isSet(cli.welds)) {
    w->SetWeldColoring(parser.value(cli.welds) == "robot" ? weldcell::gui::WeldColoring::kRobot
                                                          : weldcell::gui::WeldColoring::kReach);
  }
  // A number (BadOption refused anything else before the window opened); 0 when not given.
  const double time = parser.value(cli.time).toDouble();
  w->SetTime(time);
  // Past the end as the time label writes it: 21.35 for an end at 21.3476 s is the end.
  if (parser.isSet(cli.time) && w->plan() != nullptr &&
      time > w->time() + weldcell::gui::DisplayedResolution(w->time()) * (1 + 1e-9)) {
    std::fprintf(stderr,
                 "weldcell-viewer: warning: --time %s is past the end of the plan: showing its "
                 "end, %s s\n",
                 qPrintable(parser.value(cli.time)),
                 weldcell::gui::FormatSeconds(w->time()).c_str());
  }
  if (parser.isSet(cli.select_weld) && w->cell() != nullptr) {
    for (std::size_t i = 0; i < w->cell()->welds.size(); ++i) {
      if (w->cell()->welds[i].id == parser.value(cli.select_weld).toStdString()) {
        w->SelectWeld(static_cast<int>(i));
      }
    }
  }
}

// The cell or the plan could not be opened (or made), --select-weld names no weld of the cell,
// or the station check failed: exit 2, and --screenshot writes no picture (an existing file
// stays as it was).
bool OpeningFailed(const Session& s) {
  return !s.cell_ok || !s.bad_select.empty() || !s.plan_ok || s.w->station_errors() > 0;
}

// WELDCELL_VIEWER_DEBUG: the camera and the 3D view's size, on stderr.
void PrintCamera(MainWindow* w) {
  const auto c = w->scene()->camera();
  std::fprintf(stderr, "eye %g %g %g center %g %g %g fov %g widget %dx%d\n", c.eye.x(), c.eye.y(),
               c.eye.z(), c.center.x(), c.center.y(), c.center.z(), w->scene()->field_of_view_deg(),
               w->scene()->widget()->width(), w->scene()->widget()->height());
}

// Writes the picture of --screenshot, the window with the 3D view's frame `view` in it (or
// the frame alone: --view-only), atomically: a temporary file in the same folder renamed over
// `file` once written, so that a failure leaves an existing file as it was. False when it
// cannot (and why, on stderr).
bool WriteScreenshot(MainWindow* w, const QImage& view, const QString& file, bool view_only) {
  const QImage out = view_only ? view : Composite(w, view);
  QSaveFile save(file);
  const QByteArray format = QFileInfo(file).suffix().toLower().toLatin1();
  if (!save.open(QIODevice::WriteOnly) || !out.save(&save, format.constData()) || !save.commit()) {
    std::fprintf(stderr, "weldcell-viewer: error: cannot write %s: %s\n", qPrintable(file),
                 qPrintable(save.errorString()));
    return false;
  }
  return true;
}

// The exit status of --screenshot once its event loop returned `code`: the diagnostics and
// why a picture was not written or fails verification go to stderr.
int ScreenshotExitStatus(const Session& s, int code) {
  for (const weldcell::Diagnostic& d : s.w->diagnostics()) {
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
  }
  if (OpeningFailed(s)) {
    std::fprintf(stderr, "weldcell-viewer: no picture written (%s)\n",
                 !s.cell_ok              ? "the cell could not be opened"
                 : !s.bad_select.empty() ? "--select-weld names no weld of the cell"
                 : !s.plan_ok            ? "the plan could not be opened or made"
                              : "the station check failed, as `weldcell check` reports it");
    return 2;
  }
  if (code != 0) return code;
  // As `weldcell verify`: a plan the verifier finds violations in is exit 1 (the picture is
  // written; the violations are on stderr above).
  if (s.w->plan_violations() > 0) {
    std::fprintf(stderr, "weldcell-viewer: %s; exit 1, as `weldcell verify` on any violation\n",
                 qPrintable(s.w->plan_verdict()));
    return 1;
  }
  return 0;
}

// --screenshot: once everything is open (planned, verified, reach built), shows what the
// options ask for, renders and writes the picture, and exits; returns the exit status.
int RunScreenshot(Session& s) {
  const QString file = s.cli.parser.value(s.cli.screenshot);
  const bool view_only = s.cli.parser.isSet(s.cli.view_only);
  QTimer::singleShot(0, s.w, [&s, file, view_only] {
    WhenIdle(s.w, [&s, file, view_only] {
      if (OpeningFailed(s)) {
        QApplication::exit(2);
        return;
      }
      ApplyViewOptions(s);
      if (qEnvironmentVariableIsSet("WELDCELL_VIEWER_DEBUG")) PrintCamera(s.w);
      CaptureAfter(s.w, 3, [&s, file, view_only](const QImage& image) {
        QApplication::exit(WriteScreenshot(s.w, image, file, view_only) ? 0 : 2);
      });
    });
  });
  return ScreenshotExitStatus(s, QApplication::exec());
}

// --bench-frames: what is measured over the frames (each frame's callback renders the next).
struct Bench {
  int frames = 0;  // >= 4, checked by BadOption
  std::vector<double> frame_ms, set_ms, cpu_ms;
  double load_gap_ms = 0, upload_gap_ms = 0;
  QElapsedTimer clock;
  double cpu_start_ms = 0;
};

// The first frames upload the geometry: they are reported apart.
constexpr int kUploadFrames = 3;

// Prints when the cell was open and the times of the frames rendered.
void PrintFrameTimes(const Session& s, const Bench& bench) {
  const std::vector<double> steady(bench.frame_ms.begin() + kUploadFrames, bench.frame_ms.end());
  std::printf(
      "open: cell drawn after %.1f s, collision world built after %.1f s, reach map after "
      "%.1f s\n",
      s.opened_s[0], s.opened_s[1], s.opened_s[2]);
  std::printf(
      "load: longest UI event-loop stall %.1f ms (reading the cell, drawing it, collision "
      "world and reach)\n"
      "frames %zu: the first %d (geometry upload) %.1f ms each, longest stall %.1f ms; "
      "then per rendered frame median %.1f ms, max %.1f ms; UI thread CPU per frame median "
      "%.1f ms; scene update median %.2f ms, max %.2f ms; longest UI event-loop stall "
      "%.1f ms\n",
      bench.load_gap_ms, bench.frame_ms.size(), kUploadFrames,
      std::accumulate(bench.frame_ms.begin(), bench.frame_ms.begin() + kUploadFrames, 0.0) /
          kUploadFrames,
      bench.upload_gap_ms, Median(steady), Max(steady), Median(bench.cpu_ms), Median(bench.set_ms),
      Max(bench.set_ms), *s.max_gap);
}

// --bench-frames exits 2 when the cell or the plan could not be opened (or made), else 0.
int BenchExitStatus(const Session& s) { return s.cell_ok && s.plan_ok ? 0 : 2; }

// As a user watches it: plays the plan (of `duration` s) at ×1 (the timeline's timer) for a
// few seconds from 30 % in, prints the UI's longest stall meanwhile, and exits.
void PlayAndExit(Session& s, double duration) {
  constexpr double kPlaySeconds = 5;
  MainWindow* w = s.w;
  w->SetTime(0.3 * duration);
  const double start = w->time();
  *s.max_gap = 0;
  w->SetSpeed(1.0);
  w->Play();
  QTimer::singleShot(static_cast<int>(kPlaySeconds * 1000), w, [&s, start] {
    s.w->Pause();
    std::printf("playing %.1f s of the plan at x1: longest UI event-loop stall %.1f ms\n",
                s.w->time() - start, *s.max_gap);
    QApplication::exit(BenchExitStatus(s));
  });
}

// Renders frame `i` of --bench-frames (at its share of the plan's duration) and measures it;
// then the next, and after the last prints the times and plays the plan (without a plan:
// exits).
void RenderBenchFrame(Session& s, const std::shared_ptr<Bench>& bench, int i) {
  MainWindow* w = s.w;
  const double duration = w->plan() != nullptr ? weldcell::gui::PlanDuration(*w->plan()) : 0.0;
  if (i == kUploadFrames) {
    bench->upload_gap_ms = *s.max_gap;
    *s.max_gap = 0;
  }
  bench->cpu_start_ms = ThreadCpuMs();
  QElapsedTimer set_clock;
  set_clock.start();
  w->SetTime(duration * i / bench->frames);
  bench->set_ms.push_back(set_clock.nsecsElapsed() / 1e6);
  bench->clock.start();
  w->scene()->Capture([&s, bench, i, duration](const QImage&) {
    bench->frame_ms.push_back(bench->clock.nsecsElapsed() / 1e6);
    if (i >= kUploadFrames) bench->cpu_ms.push_back(ThreadCpuMs() - bench->cpu_start_ms);
    if (i + 1 < bench->frames) {
      RenderBenchFrame(s, bench, i + 1);
      return;
    }
    PrintFrameTimes(s, *bench);
    if (s.w->plan() == nullptr) {
      QApplication::exit(BenchExitStatus(s));
      return;
    }
    PlayAndExit(s, duration);
  });
}

// --bench-frames: once everything is open, renders the frames, prints their times and exits;
// returns the exit status.
int RunBenchmark(Session& s) {
  auto bench = std::make_shared<Bench>();
  bench->frames = s.cli.parser.value(s.cli.bench_frames).toInt();
  QTimer::singleShot(0, s.w, [&s, bench] {
    WhenIdle(s.w, [&s, bench] {
      bench->load_gap_ms = *s.max_gap;
      *s.max_gap = 0;
      ApplyViewOptions(s);
      RenderBenchFrame(s, bench, 0);
    });
  });
  return QApplication::exec();
}

// Interactive: the view, time, weld colouring and selection asked for apply once the cell
// (and the plan) are open; returns the exit status.
int RunInteractive(Session& s) {
  if (!s.cli.parser.positionalArguments().isEmpty()) {
    QTimer::singleShot(0, s.w, [&s] {
      WhenIdle(
          s.w, [&s] { ApplyViewOptions(s); }, /*only_loading=*/true);
    });
  }
  return QApplication::exec();
}

}  // namespace

int main(int argc, char** argv) {
  // The arguments are checked before a QApplication opens the display, so that usage errors
  // are reported (exit 2) on a machine without one; --help needs no display either.
  QCoreApplication::setApplicationName("weldcell-viewer");
  const RawArguments raw = ReadArguments(argc, argv);
  CommandLine cli;
  if (raw.help) {
    QCoreApplication help_app(argc, argv);
    cli.parser.process(help_app);  // --help: prints the help and exits 0
  }
  // Usage errors exit with 2, as every weldcell command's (QCommandLineParser::process: 1).
  if (const std::string bad = BadCommandLine(cli, raw.arguments); !bad.empty()) {
    std::fprintf(stderr, "weldcell-viewer: error: %s (see --help)\n", bad.c_str());
    return 2;
  }
  if (const std::string bad = BadInputFiles(cli.parser.positionalArguments()); !bad.empty()) {
    std::fprintf(stderr, "%s\n", bad.c_str());
    return 2;
  }
  if (const std::string bad = BadDisplay(raw); !bad.empty()) {
    std::fprintf(stderr, "weldcell-viewer: error: %s\n", bad.c_str());
    return 2;
  }
  // Qt 3D's default RHI renderer reads a frame back upside down under Xvfb (Mesa): a picture
  // is taken with the OpenGL renderer unless the user chose one.
  if (cli.parser.isSet(cli.screenshot) && !qEnvironmentVariableIsSet("QT3D_RENDERER")) {
    qputenv("QT3D_RENDERER", "opengl");
  }
  std::string startup_messages;
  platform_messages = &startup_messages;
  previous_handler = qInstallMessageHandler(StartupMessageHandler);
  QApplication app(argc, argv);
  qInstallMessageHandler(previous_handler);
  platform_messages = nullptr;
  // Connected after all: what Qt said about the platform (e.g. xcb's warnings) is shown.
  if (!startup_messages.empty()) std::fputs(startup_messages.c_str(), stderr);

  const std::unique_ptr<MainWindow> window = ShowWindow(cli);
  Session session{cli, window.get()};
  TrackLoadTimes(session);
  if (cli.parser.isSet(cli.screenshot)) LogStagesToStderr(session);
  OpenFiles(session);
  if (cli.parser.isSet(cli.screenshot)) return RunScreenshot(session);
  if (cli.parser.isSet(cli.bench_frames)) return RunBenchmark(session);
  return RunInteractive(session);
}
