import Foundation
import GanStore
import Testing

/// Who holds a run on this machine: a live pid holds it, unless that pid now belongs to a
/// process started after the holder's last heartbeat (pids are reused).
@Suite struct RunLeaseTests {
    static func running(owner pid: Int32, heartbeat: Date) -> RunRecord {
        var run = RunRecord(name: "r", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 10)
        run.status = .running
        run.owner = "\(ProcessInfo.processInfo.hostName):\(pid)"
        run.heartbeatAt = Timestamp.format(heartbeat)
        return run
    }

    @Test func aLivePidHoldsTheRunUnlessItStartedAfterTheHeartbeat() throws {
        let heartbeatBeforeStart = Date().addingTimeInterval(-3 * 86_400)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["20"]
        try sleeper.run()
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        usleep(50_000)
        let pid = sleeper.processIdentifier
        // Three days without a heartbeat and a pid that has existed for a moment: reused.
        #expect(RunLease.isAvailable(Self.running(owner: pid, heartbeat: heartbeatBeforeStart)))
        // A heartbeat after the process started: the live holder keeps the run.
        usleep(1_200_000)
        #expect(!RunLease.isAvailable(Self.running(owner: pid, heartbeat: Date())))
    }

    @Test func aDeadPidHoldsNothing() throws {
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        #expect(RunLease.isAvailable(Self.running(owner: finished.processIdentifier, heartbeat: Date())))
    }
}
