import CGit2
import GitModel

/// Object ids to and from libgit2's `git_oid`.
extension ObjectID {
    init(_ oid: git_oid) {
        var copy = oid
        let (a, b, c) = withUnsafeBytes(of: &copy.id) { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            )
        }
        self.init(words: a, b, c)
    }

    init(pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { buffer in
            buffer.storeBytes(of: a.bigEndian, toByteOffset: 0, as: UInt64.self)
            buffer.storeBytes(of: b.bigEndian, toByteOffset: 8, as: UInt64.self)
            buffer.storeBytes(of: c.bigEndian, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }
}
