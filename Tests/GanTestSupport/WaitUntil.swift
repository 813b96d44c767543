import Foundation

/// Polls `condition` every `interval` until it holds or `timeout` has passed, and says whether
/// it held. Waits in the tests are bounded so that a regression which never reaches the awaited
/// state fails the test (the caller expects `true`) instead of hanging the suite.
public func waitUntil(timeout: Duration, pollingEvery interval: Duration = .milliseconds(1),
                      _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return true }
        if clock.now >= deadline { return false }
        let (seconds, attoseconds) = interval.components
        usleep(useconds_t(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }
}
