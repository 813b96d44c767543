import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.0 GET against a server on this machine over a plain socket, with a receive
/// timeout: the tests talk to `ganpipe serve` without URLSession (whose Linux implementation
/// spins a core while a caller waits on it). Returns status 0 and an empty body when the
/// server cannot be reached or does not answer in time.
public func httpGet(host: String = "127.0.0.1", port: UInt16, path: String,
                    timeout: Duration = .seconds(20)) -> (status: Int, body: String) {
    let socketHandle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketHandle >= 0 else { return (0, "") }
    defer { close(socketHandle) }
    var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
    setsockopt(socketHandle, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(socketHandle, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return (0, "") }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketHandle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return (0, "") }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(socketHandle, $0.baseAddress, $0.count, 0) }) == request.count else { return (0, "") }
    var response = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(socketHandle, $0.baseAddress, $0.count, 0) }
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let headerEnd = text.range(of: "\r\n\r\n") else { return (0, "") }
    let statusLine = text[..<headerEnd.lowerBound].prefix { $0 != "\r" }
    let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return (status, String(text[headerEnd.upperBound...]))
}
