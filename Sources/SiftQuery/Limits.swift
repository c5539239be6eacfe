// Bounds on what a query may hold, so that no input can exhaust the stack of the parser, the
// printer or the compiler (each recurses once per level of nesting), nor build SQL that SQLite
// refuses for its size. Documented in docs/query-language.md.

/// The limits the parser enforces on every query.
public enum QueryLimits {
    /// The deepest nesting of parentheses, `not`, `with(...)`, arrays `[...]` and objects `{...}`
    /// (each counts one level). Deeper input is an error at the token that passes the limit.
    public static let maxNesting = 32
    /// The most terms (each `all`, `is()`, `id()`, `has_key()`, text, predicate and `not`) one
    /// query may have. More is an error at the first term past the limit.
    public static let maxTerms = 500
}
