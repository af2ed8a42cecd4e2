// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "shipmeter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "shipmeter", targets: ["shipmeter"]),
        .executable(name: "shipmeter-hook", targets: ["shipmeter-hook"]),
        .library(name: "ShipmeterCLI", targets: ["ShipmeterCLI"]),
    ],
    // The PostgreSQL ledger backend (postgres-nio, swift-nio-ssl with BoringSSL) is most of the
    // build; `make demo` leaves it out (`--disable-default-traits`), everything else builds it.
    traits: [
        .trait(name: "PostgreSQL", description: "The PostgreSQL ledger backend (postgres-nio over TLS)."),
        .trait(name: "Collector", description: "`shipmeter serve`: the OTLP/HTTP collector and live dashboard (Hummingbird, swift-protobuf)."),
        .default(enabledTraits: ["PostgreSQL", "Collector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    // The module map (README, "Development"): each target, what it owns, what it may import.
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        // Git'''s values without libgit2: object ids, times, signatures, errors, and git's trailer rules.
        .target(name: "GitModel"),
        .target(name: "GitKit", dependencies: ["CGit2", "GitModel"]),
        // Where long work has got (phase, done of total); the command line draws it.
        .target(name: "WorkProgress"),
        .target(name: "Usage", dependencies: ["WorkProgress", .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // What attribution produces and the ledger stores (deployments, commit facts, change
        // measures, merge references), without libgit2.
        .target(name: "AttributionModel", dependencies: ["GitModel", "Usage"]),
        .target(name: "Attribution", dependencies: ["GitKit", "AttributionModel", "Usage", "WorkProgress", .product(name: "Yams", package: "Yams")]),
        // SQLite's process-wide options, which only C can set (`sqlite3_config` is variadic).
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "Ledger",
            dependencies: [
                "GitModel", "Usage", "AttributionModel", "CSQLiteTuning", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "NIOSSL", package: "swift-nio-ssl", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["PostgreSQL"])),
            ]),
        .target(name: "ShipmeterEngine", dependencies: ["GitKit", "Usage", "Attribution", "Ledger", "WorkProgress"]),
        .target(name: "Reporting", dependencies: ["Attribution", "Usage"]),
        // What a commit hook runs: session detection and trailer writing, without libgit2.
        .target(name: "CommitTagging", dependencies: ["GitModel", .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "CommitHooks", dependencies: ["GitKit", "CommitTagging"]),
        // `shipmeter serve`: OTLP/HTTP in, the ledger's report out. Built only with the Collector trait.
        .target(
            name: "Collector",
            dependencies: [
                "ShipmeterEngine", "Ledger", "Usage", "Attribution", "Reporting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                "OTLPWire",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // OTLP export requests (protobuf and its JSON mapping) decoded into usage records, and the
        // responses: the collector's wire format, without a server (fuzzed on its own).
        .target(
            name: "OTLPWire", dependencies: ["Usage", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Generated/README.md", "Generated/rpc_status.proto"]),
        .target(name: "DemoScenario", path: "examples/DemoScenario"),
        .target(
            name: "ShipmeterCLI",
            dependencies: [
                "ShipmeterEngine", "Attribution", "Usage", "Reporting", "CommitHooks", "DemoScenario", "WorkProgress",
                .target(name: "Collector", condition: .when(traits: ["Collector"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfo"]
        ),
        // Writes the commit the binary is built from into ShipmeterCLI (`shipmeter --version`).
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(name: "shipmeter", dependencies: ["ShipmeterCLI"]),
        // The commit hook's own binary: session detection and trailer writing only. A release build
        // on Linux is a static executable (the Swift runtime, FoundationEssentials and SQLite
        // inside, no dynamic loader; CommitTagging does not import Foundation's own module): it
        // starts in about 1 ms, where loading the shared runtime and Foundation takes 15 and
        // relocating a --static-swift-stdlib build another 1.5 (scripts/bench-hook). Linked with
        // lld, which does not repeat glibc's link-time note on the user-database call: the hook
        // reads HOME from its environment and asks the database (through this system's glibc)
        // only when HOME is unset.
        .executableTarget(
            name: "shipmeter-hook", dependencies: ["CommitTagging"],
            linkerSettings: [.unsafeFlags(["-static-executable", "-use-ld=lld"], .when(platforms: [.linux], configuration: .release))]),
        .executableTarget(name: "shipmeter-bench", dependencies: ["GitKit", "Attribution", "Reporting", "Usage"]),
        // Every parser of untrusted input as a libFuzzer target (scripts/fuzz), and a replayer.
        .executableTarget(name: "shipmeter-fuzz", dependencies: ["GitKit", "Attribution", "Usage", "OTLPWire", "CommitTagging"]),
        .target(name: "ShipmeterTestSupport", dependencies: ["GitKit", "Attribution"], path: "Tests/ShipmeterTestSupport"),
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "ShipmeterTestSupport"]),
        .testTarget(name: "UsageTests", dependencies: ["Usage", "ShipmeterTestSupport", .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution", "GitKit", "Usage", "ShipmeterTestSupport"]),
        .testTarget(
            name: "ShipmeterCLITests",
            dependencies: ["ShipmeterCLI", "WorkProgress", "ShipmeterTestSupport", .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .testTarget(
            name: "CommitHooksTests",
            dependencies: ["CommitHooks", "CommitTagging", "GitKit", "ShipmeterTestSupport", .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "Attribution", "GitKit", "Usage", "ShipmeterTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ShipmeterEngineTests", dependencies: ["ShipmeterEngine", "Ledger", "Attribution", "GitKit", "Usage", "ShipmeterTestSupport"]),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "Collector", "OTLPWire", "Ledger", "Usage", "ShipmeterTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "ReportingTests",
            dependencies: ["Reporting", "Attribution", "Usage", "GitKit", "DemoScenario", "ShipmeterTestSupport"],
            exclude: ["Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
