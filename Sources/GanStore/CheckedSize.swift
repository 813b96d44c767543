import GanSchema

/// Sizes from outside multiplied with overflow checks; defined with the shared vocabulary in
/// GanSchema (network descriptions use it too) and named here for the stages that import the store.
public typealias CheckedSize = GanSchema.CheckedSize
