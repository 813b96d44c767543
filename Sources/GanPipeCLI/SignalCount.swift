import Dispatch
import Foundation
import Synchronization

/// Counts the signals received (each of `signals`), instead of their default action, and
/// calls `handler` with each signal and the count so far (on a global queue).
final class SignalCount: @unchecked Sendable {
    private let received = Atomic<Int>(0)
    /// Kept alive as long as the counter: they deliver the signals.
    private var sources: [DispatchSourceSignal] = []

    init(_ signals: [Int32], handler: @escaping @Sendable (_ signal: Int32, _ count: Int) -> Void = { _, _ in }) {
        for signalNumber in signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                let count = received.add(1, ordering: .relaxed).newValue
                handler(signalNumber, count)
            }
            source.resume()
            sources.append(source)
        }
    }

    var count: Int { received.load(ordering: .relaxed) }
}
