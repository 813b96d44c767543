import Foundation

/// Who may train a run. A process holds a run while `runs.status` is `running` with its
/// `host:pid` in `owner`; the trainer refreshes `heartbeat_at` with every commit. Another
/// process may take the run over when the holder is gone: on the same machine when its pid no
/// longer exists or now belongs to a process started after the last heartbeat (the pid was
/// reused), elsewhere when the heartbeat is older than `timeout`.
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
            if processIsGone(pid) { return true }
            // The pid lives, but a process that started after the holder's last heartbeat
            // cannot be the holder.
            guard let heartbeat, let age = Timestamp.age(of: heartbeat), let started = secondsSinceStart(of: pid) else { return false }
            return started + 1 < age
        }
        guard let heartbeat, let age = Timestamp.age(of: heartbeat) else { return true }
        return age > timeout
    }

    /// Whether no process `pid` exists on this machine.
    static func processIsGone(_ pid: Int32) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }

    /// How long ago process `pid` started, from /proc (field 22 of /proc/PID/stat: clock ticks
    /// after boot; /proc/uptime: seconds since boot); nil where /proc does not say.
    static func secondsSinceStart(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let afterName = stat.range(of: ")", options: .backwards) else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard fields.count > 19, let ticks = Double(fields[19]), ticksPerSecond > 0,
              let booted = uptime.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        return booted - ticks / ticksPerSecond
    }
}
