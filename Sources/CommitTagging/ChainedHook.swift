#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hook that was in place before shipmeter's: kept beside it as `<hook>.shipmeter-chained`
/// and run first, with the same arguments. Its exit status is the commit's verdict, as it was
/// before shipmeter came: a failure stops the commit.
public enum ChainedHook {
    public static let suffix = ".shipmeter-chained"

    /// Runs `<hookPath>.shipmeter-chained` when it is there and executable, and returns its exit
    /// status (128 + the signal when one ended it, 126 when it cannot be started); 0 when there
    /// is none. Standard streams and the environment are passed through.
    public static func run(hookPath: String, arguments: [String]) -> Int32 {
        let path = hookPath + suffix
        guard access(path, X_OK) == 0 else { return 0 }
        var pid = pid_t()
        func spawn(_ program: String, _ words: [String]) -> Int32 {
            let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            return posix_spawn(&pid, program, nil, nil, argv, environ)
        }
        var spawned = spawn(path, [path] + arguments)
        // A script without a `#!` line: run by sh, as git and the shell run such hooks.
        if spawned == ENOEXEC { spawned = spawn("/bin/sh", ["/bin/sh", path] + arguments) }
        guard spawned == 0 else { return 126 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return 126 }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
