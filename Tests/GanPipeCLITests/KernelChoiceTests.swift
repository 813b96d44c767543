import Foundation
import GanStore
import GanTensor
import GanTestSupport
import GRDB
import Testing

/// The BLAS kernel as a user meets it: replaced where OpenBLAS falls back to a generic one
/// (reproduced on any CPU with `GANPIPE_TEST_BLAS_CHOICE=Prescott`, which makes ganpipe take
/// Prescott for the library's own choice), the user's OPENBLAS_CORETYPE kept, the kernel
/// recorded with each run, and a resume on another kernel flagged.
@Suite struct KernelChoiceTests {
    static func benchKernels(_ environment: [String: String]) throws -> (GanPipeProcess.Outcome, [String: Any]) {
        let outcome = try GanPipeProcess.run(["bench", "kernels", "--json", "--repetitions", "1"], environment: environment)
        #expect(outcome.status == 0, "\(outcome)")
        let last = outcome.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        let report = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(outcome)")
        return (outcome, report)
    }

    /// A user's OPENBLAS_CORETYPE (and no test switch, should the suite run under one).
    static func userChoice(_ kernel: String) -> [String: String] {
        ["OPENBLAS_CORETYPE": kernel, BLAS.testChoiceVariable: ""]
    }

    @Test func aGenericLibraryChoiceIsReplacedAndSaidInOneLine() throws {
        // A command that computes nothing does not load the library, and says nothing.
        let folder = TemporaryDirectory()
        try GanDatabase.open(path: folder.file("empty.sqlite")).close()
        let quiet = try GanPipeProcess.run(["runs", "--db", folder.file("empty.sqlite")],
                                           environment: [BLAS.testChoiceVariable: "Prescott"])
        #expect(quiet.status == 0 && quiet.standardError.isEmpty, "\(quiet)")
        let cpu = CPUInfo.current
        let preferred = try #require(BLASKernel.preferred(for: cpu), "ganpipe needs a CPU with AVX2; this one has \(cpu.widestVectorUnit)")
        let (outcome, report) = try Self.benchKernels([BLAS.testChoiceVariable: "Prescott"])
        let blas = try #require(report["blas"] as? [String: Any])
        #expect(blas["kernel"] as? String == preferred)
        #expect(blas["choice"] as? String == "ganpipe")
        #expect(blas["replaced_kernel"] as? String == "Prescott")
        let notes = outcome.stderrLines.filter { $0.contains("Prescott") }
        #expect(notes.count == 1 && outcome.stderrLines.count == 1, "\(outcome.standardError)")
        #expect(notes.first?.hasPrefix("ganpipe: note: OpenBLAS") == true)
        #expect(notes.first?.contains("uses \(preferred) instead") == true)
        // The fast kernel is measured against the peak of the unit it uses.
        let peak = try #require(report["fma_peak_gflops"] as? Double)
        let fraction = try #require(report["matmul_fraction_of_peak"] as? Double)
        #expect(peak > 1 && fraction > 0.05 && fraction < 1.5, "peak \(peak), fraction \(fraction)")
        #expect(report["peak_vector_unit"] as? String == cpu.widestVectorUnit.rawValue)
    }

    @Test func aPipelineSaysItOnceForAllItsWorkers() throws {
        let folder = TemporaryDirectory()
        let pipeline = try RunCommandTests.writePipeline(in: folder, steps: 4)
        let outcome = try GanPipeProcess.run(["run", pipeline, "--db", folder.file("p.sqlite"), "--jobs", "2"],
                                             environment: [BLAS.testChoiceVariable: "Prescott"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stderrLines.filter { $0.hasPrefix("ganpipe: note: ") }.count == 1, "\(outcome.standardError)")
    }

    @Test func theUsersCoreTypeIsKeptWithoutANote() throws {
        let (outcome, report) = try Self.benchKernels(Self.userChoice("Prescott"))
        let blas = try #require(report["blas"] as? [String: Any])
        #expect(blas["kernel"] as? String == "Prescott")
        #expect(blas["choice"] as? String == "user")
        #expect(!outcome.standardError.contains("ganpipe: note"), "\(outcome.standardError)")
        // A child process decides for itself: the variable is given back as it was.
        #expect(outcome.standardOutput.contains("note: this CPU has") == (CPUInfo.current.widestVectorUnit >= .avx2))
    }

    @Test func theKernelIsRecordedAndAResumeOnAnotherIsFlagged() throws {
        let cpu = CPUInfo.current
        let preferred = try #require(BLASKernel.preferred(for: cpu))
        let folder = TemporaryDirectory()
        let path = try TrainCommandTests.databaseWithData(in: folder)
        let train = try GanPipeProcess.run(["train", "--db", path, "--objective", "wgan-gp", "--steps", "4", "--checkpoint-every", "2",
                                            "--name", "k"] + TrainCommandTests.small, environment: Self.userChoice(preferred))
        #expect(train.status == 0, "\(train)")
        let show = try GanPipeProcess.run(["show", "k", "--db", path])
        #expect(show.standardOutput.contains("kernel \(preferred)"), "\(show)")
        #expect(show.standardOutput.contains("cpu          \(cpu.summary)"), "\(show)")
        let json = try GanPipeProcess.run(["show", "k", "--db", path, "--json"])
        #expect(json.standardOutput.contains("\"kernel\":\"\(preferred)\""), "\(json)")

        // Same kernel: no warning. Another kernel: one warning event at the checkpoint resumed from.
        let same = try GanPipeProcess.run(["resume", "k", "--db", path, "--steps", "6"], environment: Self.userChoice(preferred))
        #expect(same.status == 0, "\(same)")
        let other = try GanPipeProcess.run(["resume", "k", "--db", path, "--steps", "8"], environment: Self.userChoice("Prescott"))
        #expect(other.status == 0, "\(other)")
        let database = try GanDatabase.open(path: path, access: .readOnly)
        defer { try? database.close() }
        let events = try RawDatabase(database).read {
            try Row.fetchAll($0, sql: "SELECT step, severity, message FROM events WHERE kind = 'kernel_changed'")
        }
        #expect(events.count == 1)
        #expect(events.first?["step"] == 6)
        #expect(events.first?["severity"] == "warning")
        let message: String = events.first?["message"] ?? ""
        #expect(message.contains("kernel Prescott") && message.contains("kernel \(preferred)"), "\(message)")
        // The run keeps the machine it started on.
        let machine = try RawDatabase(database).read { try String.fetchOne($0, sql: "SELECT json_extract(machine_json, '$.kernel') FROM runs") }
        #expect(machine == preferred)
    }
}
