import Foundation

/// Stable JSON for documents printed to users: pretty for `--json`, one line for `--json-lines`.
enum JSONText {
    /// `value` as pretty JSON with sorted keys.
    static func encode<T: Encodable>(_ value: T) -> String {
        encode(value, formatting: [.prettyPrinted, .sortedKeys])
    }

    /// `value` as JSON on one line, with sorted keys.
    static func line<T: Encodable>(_ value: T) -> String {
        encode(value, formatting: [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func encode<T: Encodable>(_ value: T, formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = formatting
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
