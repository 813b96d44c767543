import Foundation
import GanStore
import GRDB

/// The logical content of a database — its schema and every row of every table — as one
/// digest. Commands that open the database for writing may change SQLite's file header (change
/// counters, WAL bookkeeping) without changing content; this is what "the database is
/// unchanged" means for them.
public enum DatabaseDump {
    public static func digest(_ path: String) throws -> String {
        try RawDatabase(path: path).read { db in
            var hasher = SHA256()
            let tables = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
            for table in tables {
                let name: String = table["name"]
                hasher.update(Array("\(name)\n\(table["sql"] as String? ?? "")\n".utf8))
                guard try db.tableExists(name) else { continue }
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier) ORDER BY 1, 2")
                while let row = try rows.next() {
                    for value in row.databaseValues {
                        switch value.storage {
                        case .null: hasher.update(Array("null|".utf8))
                        case .int64(let number): hasher.update(Array("i\(number)|".utf8))
                        case .double(let number): hasher.update(Array("d\(number.bitPattern)|".utf8))
                        case .string(let text): hasher.update(Array("s\(text.utf8.count):\(text)|".utf8))
                        case .blob(let data): hasher.update(Array("b\(data.count):".utf8)); hasher.update(data)
                        }
                    }
                    hasher.update([10])
                }
            }
            return hasher.finalizeHex()
        }
    }
}
