import Foundation

/// How much memory this process can still take, so that work sized from outside (a network's
/// width, a batch) is refused up front with an estimate instead of being killed halfway.
public enum AvailableMemory {
    /// The smallest of: the kernel's estimate of memory available without swapping
    /// (`MemAvailable`), the address-space limit (`ulimit -v`) less what is mapped now, and
    /// the control group's limit (`memory.max`) less its current use. Physical memory where
    /// none of these can be read.
    public static func bytes() -> Int {
        var candidates: [Int] = []
        if let available = field("MemAvailable", in: "/proc/meminfo") { candidates.append(available) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {  // rlim_t.max is RLIM_INFINITY
            let mapped = field("VmSize", in: "/proc/self/status") ?? 0
            candidates.append(max(0, Int(clamping: limit.rlim_cur) - mapped))
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let maximum = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            let current = (try? String(contentsOfFile: "/sys/fs/cgroup/memory.current", encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            candidates.append(max(0, maximum - current))
        }
        return candidates.min() ?? Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }

    /// `bytes` as people read it: `21.3 GB`, `512 MB`.
    public static func describe(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
    }

    /// A `NAME: value kB` line of a /proc file, in bytes.
    static func field(_ name: String, in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }
}
