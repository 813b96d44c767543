import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Debian's headless Chromium, driven through the DevTools protocol over a pipe
/// (`--remote-debugging-pipe`: requests on descriptor 3, answers on descriptor 4, each message
/// JSON ended by a NUL byte). The browser tests of `ganpipe serve` open pages with it, read
/// the live document and save screenshots.
public final class HeadlessBrowser {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private var process: pid_t = 0
    private let requests: Int32
    private let answers: Int32
    private var received = [UInt8]()
    private var nextId = 0
    private let profile = TemporaryDirectory()

    public static let executable = "/usr/bin/chromium"

    public init() throws {
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe failed") }
        for descriptor in toBrowser + fromBrowser { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        // Duplicated above 10 so that the dup2 onto 3 and 4 never meets its own source.
        let childReads = fcntl(toBrowser[0], F_DUPFD_CLOEXEC, 10), childWrites = fcntl(fromBrowser[1], F_DUPFD_CLOEXEC, 10)
        close(toBrowser[0]); close(fromBrowser[1])
        requests = toBrowser[1]
        answers = fromBrowser[0]
        defer { close(childReads); close(childWrites) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childReads, 3)
        posix_spawn_file_actions_adddup2(&actions, childWrites, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [Self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=\(profile.path)",
                         "--window-size=1280,1000", "about:blank"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&process, Self.executable, &actions, nil, &argv, environ)
        guard status == 0 else { throw Failure(description: "cannot start \(Self.executable): \(String(cString: strerror(status)))") }
    }

    deinit {
        close(requests)
        close(answers)
        kill(process, SIGKILL)
        var status: Int32 = 0
        waitpid(process, &status, 0)
    }

    /// Sends one protocol command and returns its `result`, or throws its `error`.
    @discardableResult
    public func send(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil,
                     timeout: Duration = .seconds(30)) throws -> [String: Any] {
        nextId += 1
        var message: [String: Any] = ["id": nextId, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        let bytes = try Array(JSONSerialization.data(withJSONObject: message)) + [0]
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(requests, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: "the browser stopped reading (\(method))") }
            sent += count
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            while let end = received.firstIndex(of: 0) {
                let text = Data(received[..<end])
                received.removeSubrange(...end)
                guard let answer = try JSONSerialization.jsonObject(with: text) as? [String: Any],
                      answer["id"] as? Int == nextId else { continue }
                if let error = answer["error"] { throw Failure(description: "\(method): \(error)") }
                return answer["result"] as? [String: Any] ?? [:]
            }
            var descriptor = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            guard ContinuousClock.now < deadline, poll(&descriptor, 1, 1000) >= 0 else {
                throw Failure(description: "no answer to \(method) within \(timeout)")
            }
            guard descriptor.revents != 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let count = buffer.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: "the browser closed its pipe (\(method))") }
            received += buffer[0..<count]
        }
    }

    /// Opens `url` in a new tab and returns the session that talks to it.
    public func open(_ url: String) throws -> String {
        let target = try send("Target.createTarget", ["url": url])
        let attached = try send("Target.attachToTarget", ["targetId": target["targetId"] as Any, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure(description: "no session for \(url)") }
        return session
    }

    /// The value of a JavaScript expression in the page (awaited when it is a promise).
    public func evaluate(_ expression: String, session: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true], session: session)
        if let thrown = result["exceptionDetails"] { throw Failure(description: "\(expression): \(thrown)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// The centre of the first element matching `selector`, scrolled into view, in window
    /// coordinates; nil when nothing matches or it has no size.
    public func centre(of selector: String, session: String) throws -> (x: Double, y: Double)? {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: selector, options: .fragmentsAllowed), as: UTF8.self)
        let box = try evaluate("""
            (function () {
              var element = document.querySelector(\(quoted));
              if (!element) return null;
              element.scrollIntoView({ block: 'center' });
              var r = element.getBoundingClientRect();
              return r.width > 0 && r.height > 0 ? [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height] : null;
            })()
            """, session: session) as? [Double]
        return box.map { ($0[0], $0[1]) }
    }

    /// A real mouse event (`mouseMoved`, `mousePressed`, `mouseReleased`) at window coordinates,
    /// as a person's pointer makes it: the page's own handlers see it.
    public func mouse(_ type: String, x: Double, y: Double, session: String, clickCount: Int = 1) throws {
        var parameters: [String: Any] = ["type": type, "x": x, "y": y, "button": type == "mouseMoved" ? "none" : "left"]
        if type != "mouseMoved" { parameters["clickCount"] = clickCount }
        try send("Input.dispatchMouseEvent", parameters, session: session)
    }

    /// Clicks the centre of the first element matching `selector`; false when there is none.
    @discardableResult
    public func click(_ selector: String, session: String) throws -> Bool {
        guard let point = try centre(of: selector, session: session) else { return false }
        try mouse("mouseMoved", x: point.x, y: point.y, session: session)
        try mouse("mousePressed", x: point.x, y: point.y, session: session)
        try mouse("mouseReleased", x: point.x, y: point.y, session: session)
        return true
    }

    /// Saves a PNG of the page as the window shows it now (1280×1000).
    public func screenshot(session: String, to path: String) throws {
        let shot = try send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": false], session: session)
        guard let encoded = shot["data"] as? String, let png = Data(base64Encoded: encoded) else {
            throw Failure(description: "no screenshot data")
        }
        try png.write(to: URL(fileURLWithPath: path))
    }
}
