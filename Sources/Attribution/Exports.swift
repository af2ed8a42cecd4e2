// The values attribution works with, which the ledger stores without linking libgit2.
@_exported import AttributionModel
