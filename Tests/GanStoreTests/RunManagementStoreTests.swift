import Foundation
import GanStore
import Testing

/// The store side of run management: what the default listing leaves out, exact names that
/// contain pattern characters, and tags that go with their run.
@Suite struct RunManagementStoreTests {
    @Test func classifierRunsAreListedOnlyWhenAskedFor() throws {
        let database = try GanDatabase.inMemory()
        let store = RunStore(database)
        for (name, objective) in [("a", "wgan-gp"), ("classifier/digits", "classifier"), ("b", "gan")] {
            _ = try store.insert(RunRecord(name: name, objective: objective, datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        }
        #expect(try store.list(RunStore.Filter()).map(\.run.name) == ["a", "b"])
        #expect(try store.list(RunStore.Filter(includeClassifiers: true)).map(\.run.name) == ["a", "classifier/digits", "b"])
        #expect(try store.list(RunStore.Filter(objective: "classifier")).map(\.run.name) == ["classifier/digits"])
    }

    @Test func exactNamesMatchLiterallyAndTagsGoWithTheirRun() throws {
        let database = try GanDatabase.inMemory()
        let store = RunStore(database)
        // A name stored before names were checked may hold pattern characters; listed by its
        // exact name it matches only itself.
        let odd = try store.insert(RunRecord(name: "lr[1]", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        let plain = try store.insert(RunRecord(name: "lr1", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        #expect(try store.list(RunStore.Filter(names: ["lr1"])).map(\.run.name) == ["lr1"])
        #expect(try store.list(RunStore.Filter(names: ["lr*"])).map(\.run.name) == ["lr[1]", "lr1"])
        #expect(try store.tag([odd, plain], ["x", "y"]) == 4)
        #expect(try store.tag([odd], ["x"], remove: true) == 1)
        #expect(try store.list(RunStore.Filter(tags: ["x"])).map(\.run.name) == ["lr1"])
        let deletion = try store.delete([plain])
        #expect(deletion.runs == ["lr1"])
        #expect(try store.list(RunStore.Filter(tags: ["y"])).map { $0.run.name } == ["lr[1]"])
        #expect(RunStore.nameProblem("lr[2]") != nil && RunStore.nameProblem("nightly/wgan-gp/seed=1") == nil)
    }

    /// What a live page polls: the token moves with every change a page shows, and only then.
    @Test func theChangeTokenMovesWithWhatAPageShows() throws {
        let database = try GanDatabase.inMemory()
        let store = RunStore(database)
        var tokens = [try store.changeToken()]
        func changed() throws -> Bool {
            let token = try store.changeToken()
            defer { tokens.append(token) }
            return token != tokens.last
        }
        let run = try store.insert(RunRecord(name: "a", objective: "gan", datasetId: nil, seed: 1, configJson: "{}", totalSteps: 1))
        #expect(try changed(), "a new run")
        #expect(try !changed(), "nothing happened")
        _ = try store.tag([run], ["x"])
        #expect(try changed(), "a tag")
        _ = try store.tag([run], ["x"], remove: true)
        _ = try store.tag([run], ["y"])
        #expect(try changed(), "a tag replaced by another")
        try store.setNote("diverged at 3k", on: [run])
        #expect(try changed(), "a note")
        try store.rename(run, to: "b")
        #expect(try changed(), "a new name")
        #expect(try !changed())
    }
}
