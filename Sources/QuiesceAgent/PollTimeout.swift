extension Duration {
    /// The duration as `poll`'s timeout: whole milliseconds from 0 to `Int32.max`, saturating
    /// instead of trapping on a duration that holds more, and never `poll`'s negative "forever".
    var pollTimeout: Int32 {
        Int32(clamping: Swift.max(0, milliseconds))
    }
}
