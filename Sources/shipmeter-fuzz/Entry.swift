import Foundation

// Built two ways (scripts/fuzz):
// - with `-sanitize=fuzzer,address -D SHIPMETER_FUZZING`: libFuzzer drives the target named by
//   SHIPMETER_FUZZ_TARGET;
// - plainly: `shipmeter-fuzz list`, and `shipmeter-fuzz run TARGET PATH...` replays inputs
//   (files, or folders of them) through a target, e.g. a crash libFuzzer saved.

#if SHIPMETER_FUZZING
let selectedTarget: String = {
    let name = ProcessInfo.processInfo.environment["SHIPMETER_FUZZ_TARGET"] ?? ""
    guard FuzzTargets.names.contains(name) else {
        FileHandle.standardError.write(Data("set SHIPMETER_FUZZ_TARGET to one of: \(FuzzTargets.names.joined(separator: " "))\n".utf8))
        exit(2)
    }
    return name
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTargets.run(selectedTarget, bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, _ callback: FuzzCallback
) -> CInt

/// The package manager links an executable's entry point under this name; libFuzzer's driver
/// takes over from it.
@_cdecl("shipmeter_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "list":
            print(FuzzTargets.names.joined(separator: "\n"))
        case "run" where arguments.count >= 3:
            let target = arguments[1]
            guard FuzzTargets.names.contains(target) else {
                fail("unknown target '\(arguments[1])'; `shipmeter-fuzz list` names them")
            }
            var count = 0
            for path in arguments.dropFirst(2) {
                for file in inputs(path) {
                    guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                    FuzzTargets.run(target, data)
                    count += 1
                }
            }
            print("\(arguments[1]): \(count) inputs, no crash")
        default:
            fail("usage: shipmeter-fuzz list | shipmeter-fuzz run TARGET FILE|FOLDER...")
        }
    }

    static func inputs(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}
#endif
