import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An SVG document read back by a real XML parser: its elements with their attributes, and the
/// elements each `<g class="row">` (or `node`) group holds.
struct SVGStructure {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The `data-service` of the group the element is in, if any.
        var group: String?
        var groupInstance: String?
    }

    var elements: [Element] = []
    var texts: [String] = []

    /// `nil` when the document is not well-formed XML.
    init?(_ svg: String) {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        elements = delegate.elements
        texts = delegate.texts
    }

    func elements(named name: String, classed className: String) -> [Element] {
        elements.filter {
            $0.name == name && ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(className))
        }
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var texts: [String] = []
        var groups: [(service: String?, instance: String?)] = []
        var text = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append(
                Element(
                    name: name, attributes: attributes, group: groups.last?.service,
                    groupInstance: groups.last?.instance))
            if name == "g" { groups.append((attributes["data-service"], attributes["data-instance"])) }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "g" { groups.removeLast() }
            if name == "text" || name == "title" { texts.append(text) }
            text = ""
        }
    }
}
