import Foundation

/// Who may train a run. A process holds a run while `runs.status` is `running` with its
/// `host:pid` in `owner`; the trainer refreshes `heartbeat_at` with every commit. Another
/// process may take the run over when the holder is gone: on the same machine when its pid no
/// longer exists, elsewhere when the heartbeat is older than `timeout`.
public enum RunLease {
    /// A heartbeat older than this means the holder on another machine is gone.
    public static let timeout: TimeInterval = 120

    /// `host:pid` of this process.
    public static var currentOwner: String {
        "\(ProcessInfo.processInfo.hostName):\(getpid())"
    }

    /// Whether this process may start or continue training `run` now.
    public static func isAvailable(_ run: RunRecord) -> Bool {
        guard run.status == .running, let owner = run.owner, owner != currentOwner else { return true }
        return holderIsGone(owner: owner, heartbeat: run.heartbeatAt)
    }

    static func holderIsGone(owner: String, heartbeat: String?) -> Bool {
        let parts = owner.split(separator: ":")
        if parts.count == 2, String(parts[0]) == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]) {
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        guard let heartbeat, let age = Timestamp.age(of: heartbeat) else { return true }
        return age > timeout
    }
}
