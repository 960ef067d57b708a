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

}  // namespace

int main(int argc, char** argv) {
  // The arguments are checked before a QApplication opens the display, so that usage errors
  // are reported (exit 2) on a machine without one; --help needs no display either.
  QCoreApplication::setApplicationName("weldcell-viewer");
  QStringList arguments;
  bool help = false;
  // Qt's own `-platform NAME` (read by QApplication) is not ours to parse, but it is checked
  // as QT_QPA_PLATFORM is.
  QByteArray platform = qgetenv("QT_QPA_PLATFORM");
  std::string platform_from = "QT_QPA_PLATFORM=";
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (i > 0 && (arg == "--help" || arg == "-h" || arg == "--help-all")) help = true;
    if (i > 0 && (arg == "-platform" || arg == "--platform") && i + 1 < argc) {
      platform = argv[++i];
      platform_from = "-platform ";
      continue;
    }
    arguments << QString::fromLocal8Bit(argv[i]);
  }
  QCommandLineParser parser;
  parser.setApplicationDescription(
      "weldcell's 3D viewer: the station, its reach, its plan on a timeline (docs/viewer.md).");
  const QCommandLineOption help_option = parser.addHelpOption();
  parser.addPositionalArgument("cell", "cell YAML to open", "[cell.yaml]");
  parser.addPositionalArgument("plan", "plan.json of that cell to open", "[plan.json]");
  const QCommandLineOption plan_option("plan", "Plan the cell in the viewer (worker thread).");
  const QCommandLineOption screenshot_option(
      "screenshot",
      "Render one frame to <file.png> and exit (the whole window); the extension names the "
      "image format (png, jpg, bmp, ...).",
      "file.png");
  const QCommandLineOption view_only_option("view-only",
                                            "With --screenshot: only the 3D view, no panels.");
  const QCommandLineOption time_option("time", "Timeline time in s (with a plan).", "T", "0");
  const QCommandLineOption size_option(
      "size", "Window size WxH, from 640x480 (default: 1400x860 or the screen's available area).",
      "WxH", QString("%1x%2").arg(kDefaultWidth).arg(kDefaultHeight));
  const QCommandLineOption view_option("view", "iso | front | top | side.", "view", "iso");
  const QCommandLineOption welds_option("welds", "Colour welds by reach | robot.", "by");
  const QCommandLineOption select_option("select-weld", "Select weld <id> (inspector).", "id");
  const QCommandLineOption tab_option(
      "tab",
      "With --screenshot: the bottom pane in front, timeline | diagnostics (default: "
      "Diagnostics when it lists something, else the timeline).",
      "pane");
  const QCommandLineOption bench_option(
      "bench-frames",
      "Render <n> (>= 4) frames of the plan's animation, print the frame times, exit.", "n");
  parser.addOptions({plan_option, screenshot_option, view_only_option, time_option, size_option,
                     view_option, welds_option, select_option, bench_option, tab_option});
  if (help) {
    QCoreApplication help_app(argc, argv);
    parser.process(help_app);  // --help: prints the help and exits 0
  }
  // Usage errors exit with 2, as every weldcell command's (QCommandLineParser::process: 1).
  auto usage_error = [](const std::string& what) {
    std::fprintf(stderr, "weldcell-viewer: error: %s (see --help)\n", what.c_str());
    return 2;
  };
  if (!parser.parse(arguments)) return usage_error(parser.errorText().toStdString());
  if (parser.positionalArguments().size() > 2) {
    return usage_error("at most a cell and a plan, got " +
                       std::to_string(parser.positionalArguments().size()) + " files");
  }
  if (const std::string bad = BadOption(parser, {time_option, size_option, view_option,
                                                 welds_option, bench_option, view_only_option});
      !bad.empty()) {
    return usage_error(bad);
  }
  if (const std::string bad =
          BadCombination(parser, {plan_option, screenshot_option, view_only_option, time_option,
                                  bench_option, welds_option});
      !bad.empty()) {
    return usage_error(bad);
  }
  if (parser.isSet(tab_option)) {
    if (!parser.isSet(screenshot_option)) {
      return usage_error("--tab only applies to --screenshot (the pane in front in the picture)");
    }
    // The Inspector is always shown (its own pane at the right): only the bottom panes share
    // a place.
    if (!QStringList{"timeline", "diagnostics"}.contains(parser.value(tab_option))) {
      return usage_error(
          "--tab: expected timeline or diagnostics (the bottom panes; the Inspector is always "
          "shown), got '" +
          parser.value(tab_option).toStdString() + "'");
    }
  }
  // An option given twice would silently take one of the values.
  for (const QCommandLineOption& option : {screenshot_option, time_option, size_option, view_option,
                                           welds_option, select_option, bench_option, tab_option}) {
    if (parser.values(option).size() > 1) {
      return usage_error("--" + option.names().first().toStdString() + " given " +
                         std::to_string(parser.values(option).size()) + " times: give it once");
    }
  }
  // The picture's file and the input files are checked before the display is opened and the
  // cell loaded (a large one takes tens of seconds).
  if (parser.isSet(screenshot_option)) {
    if (const std::string bad = BadScreenshotPath(parser.value(screenshot_option)); !bad.empty()) {
      return usage_error(bad);
    }
  }
  for (qsizetype i = 0; i < parser.positionalArguments().size(); ++i) {
    if (const std::string bad = BadInputFile(parser.positionalArguments()[i], i == 0);
        !bad.empty()) {
      std::fprintf(stderr, "%s\n", bad.c_str());
      return 2;
    }
  }
  // Where Qt would abort (no X display) or hang (the offscreen platform, where Qt 3D's OpenGL
  // context never becomes current), say so instead.
  if (platform.startsWith("offscreen") || platform.startsWith("minimal")) {
    std::fprintf(stderr,
                 "weldcell-viewer: error: %s%s is not supported (Qt 3D cannot draw there); "
                 "without a display run it under Xvfb: QT3D_RENDERER=opengl xvfb-run -a "
                 "weldcell-viewer ...\n",
                 platform_from.c_str(), platform.constData());
    return 2;
  }
  // Qt 3D's default RHI renderer reads a frame back upside down under Xvfb (Mesa): a picture
  // is taken with the OpenGL renderer unless the user chose one.
  if (parser.isSet(screenshot_option) && !qEnvironmentVariableIsSet("QT3D_RENDERER")) {
    qputenv("QT3D_RENDERER", "opengl");
  }
  if ((platform.isEmpty() || platform.startsWith("xcb")) && qgetenv("DISPLAY").isEmpty() &&
      qgetenv("WAYLAND_DISPLAY").isEmpty()) {
    std::fprintf(stderr,
                 "weldcell-viewer: error: no display (DISPLAY is not set); without one run it "
                 "under Xvfb: QT3D_RENDERER=opengl xvfb-run -a weldcell-viewer ...\n");
    return 2;
  }
  std::string startup_messages;
  platform_messages = &startup_messages;
  previous_handler = qInstallMessageHandler(StartupMessageHandler);
  QApplication app(argc, argv);
  qInstallMessageHandler(previous_handler);
  platform_messages = nullptr;
  // Connected after all: what Qt said about the platform (e.g. xcb's warnings) is shown.
  if (!startup_messages.empty()) std::fputs(startup_messages.c_str(), stderr);
  auto window = std::make_unique<MainWindow>();
  MainWindow* w = window.get();
  if (parser.isSet(screenshot_option) && parser.isSet(view_only_option)) {
    // The 3D view alone fills the window, so that the picture has the size asked for.
    for (QDockWidget* dock : w->findChildren<QDockWidget*>()) dock->hide();
    for (QToolBar* bar : w->findChildren<QToolBar*>()) bar->hide();
    w->statusBar()->hide();
  }
  const QStringList size = parser.value(size_option).split('x');
  QSize window_size(size[0].toInt(), size[1].toInt());  // checked by BadOption
  if (!parser.isSet(size_option)) {
    // Not larger than the screen (1400x860 on a 1280x800 one went past its edges): its
    // available area less a window frame's usual size, not below the smallest usable size.
    if (const QScreen* screen = QGuiApplication::primaryScreen(); screen != nullptr) {
      const QSize available = screen->availableGeometry().size() - QSize(16, 40);
      window_size = window_size.boundedTo(available).expandedTo(QSize(kMinWidth, kMinHeight));
    }
  }
  w->resize(window_size);
  w->show();

  // UI responsiveness (--bench-frames): the largest gap between ticks of a 10 ms timer, while
  // the cell loads (until the collision world and reach are built) and while frames render.
  auto ticker = new QTimer(w);
  auto tick_clock = std::make_shared<QElapsedTimer>();
  auto max_gap = std::make_shared<double>(0.0);
  QObject::connect(ticker, &QTimer::timeout, w, [tick_clock, max_gap] {
    if (tick_clock->isValid()) *max_gap = std::max(*max_gap, tick_clock->nsecsElapsed() / 1e6);
    tick_clock->start();
  });
  if (parser.isSet(bench_option)) ticker->start(10);
  // When the cell is drawn, the collision world built and the reach map done (--bench-frames).
  QElapsedTimer open_clock;
  open_clock.start();
  auto opened_s = std::make_shared<std::array<double, 3>>();
  QObject::connect(w, &MainWindow::cellOpened, w,
                   [&open_clock, opened_s] { (*opened_s)[0] = open_clock.elapsed() / 1e3; });
  QObject::connect(w, &MainWindow::worldBuilt, w,
                   [&open_clock, opened_s] { (*opened_s)[1] = open_clock.elapsed() / 1e3; });
  QObject::connect(w, &MainWindow::backgroundFinished, w,
                   [&open_clock, opened_s] { (*opened_s)[2] = open_clock.elapsed() / 1e3; });

  // --screenshot runs unattended (CI, docs): what it is doing goes to stderr, as `weldcell
  // plan` logs its stages: each stage's start and every quarter of it, with counts.
  if (parser.isSet(screenshot_option)) {
    auto say = [&open_clock](const std::string& what) {
      std::fprintf(stderr, "weldcell-viewer: %6.1f s  %s\n", open_clock.elapsed() / 1e3,
                   what.c_str());
      std::fflush(stderr);
    };
    say("reading " + parser.positionalArguments().value(0).toStdString());
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

  const QStringList args = parser.positionalArguments();
  // The cell is read in a worker; the plan, the weld to select and planning follow once it is
  // open (only for the cell of the command line).
  bool cell_ok = false;
  bool plan_ok = true;
  std::string bad_select;  // --select-weld names no weld of the cell: why
  QObject::connect(
      w, &MainWindow::cellOpened, w,
      [&](bool ok) {
        cell_ok = ok;
        if (!ok) return;
        // Checked first: an unknown weld id is the error, not a plan left half opened.
        if (parser.isSet(select_option)) {
          const std::string id = parser.value(select_option).toStdString();
          const auto& welds = w->cell()->welds;
          if (std::none_of(welds.begin(), welds.end(),
                           [&](const auto& weld) { return weld.id == id; })) {
            bad_select = UnknownWeldMessage(id, *w->cell());
            std::fprintf(stderr, "weldcell-viewer: error: %s\n", bad_select.c_str());
            QApplication::exit(2);
            return;
          }
        }
        if (args.size() > 1) {
          plan_ok = false;
          QObject::connect(
              w, &MainWindow::planOpened, w, [&](bool opened) { plan_ok = opened; },
              Qt::SingleShotConnection);
          w->OpenPlan(args[1]);
        }
        if (parser.isSet(plan_option)) {
          // A cell that cannot be planned (its check fails) is exit 2, as `weldcell plan`.
          QObject::connect(
              w, &MainWindow::planningFinished, w,
              [&](bool complete) {
                if (!complete) plan_ok = false;
              },
              Qt::SingleShotConnection);
          w->StartPlanning({}, parser.isSet(screenshot_option) || parser.isSet(bench_option));
        }
      },
      Qt::SingleShotConnection);
  if (!args.isEmpty()) w->OpenCell(args[0]);

  const auto view_name = parser.value(view_option);
  const weldcell::gui::StandardView view =
      view_name == "front"  ? weldcell::gui::StandardView::kFront
      : view_name == "top"  ? weldcell::gui::StandardView::kTop
      : view_name == "side" ? weldcell::gui::StandardView::kSide
                            : weldcell::gui::StandardView::kIso;
  const double time = parser.value(time_option).toDouble();
  auto prepare = [w, view, time, &parser, &welds_option, &select_option, &time_option,
                  &tab_option] {
    w->ShowStandardView(view);
    if (parser.isSet(tab_option)) w->ShowPane(parser.value(tab_option));
    if (parser.isSet(welds_option)) {
      w->SetWeldColoring(parser.value(welds_option) == "robot"
                             ? weldcell::gui::WeldColoring::kRobot
                             : weldcell::gui::WeldColoring::kReach);
    }
    w->SetTime(time);
    // Past the end as the time label writes it: 21.35 for an end at 21.3476 s is the end.
    if (parser.isSet(time_option) && w->plan() != nullptr &&
        time > w->time() + weldcell::gui::DisplayedResolution(w->time()) * (1 + 1e-9)) {
      std::fprintf(stderr,
                   "weldcell-viewer: warning: --time %s is past the end of the plan: showing its "
                   "end, %s s\n",
                   qPrintable(parser.value(time_option)),
                   weldcell::gui::FormatSeconds(w->time()).c_str());
    }
    if (parser.isSet(select_option) && w->cell() != nullptr) {
      for (std::size_t i = 0; i < w->cell()->welds.size(); ++i) {
        if (w->cell()->welds[i].id == parser.value(select_option).toStdString()) {
          w->SelectWeld(static_cast<int>(i));
        }
      }
    }
  };

  if (parser.isSet(screenshot_option)) {
    const QString file = parser.value(screenshot_option);
    const bool view_only = parser.isSet(view_only_option);
    int status = 0;
    // Exit 2 (the cell or the plan could not be opened, the station check failed) writes no
    // picture: an existing file stays as it was.
    auto failed = [w, &cell_ok, &plan_ok, &bad_select] {
      return !cell_ok || !bad_select.empty() || !plan_ok || w->station_errors() > 0;
    };
    QTimer::singleShot(0, w, [w, prepare, file, view_only, failed, &status] {
      WhenIdle(w, [w, prepare, file, view_only, failed, &status] {
        if (failed()) {
          QApplication::exit(2);
          return;
        }
        prepare();
        if (qEnvironmentVariableIsSet("WELDCELL_VIEWER_DEBUG")) {
          const auto c = w->scene()->camera();
          std::fprintf(stderr, "eye %g %g %g center %g %g %g fov %g widget %dx%d\n", c.eye.x(),
                       c.eye.y(), c.eye.z(), c.center.x(), c.center.y(), c.center.z(),
                       w->scene()->field_of_view_deg(), w->scene()->widget()->width(),
                       w->scene()->widget()->height());
        }
        CaptureAfter(w, 3, [w, file, view_only, &status](const QImage& image) {
          const QImage out = view_only ? image : Composite(w, image);
          // Atomically: a temporary file in the same folder renamed over `file` once written,
          // so that a failure leaves an existing file as it was.
          QSaveFile save(file);
          const QByteArray format = QFileInfo(file).suffix().toLower().toLatin1();
          if (!save.open(QIODevice::WriteOnly) || !out.save(&save, format.constData()) ||
              !save.commit()) {
            std::fprintf(stderr, "weldcell-viewer: error: cannot write %s: %s\n", qPrintable(file),
                         qPrintable(save.errorString()));
            status = 2;
          }
          QApplication::exit(status);
        });
      });
    });
    const int code = QApplication::exec();
    for (const weldcell::Diagnostic& d : w->diagnostics()) {
      std::fprintf(stderr, "%s\n", d.ToString().c_str());
    }
    if (failed()) {
      std::fprintf(stderr, "weldcell-viewer: no picture written (%s)\n",
                   !cell_ok              ? "the cell could not be opened"
                   : !bad_select.empty() ? "--select-weld names no weld of the cell"
                   : !plan_ok            ? "the plan could not be opened or made"
                              : "the station check failed, as `weldcell check` reports it");
      return 2;
    }
    if (code != 0) return code;
    // As `weldcell verify`: a plan the verifier finds violations in is exit 1 (the picture is
    // written; the violations are on stderr above).
    if (w->plan_violations() > 0) {
      std::fprintf(stderr, "weldcell-viewer: %s; exit 1, as `weldcell verify` on any violation\n",
                   qPrintable(w->plan_verdict()));
      return 1;
    }
    return 0;
  }

  if (parser.isSet(bench_option)) {
    const int frames = parser.value(bench_option).toInt();  // >= 4, checked by BadOption
    struct Bench {
      std::vector<double> frame_ms, set_ms, cpu_ms;
      double load_gap_ms = 0, upload_gap_ms = 0;
      QElapsedTimer clock;
      double cpu_start_ms = 0;
    };
    auto bench = std::make_shared<Bench>();
    auto step = std::make_shared<std::function<void(int)>>();
    // The first frames upload the geometry: they are reported apart.
    constexpr int kUploadFrames = 3;
    *step = [w, frames, bench, step, max_gap, opened_s, &cell_ok, &plan_ok](int i) {
      const double duration = w->plan() != nullptr ? weldcell::gui::PlanDuration(*w->plan()) : 0.0;
      if (i == kUploadFrames) {
        bench->upload_gap_ms = *max_gap;
        *max_gap = 0;
      }
      bench->cpu_start_ms = ThreadCpuMs();
      QElapsedTimer set_clock;
      set_clock.start();
      w->SetTime(duration * i / frames);
      bench->set_ms.push_back(set_clock.nsecsElapsed() / 1e6);
      bench->clock.start();
      w->scene()->Capture([w, i, frames, bench, step, max_gap, duration, opened_s, &cell_ok,
                           &plan_ok](const QImage&) {
        bench->frame_ms.push_back(bench->clock.nsecsElapsed() / 1e6);
        if (i >= kUploadFrames) bench->cpu_ms.push_back(ThreadCpuMs() - bench->cpu_start_ms);
        if (i + 1 < frames) {
          (*step)(i + 1);
          return;
        }
        std::vector<double> steady(bench->frame_ms.begin() + kUploadFrames, bench->frame_ms.end());
        std::printf(
            "open: cell drawn after %.1f s, collision world built after %.1f s, reach map after "
            "%.1f s\n",
            (*opened_s)[0], (*opened_s)[1], (*opened_s)[2]);
        std::printf(
            "load: longest UI event-loop stall %.1f ms (reading the cell, drawing it, collision "
            "world and reach)\n"
            "frames %zu: the first %d (geometry upload) %.1f ms each, longest stall %.1f ms; "
            "then per rendered frame median %.1f ms, max %.1f ms; UI thread CPU per frame median "
            "%.1f ms; scene update median %.2f ms, max %.2f ms; longest UI event-loop stall "
            "%.1f ms\n",
            bench->load_gap_ms, bench->frame_ms.size(), kUploadFrames,
            std::accumulate(bench->frame_ms.begin(), bench->frame_ms.begin() + kUploadFrames, 0.0) /
                kUploadFrames,
            bench->upload_gap_ms, Median(steady), Max(steady), Median(bench->cpu_ms),
            Median(bench->set_ms), Max(bench->set_ms), *max_gap);
        if (w->plan() == nullptr) {
          QApplication::exit(cell_ok && plan_ok ? 0 : 2);
          return;
        }
        // As a user watches it: playing at ×1 (the timeline's timer) for a few seconds.
        constexpr double kPlaySeconds = 5;
        w->SetTime(0.3 * duration);
        const double start = w->time();
        *max_gap = 0;
        w->SetSpeed(1.0);
        w->Play();
        QTimer::singleShot(static_cast<int>(kPlaySeconds * 1000), w,
                           [w, start, max_gap, &cell_ok, &plan_ok] {
                             w->Pause();
                             std::printf(
                                 "playing %.1f s of the plan at x1: longest UI event-loop stall "
                                 "%.1f ms\n",
                                 w->time() - start, *max_gap);
                             QApplication::exit(cell_ok && plan_ok ? 0 : 2);
                           });
      });
    };
    QTimer::singleShot(0, w, [w, prepare, step, bench, max_gap] {
      WhenIdle(w, [prepare, step, bench, max_gap] {
        bench->load_gap_ms = *max_gap;
        *max_gap = 0;
        prepare();
        (*step)(0);
      });
    });
    return QApplication::exec();
  }
  // Interactive: the view, time, weld colouring and selection asked for apply once the cell
  // (and the plan) are open.
  if (!args.isEmpty()) {
    QTimer::singleShot(0, w, [w, prepare] { WhenIdle(w, prepare, /*only_loading=*/true); });
  }
  return QApplication::exec();
}
