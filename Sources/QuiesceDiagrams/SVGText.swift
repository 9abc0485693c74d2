/// Text made safe for an SVG document: the five characters XML gives meaning to become entities, and
/// control characters, which XML 1.0 forbids, become `?`.
enum SVGText {
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value): result += "?"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A length or coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// The width a label of `text` takes at `size` pixels in the drawings' sans-serif font, roughly:
    /// enough to size boxes and columns without measuring glyphs.
    static func width(of text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }

    /// The opening of every drawing: the document element, its size, and the styles it uses, so
    /// that it needs no external font, stylesheet or script.
    static func header(width: Double, height: Double, title: String, style: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))" \
        viewBox="0 0 \(number(width)) \(number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <title>\(escaped(title))</title>
        <style>
        \(style)
        </style>
        <rect x="0" y="0" width="\(number(width))" height="\(number(height))" fill="#ffffff"/>

        """
    }
}
